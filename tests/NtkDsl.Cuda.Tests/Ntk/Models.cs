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
