using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NtkDsl.Analytic;

/// <summary>
/// Dual activation of an arbitrary activation φ by two-dimensional quadrature (math.md §4):
/// K̃ = E[φ(u)φ(v)] and Ṫ = E[φ'(u)φ'(v)] for (u, v) ~ N(0, [[q1, c], [c, q2]]). Create one instance per activation
/// and call <see cref="Dual"/> per pair of inputs; calls do not allocate on the heap and are thread-safe.
/// </summary>
/// <remarks>
/// <para>With ρ = c/√(q1 q2) clamped to [−1, 1] and z1, z2 independent standard normals, the Cholesky factor gives
/// u = √q1·z1, v = √q2·(ρ z1 + √(1 − ρ²) z2); a tensor-product rule on (z1, z2) evaluates the expectation.
/// ρ = ±1 (v a multiple of u) and q1 = 0 or q2 = 0 (a variable identically 0, evaluated with φ(0), φ'(0) exactly as
/// the finite network does) use exact one-dimensional reductions: no NaN anywhere in the domain.</para>
/// <para>Rules (<see cref="GaussianQuadratureRule"/>): the default <see cref="GaussianQuadratureRule.Trapezoid"/> picks its
/// step per dimension from the standard deviation that dimension feeds into φ, so its accuracy holds uniformly in q;
/// <see cref="GaussianQuadratureRule.GaussHermite"/> uses a fixed n-point rule whose accuracy falls as q grows.
/// Both converge geometrically for activations analytic near the real axis and only algebraically for kinks
/// (ReLU-like): use the closed forms of <see cref="DualActivations"/> there. Measured errors are listed on
/// <see cref="BivariateGaussQuadrature.DefaultResolution"/>; <see cref="EstimateError"/> gives an a-posteriori estimate.</para>
/// </remarks>
/// <typeparam name="TFunction">The activation, a struct so that φ and φ' are inlined.</typeparam>
internal sealed class BivariateGaussQuadrature<TFunction> where TFunction : struct, IScalarFunction
{
    private const int MaxHalf = BivariateGaussQuadrature.MaxNodesPerDimension / 2;

    private readonly TFunction _f;
    private readonly double _invResolution;
    // Gauss–Hermite tables (empty for the trapezoid rule).
    private readonly double[] _z = [];
    private readonly double[] _w = [];
    private readonly int[] _innerStart = [];
    private readonly int[] _innerEnd = [];
    private BivariateGaussQuadrature<TFunction>? _reference;

    /// <summary>
    /// A quadrature for <paramref name="function"/>.
    /// </summary>
    /// <param name="function">φ and φ'.</param>
    /// <param name="rule">The one-dimensional rule (default <see cref="GaussianQuadratureRule.Trapezoid"/>).</param>
    /// <param name="resolution">Trapezoid only: κ in the step h = min(<see cref="BivariateGaussQuadrature.MaxStep"/>, κ/σ),
    /// 0 &lt; κ ≤ 1 (smaller is more accurate; halving κ doubles the nodes per dimension).</param>
    /// <param name="nodeCount">Gauss–Hermite only: nodes per dimension, 1 … <see cref="GaussHermite.MaxNodes"/>.</param>
    public BivariateGaussQuadrature(TFunction function, GaussianQuadratureRule rule = GaussianQuadratureRule.Trapezoid,
        double resolution = BivariateGaussQuadrature.DefaultResolution, int nodeCount = BivariateGaussQuadrature.DefaultGaussHermiteNodes)
    {
        _f = function;
        Rule = rule;
        if (rule == GaussianQuadratureRule.Trapezoid)
        {
            if (!(resolution > 0.0 && resolution <= 1.0))
                throw new ArgumentOutOfRangeException(nameof(resolution), resolution, string.Create(CultureInfo.InvariantCulture,
                    $"The trapezoid resolution κ must lie in (0, 1], got {resolution:R}; the default {BivariateGaussQuadrature.DefaultResolution} gives about 1e-9 relative error on smooth activations."));
            Resolution = resolution;
            _invResolution = 1.0 / resolution;
            return;
        }
        if (rule != GaussianQuadratureRule.GaussHermite)
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown quadrature rule; use GaussianQuadratureRule.Trapezoid or GaussianQuadratureRule.GaussHermite.");
        var gh = GaussHermite.Get(nodeCount);
        NodeCount = nodeCount;
        // Drop nodes whose weight underflowed to 0 (only for very large n); they contribute nothing.
        int lo = 0, hi = gh.Count;
        while (lo < hi && gh.Weights[lo] == 0.0) lo++;
        while (hi > lo && gh.Weights[hi - 1] == 0.0) hi--;
        _z = gh.Nodes[lo..hi].ToArray();
        _w = gh.Weights[lo..hi].ToArray();
        int m = _z.Length;
        _innerStart = new int[m];
        _innerEnd = new int[m];
        for (int i = 0; i < m; i++)
        {
            // Weights are symmetric and unimodal, so {j : w_i·w_j ≥ threshold} is a centred contiguous range.
            int s = 0, e = m;
            while (s < e && _w[i] * _w[s] < BivariateGaussQuadrature.PruneThreshold) s++;
            while (e > s && _w[i] * _w[e - 1] < BivariateGaussQuadrature.PruneThreshold) e--;
            _innerStart[i] = s;
            _innerEnd[i] = e;
        }
    }

