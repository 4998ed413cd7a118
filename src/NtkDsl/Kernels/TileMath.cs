using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NtkDsl.Kernels;

/// <summary>
/// The elementwise steps of the structured NTK assembly on one tile (math.md §2): per layer, the Hadamard product of
/// the input Gram and the delta Gram is added to the weight accumulator and the delta Gram to the bias accumulator.
/// Vectorized for float64 Grams; every element is computed as the scalar loop would (same operations, same order), so
/// results do not depend on the vector width.
/// </summary>
internal static class TileMath
{
    /// <summary>accW[p] += wW·g[p]·d[p] and accB[p] += wB·d[p] for p in [p0, p1) (accB may be null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddHadamard<T>(double[] accW, double[]? accB, int p0, int p1, T[] g, T[] d, double wW, double wB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = p0;
        if (typeof(T) == typeof(double) && Vector256.IsHardwareAccelerated)
        {
            var gs = MemoryMarshal.Cast<T, double>(g.AsSpan());
            var ds = MemoryMarshal.Cast<T, double>(d.AsSpan());
            var vw = Vector256.Create(wW);
            var vb = Vector256.Create(wB);
            for (; p <= p1 - Vector256<double>.Count; p += Vector256<double>.Count)
            {
                var dv = Vector256.Create(ds.Slice(p, Vector256<double>.Count));
                var gv = Vector256.Create(gs.Slice(p, Vector256<double>.Count));
                var aw = accW.AsSpan(p, Vector256<double>.Count);
                (Vector256.Create((ReadOnlySpan<double>)aw) + vw * gv * dv).CopyTo(aw);
                if (accB is not null)
                {
                    var ab = accB.AsSpan(p, Vector256<double>.Count);
                    (Vector256.Create((ReadOnlySpan<double>)ab) + vb * dv).CopyTo(ab);
                }
            }
        }
        for (; p < p1; p++)
        {
            double dp = double.CreateTruncating(d[p]);
            accW[p] += wW * double.CreateTruncating(g[p]) * dp;
            if (accB is not null) accB[p] += wB * dp;
        }
    }

    /// <summary>accW[p] += wW·g[p]·c and accB[p] += wB·c for p in [p0, p1): a layer whose delta Gram is the constant c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled<T>(double[] accW, double[]? accB, int p0, int p1, T[] g, double c, double wW, double wB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = p0;
        double addB = wB * c;
        if (typeof(T) == typeof(double) && Vector256.IsHardwareAccelerated)
        {
            var gs = MemoryMarshal.Cast<T, double>(g.AsSpan());
            var vw = Vector256.Create(wW);
            var vc = Vector256.Create(c);
            var vb = Vector256.Create(addB);
            for (; p <= p1 - Vector256<double>.Count; p += Vector256<double>.Count)
            {
                var gv = Vector256.Create(gs.Slice(p, Vector256<double>.Count));
                var aw = accW.AsSpan(p, Vector256<double>.Count);
                (Vector256.Create((ReadOnlySpan<double>)aw) + vw * gv * vc).CopyTo(aw);
                if (accB is not null)
                {
                    var ab = accB.AsSpan(p, Vector256<double>.Count);
                    (Vector256.Create((ReadOnlySpan<double>)ab) + vb).CopyTo(ab);
                }
            }
        }
        for (; p < p1; p++)
        {
            accW[p] += wW * double.CreateTruncating(g[p]) * c;
            if (accB is not null) accB[p] += addB;
        }
    }
}
