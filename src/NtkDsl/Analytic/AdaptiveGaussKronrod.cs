using System.Runtime.CompilerServices;

namespace NtkDsl.Analytic;

/// <summary>A vector-valued integrand g: ℝ → ℝ^D for <see cref="AdaptiveGaussKronrod"/> (any weight is part of g).</summary>
internal interface IVectorIntegrand
{
    /// <summary>D, the number of components.</summary>
    int Dimension { get; }

    /// <summary>Writes g(z) into <paramref name="values"/> (length D).</summary>
    void Evaluate(double z, Span<double> values);

    /// <summary>
    /// The scale of each component given the current estimate of the integral: the absolute tolerance of component c
    /// is relTol·scales[c] (e.g. the integral's own magnitude, or a Cauchy–Schwarz bound).
    /// </summary>
    void Scales(ReadOnlySpan<double> estimate, Span<double> scales);
}

/// <summary>Why an adaptive integration stopped.</summary>
internal enum IntegrationStatus
{
    /// <summary>Every component's estimated error is within its tolerance.</summary>
    Converged,

    /// <summary>The panel budget ran out before the tolerance was met.</summary>
    PanelLimit,

    /// <summary>The integrand returned ∞ or NaN.</summary>
    NonFinite,

    /// <summary>The integrand is still not negligible at the largest reach (it grows as fast as the Gaussian decays).</summary>
    TailNotDecaying,
}

/// <summary>Per-thread scratch for <see cref="AdaptiveGaussKronrod"/> (panel lists grow on demand).</summary>
internal sealed class IntegrationWorkspace
{
    public double[] A = new double[64];
    public double[] B = new double[64];
    public double[] Result = new double[64 * 2];
    public double[] Error = new double[64 * 2];
    public double[] Tmp = new double[2];
    public double[] Kronrod = new double[2];
    public double[] Gauss = new double[2];
    public double[] Total = new double[2];
    public double[] ErrorTotal = new double[2];
    public double[] Scale = new double[2];
    public double[] Breaks = new double[64];

    public void Ensure(int panels, int dim)
    {
        if (A.Length < panels)
        {
            int n = Math.Max(panels, 2 * A.Length);
            Array.Resize(ref A, n);
            Array.Resize(ref B, n);
        }
        long need = (long)A.Length * dim;
        if (Result.Length < need)
        {
            Array.Resize(ref Result, (int)need);
            Array.Resize(ref Error, (int)need);
        }
        if (Tmp.Length < dim)
        {
            Tmp = new double[dim];
            Kronrod = new double[dim];
            Gauss = new double[dim];
            Total = new double[dim];
            ErrorTotal = new double[dim];
            Scale = new double[dim];
        }
    }
}

/// <summary>
/// Globally adaptive 15-point Gauss–Kronrod integration of a vector integrand over the real line (the scheme of
/// QUADPACK's QAG, Piessens et al. 1983, with the error of a panel taken as |K15 − G7|, a conservative estimate): initial
/// panels between given breakpoints, unit-width tail panels added outward until two in a row are negligible, then the
/// panel with the largest error relative to its tolerance is bisected until every component meets its tolerance.
/// Hand-written because MathNet's Gauss–Kronrod integrates one scalar function without breakpoints or a shared panel
/// list, and the dual activations need K̃ and Ṫ (or 260 Hermite coefficients) from the same function evaluations.
/// </summary>
internal static class AdaptiveGaussKronrod
{
    private static readonly double[] Xgk =
    [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
        0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.0,
    ];

    private static readonly double[] Wgk =
    [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
        0.140653259715525918745189590510238, 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ];

    // 7-point Gauss weights for the Kronrod nodes 1, 3, 5, 7 (the odd indices above).
    private static readonly double[] Wg =
    [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780, 0.381830050505118944950369775488975,
        0.417959183673469387755102040816327,
    ];

