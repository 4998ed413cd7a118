using NtkDsl;

namespace UncertaintySample;

/// <summary>One hidden ReLU layer of width 1024 on scalar inputs, NTK parameterization.</summary>
[NtkModel(Inputs = 1, WeightStd = 1.4, BiasStd = 0.3)]
public partial class ToyNet
{
    [Dense(1024, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}
