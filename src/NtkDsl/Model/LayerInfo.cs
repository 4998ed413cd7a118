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
}

/// <summary>Which half of a dense layer a parameter group is.</summary>
public enum ParameterKind
{
    /// <summary>The weight matrix.</summary>
    Weights = 0,
    /// <summary>The bias vector.</summary>
    Bias = 1,
}
