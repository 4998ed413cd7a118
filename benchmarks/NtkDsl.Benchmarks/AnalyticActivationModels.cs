using NtkDsl;

namespace NtkDsl.Benchmarks;

// One model per built-in activation for `analytic-activations`: d = 784, three hidden layers, σ_w = √2, σ_b = 0.1
// (the architecture of AnalyticBenchMlp; widths do not matter at infinite width).

#pragma warning disable CS1591 // benchmark fixtures
[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class ReluBench { [Dense(16, Activation.Relu)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Relu)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Relu)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class LeakyReluBench { [Dense(16, Activation.LeakyRelu)] public partial DenseLayer H1 { get; } [Dense(16, Activation.LeakyRelu)] public partial DenseLayer H2 { get; } [Dense(16, Activation.LeakyRelu)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class AbsBench { [Dense(16, Activation.Abs)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Abs)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Abs)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class ErfBench { [Dense(16, Activation.Erf)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Erf)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Erf)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class TanhBench { [Dense(16, Activation.Tanh)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Tanh)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Tanh)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class SigmoidBench { [Dense(16, Activation.Sigmoid)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Sigmoid)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Sigmoid)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class GeluBench { [Dense(16, Activation.Gelu)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Gelu)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Gelu)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class SoftplusBench { [Dense(16, Activation.Softplus)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Softplus)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Softplus)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class SinBench { [Dense(16, Activation.Sin)] public partial DenseLayer H1 { get; } [Dense(16, Activation.Sin)] public partial DenseLayer H2 { get; } [Dense(16, Activation.Sin)] public partial DenseLayer H3 { get; } [Dense(1)] public partial DenseLayer Out { get; } }
#pragma warning restore CS1591
