namespace NtkDsl.IO;

/// <summary>One layer as recorded in a checkpoint header (mirrors <see cref="LayerInfo"/>).</summary>
/// <param name="Name">Layer (property) name.</param>
/// <param name="Kind">Layer kind, e.g. "Dense".</param>
/// <param name="FanIn">Input width.</param>
/// <param name="Width">Output width.</param>
/// <param name="Activation">The <see cref="NtkDsl.Activation"/> member name.</param>
/// <param name="ActivationName">The activation as written (the method name for custom activations).</param>
/// <param name="WeightStd">σ_w.</param>
/// <param name="BiasStd">σ_b.</param>
/// <param name="UseBias">Whether the layer has a bias.</param>
/// <param name="WeightOffset">Offset of the first weight in the flat parameter vector.</param>
/// <param name="BiasOffset">Offset of the first bias (−1 without bias).</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record CheckpointLayer(
    string Name,
    string Kind,
    int FanIn,
    int Width,
    string Activation,
    string ActivationName,
    double WeightStd,
    double BiasStd,
    bool UseBias,
    int WeightOffset,
    int BiasOffset)
{
    /// <summary>
    /// One example's output shape { height, width, channels } of a layer of a model declared with <c>InputShape</c>
    /// (<see cref="LayerInfo.OutputShape"/>); null for a model declared with <c>Inputs</c>, and in files written before
    /// checkpoints stored geometry (then only the fingerprint tells a different geometry apart).
    /// </summary>
    public IReadOnlyList<int>? OutputShape { get; init; }

    /// <summary>Conv2D: the kernel side; AvgPool2D: the window side; null for the other kinds and in older files.</summary>
    public int? Window { get; init; }

    /// <summary>Conv2D/AvgPool2D: the stride (AvgPool2D's default resolved to the window); null otherwise and in older files.</summary>
    public int? Stride { get; init; }

    /// <summary>Conv2D/AvgPool2D: the <see cref="NtkDsl.Padding"/> member name; null otherwise and in older files.</summary>
    public string? Padding { get; init; }

    /// <summary>What messages call <see cref="Window"/>: "kernel" for Conv2D, "window" for AvgPool2D.</summary>
    internal string WindowName => Kind == "Conv2D" ? "kernel" : "window";

    internal static CheckpointLayer From(LayerInfo l) =>
        new(l.Name, l.Kind, l.FanIn, l.Width, l.Activation.ToString(), l.ActivationName, l.WeightStd, l.BiasStd, l.UseBias, l.WeightOffset, l.BiasOffset)
        {
            OutputShape = l.OutputShape?.ToArray(),
            Window = l.Window,
            Stride = l.Stride,
            Padding = l.Padding?.ToString(),
        };
}
