namespace NtkDsl.Cuda.Tests.Ntk;

[NtkModel(Inputs = 7)]
public partial class TanhPair
{
    [Dense(13, Activation.Tanh, WeightStd = 1.3, BiasStd = 0.2)] public partial DenseLayer Hidden { get; }
    [Dense(3, WeightStd = 0.9, BiasStd = 0.4)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 6)]
public partial class ReluErfStack
{
    [Dense(9, Activation.Relu, WeightStd = 1.4, BiasStd = 0.1)] public partial DenseLayer Hidden1 { get; }
    [Dense(8, Activation.Erf, WeightStd = 1.2, BiasStd = 0.3)] public partial DenseLayer Hidden2 { get; }
    [Dense(4, WeightStd = 1.1, BiasStd = 0.5)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 5)]
public partial class AnalyticMix
{
    [Dense(7, Activation.Relu, WeightStd = 1.4, BiasStd = 0.3)] public partial DenseLayer Hidden1 { get; }
    [Dense(6, Activation.Erf, WeightStd = 1.1, BiasStd = 0.2)] public partial DenseLayer Hidden2 { get; }
    [Dense(5, Activation.Abs, WeightStd = 0.9, BiasStd = 0.5)] public partial DenseLayer Hidden3 { get; }
    [Dense(3, WeightStd = 1.2, BiasStd = 0.4)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 4)]
public partial class AnalyticSinIdentity
{
    [Dense(6, Activation.Sin, WeightStd = 1.3, BiasStd = 0.6)] public partial DenseLayer Hidden1 { get; }
    [Dense(5, Activation.Identity, WeightStd = 0.8, UseBias = false)] public partial DenseLayer Hidden2 { get; }
    [Dense(4, Activation.Relu, WeightStd = 1.5, BiasStd = 0.1)] public partial DenseLayer Hidden3 { get; }
    [Dense(2, WeightStd = 1.0, UseBias = false)] public partial DenseLayer Readout { get; }
}

/// <summary>Workload W1's architecture (gpu.md) at a small input size: ReLU, σ_w = σ_b = 1.</summary>
[NtkModel(Inputs = 9)]
public partial class ReluDepth2
{
    [Dense(16, Activation.Relu)] public partial DenseLayer Hidden1 { get; }
    [Dense(16, Activation.Relu)] public partial DenseLayer Hidden2 { get; }
    [Dense(3)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 3)]
public partial class LeakyPair
{
    [Dense(4, Activation.LeakyRelu, LeakySlope = 0.2)] public partial DenseLayer Hidden { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}
