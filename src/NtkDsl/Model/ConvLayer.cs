namespace NtkDsl;

/// <summary>A generated model's view of one <see cref="Conv2DAttribute"/> layer: its description and live parameters.</summary>
/// <remarks>Thread safety: immutable handle; the tensors it exposes are the model's own storage (see the model's access rules).</remarks>
public sealed class ConvLayer
{
    /// <summary>Wraps a convolution's parameters. <paramref name="weights"/>: channels × kernel height × kernel width × input channels.</summary>
    public ConvLayer(LayerInfo info, Tensor weights, Tensor? bias)
    {
        Info = info;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>Description of the layer (its <see cref="LayerInfo.FanIn"/> is kernel height · width · input channels).</summary>
    public LayerInfo Info { get; }

    /// <summary>Layer name (the property name).</summary>
    public string Name => Info.Name;

    /// <summary>Weights, channels × kernel height × kernel width × input channels (row-major).</summary>
    public Tensor Weights { get; }

    /// <summary>Bias per output channel, or null when the layer has none.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Info.Name}: {Info.Kind} {Info.Detail}, {Info.ActivationName}";
}

/// <summary>A generated model's view of a layer without parameters (pooling, <c>Flatten</c>, <c>Add</c>, <c>LayerNorm</c>).</summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed class Layer
{
    /// <summary>Wraps the description of a parameter-free layer.</summary>
    public Layer(LayerInfo info) => Info = info;

    /// <summary>Description of the layer (no parameters: <see cref="LayerInfo.WeightCount"/> is 0).</summary>
    public LayerInfo Info { get; }

    /// <summary>Layer name (the property name).</summary>
    public string Name => Info.Name;

    /// <inheritdoc />
    public override string ToString() => $"{Info.Name}: {Info.Kind} {Info.Detail}";
}