    /// <summary>The one-dimensional rule in use.</summary>
    public GaussianQuadratureRule Rule { get; }

    /// <summary>Trapezoid κ (0 for Gauss–Hermite).</summary>
    public double Resolution { get; }

    /// <summary>Gauss–Hermite nodes per dimension (0 for the trapezoid rule, whose node count varies with q).</summary>
    public int NodeCount { get; }

    /// <summary>The activation.</summary>
    public TFunction Function => _f;

    /// <summary>
    /// K̃ = E[φ(u)φ(v)] and Ṫ = E[φ'(u)φ'(v)] for the covariance [[q1, c], [c, q2]] (q1, q2 ≥ 0 finite, c finite;
    /// |c| &gt; √(q1 q2) is clamped).
    /// </summary>
    public void Dual(double q1, double q2, double c, out double kTilde, out double tDot)
    {
        Covariance2.Normalize(q1, q2, c, out double sq, out double rho);
        double s1 = Math.Sqrt(q1), s2 = Math.Sqrt(q2);
        if (s1 == 0.0 || s2 == 0.0)
        {
            // One variable is identically 0: E[φ(0)φ(sZ)] = φ(0)·E[φ(sZ)], and likewise for φ'.
            double s = Math.Max(s1, s2);
            Pair1(s, 0.0, out double meanValue, out double meanDerivative, product: false);
            kTilde = _f.Value(0.0) * meanValue;
            tDot = _f.Derivative(0.0) * meanDerivative;
            return;
        }
        double a = s2 * rho;
        double b = Math.Sqrt(Covariance2.Determinant(q1, q2, c, sq)) / s1; // √q2·√(1 − ρ²) without cancellation near |ρ| = 1
        if (b == 0.0)
        {
            Pair1(s1, a, out kTilde, out tDot, product: true);
            return;
        }
        if (Rule == GaussianQuadratureRule.Trapezoid) TrapezoidGrid(s1, a, b, out kTilde, out tDot);
        else HermiteGrid(s1, a, b, out kTilde, out tDot);
    }

    /// <summary>The x = x' case (q1 = q2 = c = q): K̃ = E[φ(u)²], Ṫ = E[φ'(u)²] with u ~ N(0, q) (one-dimensional rule).</summary>
    public void Diagonal(double q, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        double s = Math.Sqrt(q);
        Pair1(s, s, out kTilde, out tDot, product: true);
    }

    /// <summary>
    /// Estimates the error of <see cref="Dual"/> by comparing with a rule of twice the nodes per dimension
    /// (κ/2 for the trapezoid rule, 2n for Gauss–Hermite). Builds the finer quadrature on first use.
    /// </summary>
    public QuadratureErrorEstimate EstimateError(double q1, double q2, double c)
    {
        var reference = _reference ??= Rule == GaussianQuadratureRule.Trapezoid
            ? new BivariateGaussQuadrature<TFunction>(_f, Rule, resolution: 0.5 * Resolution)
            : new BivariateGaussQuadrature<TFunction>(_f, Rule, nodeCount: Math.Min(2 * NodeCount, GaussHermite.MaxNodes));
        Dual(q1, q2, c, out double k, out double t);
        reference.Dual(q1, q2, c, out double kRef, out double tRef);
        return new QuadratureErrorEstimate(k, t, Math.Abs(k - kRef), Math.Abs(t - tRef));
    }

    /// <summary>
    /// Trapezoid half-count m for a dimension feeding standard deviation σ into φ: the 2m nodes are (k + ½)·h,
    /// k = −m … m − 1, with h = L/m ≤ min(MaxStep, κ/σ). The half-step offset keeps a node off z = 0, where a kink of φ
    /// at 0 would otherwise sit on a node (for ReLU this alone costs an O(h) error in Ṫ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int HalfNodes(double sigma)
    {
        double perUnit = Math.Max(sigma * _invResolution, 1.0 / BivariateGaussQuadrature.MaxStep);
        double m = Math.Ceiling(BivariateGaussQuadrature.Truncation * perUnit);
        return m >= MaxHalf ? MaxHalf : (int)m;
    }

    /// <summary>
    /// w_k = exp(−((k + ½)h)²/2) for k = 0 … m − 1 by a product recurrence (two exps per call, not one per node);
    /// returns the total weight of the 2m symmetric nodes.
    /// </summary>
    private static double GaussianWeights(Span<double> w, double h)
    {
        double decay = Math.Exp(-h * h), ratio = decay, wk = Math.Exp(-0.125 * h * h), sum = 0.0;
        for (int k = 0; k < w.Length; k++)
        {
            w[k] = wk;
            sum += wk;
            wk *= ratio;      // w_{k+1}/w_k = exp(−(k + 1)h²)
            ratio *= decay;
        }
        return 2.0 * sum;
    }

