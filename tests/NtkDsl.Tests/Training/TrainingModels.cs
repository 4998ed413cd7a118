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

/// <summary>A model that declares lazy-training options on its attribute.</summary>
[NtkDsl.NtkModel(Inputs = 3, OutputScale = 4.0, Centered = true)]
public partial class DeclaredLazyNet
{
    [NtkDsl.Dense(16, NtkDsl.Activation.Tanh)] public partial NtkDsl.DenseLayer Hidden { get; }
    [NtkDsl.Dense(1)] public partial NtkDsl.DenseLayer Readout { get; }
}
