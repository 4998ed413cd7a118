namespace NtkDsl.Tests.Training;

/// <summary>One output: the empirical NTK in Trace mode is the whole kernel.</summary>
[NtkModel(Inputs = 3)]
public partial class TrainTanh
{
    [Dense(16, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>Two outputs, for the N = n·K normalization.</summary>
[NtkModel(Inputs = 3, BiasStd = 0.5)]
public partial class TrainTanh2
{
    [Dense(8, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}
