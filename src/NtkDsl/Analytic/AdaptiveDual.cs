using System.Runtime.CompilerServices;

namespace NtkDsl.Analytic;

/// <summary>Accuracy contract and factory of <see cref="AdaptiveDual{TFunction}"/>.</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class AdaptiveDual
{
    /// <summary>
    /// The accuracy every value of <see cref="AdaptiveDual{TFunction}"/> and <see cref="DualSeries"/> is held to:
    /// |K̃ − K̃_exact| ≤ 1e−10·√(K̃(q1)·K̃(q2)) and |Ṫ − Ṫ_exact| ≤ 1e−10·√(Ṫ(q1)·Ṫ(q2)) (the Cauchy–Schwarz bounds of
    /// |K̃| and |Ṫ|, K̃(q) = E[φ(u)²] for u ~ N(0, q)). Internally the rules aim at 1e−12 (1e−13 for one-dimensional
    /// integrals), so the Gauss–Kronrod error estimates keep a hundredfold margin. Where the target cannot be met a
    /// <see cref="DualActivationException"/> is thrown instead of returning a number.
    /// </summary>
    public const double RelativeTolerance = 1e-10;

    /// <summary>
    /// Largest pre-activation variance the adaptive rules certify (σ = 1e12). Beyond it the features of a saturating
    /// φ (width 1/σ in standard-normal units) fall below the finest initial panel, so a value such as Ṫ of tanh
    /// (≈ (4/3)/√(2πq)) could silently come out as 0; larger variances throw <see cref="DualActivationException"/>.
    /// </summary>
    public const double MaxVariance = 1e24;

    /// <summary>An engine for <paramref name="function"/>; <paramref name="layer"/> names it in exceptions (e.g. "Model.Hidden").</summary>
    public static AdaptiveDual<TFunction> Create<TFunction>(TFunction function, string layer)
        where TFunction : struct, IScalarFunction => new(function, layer);
}

/// <summary>The part of an <see cref="AdaptiveDual{TFunction}"/> that <see cref="DualSeries"/> needs, without the type argument.</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IDualIntegrator
{
    /// <summary>The layer named in exceptions.</summary>
    string Layer { get; }

    /// <summary>K̃ and Ṫ at [[q1, c], [c, q2]] by direct two-dimensional adaptive integration.</summary>
    void Dual(double q1, double q2, double c, out double kTilde, out double tDot);

    /// <summary>K̃(q) = E[φ(u)²] and Ṫ(q) = E[φ'(u)²], u ~ N(0, q).</summary>
    void Diagonal(double q, out double kTilde, out double tDot);

    /// <summary>
    /// The normalized Hermite coefficients α_n = E[φ(√q Z)·h_n(Z)], β_n = E[φ'(√q Z)·h_n(Z)] for n &lt; α.Length
    /// (h_n = He_n/√n!), with E[φ²] and E[φ'²] from the same rule.
    /// </summary>
    void HermiteCoefficients(double q, Span<double> alpha, Span<double> beta, out double kTilde, out double tDot);
}

