using NtkDsl;

namespace Uci;

// Finite networks for the empirical NTK / WNTK columns: two ReLU hidden layers of width 512, σ_w² = 2, σ_b² = 0.01
// (the analytic protocol's settings), one model per input dimension of the five data sets.

/// <summary>power-plant (4 features).</summary>
[NtkModel(Inputs = 4, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class Net4
{
    /// <summary>Hidden layer 1.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Hidden layer 2.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>yacht (6 features).</summary>
[NtkModel(Inputs = 6, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class Net6
{
    /// <summary>Hidden layer 1.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Hidden layer 2.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>concrete and energy (8 features).</summary>
[NtkModel(Inputs = 8, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class Net8
{
    /// <summary>Hidden layer 1.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Hidden layer 2.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>wine-quality-red (11 features).</summary>
[NtkModel(Inputs = 11, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class Net11
{
    /// <summary>Hidden layer 1.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Hidden layer 2.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}
