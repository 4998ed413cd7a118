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
    internal static CheckpointLayer From(LayerInfo l) =>
        new(l.Name, l.Kind, l.FanIn, l.Width, l.Activation.ToString(), l.ActivationName, l.WeightStd, l.BiasStd, l.UseBias, l.WeightOffset, l.BiasOffset);
}
