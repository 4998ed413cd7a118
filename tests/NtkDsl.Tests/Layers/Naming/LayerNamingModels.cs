namespace NtkDsl.Tests.Layers.Naming;

// One fault-prone architecture three ways: declared with Inputs (the Dense emitter, the reference for the messages),
// width-less and with InputShape (both on the SpatialNetwork engine). The first layer's σ_w = 1e100 (σ_b = 0) makes its
// pre-activation variance q = 1e200·|x|²/d: at |x|²/d = 1 the next layer's tanh sees q ≈ 5e199, past what the adaptive
// dual accepts (docs/math.md §4); at |x|²/d = 1e120 the variance itself overflows to ∞ (1e320).

/// <summary>The Dense reference: 2 inputs, ReLU (σ_w = 1e100), tanh, one output.</summary>
[NtkModel(Inputs = 2)]
public partial class NamedDense
{
    [Dense(4, Activation.Relu, WeightStd = 1e100, BiasStd = 0.0)] public partial DenseLayer H1 { get; }
    [Dense(4, Activation.Tanh)] public partial DenseLayer H2 { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

/// <summary>The same layers without a declared width.</summary>
[NtkModel]
public partial class NamedWl
{
    [Dense(4, Activation.Relu, WeightStd = 1e100, BiasStd = 0.0)] public partial DenseLayer H1 { get; }
    [Dense(4, Activation.Tanh)] public partial DenseLayer H2 { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

/// <summary>
/// A 1 × 2 × 1 image through 1 × 1 convolutions (fan-in 1, so each pixel's variance is 1e200·x_p² as in the Dense
/// models), flattened into the readout.
/// </summary>
[NtkModel(InputShape = new[] { 1, 2, 1 })]
public partial class NamedCnn
{
    [Conv2D(4, 1, Activation.Relu, WeightStd = 1e100, BiasStd = 0.0)] public partial ConvLayer C1 { get; }
    [Conv2D(4, 1, Activation.Tanh)] public partial ConvLayer C2 { get; }
    [Flatten] public partial Layer F { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}
