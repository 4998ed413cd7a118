namespace NtkDsl.Tests.Models;

// The four architectures of ../shared/fixtures, declared with the DSL.

[NtkModel(Inputs = 3)]
public partial class ReluNtk
{
    [Dense(5, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 3, Parameterization = Parameterization.Standard, WeightStd = 1.5, BiasStd = 0.5)]
public partial class ReluStandard
{
    [Dense(5, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 4)]
public partial class ErfTanhNtk
{
    [Dense(6, Activation.Erf, WeightStd = 1.3, BiasStd = 0.2)] public partial DenseLayer Hidden1 { get; }
    [Dense(4, Activation.Tanh)] public partial DenseLayer Hidden2 { get; }
    [Dense(3)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 6)]
public partial class DeepReluErfNtk
{
    [Dense(8, Activation.Relu, WeightStd = 1.4142135623730951, BiasStd = 0.1)] public partial DenseLayer Hidden1 { get; }
    [Dense(8, Activation.Erf, WeightStd = 1.2, BiasStd = 0.3)] public partial DenseLayer Hidden2 { get; }
    [Dense(2, WeightStd = 1.1, BiasStd = 0.4)] public partial DenseLayer Readout { get; }
}
