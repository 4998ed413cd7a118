using NtkDsl.Analytic;

namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The pair recursion of <see cref="PixelPairRecursion"/> specialised to plans of Dense layers on a flat input (every
/// tensor one pixel, no Add or LayerNorm): the plans of models declared without Inputs (issue 15) and of
/// <c>InputShape = { 1, 1, d }</c> Dense models. With one pixel every covariance matrix is a scalar and each window sum
/// of the general recursion is a copy, so this does the same arithmetic in the same order on scalars, without the
/// per-pair matrix passes; its results equal the general recursion's bit for bit.
/// </summary>
/// <remarks>
/// Per pair: K = ⟨x, x'⟩/d (<see cref="AnalyticGram.MeanDot"/>), Θ = 0; then per layer Θ ← w_W·T_W·K + w_b·T_b + σ_w²·Θ,
/// K ← σ_w²·K + σ_b², and through the activation K ← K̃, Θ ← Θ·Ṫ (docs/math.md §3; Novak et al. 2019 for the
/// spatial generalisation this reduces).
/// </remarks>
internal static class FlatPairRecursion
{
    /// <summary>Whether <paramref name="plan"/> is Dense layers on a flat input only.</summary>
    public static bool Applies(SpatialKernelPlan plan) =>
        plan.MaxPixels == 1 && !plan.NeedsMeans && plan.Steps.All(s => s.Kind == KernelStepKind.Affine);

    /// <summary>
    /// The NNGP and weighted NTK of the distinct examples <paramref name="a"/> and <paramref name="b"/>, whose traces
    /// (per-layer variances) are computed; <paramref name="tables"/> hold the dual tables of the current tile
    /// (rows <paramref name="localA"/>, columns <paramref name="localB"/>) for activations without a closed form.
    /// </summary>
    public static void Run(SpatialKernelPlan plan, ExampleTrace a, ExampleTrace b, double[] groupWeight, DualSeries?[]? tables, int localA, int localB,
        out double nngp, out double ntk)
    {
        double k = AnalyticGram.MeanDot(a.Input, b.Input), t = 0.0;
        var steps = plan.Steps;
        for (int s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            double sw = step.WeightVariance;
            double own = groupWeight[step.WeightGroup] * step.WeightTerm, bias = step.BiasGroup >= 0 ? groupWeight[step.BiasGroup] * step.BiasTerm : 0.0;
            double ak = k;
            t = own * ak + bias + sw * t;
            k = sw * ak + step.BiasVariance;
            var rule = step.Activation!;
            if (rule.IsIdentity) continue;
            double kt, td;
            if (rule.Engine is not null) tables![s]!.Dual(localA, localB, k, out kt, out td);
            else rule.Dual(a.Variance[s]![0], b.Variance[s]![0], k, out kt, out td);
            k = kt;
            t *= td;
        }
        nngp = k;
        ntk = t;
    }
}
