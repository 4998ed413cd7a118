namespace NtkDsl.Tests.Audit;

/// <summary>
/// Three outputs, two hidden layers with per-layer σ's and one layer without a bias, so that the WNTK's six groups
/// have different sizes and a misplaced group weight changes the answer. Parameter layout, written out by hand
/// (math.md §1): H1.W 7×5 = 35 at 0, H1.b 7 at 35, H2.W 6×7 = 42 at 42 (no bias), Out.W 3×6 = 18 at 84, Out.b 3 at 102;
/// P = 105.
/// </summary>
[NtkModel(Inputs = 5, BiasStd = 0.7)]
public partial class AuditMlp
{
    [Dense(7, Activation.Tanh, WeightStd = 1.3)] public partial DenseLayer H1 { get; }
    [Dense(6, Activation.Relu, UseBias = false)] public partial DenseLayer H2 { get; }
    [Dense(3, BiasStd = 0.4)] public partial DenseLayer Out { get; }
}

/// <summary>The same architecture in float32 (same layout).</summary>
[NtkModel(Inputs = 5, BiasStd = 0.7, Precision = Precision.Float32)]
public partial class AuditMlp32
{
    [Dense(7, Activation.Tanh, WeightStd = 1.3)] public partial DenseLayer H1 { get; }
    [Dense(6, Activation.Relu, UseBias = false)] public partial DenseLayer H2 { get; }
    [Dense(3, BiasStd = 0.4)] public partial DenseLayer Out { get; }
}

/// <summary>Three outputs through an output activation (no trace reduction at the last hidden layer).</summary>
[NtkModel(Inputs = 4, Parameterization = Parameterization.Standard)]
public partial class AuditOutAct
{
    [Dense(6, Activation.Erf)] public partial DenseLayer H1 { get; }
    [Dense(3, Activation.Tanh)] public partial DenseLayer Out { get; }
}

/// <summary>ReLU then erf with per-layer σ's: its infinite-width kernels have closed forms at every layer (math.md §4).</summary>
[NtkModel(Inputs = 4, WeightStd = 1.3, BiasStd = 0.4)]
public partial class AuditReluErf
{
    [Dense(64, Activation.Relu, WeightStd = 1.5)] public partial DenseLayer H1 { get; }
    [Dense(32, Activation.Erf, BiasStd = 0.2)] public partial DenseLayer H2 { get; }
    [Dense(2, WeightStd = 0.9)] public partial DenseLayer Out { get; }
}

/// <summary>
/// 2×2×3 images → 1×1 Conv (5 channels, ReLU) → global average pool → Dense 2. With a 1×1 window no pixels mix, so
/// the infinite-width kernels are the dense recursion per pixel pair, averaged over the 4×4 pairs by the pool.
/// </summary>
[NtkModel(InputShape = new[] { 2, 2, 3 }, WeightStd = 1.2, BiasStd = 0.3)]
public partial class AuditPixelConv
{
    [Conv2D(5, 1, Activation.Relu, WeightStd = 1.4, BiasStd = 0.5)] public partial ConvLayer C1 { get; }
    [GlobalAvgPool] public partial Layer Gap { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

/// <summary>Standard parameterization, one ReLU layer of width 64 (math.md §4, standard-parameterization recursion).</summary>
[NtkModel(Inputs = 4, Parameterization = Parameterization.Standard, WeightStd = 1.3, BiasStd = 0.4)]
public partial class AuditStandardRelu
{
    [Dense(64, Activation.Relu, WeightStd = 1.5)] public partial DenseLayer H1 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

/// <summary>
/// A generated image model with odd sizes, stride 2 with circular padding, an even kernel, a residual Add, LayerNorm
/// and a strided Same average pool: 7×5×2 → C1 3×3 stride 2 Circular (4×3×3) → C2 2×2 Same (4×3×3) → + C1 → LayerNorm
/// → AvgPool 2 stride 2 Same (2×2×3) → Flatten (12) → Dense 2. Smooth activations so central differences apply.
/// </summary>
[NtkModel(InputShape = new[] { 7, 5, 2 }, BiasStd = 0.3)]
public partial class AuditOddCnn
{
    [Conv2D(3, 3, Activation.Tanh, Stride = 2, Padding = Padding.Circular, WeightStd = 1.4)] public partial ConvLayer C1 { get; }
    [Conv2D(3, 2, Activation.Softplus)] public partial ConvLayer C2 { get; }
    [Add(nameof(C1))] public partial Layer Skip { get; }
    [LayerNorm(Epsilon = 1e-3)] public partial Layer Norm { get; }
    [AvgPool2D(2, Stride = 2, Padding = Padding.Same)] public partial Layer Pool { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2, BiasStd = 0.5)] public partial DenseLayer Out { get; }
}