    /// <summary>
    /// One-dimensional expectations with z ~ N(0, 1): product = true gives E[φ(s1 z)φ(a z)] and E[φ'(s1 z)φ'(a z)];
    /// product = false gives E[φ(s1 z)] and E[φ'(s1 z)] (a ignored).
    /// </summary>
    private void Pair1(double s1, double a, out double kTilde, out double tDot, bool product)
    {
        double k = 0.0, t = 0.0;
        if (Rule == GaussianQuadratureRule.GaussHermite)
        {
            for (int i = 0; i < _z.Length; i++)
            {
                double zi = _z[i], wi = _w[i];
                double u = s1 * zi;
                if (product)
                {
                    double v = a * zi;
                    k += wi * _f.Value(u) * _f.Value(v);
                    t += wi * _f.Derivative(u) * _f.Derivative(v);
                }
                else
                {
                    k += wi * _f.Value(u);
                    t += wi * _f.Derivative(u);
                }
            }
            kTilde = k;
            tDot = t;
            return;
        }
        int m = HalfNodes(Math.Max(Math.Abs(s1), Math.Abs(a)));
        double h = BivariateGaussQuadrature.Truncation / m;
        Span<double> w = stackalloc double[m];
        double norm = GaussianWeights(w, h);
        for (int i = 0; i < m; i++)
        {
            double z = (i + 0.5) * h, wi = w[i];
            double up = s1 * z;
            if (product)
            {
                double vp = a * z;
                k += wi * (_f.Value(up) * _f.Value(vp) + _f.Value(-up) * _f.Value(-vp));
                t += wi * (_f.Derivative(up) * _f.Derivative(vp) + _f.Derivative(-up) * _f.Derivative(-vp));
            }
            else
            {
                k += wi * (_f.Value(up) + _f.Value(-up));
                t += wi * (_f.Derivative(up) + _f.Derivative(-up));
            }
        }
        kTilde = k / norm;
        tDot = t / norm;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TrapezoidGrid(double s1, double a, double b, out double kTilde, out double tDot)
    {
        const double L = BivariateGaussQuadrature.Truncation;
        int m1 = HalfNodes(Math.Max(s1, Math.Abs(a)));
        int m2 = HalfNodes(b);
        double h1 = L / m1, h2 = L / m2;
        Span<double> w1 = stackalloc double[m1];
        Span<double> w2 = stackalloc double[m2];
        double norm = GaussianWeights(w1, h1) * GaussianWeights(w2, h2);
        double k = 0.0, t = 0.0;
        for (int i = -m1; i < m1; i++)
        {
            double z1 = (i + 0.5) * h1;
            double u = s1 * z1;
            double fu = _f.Value(u), du = _f.Derivative(u);
            if (fu == 0.0 && du == 0.0) continue;
            // Prune to the disc z1² + z2² ≤ L² (outside it every weight product is below e^(−L²/2)).
            double reach = Math.Sqrt(Math.Max(0.0, L * L - z1 * z1)) / h2 + 0.5;
            int jEnd = reach >= m2 ? m2 : (int)reach;
            double mean = a * z1;
            double sk = 0.0, st = 0.0;
            for (int j = 0; j < jEnd; j++)
            {
                double dz = b * ((j + 0.5) * h2);
                double vp = mean + dz, vm = mean - dz;
                double wj = w2[j];
                sk += wj * (_f.Value(vp) + _f.Value(vm));
                st += wj * (_f.Derivative(vp) + _f.Derivative(vm));
            }
            double wi = w1[i < 0 ? -1 - i : i];
            k += wi * fu * sk;
            t += wi * du * st;
        }
        kTilde = k / norm;
        tDot = t / norm;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HermiteGrid(double s1, double a, double b, out double kTilde, out double tDot)
    {
        ref double z = ref MemoryMarshal.GetArrayDataReference(_z);
        ref double w = ref MemoryMarshal.GetArrayDataReference(_w);
        ref int start = ref MemoryMarshal.GetArrayDataReference(_innerStart);
        ref int end = ref MemoryMarshal.GetArrayDataReference(_innerEnd);
        int m = _z.Length;
        double k = 0.0, t = 0.0;
        for (int i = 0; i < m; i++)
        {
            double zi = Unsafe.Add(ref z, i);
            double u = s1 * zi;
            double fu = _f.Value(u), du = _f.Derivative(u);
            if (fu == 0.0 && du == 0.0) continue;
            double mean = a * zi;
            double sk = 0.0, st = 0.0;
            int je = Unsafe.Add(ref end, i);
            for (int j = Unsafe.Add(ref start, i); j < je; j++)
            {
                double v = mean + b * Unsafe.Add(ref z, j);
                double wj = Unsafe.Add(ref w, j);
                sk += wj * _f.Value(v);
                st += wj * _f.Derivative(v);
            }
            double wi = Unsafe.Add(ref w, i);
            k += wi * fu * sk;
            t += wi * du * st;
        }
        kTilde = k;
        tDot = t;
    }
}