    /// <summary>
    /// ∫ g over ℝ. <paramref name="breakpoints"/> (sorted, at least two) delimit the initial panels; tails beyond
    /// the first and last breakpoint are added in steps of <paramref name="tailStep"/> up to ±<paramref name="maxReach"/>.
    /// </summary>
    /// <param name="g">The integrand.</param>
    /// <param name="breakpoints">Sorted initial panel boundaries.</param>
    /// <param name="tailStep">Width of each tail panel.</param>
    /// <param name="maxReach">Largest |z| a tail may reach before <see cref="IntegrationStatus.TailNotDecaying"/>.</param>
    /// <param name="relTol">Relative tolerance against the integrand's scales.</param>
    /// <param name="maxPanels">Panel budget.</param>
    /// <param name="ws">Scratch.</param>
    /// <param name="result">The integral (length D).</param>
    /// <param name="where">Where the integration failed (a node for NonFinite, the reach for TailNotDecaying).</param>
    public static IntegrationStatus Integrate<T>(ref T g, ReadOnlySpan<double> breakpoints, double tailStep, double maxReach,
        double relTol, int maxPanels, IntegrationWorkspace ws, Span<double> result, out double where)
        where T : struct, IVectorIntegrand
    {
        int d = g.Dimension;
        ws.Ensure(breakpoints.Length + 8, d);
        int count = 0;
        where = 0.0;
        for (int k = 0; k + 1 < breakpoints.Length; k++)
        {
            if (!(breakpoints[k + 1] > breakpoints[k])) continue;
            if (!AddPanel(ref g, ws, ref count, breakpoints[k], breakpoints[k + 1], d, out where)) return IntegrationStatus.NonFinite;
        }
        if (count == 0) throw new InvalidOperationException("AdaptiveGaussKronrod: no panel between the breakpoints.");

        // Tails: unit panels outward until two consecutive ones are negligible against the current scales.
        for (int side = -1; side <= 1; side += 2)
        {
            double edge = side < 0 ? breakpoints[0] : breakpoints[^1];
            int quiet = 0;
            while (quiet < 2)
            {
                if (Math.Abs(edge) >= maxReach)
                {
                    where = edge;
                    return IntegrationStatus.TailNotDecaying;
                }
                double next = edge + side * tailStep;
                double lo = Math.Min(edge, next), hi = Math.Max(edge, next);
                if (!AddPanel(ref g, ws, ref count, lo, hi, d, out where)) return IntegrationStatus.NonFinite;
                Totals(ws, count, d);
                g.Scales(ws.Total.AsSpan(0, d), ws.Scale.AsSpan(0, d));
                bool negligible = true;
                int p = count - 1;
                for (int c = 0; c < d; c++)
                {
                    double tol = 1e-3 * relTol * ws.Scale[c];
                    if (Math.Abs(ws.Result[(long)p * d + c]) + ws.Error[(long)p * d + c] > tol) { negligible = false; break; }
                }
                quiet = negligible ? quiet + 1 : 0;
                edge = next;
            }
        }

        while (true)
        {
            Totals(ws, count, d);
            g.Scales(ws.Total.AsSpan(0, d), ws.Scale.AsSpan(0, d));
            bool done = true;
            for (int c = 0; c < d; c++)
                if (ws.ErrorTotal[c] > relTol * ws.Scale[c]) { done = false; break; }
            if (done)
            {
                ws.Total.AsSpan(0, d).CopyTo(result);
                return IntegrationStatus.Converged;
            }
            if (count >= maxPanels)
            {
                ws.Total.AsSpan(0, d).CopyTo(result);
                return IntegrationStatus.PanelLimit;
            }
            // Bisect every panel whose error exceeds its fair share (1/count) of some component's tolerance, and at
            // least the worst one: one O(panels·D) sweep per round instead of one per bisection.
            int snapshot = count;
            double share = 1.0 / snapshot;
            int worst = 0;
            double worstRatio = -1.0;
            bool any = false;
            for (int p = 0; p < snapshot; p++)
            {
                double r = PanelRatio(ws, p, d, relTol);
                if (r > worstRatio) { worstRatio = r; worst = p; }
                if (r > share)
                {
                    any = true;
                    if (count >= maxPanels) break;
                    var split = Bisect(ref g, ws, ref count, p, d, out where);
                    if (split != IntegrationStatus.Converged)
                    {
                        ws.Total.AsSpan(0, d).CopyTo(result);
                        return split;
                    }
                }
            }
            if (!any)
            {
                var split = Bisect(ref g, ws, ref count, worst, d, out where);
                if (split != IntegrationStatus.Converged)
                {
                    ws.Total.AsSpan(0, d).CopyTo(result);
                    return split;
                }
            }
        }
    }

