namespace NtkDsl.Cuda.Tests.Review;

// Models at the edges of the device engines' index arithmetic (DeviceEdgeCaseTests): 1×1 images, a kernel the size
// of the image, Valid windows that drop rows and columns at stride > 1 on odd sizes, Circular windows larger than the
// image (a pixel read more than once by one window), one channel, LayerNorm of one channel (every row constant),
// one output, and Dense models of one and two layers.

/// <summary>A 1×1 image: a 3×3 Same window over one pixel (every offset but the centre is padding), a 1×1 kernel the size of the image, GAP of one pixel, one output.</summary>
[NtkModel(InputShape = new[] { 1, 1, 2 })]
public partial class EdgeOnePixel
{
    [Conv2D(3, 3, Activation.Tanh, WeightStd = 1.3, BiasStd = 0.2)] public partial ConvLayer Wide { get; }
    [Conv2D(2, 1, Activation.Erf, WeightStd = 1.1, BiasStd = 0.4)] public partial ConvLayer Point { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(1, WeightStd = 0.8, BiasStd = 0.3)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// 5×4 input, stride-2 Valid 2×2 windows (row 4 is never read), a 3×3 Circular window on the 2×2 result (wraps: one
/// window reads a pixel twice), Valid stride-2 pooling, a 1×1 image whose kernel is the image, a residual Add.
/// </summary>
[NtkModel(InputShape = new[] { 5, 4, 1 })]
public partial class EdgeOddValid
{
    [Conv2D(2, 2, Activation.Erf, Stride = 2, Padding = Padding.Valid, WeightStd = 1.5, BiasStd = 0.3)] public partial ConvLayer Down { get; }
    [Conv2D(3, 3, Activation.Relu, Padding = Padding.Circular, WeightStd = 1.4, BiasStd = 0.1)] public partial ConvLayer Wrap { get; }
    [AvgPool2D(2, Stride = 2, Padding = Padding.Valid)] public partial Layer Pool { get; }
    [Conv2D(3, 1, Activation.Tanh, WeightStd = 1.2, BiasStd = 0.2)] public partial ConvLayer Point { get; }
    [Add(nameof(Pool))] public partial Layer Skip { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2, WeightStd = 0.9, BiasStd = 0.5)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// One channel throughout: a stride-3 Same convolution on 7×3 (3×1 out), LayerNorm over that one channel (variance 0:
/// y = 0, its cotangent 0), bypassed by an Add, Same pooling with stride 2 on an odd height, one activated output; standard parameterization.
/// </summary>
[NtkModel(InputShape = new[] { 7, 3, 1 }, Parameterization = Parameterization.Standard)]
public partial class EdgeOneChannel
{
    [Conv2D(1, 3, Activation.Sin, Stride = 3, UseBias = false, WeightStd = 1.1)] public partial ConvLayer C1 { get; }
    [LayerNorm(Epsilon = 0.25)] public partial Layer Norm { get; }
    [Add(nameof(C1))] public partial Layer Skip { get; }
    [AvgPool2D(3, Stride = 2, Padding = Padding.Same)] public partial Layer Pool { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(1, Activation.Tanh, BiasStd = 0.6)] public partial DenseLayer Readout { get; }
}

/// <summary>A Dense model of one linear layer with one output (unit deltas, no hidden layer).</summary>
[NtkModel(Inputs = 4)]
public partial class EdgeLinearOne
{
    [Dense(1, WeightStd = 1.2, BiasStd = 0.7)] public partial DenseLayer Readout { get; }
}

/// <summary>A Dense model of one activated layer without bias (diagonal deltas, the bias-less kernel signature).</summary>
[NtkModel(Inputs = 3)]
public partial class EdgeSquashOne
{
    [Dense(2, Activation.Tanh, WeightStd = 1.3, UseBias = false)] public partial DenseLayer Readout { get; }
}

/// <summary>Two layers, one output: the traced reduction of the last hidden layer with K = 1 (and general deltas in Full mode).</summary>
[NtkModel(Inputs = 3)]
public partial class EdgeReducedOne
{
    [Dense(5, Activation.Relu, WeightStd = 1.4, BiasStd = 0.2)] public partial DenseLayer Hidden { get; }
    [Dense(1, WeightStd = 0.9, BiasStd = 0.4)] public partial DenseLayer Readout { get; }
}

/// <summary>Two layers, several outputs, the traced reduction (layers = 2 frees φ' of the hidden layer early).</summary>
[NtkModel(Inputs = 3)]
public partial class EdgeReducedPair
{
    [Dense(4, Activation.Gelu, WeightStd = 1.4, BiasStd = 0.2)] public partial DenseLayer Hidden { get; }
    [Dense(3, WeightStd = 0.9, BiasStd = 0.4)] public partial DenseLayer Readout { get; }
}

/// <summary>A Valid 3×3 kernel on a 3×3 image: one output pixel whose window is the whole image.</summary>
[NtkModel(InputShape = new[] { 3, 3, 2 })]
public partial class EdgeKernelIsImage
{
    [Conv2D(3, 3, Activation.Tanh, Padding = Padding.Valid, WeightStd = 1.3, BiasStd = 0.2)] public partial ConvLayer Whole { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2, WeightStd = 0.9, BiasStd = 0.3)] public partial DenseLayer Readout { get; }
}
