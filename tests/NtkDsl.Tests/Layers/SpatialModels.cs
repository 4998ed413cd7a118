using NtkDsl.Layers;

namespace NtkDsl.Tests.Layers;

/// <summary>Small spatial models built directly from specs (no generator), mixing every layer kind, stride, padding and kernel parity.</summary>
internal static class SpatialModels
{
    public static LayerActivation Act(Activation kind) => kind switch
    {
        Activation.Identity => new(kind, "Identity", z => z, _ => 1.0),
        Activation.Relu => new(kind, "Relu", z => z > 0 ? z : 0.0, z => z > 0 ? 1.0 : 0.0),
        Activation.Tanh => new(kind, "Tanh", Math.Tanh, z => 1 - Math.Tanh(z) * Math.Tanh(z)),
        Activation.Sigmoid => new(kind, "Sigmoid", z => 1 / (1 + Math.Exp(-z)), z => Math.Exp(-z) / ((1 + Math.Exp(-z)) * (1 + Math.Exp(-z)))),
        Activation.Softplus => new(kind, "Softplus", z => Math.Log(1 + Math.Exp(z)), z => 1 / (1 + Math.Exp(-z))),
        Activation.Sin => new(kind, "Sin", Math.Sin, Math.Cos),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static readonly string[] Names = ["Mixed", "MixedStandard", "Strided", "EvenValid", "DenseOnly"];

    public static TheoryData<string> All() => new(Names);

    public static SpatialNetwork Create(string name) => name switch
    {
        // 6×5×2 → Conv 3×3 Same (3) → Conv 2×2 Same no bias (3) → Add(C1) → LayerNorm → AvgPool 2 Valid (3×2) → Conv 3×3 stride 2
        // Circular (4, 2×1) → Flatten (8) → Dense 5 tanh → Dense 3.
        "Mixed" or "MixedStandard" => new SpatialNetwork(name, [6, 5, 2], name == "Mixed" ? Parameterization.Ntk : Parameterization.Standard, Precision.Float64, 1.0, false,
        [
            new Conv2DSpec("C1", 3, 3, 1, Padding.Same, Act(Activation.Tanh), 1.3, 0.2, true),
            new Conv2DSpec("C2", 3, 2, 1, Padding.Same, Act(Activation.Softplus), 1.1, 0.3, false),
            new AddSpec("Skip", "C1"),
            new LayerNormSpec("Norm", 1e-12),
            new AvgPool2DSpec("Pool", 2, 2, Padding.Valid),
            new Conv2DSpec("C3", 4, 3, 2, Padding.Circular, Act(Activation.Tanh), 1.4, 0.1, true),
            new FlattenSpec("Flat"),
            new DenseSpec("Hidden", 5, Act(Activation.Tanh), 1.2, 0.4, true),
            new DenseSpec("Out", 3, Act(Activation.Identity), 1.0, 0.5, true),
        ]),
        // 7×7×1 → Conv 3×3 stride 2 Same ReLU (2, 4×4) → AvgPool 2 stride 1 Same → Conv 3×3 Circular sigmoid (4)
        // → Conv 1×1 Valid identity, no bias (2) → Add(C1) → GAP (2) → LayerNorm (flat) → Dense 2 sin (output activation).
        "Strided" => new SpatialNetwork(name, [7, 7, 1], Parameterization.Ntk, Precision.Float64, 1.0, false,
        [
            new Conv2DSpec("C1", 2, 3, 2, Padding.Same, Act(Activation.Relu), 1.5, 0.3, true),
            new AvgPool2DSpec("Pool", 2, 1, Padding.Same),
            new Conv2DSpec("C2", 4, 3, 1, Padding.Circular, Act(Activation.Sigmoid), 1.2, 0.2, true),
            new Conv2DSpec("C3", 2, 1, 1, Padding.Valid, Act(Activation.Identity), 1.0, 0.0, false),
            new AddSpec("Skip", "C1"),
            new GlobalAvgPoolSpec("Gap"),
            new LayerNormSpec("Norm", 1e-3),
            new DenseSpec("Out", 2, Act(Activation.Sin), 1.0, 0.5, true),
        ]),
        // 5×6×3 → Conv 4×4 stride 2 Valid (1, 1×2) → Conv 2×2 stride 2 Same tanh (2, 1×1) → Flatten → Dense 1.
        "EvenValid" => new SpatialNetwork(name, [5, 6, 3], Parameterization.Ntk, Precision.Float64, 1.0, false,
        [
            new Conv2DSpec("C1", 1, 4, 2, Padding.Valid, Act(Activation.Tanh), 1.0, 0.5, true),
            new Conv2DSpec("C2", 2, 2, 2, Padding.Same, Act(Activation.Tanh), 1.3, 0.2, true),
            new FlattenSpec("Flat"),
            new DenseSpec("Out", 1, Act(Activation.Identity), 1.0, 0.1, false),
        ]),
        "DenseOnly" => new SpatialNetwork(name, [1, 1, 4], Parameterization.Standard, Precision.Float64, 1.0, false,
        [
            new DenseSpec("H", 3, Act(Activation.Tanh), 1.5, 0.5, true),
            new DenseSpec("Out", 2, Act(Activation.Identity), 1.0, 0.2, true),
        ]),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static Tensor Inputs(SpatialNetwork net, int rows, int seed)
    {
        var s = new NormalSampler(seed);
        var d = new double[rows * net.Info.Inputs];
        s.FillNormal(d, 1.0);
        return Tensor.Wrap(d, rows, net.Info.Inputs);
    }

    /// <summary>Parameters with biases drawn too (so zero-mean effects do not hide bugs).</summary>
    public static double[][] Parameters(SpatialNetwork net, int seed) => net.InitializeParameters(new NormalSampler(seed));
}
