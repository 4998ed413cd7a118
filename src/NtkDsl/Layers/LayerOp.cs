namespace NtkDsl.Layers;

/// <summary>The shape of one example's activations between layers: height × width × channels (NHWC); a flat vector is 1 × 1 × n.</summary>
internal readonly record struct SpatialShape(int Height, int Width, int Channels)
{
    /// <summary>Values per example.</summary>
    public int Size => Height * Width * Channels;

    /// <summary>Pixels per example.</summary>
    public int Pixels => Height * Width;

    /// <summary>Whether the shape is a flat vector (1 × 1 × n).</summary>
    public bool IsFlat => Height == 1 && Width == 1;

    /// <inheritdoc />
    public override string ToString() => IsFlat ? $"{Channels}" : $"{Height}×{Width}×{Channels}";
}

/// <summary>
/// The run-time rules of one layer kind of a <see cref="SpatialNetwork"/> (neural-tangents' stax triple, minus the
/// infinite-width rule that lives in the analytic files): shapes, the forward pass over a block of rows (keeping what the
/// backward pass needs), the backward pass of <c>batch</c> cotangents per row at once (K for the NTK and the Jacobian,
/// one for <c>Vjp</c>) and the forward-mode tangent pass. Layers with parameters derive from <see cref="PatchLayerOp"/>,
/// which adds parameter gradients and the structured-NTK features. Adding a layer kind is one file deriving from this
/// class plus its case in <see cref="SpatialNetwork"/>'s factory.
/// </summary>
/// <remarks>Row layout everywhere: example-major, then (for cotangents) the cotangent index, then the NHWC values.</remarks>
internal abstract class LayerOp
{
    protected LayerOp(LayerSpec spec, SpatialShape input)
    {
        Spec = spec;
        InShape = input;
    }

    /// <summary>The layer as declared.</summary>
    public LayerSpec Spec { get; }

    /// <summary>Layer name.</summary>
    public string Name => Spec.Name;

    /// <summary>The model class name (set by the network), for messages.</summary>
    public string Model { get; set; } = "";

    /// <summary>"Model.Layer", as the generated Dense models name a layer in their exceptions.</summary>
    public string QualifiedName => Model.Length == 0 ? Name : Model + "." + Name;

    /// <summary>Layer kind as <see cref="LayerInfo.Kind"/> spells it.</summary>
    public abstract string Kind { get; }

    /// <summary>Shape of one example's input.</summary>
    public SpatialShape InShape { get; }

    /// <summary>Shape of one example's output.</summary>
    public abstract SpatialShape OutShape { get; }

    /// <summary>Number of parameter groups (0, 1 or 2: weights, then bias).</summary>
    public virtual int GroupCount => 0;

    /// <summary>Index of this layer's first group in <see cref="ModelInfo.Groups"/> (set by the network).</summary>
    public int FirstGroup { get; set; } = -1;

    /// <summary>Index of the layer whose output an <c>Add</c> adds (−1 for every other kind).</summary>
    public virtual int SourceLayer => -1;

    /// <summary>The shapes of this layer's parameter groups.</summary>
    public virtual IEnumerable<int[]> GroupShapes => [];

    /// <summary>This layer's <see cref="LayerInfo"/>; <paramref name="offset"/> is the flat offset of its first parameter.</summary>
    public virtual LayerInfo Describe(int offset) =>
        new(Name, Kind, 0, OutShape.Size, Activation.Identity, "Identity", 0.0, 0.0, false, offset, -1) { Detail = Detail, OutputShape = [OutShape.Height, OutShape.Width, OutShape.Channels] };

    /// <summary>Geometry text for <see cref="LayerInfo.Detail"/>.</summary>
    public abstract string? Detail { get; }

    /// <summary>Forward flops per example (multiplies and adds; activation evaluations count one each).</summary>
    public abstract long ForwardFlopsPerExample { get; }

    /// <summary>
    /// Forward pass of <paramref name="rows"/> examples (<paramref name="input"/> rows × <see cref="InShape"/>); returns
    /// rows × <see cref="OutShape"/> and, through <paramref name="cache"/>, what <see cref="Backward"/> and
    /// <see cref="Jvp"/> need. <paramref name="source"/> is the output of <see cref="SourceLayer"/> (Add only).
    /// </summary>
    public abstract double[] Forward(double[][] parameters, double[] input, double[]? source, int rows, out object? cache);

    /// <summary>
    /// Cotangent of the input from the cotangent of the output, for <paramref name="batch"/> cotangents per example
    /// (<paramref name="gradOutput"/>: rows × batch × OutShape.Size). May return <paramref name="gradOutput"/> itself
    /// when the map is the identity (Add, Flatten). Layers with parameters are driven through <see cref="PatchLayerOp"/> instead.
    /// </summary>
    public abstract double[] Backward(double[][] parameters, object? cache, double[] gradOutput, int rows, int batch);

    /// <summary>
    /// Tangent of the output from the tangent of the input (null: zero, the model input has none) and, for Add, of the
    /// source; <paramref name="tangentGroups"/> holds the parameter tangents per group (ModelInfo.Groups order).
    /// Returns null when the output tangent is identically zero.
    /// </summary>
    public abstract double[]? Jvp(double[][] parameters, double[][] tangentGroups, object? cache, double[]? tangentInput,
        double[]? tangentSource, int rows);
}
