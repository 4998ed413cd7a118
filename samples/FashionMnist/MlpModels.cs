using NtkDsl;

namespace FashionMnist;

/// <summary>
/// The MLP whose infinite-width NTK the kernel regression uses: 784 → ReLU → ReLU → 10, NTK parameterization,
/// σ_w² = 2, σ_b² = 0.01 (as the UCI sample). Only its static <c>AnalyticNtk</c> is used, which does not depend on the
/// declared widths (docs/math.md §4).
/// </summary>
[NtkModel(Inputs = FashionMnistData.Pixels, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class MlpKernel
{
    /// <summary>First hidden layer.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Second hidden layer.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Readout: one output per class.</summary>
    [Dense(FashionMnistData.Classes)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// The finite-width MLP trained with the Trainer (the baseline): the same architecture as <see cref="MlpKernel"/> at
/// width 256, NTK parameterization.
/// </summary>
[NtkModel(Inputs = FashionMnistData.Pixels, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class MlpNet
{
    /// <summary>First hidden layer.</summary>
    [Dense(256, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Second hidden layer.</summary>
    [Dense(256, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Readout: one output per class.</summary>
    [Dense(FashionMnistData.Classes)] public partial DenseLayer Readout { get; }
}
