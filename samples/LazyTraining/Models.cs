namespace LazyTrainingSample;

/// <summary>The default network: 5 → 256 (tanh) → 1, NTK parameterization (math.md §6's reference run).</summary>
[NtkDsl.NtkModel(Inputs = 5)]
public partial class LazyNet256
{
    /// <summary>Hidden layer.</summary>
    [NtkDsl.Dense(256, NtkDsl.Activation.Tanh)] public partial NtkDsl.DenseLayer Hidden { get; }

    /// <summary>Output layer.</summary>
    [NtkDsl.Dense(1)] public partial NtkDsl.DenseLayer Readout { get; }
}

/// <summary>The <c>--full</c> network: 5 → 1024 (tanh) → 1.</summary>
[NtkDsl.NtkModel(Inputs = 5)]
public partial class LazyNet1024
{
    /// <summary>Hidden layer.</summary>
    [NtkDsl.Dense(1024, NtkDsl.Activation.Tanh)] public partial NtkDsl.DenseLayer Hidden { get; }

    /// <summary>Output layer.</summary>
    [NtkDsl.Dense(1)] public partial NtkDsl.DenseLayer Readout { get; }
}
