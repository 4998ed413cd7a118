using NtkDsl;

namespace NtkDsl.Benchmarks;

/// <summary>The CPU NTK workload: 64-512-512-10, ReLU, NTK parameterization.</summary>
[NtkModel(Inputs = 64)]
public partial class CpuBenchMlp
{
    /// <summary>First hidden layer.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Second hidden layer.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Output layer.</summary>
    [Dense(10)] public partial DenseLayer Readout { get; }
}
