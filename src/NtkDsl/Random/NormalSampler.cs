namespace NtkDsl;

/// <summary>
/// The documented, seeded source of initial parameters: xoshiro256** seeded through SplitMix64 from the seed,
/// turned into standard normals by the Box–Muller transform (both outputs used, in order). Parameters are drawn on
/// the CPU in <c>GetParameters()</c> order, so every backend starts from the same values for the same seed.
/// </summary>
/// <remarks>Thread safety: not thread-safe: every draw advances its state; use one sampler per thread (seeded differently or split deterministically).</remarks>
public sealed class NormalSampler
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>A sampler for <paramref name="seed"/>.</summary>
    public NormalSampler(long seed)
    {
        ulong x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in (0, 1): 53 random bits, never 0.</summary>
    public double NextUniform() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>Next standard normal N(0, 1).</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = NextUniform(), u2 = NextUniform();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spare = r * Math.Sin(angle);
        _hasSpare = true;
        return r * Math.Cos(angle);
    }

    /// <summary>Fills <paramref name="destination"/> with N(0, std²) draws.</summary>
    public void FillNormal(Span<double> destination, double std)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = std * NextNormal();
    }

    /// <summary>Fills <paramref name="destination"/> with N(0, std²) draws rounded to float32.</summary>
    public void FillNormal(Span<float> destination, double std)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(std * NextNormal());
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
