namespace NtkDsl.Cuda.Tests.Spatial.Analytic;

// Models whose infinite-width kernels run on the device (issue 12): between them every layer kind of the analytic plan,
// Same/Valid/Circular padding, strides 1 and 2, leading AvgPool2D (pooled once per example), residual Adds (of an
// activated branch and of a parameter-free one), LayerNorm (first and after an Add), both parameterizations, layers with
// and without bias, every activation with a device dual (ReLU, leaky ReLU, |x|, erf, sin, identity), a width-less model.

/// <summary>Conv2D (Same, ReLU) → Conv2D (stride 2, Valid, erf) → GlobalAvgPool → Dense; NTK parameterization.</summary>
[NtkModel(InputShape = new[] { 5, 6, 2 })]
public partial class AnalyticConvGap
{
    [Conv2D(3, 3, Activation.Relu, WeightStd = 1.3, BiasStd = 0.2)] public partial ConvLayer C1 { get; }
    [Conv2D(2, 3, Activation.Erf, Stride = 2, Padding = Padding.Valid, WeightStd = 1.5, BiasStd = 0.3)] public partial ConvLayer C2 { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(2, WeightStd = 0.9, BiasStd = 0.4)] public partial DenseLayer Readout { get; }
}

/// <summary>Conv2D (ReLU) → Conv2D (Circular, |x|) → Add(C1) → LayerNorm → AvgPool2D → Flatten → Dense (leaky ReLU) → Dense.</summary>
[NtkModel(InputShape = new[] { 6, 5, 2 })]
public partial class AnalyticResidual
{
    [Conv2D(3, 3, Activation.Relu, WeightStd = 1.4, BiasStd = 0.2)] public partial ConvLayer C1 { get; }
    [Conv2D(3, 3, Activation.Abs, Padding = Padding.Circular, WeightStd = 1.1, BiasStd = 0.3)] public partial ConvLayer C2 { get; }
    [Add(nameof(C1))] public partial Layer Skip { get; }
    [LayerNorm(Epsilon = 1e-6)] public partial Layer Norm { get; }
    [AvgPool2D(2)] public partial Layer Pool { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(5, Activation.LeakyRelu, WeightStd = 1.2, BiasStd = 0.4)] public partial DenseLayer Hidden { get; }
    [Dense(3, WeightStd = 0.9, BiasStd = 0.5)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// Leading AvgPool2D (pooled per example), Conv2D stride 2 Same with sin and no bias, AvgPool2D stride 1 Same (zero
/// padding counted), Flatten, an identity readout without bias; standard parameterization.
/// </summary>
[NtkModel(InputShape = new[] { 8, 6, 3 }, Parameterization = Parameterization.Standard)]
public partial class AnalyticPooledStandard
{
    [AvgPool2D(2)] public partial Layer Shrink { get; }
    [Conv2D(3, 2, Activation.Sin, Stride = 2, UseBias = false, WeightStd = 1.2)] public partial ConvLayer C1 { get; }
    [AvgPool2D(2, Stride = 1, Padding = Padding.Same)] public partial Layer Pool { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2, UseBias = false)] public partial DenseLayer Readout { get; }
}

/// <summary>LayerNorm first (the input's means), a ReLU Conv2D added to it (a parameter-free source), GlobalAvgPool, Dense.</summary>
[NtkModel(InputShape = new[] { 4, 4, 2 })]
public partial class AnalyticNormFirst
{
    [LayerNorm(Epsilon = 0.01)] public partial Layer Norm { get; }
    [Conv2D(2, 3, Activation.Relu, WeightStd = 1.5, BiasStd = 0.1)] public partial ConvLayer C1 { get; }
    [Add(nameof(Norm))] public partial Layer Skip { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(1, Activation.Erf, BiasStd = 0.3)] public partial DenseLayer Readout { get; }
}

/// <summary>Declared without Inputs: Dense layers on a flat input (the flat plan of every tensor one pixel).</summary>
[NtkModel]
public partial class AnalyticWidthless
{
    [Dense(6, Activation.Relu, WeightStd = 1.3, BiasStd = 0.1)] public partial DenseLayer Hidden { get; }
    [Dense(4, Activation.Erf, UseBias = false)] public partial DenseLayer Hidden2 { get; }
    [Dense(3, BiasStd = 0.3)] public partial DenseLayer Readout { get; }
}

/// <summary>A tanh Conv2D: no closed-form dual on the device (its kernels are the CPU's adaptive quadrature).</summary>
[NtkModel(InputShape = new[] { 4, 4, 1 })]
public partial class AnalyticTanhConv
{
    [Conv2D(2, 3, Activation.Tanh)] public partial ConvLayer C1 { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// Two residual sources alive at once, held across a shape-keeping AvgPool2D (3 × 3, stride 1, Same) and a LayerNorm,
/// released out of order (C1 before C2): the recursion's capture of nested sources, pooling and normalizing of the
/// cross-covariances, and the slot swap when a source that is not the last is dropped.
/// </summary>
[NtkModel(InputShape = new[] { 5, 5, 2 })]
public partial class AnalyticTwoSources
{
    [Conv2D(2, 3, Activation.Relu, WeightStd = 1.3, BiasStd = 0.2)] public partial ConvLayer C1 { get; }
    [AvgPool2D(3, Stride = 1, Padding = Padding.Same)] public partial Layer Blur { get; }
    [Conv2D(2, 3, Activation.Erf, WeightStd = 1.6, BiasStd = 0.1)] public partial ConvLayer C2 { get; }
    [Add(nameof(C1))] public partial Layer Skip1 { get; }
    [LayerNorm(Epsilon = 1e-4)] public partial Layer Norm { get; }
    [Conv2D(2, 3, Activation.Abs, Padding = Padding.Circular, WeightStd = 1.1, BiasStd = 0.3)] public partial ConvLayer C3 { get; }
    [Add(nameof(C2))] public partial Layer Skip2 { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(2, BiasStd = 0.2)] public partial DenseLayer Readout { get; }
}
