namespace NtkDsl.Tests.Experiments;

/// <summary>A two-layer tanh network in the NTK parameterization, as in math.md §6 but smaller.</summary>
[NtkModel(Inputs = 3)]
public partial class LazyTwoLayer
{
    [Dense(128, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}
