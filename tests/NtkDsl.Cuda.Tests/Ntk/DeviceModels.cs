namespace NtkDsl.Cuda.Tests.Ntk;

// Generated models constructed on a CUDA device (GeneratedModelsOnDevice): three hidden layers so that the kernel
// assembly meets every delta form (general deltas below the last hidden layer, the traced reduction or general deltas
// there, unit deltas of the linear readout), in float64 and float32.

[NtkModel(Inputs = 5)]
public partial class DeviceDeep
{
    [Dense(7, Activation.Tanh, WeightStd = 1.3, BiasStd = 0.2)] public partial DenseLayer Hidden1 { get; }
    [Dense(6, Activation.Relu, WeightStd = 1.4, BiasStd = 0.4)] public partial DenseLayer Hidden2 { get; }
    [Dense(5, Activation.Erf, WeightStd = 1.1, BiasStd = 0.3)] public partial DenseLayer Hidden3 { get; }
    [Dense(3, WeightStd = 0.9, BiasStd = 0.5)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 5, Precision = Precision.Float32)]
public partial class DeviceDeep32
{
    [Dense(7, Activation.Tanh, WeightStd = 1.3, BiasStd = 0.2)] public partial DenseLayer Hidden1 { get; }
    [Dense(6, Activation.Relu, WeightStd = 1.4, BiasStd = 0.4)] public partial DenseLayer Hidden2 { get; }
    [Dense(5, Activation.Erf, WeightStd = 1.1, BiasStd = 0.3)] public partial DenseLayer Hidden3 { get; }
    [Dense(3, WeightStd = 0.9, BiasStd = 0.5)] public partial DenseLayer Readout { get; }
}

/// <summary>Standard parameterization, a layer without bias and an activated readout (diagonal output deltas).</summary>
[NtkModel(Inputs = 4, Parameterization = Parameterization.Standard)]
public partial class DeviceSquashed
{
    [Dense(6, Activation.Tanh, WeightStd = 1.2, UseBias = false)] public partial DenseLayer Hidden { get; }
    [Dense(3, Activation.Tanh, WeightStd = 1.0, BiasStd = 0.7)] public partial DenseLayer Readout { get; }
}

/// <summary>A model with spatial layers (the SpatialNetwork engine; refused by devices without a spatial backend).</summary>
[NtkModel(InputShape = new[] { 4, 4, 1 })]
public partial class DeviceConv
{
    [Conv2D(2, 3, Activation.Relu)] public partial ConvLayer Features { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}

/// <summary>A model declared without Inputs (the SpatialNetwork engine; refused by devices without a spatial backend).</summary>
[NtkModel]
public partial class DeviceWidthless
{
    [Dense(3, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}
