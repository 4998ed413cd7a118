using NtkDsl.Analytic;

namespace NtkDsl.Tests.Layers.Naming;

/// <summary>
/// Errors of width-less and <c>InputShape</c> models (the SpatialNetwork engine) name the layer as "Model.Layer", the way
/// the Dense emitter's models do (a new-user trial found <c>'H2 (Tanh)'</c> and <c>SpatialNetwork.H1</c>). Each fault is
/// raised on the Dense reference <see cref="NamedDense"/> too, and the spatial message is compared with it. Where the
/// faults occur is derived by hand in <see cref="NamedDense"/>'s file comment.
/// </summary>
public sealed class ModelLayerNameTests
{
    // Row 0: |x|²/d = 1e-300 (finite everywhere); row 1: |x|²/d = v² (the fault).
    private static Tensor Rows(double v) => Tensor.FromArray([1e-150, 1e-150, v, v], 2, 2);

    private static Tensor Analytic(string model, string which, Tensor x) => (model, which) switch
    {
        ("NamedDense", "ntk") => NamedDense.AnalyticNtk(x),
        ("NamedDense", "nngp") => NamedDense.AnalyticNngp(x),
        ("NamedDense", _) => NamedDense.AnalyticNtkDiagonal(x),
        ("NamedWl", "ntk") => NamedWl.AnalyticNtk(x),
        ("NamedWl", "nngp") => NamedWl.AnalyticNngp(x),
        ("NamedWl", _) => NamedWl.AnalyticNtkDiagonal(x),
        ("NamedCnn", "ntk") => NamedCnn.AnalyticNtk(x),
        ("NamedCnn", "nngp") => NamedCnn.AnalyticNngp(x),
        _ => NamedCnn.AnalyticNtkDiagonal(x),
    };

    [Theory]
    [InlineData("ntk")]
    [InlineData("nngp")]
    [InlineData("diagonal")]
    public void DualActivationErrorNamesModelAndLayer(string which)
    {
        // q ≈ 5e199 entering the tanh layer (H2 / C2): the adaptive dual cannot certify E[φ(u)φ(v)] there.
        var dense = Assert.Throws<DualActivationException>(() => Analytic("NamedDense", which, Rows(1.0)));
        Assert.Equal("NamedDense.H2 (Tanh)", dense.Layer);
        Assert.Contains("'NamedDense.H2 (Tanh)'", dense.Message, StringComparison.Ordinal);

        var wl = Assert.Throws<DualActivationException>(() => Analytic("NamedWl", which, Rows(1.0)));
        Assert.Equal("NamedWl.H2 (Tanh)", wl.Layer);
        Assert.Contains("'NamedWl.H2 (Tanh)'", wl.Message, StringComparison.Ordinal);

        var cnn = Assert.Throws<DualActivationException>(() => Analytic("NamedCnn", which, Rows(1.0)));
        Assert.Equal("NamedCnn.C2 (Tanh)", cnn.Layer);
        Assert.Contains("'NamedCnn.C2 (Tanh)'", cnn.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SpatialNetwork", wl.Message + cnn.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ntk")]
    [InlineData("nngp")]
    [InlineData("diagonal")]
    public void VarianceOverflowNamesModelAndLayer(string which)
    {
        // Row 1: q = 1e200·1e120 = ∞ at the first layer (H1 / C1); row 0 stays finite, so the row is 1 everywhere.
        var x = Rows(1e60);
        var dense = Assert.Throws<NonFiniteResultException>(() => Analytic("NamedDense", which, x));
        Assert.StartsWith("NamedDense, layer 'H1'", dense.Message, StringComparison.Ordinal);

        var wl = Assert.Throws<NonFiniteResultException>(() => Analytic("NamedWl", which, x));
        Assert.StartsWith("NamedWl.H1: the pre-activation variance", wl.Message, StringComparison.Ordinal);
        var cnn = Assert.Throws<NonFiniteResultException>(() => Analytic("NamedCnn", which, x));
        Assert.StartsWith("NamedCnn.C1: the pre-activation variance", cnn.Message, StringComparison.Ordinal);
        foreach (var e in new[] { wl, cnn })
        {
            Assert.Equal(dense.Row, e.Row);
            Assert.Equal(1, e.Row);
            Assert.True(double.IsPositiveInfinity(e.Value));
        }
    }

    [Fact]
    public void ForwardOverflowNamesModelAndLayer()
    {
        // h = (σ_w/√d)·W·x with σ_w = 1e100 and x = 1e250: |h| ≈ 1e350 overflows at the first layer.
        var x = Tensor.FromArray([1e250, 1e250], 1, 2);
        var dense = Assert.Throws<NonFiniteResultException>(() => new NamedDense(seed: 0).Forward(x));
        Assert.StartsWith("NamedDense.H1 (Dense", dense.Message, StringComparison.Ordinal);
        Assert.Contains("pre-activations", dense.Message, StringComparison.Ordinal);

        var wl = Assert.Throws<NonFiniteResultException>(() => new NamedWl(inputs: 2, seed: 0).Forward(x));
        Assert.StartsWith("NamedWl.H1 (Dense)", wl.Message, StringComparison.Ordinal);
        Assert.Contains("pre-activations", wl.Message, StringComparison.Ordinal);

        var cnn = Assert.Throws<NonFiniteResultException>(() => new NamedCnn(seed: 0).Forward(x));
        Assert.StartsWith("NamedCnn.C1 (Conv2D)", cnn.Message, StringComparison.Ordinal);
        Assert.Contains("pre-activations", cnn.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forward")]
    [InlineData("ntk")]
    [InlineData("analytic")]
    public void NaNInputsNameTheModel(string call)
    {
        var x = Tensor.FromArray([0.5, double.NaN], 1, 2);
        foreach (var (model, run) in new (string, Action)[]
        {
            ("NamedDense", () => _ = call switch { "forward" => new NamedDense(seed: 0).Forward(x), "ntk" => new NamedDense(seed: 0).Ntk(x), _ => NamedDense.AnalyticNtk(x) }),
            ("NamedWl", () => _ = call switch { "forward" => new NamedWl(inputs: 2, seed: 0).Forward(x), "ntk" => new NamedWl(inputs: 2, seed: 0).Ntk(x), _ => NamedWl.AnalyticNtk(x) }),
            ("NamedCnn", () => _ = call switch { "forward" => new NamedCnn(seed: 0).Forward(x), "ntk" => new NamedCnn(seed: 0).Ntk(x), _ => NamedCnn.AnalyticNtk(x) }),
        })
        {
            var e = Assert.Throws<ArgumentException>(run);
            Assert.StartsWith(model + ":", e.Message, StringComparison.Ordinal);
            Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SpatialNetwork", e.Message, StringComparison.Ordinal);
        }
    }
}
