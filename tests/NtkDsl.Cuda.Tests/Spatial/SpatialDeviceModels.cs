namespace NtkDsl.Cuda.Tests.Spatial;

// Models on the SpatialNetwork engine constructed on a CUDA device (SpatialOnDeviceTests): between them every layer
// kind, every padding mode, strides, a residual Add, LayerNorm, a custom activation, both parameterizations, layers with
// and without bias, an activated readout, and a width-less model.

/// <summary>Conv2D (Same, then Circular), a residual Add, LayerNorm, AvgPool2D, Flatten, Dense; NTK parameterization.</summary>
[NtkModel(InputShape = new[] { 6, 5, 2 })]
public partial class SpatialResidual
{
    [Conv2D(3, 3, Activation.Relu, WeightStd = 1.4, BiasStd = 0.2)] public partial ConvLayer C1 { get; }
    [Conv2D(3, 3, Activation.Erf, Padding = Padding.Circular, WeightStd = 1.6, BiasStd = 0.3)] public partial ConvLayer C2 { get; }
    [Add(nameof(C1))] public partial Layer Skip { get; }
    [LayerNorm(Epsilon = 1e-6)] public partial Layer Norm { get; }
    [AvgPool2D(2)] public partial Layer Pool { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(5, Activation.Tanh, WeightStd = 1.2, BiasStd = 0.4)] public partial DenseLayer Hidden { get; }
    [Dense(3, WeightStd = 0.9, BiasStd = 0.5)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// Stride 2 Valid convolution with a custom activation and no bias, AvgPool2D with stride 1 and Same padding (zero
/// padding counted), GlobalAvgPool, an activated readout; standard parameterization.
/// </summary>
[NtkModel(InputShape = new[] { 9, 7, 2 }, Parameterization = Parameterization.Standard)]
public partial class SpatialStrided
{
    private static double Swish(double x) => x / (1.0 + Math.Exp(-x));
    [Conv2D(4, 3, Activation.Custom, ActivationMethod = nameof(Swish), Stride = 2, Padding = Padding.Valid, UseBias = false, WeightStd = 1.3)] public partial ConvLayer Features { get; }
    [AvgPool2D(2, Stride = 1, Padding = Padding.Same)] public partial Layer Pool { get; }
    [Conv2D(3, 2, Activation.LeakyRelu, Stride = 2, Padding = Padding.Same, BiasStd = 0.2)] public partial ConvLayer Mix { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(2, Activation.Tanh, BiasStd = 0.6)] public partial DenseLayer Readout { get; }
}

/// <summary>Declared without Inputs: Dense layers on a flat input of the constructor's width (SpatialNetwork.Flat).</summary>
[NtkModel]
public partial class SpatialWidthless
{
    [Dense(6, Activation.Gelu, WeightStd = 1.3, BiasStd = 0.1)] public partial DenseLayer Hidden { get; }
    [Dense(4, Activation.Tanh, UseBias = false)] public partial DenseLayer Hidden2 { get; }
    [Dense(3, BiasStd = 0.3)] public partial DenseLayer Readout { get; }
}
