using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NtkDsl.Analytic;

/// <summary>
/// One layer's dual activation tabulated for one kernel call: per example i the normalized Hermite coefficients of
/// φ(√q_i·z) and φ'(√q_i·z), so that each pair costs a short polynomial in ρ instead of a two-dimensional integral.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>
/// <para><b>Formula.</b> Mehler's expansion (e.g. O'Donnell, <i>Analysis of Boolean Functions</i>, §11.2; Daniely, Frostig
/// &amp; Singer 2016, §4): for standard normals with correlation ρ,
/// E[f(Z1) g(Z2)] = Σ_n ρ^n ⟨f, h_n⟩⟨g, h_n⟩ with the orthonormal Hermite polynomials h_n = He_n/√n!. With
/// α_n(q) = E[φ(√q Z)h_n(Z)] and β_n(q) = E[φ'(√q Z)h_n(Z)]: K̃ = Σ ρ^n α_n(q1)α_n(q2), Ṫ = Σ ρ^n β_n(q1)β_n(q2).
/// The coefficients depend on one variance each, so the table is N one-dimensional integrals (identical variances
/// are computed once), and the pairs are separable in (q1, q2).</para>
/// <para><b>Error control.</b> By Cauchy–Schwarz and Parseval, the tail after m terms is at most
/// |ρ|^m·√(R_m(q1) R_m(q2)) with R_m(q) = E[φ(√q Z)²] − Σ_{n&lt;m} α_n(q)², computed per example. Each pair uses the
/// shortest of 16, 32, 64 or 128 terms whose bound is within 1e−11 of the Cauchy–Schwarz scale √(K̃(q1)K̃(q2))
/// (likewise Ṫ); a pair whose bound fails (|ρ| near 1 with slowly decaying coefficients, e.g. near-duplicate inputs)
/// is computed by <see cref="IDualIntegrator.Dual"/> directly (tens to hundreds of milliseconds each), and x = x'
/// (the same row of a symmetric table, or ρ = 1 with q1 = q2) returns the diagonal value of
/// <see cref="IDualIntegrator.Diagonal"/>, bit for bit the value of the diagonal chain.</para>
/// <para>Read-only after construction and thread-safe.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class DualSeries
{
    /// <summary>Largest number of Hermite terms per example.</summary>
    public const int Terms = 128;

    /// <summary>Tail bound required of the truncated series, relative to the Cauchy–Schwarz scale.</summary>
    public const double SeriesTolerance = 1e-11;

    // R_m is certified only down to its own rounding, quadrature and interpolation error: |δR| ≤ 2‖α‖‖δα‖ + |δE[φ²]|
    // with ‖δα‖ ≤ √128·1e−12·√E[φ²] (AdaptiveDual.HermiteTolerance per coefficient) or 1e−11·√E[φ²] (the verified
    // interpolation, VariableInterpolation.Tolerance), so |δR| ≤ about 2.3e−11·E[φ²].
    private const double RemainderFloor = 3e-11;
    private const int LevelCount = 4; // 16, 32, 64, 128 terms

    private readonly IDualIntegrator _engine;
    private readonly Side _a;
    private readonly Side _b;
    private long _direct;

    private DualSeries(IDualIntegrator engine, Side a, Side b)
    {
        _engine = engine;
        _a = a;
        _b = b;
    }

    /// <summary>The layer this table belongs to.</summary>
    public string Layer => _engine.Layer;

    /// <summary>Pairs computed so far by direct two-dimensional integration because the series bound failed.</summary>
    public long DirectEvaluations => Interlocked.Read(ref _direct);

    /// <summary>
    /// Tabulates the layer for the variances entering its activation: <paramref name="q1"/>[i] for the rows of the
    /// first input, <paramref name="q2"/>[j] for the second (null: the same rows, a symmetric kernel).
    /// </summary>
    /// <param name="engine">The layer's integrator.</param>
    /// <param name="q1">Variances K(x_i, x_i) of the first input's rows (finite, ≥ 0).</param>
    /// <param name="q2">Variances of the second input's rows, or null when it is the first.</param>
    /// <param name="seriesWanted">False when only x = x' pairs will be asked for (the diagonal kernels): no coefficients.</param>
    /// <param name="cancellationToken">Cancels the tabulation.</param>
    /// <exception cref="DualActivationException">φ cannot be integrated at one of the variances.</exception>
    public static DualSeries Build(IDualIntegrator engine, double[] q1, double[]? q2, bool seriesWanted = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(q1);
        var a = Side.Create(engine, q1, seriesWanted, cancellationToken);
        var b = q2 is null ? a : Side.Create(engine, q2, seriesWanted, cancellationToken);
        return new DualSeries(engine, a, b);
    }

    /// <summary>
    /// K̃ and Ṫ for row <paramref name="i"/> of the first input and row <paramref name="j"/> of the second at covariance
    /// <paramref name="c"/> = K(x_i, x'_j) (within <see cref="AdaptiveDual.RelativeTolerance"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Dual(int i, int j, double c, out double kTilde, out double tDot)
    {
        double q1 = _a.Q[i], q2 = _b.Q[j];
        Covariance2.Normalize(q1, q2, c, out _, out double rho);
        int si = _a.Slot[i], sj = _b.Slot[j];
        // x = x' (the same row of a symmetric kernel, or ρ = 1 at equal variances) is the diagonal by definition, even
        // when c differs from q by the rounding of a different summation order (a relative 1e−13 at most).
        if ((i == j && ReferenceEquals(_a, _b) && Math.Abs(c - q1) <= 1e-13 * q1) || (rho == 1.0 && q1 == q2))
        {
            kTilde = _a.N[si];
            tDot = _a.T[si];
            return;
        }
        if (_a.Alpha.Length > 0)
        {
            // Tail bound |ρ|^m·√R_m(q1)·√R_m(q2) against 1e−11·√K̃(q1)·√K̃(q2), all roots precomputed per example.
            double scaleK = SeriesTolerance * _a.RootN[si] * _b.RootN[sj];
            double scaleT = SeriesTolerance * _a.RootT[si] * _b.RootT[sj];
            double r = Math.Abs(rho), r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
            double power = r8 * r8; // |ρ|^16
            for (int k = 0; k < LevelCount; k++)
            {
                if (power * _a.RootRemainderK[si * LevelCount + k] * _b.RootRemainderK[sj * LevelCount + k] <= scaleK
                    && power * _a.RootRemainderT[si * LevelCount + k] * _b.RootRemainderT[sj * LevelCount + k] <= scaleT)
                {
                    Sum(_a, si, _b, sj, 16 << k, rho, out kTilde, out tDot);
                    return;
                }
                power *= power;
            }
        }
        Interlocked.Increment(ref _direct);
        _engine.Dual(q1, q2, c, out kTilde, out tDot);
    }

    /// <summary>
    /// Σ_{n&lt;m} ρ^n·α_n(q1)α_n(q2) and the same with β, four terms per step (m is a multiple of 16): the powers
    /// advance by ρ⁴ per step, so the dependency chain is m/4 long instead of m for Horner's rule.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sum(Side a, int si, Side b, int sj, int m, double rho, out double kTilde, out double tDot)
    {
        ref double a1 = ref MemoryMarshal.GetArrayDataReference(a.Alpha);
        ref double a2 = ref MemoryMarshal.GetArrayDataReference(b.Alpha);
        ref double b1 = ref MemoryMarshal.GetArrayDataReference(a.Beta);
        ref double b2 = ref MemoryMarshal.GetArrayDataReference(b.Beta);
        nint o1 = (nint)si * Terms, o2 = (nint)sj * Terms;
        double rho2 = rho * rho;
        var pow = Vector256.Create(1.0, rho, rho2, rho2 * rho);
        var step = Vector256.Create(rho2 * rho2);
        var k = Vector256<double>.Zero;
        var t = Vector256<double>.Zero;
        for (nint n = 0; n < m; n += 4)
        {
            var x1 = Vector256.LoadUnsafe(ref a1, (nuint)(o1 + n));
            var x2 = Vector256.LoadUnsafe(ref a2, (nuint)(o2 + n));
            var y1 = Vector256.LoadUnsafe(ref b1, (nuint)(o1 + n));
            var y2 = Vector256.LoadUnsafe(ref b2, (nuint)(o2 + n));
            k += x1 * x2 * pow;
            t += y1 * y2 * pow;
            pow *= step;
        }
        kTilde = Vector256.Sum(k);
        tDot = Vector256.Sum(t);
    }

    /// <summary>[α_0 … α_{T−1}, β_0 … β_{T−1}, E[φ²], E[φ'²]] at variance q.</summary>
    internal static void Coefficients(IDualIntegrator engine, double q, Span<double> v)
    {
        engine.HermiteCoefficients(q, v[..Terms], v.Slice(Terms, Terms), out v[2 * Terms], out v[2 * Terms + 1]);
    }

    /// <summary>Per-row data of one input: variance, slot of its distinct variance, and the per-slot coefficients.</summary>
    private sealed class Side
    {
        public double[] Q = [];
        public int[] Slot = [];
        public double[] N = [];
        public double[] T = [];
        public double[] Alpha = [];
        public double[] Beta = [];
        public double[] RootN = [];
        public double[] RootT = [];
        public double[] RootRemainderK = [];
        public double[] RootRemainderT = [];

        public static Side Create(IDualIntegrator engine, double[] q, bool series, CancellationToken ct)
        {
            var slots = new Dictionary<double, int>();
            var slot = new int[q.Length];
            var distinct = new List<double>();
            for (int i = 0; i < q.Length; i++)
            {
                Covariance2.CheckVariance(q[i]);
                if (!slots.TryGetValue(q[i], out int s))
                {
                    s = distinct.Count;
                    slots.Add(q[i], s);
                    distinct.Add(q[i]);
                }
                slot[i] = s;
            }
            int count = distinct.Count;
            var side = new Side
            {
                Q = q,
                Slot = slot,
                N = new double[count],
                T = new double[count],
                Alpha = series ? new double[count * Terms] : [],
                Beta = series ? new double[count * Terms] : [],
                RootN = new double[count],
                RootT = new double[count],
                RootRemainderK = series ? new double[count * LevelCount] : [],
                RootRemainderT = series ? new double[count * LevelCount] : [],
            };
            var options = new ParallelOptions { CancellationToken = ct };
            global::NtkDsl.Kernels.ParallelLoop.For(0, count, options, s =>
            {
                engine.Diagonal(distinct[s], out side.N[s], out side.T[s]);
                side.RootN[s] = Math.Sqrt(side.N[s]);
                side.RootT[s] = Math.Sqrt(side.T[s]);
            });
            if (!series) return side;
            int width = 2 * Terms + 2;
            var vectors = new double[count * width];
            if (!VariableInterpolation.TryInterpolate(engine, distinct, vectors, width, options))
                global::NtkDsl.Kernels.ParallelLoop.For(0, count, options, s => Coefficients(engine, distinct[s], vectors.AsSpan(s * width, width)));
            for (int s = 0; s < count; s++)
            {
                var v = vectors.AsSpan(s * width, width);
                v[..Terms].CopyTo(side.Alpha.AsSpan(s * Terms, Terms));
                v.Slice(Terms, Terms).CopyTo(side.Beta.AsSpan(s * Terms, Terms));
                double nk = v[2 * Terms], nt = v[2 * Terms + 1];
                double sumK = 0.0, sumT = 0.0;
                int level = 0;
                for (int n = 0; n < Terms; n++)
                {
                    sumK += v[n] * v[n];
                    sumT += v[Terms + n] * v[Terms + n];
                    if (n + 1 == 16 << level)
                    {
                        side.RootRemainderK[s * LevelCount + level] = Math.Sqrt(Math.Max(nk - sumK, 0.0) + RemainderFloor * nk);
                        side.RootRemainderT[s * LevelCount + level] = Math.Sqrt(Math.Max(nt - sumT, 0.0) + RemainderFloor * nt);
                        level++;
                    }
                }
            }
            return side;
        }
    }
}
