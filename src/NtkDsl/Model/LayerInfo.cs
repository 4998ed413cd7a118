using System.Globalization;

namespace NtkDsl;

/// <summary>What the generator knows about one layer of a model (Dense, Conv2D, or a layer without parameters).</summary>
/// <param name="Name">The property name; keys per-layer WNTK weights and learning rates.</param>
/// <param name="Kind">Layer kind: "Dense", "Conv2D", "AvgPool2D", "GlobalAvgPool", "Flatten", "Add" or "LayerNorm".</param>
/// <param name="FanIn">Input width m (Conv2D: kernel height · width · input channels; 0 for a layer without parameters).</param>
/// <param name="Width">Output width n (Conv2D: output channels; a layer without parameters: its flattened output size).</param>
/// <param name="Activation">Activation after the affine map.</param>
/// <param name="ActivationName">Activation as written (the method name for custom activations).</param>
/// <param name="WeightStd">σ_w.</param>
/// <param name="BiasStd">σ_b.</param>
/// <param name="UseBias">Whether the layer has a bias.</param>
/// <param name="WeightOffset">Offset of the first weight in the flat parameter vector.</param>
/// <param name="BiasOffset">Offset of the first bias in the flat parameter vector (−1 without bias).</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record LayerInfo(
    string Name,
    string Kind,
    int FanIn,
    int Width,
    Activation Activation,
    string ActivationName,
    double WeightStd,
    double BiasStd,
    bool UseBias,
    int WeightOffset,
    int BiasOffset)
{
    /// <summary>
    /// Geometry of a spatial layer as text (e.g. <c>"28×28×1 → 28×28×32, 3×3, stride 1, Same"</c>); part of the
    /// architecture fingerprint when set. Null for Dense layers.
    /// </summary>
    public string? Detail { get; init; }

    /// <summary>
    /// One example's output shape { height, width, channels } for a layer of a model declared with <c>InputShape</c>
    /// (a flat output is { 1, 1, n }); null for the layers of a model declared with <c>Inputs</c>, whose output is
    /// <see cref="Width"/> features. Not part of the fingerprint (it follows from the declaration).
    /// </summary>
    public IReadOnlyList<int>? OutputShape { get; init; }

    /// <summary>Conv2D: the kernel side; AvgPool2D: the window side; null for the other kinds (checkpoints store it).</summary>
    internal int? Window { get; init; }

    /// <summary>Conv2D/AvgPool2D: the stride as resolved (AvgPool2D's default is the window); null for the other kinds.</summary>
    internal int? Stride { get; init; }

    /// <summary>Conv2D/AvgPool2D: the border handling; null for the other kinds.</summary>
    internal Padding? Padding { get; init; }

    /// <summary>Number of parameters of the layer (weights and biases).</summary>
    public int ParameterCount => WeightCount + BiasCount;

    /// <summary>
    /// One line in one set of units: the output as features (a flat vector) or height×width×channels (an image), e.g.
    /// <c>"H1: Dense, 3 → 64 features, Tanh, 256 parameters"</c>,
    /// <c>"C1: Conv2D, output 28×28×32, fan-in 9 (kernel height·width·input channels), Relu, 320 parameters"</c>,
    /// <c>"P1: AvgPool2D, output 14×14×32, no parameters"</c>.
    /// </summary>
    public override string ToString()
    {
        string output = OutputText(OutputShape, Width);
        string parameters = ParameterCount == 0 ? "no parameters" : ParameterCount.ToString("N0", CultureInfo.InvariantCulture) + " parameters";
        return Kind switch
        {
            "Dense" => string.Create(CultureInfo.InvariantCulture, $"{Name}: Dense, {FanIn} → {output}, {ActivationName}, {parameters}"),
            "Conv2D" => string.Create(CultureInfo.InvariantCulture,
                $"{Name}: Conv2D, output {output}, fan-in {FanIn} (kernel height·width·input channels), {ActivationName}, {parameters}"),
            _ => $"{Name}: {Kind}, output {output}, {parameters}",
        };
    }

    /// <summary>A shape as text: "n features" when flat (or unknown, from <paramref name="features"/>), else "H×W×C".</summary>
    internal static string OutputText(IReadOnlyList<int>? shape, int features) =>
        shape is null || (shape[0] == 1 && shape[1] == 1)
            ? Features(shape is null ? features : shape[2])
            : string.Create(CultureInfo.InvariantCulture, $"{shape[0]}×{shape[1]}×{shape[2]}");

    /// <summary>"1 feature", "64 features".</summary>
    internal static string Features(int n) => n == 1 ? "1 feature" : string.Create(CultureInfo.InvariantCulture, $"{n} features");

    /// <summary>Number of weights (Width × FanIn; 0 for a layer without parameters).</summary>
    public int WeightCount => Width * FanIn;

    /// <summary>Number of biases (Width, or 0 without bias).</summary>
    public int BiasCount => UseBias ? Width : 0;
}

/// <summary>A parameter group: the weights or the biases of one layer. WNTK weights and learning rates key on it.</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Kind">Weights or biases.</param>
/// <param name="Offset">Offset in the flat parameter vector.</param>
/// <param name="Count">Number of parameters.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record ParameterGroup(string Layer, ParameterKind Kind, int Offset, int Count)
{
    /// <summary>The group's key, <c>"Layer.Weights"</c> or <c>"Layer.Bias"</c>.</summary>
    public string Key => $"{Layer}.{Kind}";

    /// <summary>
    /// The group as messages name it, <c>"Model.Layer.Weights"</c> or <c>"Model.Layer.Bias"</c>: the <c>Model.Layer</c>
    /// convention of every layer message, then the kind, so the key a user passes (<see cref="Key"/>) is its tail.
    /// </summary>
    internal string QualifiedName(string model) => $"{model}.{Key}";
}

/// <summary>Which half of a dense layer a parameter group is.</summary>
public enum ParameterKind
{
    /// <summary>The weight matrix.</summary>
    Weights = 0,
    /// <summary>The bias vector.</summary>
    Bias = 1,
}
