using NtkDsl.Analytic;
using NtkDsl.Layers;

namespace NtkDsl.Tests.Layers;

/// <summary>
/// Huge inputs give the documented exceptions, never a number that looks right: a LayerNorm whose channel variance
/// overflows would normalize to exactly 0 (1/√∞), and a quadrature failure inside nested parallel loops must surface
/// as <see cref="DualActivationException"/>, not an AggregateException (found by a new-user trial).
/// </summary>
public sealed class SpatialOverflowTests
{
    private static SpatialNetwork NormNet() => new("Norm", [3, 3, 2], Parameterization.Ntk, Precision.Float64, 1.0, false,
    [
        new Conv2DSpec("C1", 3, 3, 1, Padding.Same, SpatialModels.Act(Activation.Relu), 1.0, 0.1, true),
        new LayerNormSpec("N1", 1e-12),
        new GlobalAvgPoolSpec("Gap"),
        new DenseSpec("Out", 1, SpatialModels.Act(Activation.Identity), 1.0, 0.1, true),
    ]);

    private static Tensor Scaled(double scale)
    {
        var v = new double[2 * 18];
        new NormalSampler(4).FillNormal(v, 1.0);
        for (int i = 0; i < v.Length; i++) v[i] *= scale;
        return Tensor.FromArray(v, 2, 18);
    }

    [Fact]
    public void LayerNormIsScaleInvariantUntilItsVarianceOverflowsThenThrows()
    {
        var net = NormNet();
        var p = net.InitializeParameters(new NormalSampler(1));
        // Reference: LayerNorm after a bias-carrying ReLU conv is invariant to the input scale once the bias is negligible.
        double at1e100 = net.Forward(p, Scaled(1e100))[0, 0], at1e120 = net.Forward(p, Scaled(1e120))[0, 0];
        Assert.Equal(at1e100, at1e120, 1e-9);
        var e = Assert.Throws<NonFiniteResultException>(() => net.Forward(p, Scaled(1e200)));
        Assert.Contains("Norm.N1 (LayerNorm)", e.Message);
        Assert.Contains("overflowed", e.Message);
        // One sentence: the stage ("the mean or variance … of a pixel (mean …, variance …)") then "produced ∞ at row r" and
        // the advice once (it used to splice "; scale the inputs down produced …" and repeat the advice).
        Assert.Matches(@"^Norm\.N1 \(LayerNorm\): the mean or variance over the \d+ channels of a pixel \(mean [^)]*\) produced ", e.Message);
        Assert.DoesNotContain("down produced", e.Message);
        Assert.Throws<NonFiniteResultException>(() => net.Ntk(p, Scaled(1e200), null, NtkMode.Trace, Enumerable.Repeat(1.0, net.Info.Groups.Count).ToArray(), false, null, default));
    }

    [Fact]
    public void AnalyticKernelThrowsInsteadOfNormalizingAnOverflowAway()
    {
        var net = NormNet();
        var ones = Enumerable.Repeat(1.0, net.Info.Groups.Count).ToArray();
        Assert.True(double.IsFinite(net.Analytic(Scaled(1e50), null, ones, true, null, default)[0, 1]));
        // Overflow shows up before or at the LayerNorm (input Gram, activation duals or the normalization): an exception either way.
        Assert.Throws<NonFiniteResultException>(() => net.Analytic(Scaled(1e200), null, ones, true, null, default));
    }

    [Fact]
    public void QuadratureFailureInsideParallelLoopsIsADualActivationException()
    {
        // Tanh has no closed form: its tables are built inside the parallel pair loop. At q ≈ 1e200 the variance is past
        // what the adaptive rule accepts (docs/math.md §4), which must reach the caller as DualActivationException.
        var net = new SpatialNetwork("Tanhy", [3, 3, 1], Parameterization.Ntk, Precision.Float64, 1.0, false,
        [
            new Conv2DSpec("C1", 2, 3, 1, Padding.Same, SpatialModels.Act(Activation.Tanh), 1.0, 0.1, true),
            new GlobalAvgPoolSpec("Gap"),
            new DenseSpec("Out", 1, SpatialModels.Act(Activation.Identity), 1.0, 0.1, true),
        ]);
        var v = new double[3 * 9];
        new NormalSampler(5).FillNormal(v, 1e100);
        var x = Tensor.FromArray(v, 3, 9);
        var e = Record.Exception(() => net.Analytic(x, null, [1.0, 1.0, 1.0, 1.0], true, null, default));
        Assert.NotNull(e);
        Assert.IsNotType<AggregateException>(e);
        Assert.IsType<DualActivationException>(e);
    }
}
