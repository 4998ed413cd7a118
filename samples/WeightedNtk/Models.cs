using NtkDsl;

namespace WeightedNtk;

// One erf hidden layer, NTK parameterization, σ_w = 1.5, σ_b = 0.3, widths 256 … 4096.

/// <summary>Width 256.</summary>
[NtkModel(Inputs = 3, WeightStd = 1.5, BiasStd = 0.3)]
public partial class Net256
{
    /// <summary>Hidden layer.</summary>
    [Dense(256, Activation.Erf)] public partial DenseLayer Hidden { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>Width 512.</summary>
[NtkModel(Inputs = 3, WeightStd = 1.5, BiasStd = 0.3)]
public partial class Net512
{
    /// <summary>Hidden layer.</summary>
    [Dense(512, Activation.Erf)] public partial DenseLayer Hidden { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>Width 1024.</summary>
[NtkModel(Inputs = 3, WeightStd = 1.5, BiasStd = 0.3)]
public partial class Net1024
{
    /// <summary>Hidden layer.</summary>
    [Dense(1024, Activation.Erf)] public partial DenseLayer Hidden { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>Width 2048.</summary>
[NtkModel(Inputs = 3, WeightStd = 1.5, BiasStd = 0.3)]
public partial class Net2048
{
    /// <summary>Hidden layer.</summary>
    [Dense(2048, Activation.Erf)] public partial DenseLayer Hidden { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>Width 4096.</summary>
[NtkModel(Inputs = 3, WeightStd = 1.5, BiasStd = 0.3)]
public partial class Net4096
{
    /// <summary>Hidden layer.</summary>
    [Dense(4096, Activation.Erf)] public partial DenseLayer Hidden { get; }

    /// <summary>Readout.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}