/// <summary>
/// Dual activation of an arbitrary activation φ (math.md §4) with controlled error, for every variance up to
/// <see cref="AdaptiveDual.MaxVariance"/>:
/// K̃ = E[φ(u)φ(v)], Ṫ = E[φ'(u)φ'(v)] for (u, v) ~ N(0, [[q1, c], [c, q2]]).
/// </summary>
/// <remarks>
/// <para>With u = √q1·z1 and v = a·z1 + b·z2 (a = √q2·ρ, b = √q2·√(1 − ρ²)), both expectations are nested
/// one-dimensional Gaussian integrals, each computed by globally adaptive Gauss–Kronrod (15/7 points) whose error
/// estimate is checked against the tolerance. The initial panels are placed where φ has its features: breakpoints
/// at the point where the argument of φ crosses 0 and geometric panels of width 2^k/σ around it (σ the standard
/// deviation of that argument in z), so a kink, a saturating step of width 1/σ or a variance of 1e8 costs O(log σ)
/// panels rather than O(σ) nodes. Tails are extended until they are negligible, so an activation that grows like
/// e^u is integrated to where its mass is, and one whose moments overflow raises <see cref="DualActivationException"/>
/// (as does ∞/NaN from φ, a tolerance that the panel budget cannot reach, or a variance above
/// <see cref="AdaptiveDual.MaxVariance"/> = 1e24).</para>
/// <para>Calls are thread-safe (scratch is per thread). Each two-dimensional value costs thousands to a few hundred
/// thousand evaluations of φ; the generated kernels therefore evaluate most pairs through <see cref="DualSeries"/>.</para>
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </remarks>
/// <typeparam name="TFunction">φ and φ' as a struct (inlined).</typeparam>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class AdaptiveDual<TFunction> : IDualIntegrator where TFunction : struct, IScalarFunction
{
    internal const double Core = 9.0;          // ϕ(9) = 1e−18: initial panels cover |z| ≤ 9, tails are added on demand
    internal const double HermiteCore = 13.0;  // the Hermite integrands carry e^(−z²/4)·|ψ_n| ≤ e^(−z²/4)
    internal const double MaxReach = 38.0;     // ϕ(38) ≈ 1e−314: beyond it nothing can be represented
    internal const double OneDimTolerance = 1e-13;
    internal const double TwoDimTolerance = 1e-12;
    internal const double HermiteTolerance = 1e-12;
    internal const int MaxPanels1D = 4000;
    internal const int MaxPanelsInner = 800;
    internal const int MaxPanelsOuter = 800;
    private const double InvSqrt2Pi = 0.398942280401432677939946059934;

    private readonly TFunction _f;

    [ThreadStatic] private static IntegrationWorkspace? t_outer;
    [ThreadStatic] private static IntegrationWorkspace? t_inner;

    /// <summary>An engine for <paramref name="function"/> named <paramref name="layer"/> in exceptions.</summary>
    public AdaptiveDual(TFunction function, string layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _f = function;
        Layer = layer;
    }

    /// <inheritdoc/>
    public string Layer { get; }

    /// <summary>The activation.</summary>
    public TFunction Function => _f;

    private static IntegrationWorkspace Outer => t_outer ??= new IntegrationWorkspace();
    private static IntegrationWorkspace Inner => t_inner ??= new IntegrationWorkspace();

    /// <inheritdoc/>
    public void Diagonal(double q, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        CheckRange(q, q, 1.0);
        double s = Math.Sqrt(q);
        var g = new SquareIntegrand { F = _f, S = s };
        Span<double> r = stackalloc double[2];
        Span<double> breaks = stackalloc double[BreakCapacity];
        int nb = Breakpoints(breaks, Core, 0.0, s > 0 ? 1.0 / s : double.PositiveInfinity, 0.0, double.PositiveInfinity);
        var status = AdaptiveGaussKronrod.Integrate(ref g, breaks[..nb], 1.0, MaxReach, OneDimTolerance, MaxPanels1D, Outer, r, out double where);
        Check(status, where, s, q, q, 1.0, "E[φ(u)²]");
        kTilde = r[0];
        tDot = r[1];
    }

    /// <inheritdoc/>
    public void Dual(double q1, double q2, double c, out double kTilde, out double tDot)
    {
        Covariance2.Normalize(q1, q2, c, out double sq, out double rho);
        CheckRange(q1, q2, rho);
        double s1 = Math.Sqrt(q1), s2 = Math.Sqrt(q2);
        Span<double> r = stackalloc double[2];
        Span<double> breaks = stackalloc double[BreakCapacity];
        if (s1 == 0.0 || s2 == 0.0)
        {
            // One variable is identically 0: E[φ(0)φ(sZ)] = φ(0)·E[φ(sZ)] (φ(0)² when both are).
            double s = Math.Max(s1, s2);
            var mean = new MeanIntegrand { F = _f, M = 0.0, B = s, ScaleK = 1.0, ScaleT = 1.0, Relative = true };
            int nbm = Breakpoints(breaks, Core, 0.0, s > 0 ? 1.0 / s : double.PositiveInfinity, 0.0, double.PositiveInfinity);
            var st = AdaptiveGaussKronrod.Integrate(ref mean, breaks[..nbm], 1.0, MaxReach, OneDimTolerance, MaxPanels1D, Outer, r, out double w0);
            Check(st, w0, s, q1, q2, rho, "E[φ(v)]");
            kTilde = _f.Value(0.0) * r[0];
            tDot = _f.Derivative(0.0) * r[1];
            return;
        }
        Diagonal(q1, out double k1, out double t1);
        Diagonal(q2, out double k2, out double t2);
        double scaleK = Math.Sqrt(k1) * Math.Sqrt(k2), scaleT = Math.Sqrt(t1) * Math.Sqrt(t2);
        double a = s2 * rho;
        // b = √q2·√(1 − ρ²) = √(q1 q2 − c²)/√q1 from the exact determinant: 1 − ρ² from a rounded ρ near ±1 loses
        // half the digits (3e−9 relative in Ṫ at ρ = 1 − 5e−15), the same cancellation the closed forms avoid (Covariance2).
        double b = Math.Sqrt(Covariance2.Determinant(q1, q2, c, sq)) / s1;
        if (b == 0.0)
        {
            // ρ = ±1: v = ±√(q2/q1)·u, a one-dimensional integral.
            var axis = new AxisIntegrand { F = _f, S1 = s1, A = a, ScaleK = scaleK, ScaleT = scaleT };
            double h = 1.0 / Math.Max(s1, Math.Abs(a));
            int nba = Breakpoints(breaks, Core, 0.0, h, 0.0, double.PositiveInfinity);
            var st = AdaptiveGaussKronrod.Integrate(ref axis, breaks[..nba], 1.0, MaxReach, OneDimTolerance, MaxPanels1D, Outer, r, out double wa);
            Check(st, wa, Math.Max(s1, Math.Abs(a)), q1, q2, rho, "E[φ(u)φ(v)] on the line v ∝ u");
            kTilde = r[0];
            tDot = r[1];
            return;
        }
        var outer = new OuterIntegrand
        {
            F = _f, S1 = s1, A = a, B = b,
            InnerScaleK = Math.Sqrt(k2), InnerScaleT = Math.Sqrt(t2),
            ScaleK = scaleK, ScaleT = scaleT,
        };
        // E[φ(a z1 + b Z)] varies in z1 on the scale b/|a| (a kink of φ smoothed by the inner Gaussian) up to
        // max(1, b)/|a| (a feature of width 1): geometric panels from the smaller one cover both.
        double hA = a != 0.0 ? b / Math.Abs(a) : double.PositiveInfinity;
        int nb = Breakpoints(breaks, Core, 0.0, 1.0 / s1, 0.0, hA);
        var status = AdaptiveGaussKronrod.Integrate(ref outer, breaks[..nb], 1.0, MaxReach, TwoDimTolerance, MaxPanelsOuter, Outer, r, out double where);
        if (outer.InnerStatus != IntegrationStatus.Converged)
            Check(outer.InnerStatus, outer.InnerWhere, b, q1, q2, rho, "the inner integral E[φ(v) | u]");
        Check(status, where, s1, q1, q2, rho, "E[φ(u)φ(v)]");
        kTilde = r[0];
        tDot = r[1];
    }

    /// <inheritdoc/>
    public void HermiteCoefficients(double q, Span<double> alpha, Span<double> beta, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        CheckRange(q, q, 0.0);
        int m = alpha.Length;
        if (beta.Length != m || m < 2 || m > HermiteTables.MaxTerms)
            throw new ArgumentException($"HermiteCoefficients: alpha and beta need the same length in [2, {HermiteTables.MaxTerms}].");
        double s = Math.Sqrt(q);
        var g = new HermiteIntegrand { F = _f, S = s, Terms = m };
        int d = 2 * m + 2;
        Span<double> r = d <= 512 ? stackalloc double[d] : new double[d];
        Span<double> breaks = stackalloc double[BreakCapacity + 32];
        // Unit panels over the core resolve the oscillations of h_n (n ≤ 128: local wavelength ≥ 0.4 after refinement),
        // geometric panels of width 2^k/σ resolve φ's features at z = 0.
        int nb = Breakpoints(breaks, HermiteCore, 0.0, s > 0 ? 1.0 / s : double.PositiveInfinity, 0.0, double.PositiveInfinity);
        for (int k = -12; k <= 12; k++) breaks[nb++] = k;
        breaks[..nb].Sort();
        nb = Dedupe(breaks[..nb]);
        var status = AdaptiveGaussKronrod.Integrate(ref g, breaks[..nb], 1.0, MaxReach, HermiteTolerance, MaxPanels1D, Outer, r, out double where);
        Check(status, where, s, q, q, 0.0, "the Hermite coefficients of φ(√q·z)");
        r[..m].CopyTo(alpha);
        r.Slice(m, m).CopyTo(beta);
        kTilde = r[2 * m];
        tDot = r[2 * m + 1];
    }

    private void CheckRange(double q1, double q2, double rho)
    {
        if (q1 <= AdaptiveDual.MaxVariance && q2 <= AdaptiveDual.MaxVariance) return;
        throw new DualActivationException(Layer, q1, q2, rho, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"the variance exceeds {AdaptiveDual.MaxVariance:G2}, the largest the adaptive rule certifies (the activation's features, of width 1/√q, fall below its finest panel); rescale the inputs or lower σ_w, σ_b."));
    }

    private void Check(IntegrationStatus status, double where, double sigma, double q1, double q2, double rho, string what)
    {
        if (status == IntegrationStatus.Converged) return;
        string reason = status switch
        {
            IntegrationStatus.NonFinite => $"{what} met a non-finite value (φ or φ' returned ∞/NaN, or a product overflowed) near the argument {sigma * where:G6} (z = {where:G6}); the activation overflows at this variance — rescale the inputs or lower σ_w, σ_b.",
            IntegrationStatus.TailNotDecaying => $"{what} does not converge: φ grows as fast as the Gaussian density decays (beyond |z| = {Math.Abs(where):G4}, e.g. an exponential activation at a large variance) — its expectation overflows or does not exist.",
            _ => $"{what}: the adaptive Gauss–Kronrod rule could not meet the tolerance within its panel budget (the variance is too large or φ too irregular to certify the value).",
        };
        throw new DualActivationException(Layer, q1, q2, rho, reason);
    }

    internal const int BreakCapacity = 4 * 64 + 8;

    /// <summary>
    /// Sorted panel boundaries on [−core, core]: the ends, 0, each centre, and centre ± h·2^k (k ≥ 0) for each finite
    /// scale h (clamped to ≥ core·2^−60, so at most 61 levels per side). Returns the count.
    /// </summary>
    internal static int Breakpoints(Span<double> buf, double core, double c1, double h1, double c2, double h2)
    {
        int n = 0;
        buf[n++] = -core;
        buf[n++] = core;
        buf[n++] = 0.0;
        Geometric(buf, ref n, core, c1, h1);
        Geometric(buf, ref n, core, c2, h2);
        buf[..n].Sort();
        return Dedupe(buf[..n]);
    }

    private static void Geometric(Span<double> buf, ref int n, double core, double c, double h)
    {
        if (!(Math.Abs(c) < core)) return;
        buf[n++] = c;
        if (!(h < 2 * core)) return;
        h = Math.Max(h, Math.ScaleB(core, -60));
        for (double off = h; off < 2 * core && n + 2 <= buf.Length; off *= 2)
        {
            if (c - off > -core) buf[n++] = c - off;
            if (c + off < core) buf[n++] = c + off;
        }
    }

    private static int Dedupe(Span<double> sorted)
    {
        int w = 0;
        for (int i = 0; i < sorted.Length; i++)
            if (w == 0 || sorted[i] > sorted[w - 1]) sorted[w++] = sorted[i];
        return w;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Gauss(double z) => InvSqrt2Pi * Math.Exp(-0.5 * z * z);

    /// <summary>ϕ(z)·(φ(sz)², φ'(sz)²), tolerance relative to the result.</summary>
    private struct SquareIntegrand : IVectorIntegrand
    {
        public TFunction F;
        public double S;
        public readonly int Dimension => 2;

        public readonly void Evaluate(double z, Span<double> values)
        {
            double w = Gauss(z);
            if (w == 0.0) { values[0] = 0.0; values[1] = 0.0; return; }
            double u = S * z, f = F.Value(u), d = F.Derivative(u);
            values[0] = w * f * f;
            values[1] = w * d * d;
        }

        public readonly void Scales(ReadOnlySpan<double> e, Span<double> s)
        {
            s[0] = Math.Abs(e[0]);
            s[1] = Math.Abs(e[1]);
        }
    }

    /// <summary>ϕ(z)·(φ(m + bz), φ'(m + bz)): the conditional means of the inner integral.</summary>
    private struct MeanIntegrand : IVectorIntegrand
    {
        public TFunction F;
        public double M, B, ScaleK, ScaleT;
        public bool Relative;
        public readonly int Dimension => 2;

        public readonly void Evaluate(double z, Span<double> values)
        {
            double w = Gauss(z);
            if (w == 0.0) { values[0] = 0.0; values[1] = 0.0; return; }
            double v = M + B * z;
            values[0] = w * F.Value(v);
            values[1] = w * F.Derivative(v);
        }

        // Inner integrals: the tolerance may also grow with the conditional mean itself, since the outer error it
        // causes is at most relTol·E[|φ(u)|·(√K̃(q2) + |E[φ(v) | u]|)] ≤ 2·relTol·√(K̃(q1)K̃(q2)) by Cauchy–Schwarz.
        public readonly void Scales(ReadOnlySpan<double> e, Span<double> s)
        {
            s[0] = Relative ? Math.Abs(e[0]) : Math.Max(ScaleK, Math.Abs(e[0]));
            s[1] = Relative ? Math.Abs(e[1]) : Math.Max(ScaleT, Math.Abs(e[1]));
        }
    }

    /// <summary>ϕ(z)·(φ(s1 z)φ(a z), φ'(s1 z)φ'(a z)) for ρ = ±1.</summary>
    private struct AxisIntegrand : IVectorIntegrand
    {
        public TFunction F;
        public double S1, A, ScaleK, ScaleT;
        public readonly int Dimension => 2;

        public readonly void Evaluate(double z, Span<double> values)
        {
            double w = Gauss(z);
            if (w == 0.0) { values[0] = 0.0; values[1] = 0.0; return; }
            double u = S1 * z, v = A * z;
            values[0] = w * F.Value(u) * F.Value(v);
            values[1] = w * F.Derivative(u) * F.Derivative(v);
        }

        public readonly void Scales(ReadOnlySpan<double> e, Span<double> s)
        {
            s[0] = ScaleK;
            s[1] = ScaleT;
        }
    }

    /// <summary>ϕ(z1)·(φ(s1 z1)·E[φ(a z1 + b Z)], φ'(s1 z1)·E[φ'(a z1 + b Z)]), the inner expectation adaptive too.</summary>
    private struct OuterIntegrand : IVectorIntegrand
    {
        public TFunction F;
        public double S1, A, B, InnerScaleK, InnerScaleT, ScaleK, ScaleT;
        public IntegrationStatus InnerStatus;
        public double InnerWhere;
        public readonly int Dimension => 2;

        public void Evaluate(double z, Span<double> values)
        {
            if (InnerStatus != IntegrationStatus.Converged)
            {
                values[0] = double.NaN;
                values[1] = double.NaN;
                return;
            }
            double w = Gauss(z);
            if (w == 0.0) { values[0] = 0.0; values[1] = 0.0; return; }
            double u = S1 * z;
            double f = F.Value(u), d = F.Derivative(u);
            if (!double.IsFinite(f) || !double.IsFinite(d))
            {
                values[0] = f;
                values[1] = d;
                return;
            }
            if (f == 0.0 && d == 0.0) { values[0] = 0.0; values[1] = 0.0; return; }
            var inner = new MeanIntegrand { F = F, M = A * z, B = B, ScaleK = InnerScaleK, ScaleT = InnerScaleT };
            Span<double> r = stackalloc double[2];
            Span<double> breaks = stackalloc double[BreakCapacity];
            double zStar = -A * z / B;
            int nb = Breakpoints(breaks, Core, zStar, 1.0 / B, 0.0, double.PositiveInfinity);
            var status = AdaptiveGaussKronrod.Integrate(ref inner, breaks[..nb], 1.0, MaxReach, OneDimTolerance * 8, MaxPanelsInner, Inner, r, out double where);
            if (status != IntegrationStatus.Converged)
            {
                InnerStatus = status;
                InnerWhere = where;
                values[0] = double.NaN;
                values[1] = double.NaN;
                return;
            }
            values[0] = w * f * r[0];
            values[1] = w * d * r[1];
        }

        public readonly void Scales(ReadOnlySpan<double> e, Span<double> s)
        {
            s[0] = ScaleK;
            s[1] = ScaleT;
        }
    }

    /// <summary>
    /// e^(−z²/4)/√(2π)·ĥ_n(z)·(φ(sz), φ'(sz)) for n &lt; Terms, then ϕ(z)·(φ², φ'²); ĥ_n = h_n·e^(−z²/4) by the
    /// normalized recurrence ĥ_{n+1} = (z ĥ_n − √n ĥ_{n−1})/√(n + 1), which stays bounded (|ĥ_n| ≤ (2π)^{1/4}).
    /// </summary>
    private struct HermiteIntegrand : IVectorIntegrand
    {
        public TFunction F;
        public double S;
        public int Terms;
        public readonly int Dimension => 2 * Terms + 2;

        public readonly void Evaluate(double z, Span<double> values)
        {
            int m = Terms;
            double e = Math.Exp(-0.25 * z * z);
            double u = S * z, f = F.Value(u), d = F.Derivative(u);
            double we = e * InvSqrt2Pi;
            if (we == 0.0)
            {
                values.Clear();
                return;
            }
            double fw = f * we, dw = d * we;
            var sq = HermiteTables.Sqrt;
            var inv = HermiteTables.InvSqrtNext;
            double hPrev = e, h = z * e;
            values[0] = fw * hPrev;
            values[m] = dw * hPrev;
            values[1] = fw * h;
            values[m + 1] = dw * h;
            for (int n = 1; n + 1 < m; n++)
            {
                double next = (z * h - sq[n] * hPrev) * inv[n];
                hPrev = h;
                h = next;
                values[n + 1] = fw * h;
                values[m + n + 1] = dw * h;
            }
            double w = we * e;
            values[2 * m] = w * f * f;
            values[2 * m + 1] = w * d * d;
        }

        public readonly void Scales(ReadOnlySpan<double> e, Span<double> s)
        {
            int m = Terms;
            double sk = Math.Sqrt(Math.Abs(e[2 * m])), st = Math.Sqrt(Math.Abs(e[2 * m + 1]));
            for (int n = 0; n < m; n++)
            {
                s[n] = sk;
                s[m + n] = st;
            }
            s[2 * m] = Math.Abs(e[2 * m]);
            s[2 * m + 1] = Math.Abs(e[2 * m + 1]);
        }
    }
}

/// <summary>√n and 1/√(n + 1) for the normalized Hermite recurrence.</summary>
internal static class HermiteTables
{
    public const int MaxTerms = 256;
    public static readonly double[] Sqrt = Enumerable.Range(0, MaxTerms + 1).Select(n => Math.Sqrt(n)).ToArray();
    public static readonly double[] InvSqrtNext = Enumerable.Range(0, MaxTerms + 1).Select(n => 1.0 / Math.Sqrt(n + 1)).ToArray();
}
