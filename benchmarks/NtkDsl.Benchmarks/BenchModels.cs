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

/// <summary>The analytic-kernel workload: d = 784, three hidden ReLU layers (widths are irrelevant at infinite width).</summary>
[NtkModel(Inputs = 784, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class AnalyticBenchMlp
{
    /// <summary>Hidden layer 1.</summary>
    [Dense(1024, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Hidden layer 2.</summary>
    [Dense(1024, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Hidden layer 3.</summary>
    [Dense(1024, Activation.Relu)] public partial DenseLayer Hidden3 { get; }

    /// <summary>Output layer.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>The memory workload of the empirical-NTK issue: 784-1024-1024-10, ReLU.</summary>
[NtkModel(Inputs = 784)]
public partial class MemoryBenchMlp
{
    /// <summary>Hidden layer 1.</summary>
    [Dense(1024, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Hidden layer 2.</summary>
    [Dense(1024, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Output layer.</summary>
    [Dense(10)] public partial DenseLayer Readout { get; }
}
