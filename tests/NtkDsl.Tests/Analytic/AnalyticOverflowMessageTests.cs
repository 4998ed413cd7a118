using NtkDsl.Analytic;

namespace NtkDsl.Tests.Analytic;

/// <summary>Two ReLU layers with σ_w = 1e100 (σ_b = 0): q₁ = 1e200·|x|²/d, q₂ = 1e200·q₁/2, which overflows for |x|²/d = 1.</summary>
[NtkModel(Inputs = 2)]
public partial class OverflowingRelu
{
    [Dense(4, Activation.Relu, WeightStd = 1e100, BiasStd = 0.0)] public partial DenseLayer H1 { get; }
    [Dense(4, Activation.Relu, WeightStd = 1e100, BiasStd = 0.0)] public partial DenseLayer H2 { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

/// <summary>
/// Issue 14/15 fix item 4: an overflow inside the infinite-width recursion is a <see cref="NonFiniteResultException"/>
/// naming the model, the layer, its σ and the fix, at the row where it happens — never an ArgumentOutOfRangeException
/// from the dual kernels. The layer and row are derived by hand from the variance recursion (math.md §3).
/// </summary>
public sealed class AnalyticOverflowMessageTests
{
    // Row 0: |x|²/d = 1e-300 → q₁ = 1e-100, q₂ = 5e-101: finite. Row 1: |x|²/d = 1 → q₁ = 1e200, q₂ = 5e399 = ∞ at H2.
    private static readonly Tensor X = Tensor.FromArray([1e-150, 1e-150, 1.0, 1.0], 2, 2);

    [Theory]
    [InlineData("ntk")]
    [InlineData("nngp")]
    [InlineData("diagonal")]
    public void GeneratedModelNamesTheLayerWhoseVarianceOverflows(string which)
    {
        var e = Assert.Throws<NonFiniteResultException>(() => _ = which switch
        {
            "ntk" => OverflowingRelu.AnalyticNtk(X),
            "nngp" => OverflowingRelu.AnalyticNngp(X.SliceRows(0, 1), X),
            _ => OverflowingRelu.AnalyticNtkDiagonal(X),
        });
        Assert.Equal(1, e.Row);
        Assert.True(double.IsPositiveInfinity(e.Value));
        Assert.StartsWith("OverflowingRelu, layer 'H2' (Dense, Relu, WeightStd σ_w = 1E+100, BiasStd σ_b = 0)", e.Message);
        Assert.Contains("lower WeightStd of this layer or of the layers before it", e.Message);
        Assert.Contains("at row 1", e.Message);
    }

    [Fact]
    public void AnalyticMlpNamesTheHiddenLayerWhoseVarianceOverflows()
    {
        var mlp = new AnalyticMlp(2, [new AnalyticHiddenLayer(AnalyticActivation.Relu, 1e200, 0.0), new AnalyticHiddenLayer(AnalyticActivation.Relu, 1e200, 0.0)],
            new AnalyticReadout(1.0, 0.0));
        var e = Assert.Throws<NonFiniteResultException>(() => mlp.Ntk(X));
        Assert.Equal(1, e.Row);
        Assert.StartsWith("AnalyticMlp, layer 'Hidden2' (Relu, σ_w² = 1E+200, σ_b² = 0)", e.Message);
    }

    [Fact]
    public void ModerateInputsStillWork()
    {
        // The same model on row 0 alone stays finite: K = σ_w²·K̃ with K̃ = q/2 for ReLU at x = x' (math.md §3).
        var k = OverflowingRelu.AnalyticNngp(X.SliceRows(0, 1));
        Assert.True(double.IsFinite(k[0, 0]));
        Assert.Equal(1e-100 / 2 * 1e200 / 2, k[0, 0], 1e-100 / 2 * 1e200 / 2 * 1e-12);
    }
}
