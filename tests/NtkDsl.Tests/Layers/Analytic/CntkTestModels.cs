using NtkDsl.Layers;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>Layer plans and inputs shared by the analytic CNN kernel tests.</summary>
internal static class CntkTestModels
{
    public static readonly LayerActivation Identity = new(Activation.Identity, "Identity", x => x, _ => 1.0);
    public static readonly LayerActivation Relu = new(Activation.Relu, "Relu", x => x > 0 ? x : 0, x => x > 0 ? 1 : 0);
    public static readonly LayerActivation Erf = new(Activation.Erf, "Erf", MathNet.Numerics.SpecialFunctions.Erf, x => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x));
    public static readonly LayerActivation Tanh = new(Activation.Tanh, "Tanh", Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x));

    public static Conv2DSpec Conv(string name, int channels, int k, LayerActivation act, int stride = 1, Padding padding = Padding.Same,
        double sw = 1.0, double sb = 0.1, bool bias = true) => new(name, channels, k, stride, padding, act, sw, sb, bias);

    public static DenseSpec Dense(string name, int units, LayerActivation act, double sw = 1.0, double sb = 0.1, bool bias = true) =>
        new(name, units, act, sw, sb, bias);

    /// <summary>4 × 4 × 2: Same/Circular/strided convolutions, ReLU and erf, a residual, LayerNorm, a padded pool, GAP, a no-bias layer, a hidden Dense.</summary>
    public static readonly int[] MixedShape = [4, 4, 2];

    public static LayerSpec[] Mixed(bool flatten = false) =>
    [
        Conv("C1", 3, 3, Relu, sw: 1.3, sb: 0.2),
        Conv("C2", 3, 2, Erf, padding: Padding.Circular, sw: 1.1, sb: 0.3),
        new AddSpec("Skip", "C1"),
        new LayerNormSpec("Norm", 1e-3),
        Conv("C3", 4, 3, Relu, stride: 2, sw: 1.4, bias: false),
        new AvgPool2DSpec("Pool", 2, 1, Padding.Same),
        flatten ? new FlattenSpec("Flat") : new GlobalAvgPoolSpec("Gap"),
        Dense("D1", 5, Relu, sw: 1.2, sb: 0.4),
        Dense("Out", 1, Identity, sw: 0.9, sb: 0.2),
    ];

    /// <summary>5 × 3 × 1: Valid/strided windows, a Valid pool, Flatten, and a residual between Dense layers.</summary>
    public static readonly int[] TallShape = [5, 3, 1];

    public static LayerSpec[] Tall() =>
    [
        Conv("C1", 3, 2, Erf, sw: 1.2, sb: 0.3),
        Conv("C2", 3, 3, Relu, stride: 2, padding: Padding.Circular, sw: 1.5),
        new AvgPool2DSpec("Pool", 2, 1, Padding.Valid),
        new FlattenSpec("Flat"),
        Dense("D1", 4, Relu, sw: 1.3, sb: 0.2),
        Dense("D2", 4, Relu, sw: 1.1, sb: 0.1),
        new AddSpec("Res", "D1"),
        Dense("Out", 1, Identity, sw: 1.0, sb: 0.3),
    ];

    /// <summary>2 × 2 × 2 with a quadrature activation (tanh) and a residual.</summary>
    public static readonly int[] SmallShape = [2, 2, 2];

    public static LayerSpec[] Quadrature() =>
    [
        Conv("C1", 3, 2, Tanh, sw: 1.2, sb: 0.3),
        Conv("C2", 3, 3, Relu, sw: 1.1),
        new AddSpec("Skip", "C1"),
        new GlobalAvgPoolSpec("Gap"),
        Dense("Out", 1, Identity),
    ];

    public static Tensor Images(int n, int[] shape, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n * shape[0] * shape[1] * shape[2]];
        for (int i = 0; i < x.Length; i++) x[i] = 2 * rng.NextDouble() - 1;
        return Tensor.Wrap(x, n, shape[0] * shape[1] * shape[2]);
    }

    public static double[] Row(Tensor x, int i) => Enumerable.Range(0, x.Columns).Select(j => x[i, j]).ToArray();
}
