namespace NtkDsl;

/// <summary>
/// Typed access to one dense layer of a model instance. <see cref="Weights"/> and <see cref="Bias"/> share storage
/// with the model: writing into their spans changes the model.
/// </summary>
/// <remarks>Thread safety: a view of the model's own storage. Reading it is safe while no thread writes the model; writing through the <see cref="Weights"/> or <see cref="Bias"/> spans bypasses the model's concurrency check (<see cref="ModelAccessGuard"/>), so do it only while no other thread uses the model.</remarks>
public sealed class DenseLayer
{
    /// <summary>Creates the view (called by generated code).</summary>
    public DenseLayer(LayerInfo info, Tensor weights, Tensor? bias)
    {
        Info = info;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>The layer's description.</summary>
    public LayerInfo Info { get; }

    /// <summary>Layer name.</summary>
    public string Name => Info.Name;

    /// <summary>Weight matrix, Width × FanIn (out × in), raw values (before the NTK-parameterization scale).</summary>
    public Tensor Weights { get; }

    /// <summary>Bias vector of length Width, or null when the layer has no bias.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Info.Name}: Dense {Info.FanIn} → {Info.Width}, {Info.ActivationName}";
}