    private static double PanelRatio(IntegrationWorkspace ws, int p, int d, double relTol)
    {
        double r = 0.0;
        long o = (long)p * d;
        for (int c = 0; c < d; c++)
        {
            double ratio = ws.Error[o + c] / (relTol * ws.Scale[c] + double.Epsilon);
            if (ratio > r) r = ratio;
        }
        return r;
    }

    /// <summary>Replaces panel p by its left half and appends its right half; PanelLimit when it cannot be split.</summary>
    private static IntegrationStatus Bisect<T>(ref T g, IntegrationWorkspace ws, ref int count, int p, int d, out double where)
        where T : struct, IVectorIntegrand
    {
        double a = ws.A[p], b = ws.B[p], mid = 0.5 * (a + b);
        where = a;
        if (!(mid > a && mid < b)) return IntegrationStatus.PanelLimit;
        ws.Ensure(count + 1, d);
        if (!EvaluatePanel(ref g, ws, a, mid, d, p, out where)) return IntegrationStatus.NonFinite;
        if (!EvaluatePanel(ref g, ws, mid, b, d, count, out where)) return IntegrationStatus.NonFinite;
        count++;
        return IntegrationStatus.Converged;
    }

    private static void Totals(IntegrationWorkspace ws, int count, int d)
    {
        Array.Clear(ws.Total, 0, d);
        Array.Clear(ws.ErrorTotal, 0, d);
        for (int p = 0; p < count; p++)
        {
            long o = (long)p * d;
            for (int c = 0; c < d; c++)
            {
                ws.Total[c] += ws.Result[o + c];
                ws.ErrorTotal[c] += ws.Error[o + c];
            }
        }
    }

    private static bool AddPanel<T>(ref T g, IntegrationWorkspace ws, ref int count, double a, double b, int d, out double where)
        where T : struct, IVectorIntegrand
    {
        ws.Ensure(count + 1, d);
        if (!EvaluatePanel(ref g, ws, a, b, d, count, out where)) return false;
        count++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool EvaluatePanel<T>(ref T g, IntegrationWorkspace ws, double a, double b, int d, int slot, out double where)
        where T : struct, IVectorIntegrand
    {
        ws.A[slot] = a;
        ws.B[slot] = b;
        double center = 0.5 * (a + b), half = 0.5 * (b - a);
        var k = ws.Kronrod.AsSpan(0, d);
        var gs = ws.Gauss.AsSpan(0, d);
        var tmp = ws.Tmp.AsSpan(0, d);
        k.Clear();
        gs.Clear();
        where = 0.0;
        for (int i = 0; i < 15; i++)
        {
            int node = i < 7 ? i : (i == 7 ? 7 : 14 - i);
            double z = i < 7 ? center - half * Xgk[i] : (i == 7 ? center : center + half * Xgk[14 - i]);
            g.Evaluate(z, tmp);
            double wk = Wgk[node];
            double wg = (node & 1) == 1 ? Wg[node >> 1] : 0.0;
            for (int c = 0; c < d; c++)
            {
                double v = tmp[c];
                if (!double.IsFinite(v))
                {
                    where = z;
                    return false;
                }
                k[c] += wk * v;
                gs[c] += wg * v;
            }
        }
        long o = (long)slot * d;
        for (int c = 0; c < d; c++)
        {
            ws.Result[o + c] = half * k[c];
            ws.Error[o + c] = half * Math.Abs(k[c] - gs[c]);
        }
        return true;
    }
}
