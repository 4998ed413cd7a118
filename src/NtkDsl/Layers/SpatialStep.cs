namespace NtkDsl.Layers;

/// <summary>The layer kinds of a <see cref="SpatialNetwork"/> plan, as device backends see them.</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API. (Read by device packages.)</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum SpatialStepKind
{
    /// <summary>Fully connected (one pixel whose patch is the flat input).</summary>
    Dense,
    /// <summary>2-D convolution (patches by im2col over <see cref="SpatialStep.WindowSource"/>).</summary>
    Conv2D,
    /// <summary>Average pooling over <see cref="SpatialStep.WindowSource"/>, divided by the window size.</summary>
    AvgPool2D,
    /// <summary>Mean over all pixels per channel.</summary>
    GlobalAvgPool,
    /// <summary>Reshape (the identity on NHWC rows).</summary>
    Flatten,
    /// <summary>Residual sum with the output of <see cref="SpatialStep.SourceLayer"/>.</summary>
    Add,
    /// <summary>Normalization over the channels of each pixel (no affine).</summary>
    LayerNorm,
}

/// <summary>
/// One resolved op of a <see cref="SpatialNetwork"/> plan (<see cref="SpatialNetwork.Steps"/>), read from the run time's
/// own <c>LayerOp</c> of the layer: shapes (NHWC per example), the window table of Conv2D/AvgPool2D, the scales, groups
/// and parameter offsets of layers with parameters, the source of an Add, the ε of a LayerNorm. A device backend runs the
/// plan by these records, so geometry, padding and scales have one source (<c>SpatialGeometry</c>, <c>PatchLayerOp</c>).
/// </summary>
/// <remarks>Infrastructure for generated code; not part of the supported API. (Read by device packages.)</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record SpatialStep
{
    /// <summary>Position in the plan (the generated CUDA C names a layer's kernel <c>ntk_act_{Index}_d</c>).</summary>
    public required int Index { get; init; }
    /// <summary>Layer name.</summary>
    public required string Name { get; init; }
    /// <summary>Layer kind.</summary>
    public required SpatialStepKind Kind { get; init; }
    /// <summary>Values per example entering the layer (H·W·C).</summary>
    public required int InSize { get; init; }
    /// <summary>Pixels per example entering the layer.</summary>
    public required int InPixels { get; init; }
    /// <summary>Channels entering the layer.</summary>
    public required int InChannels { get; init; }
    /// <summary>Values per example leaving the layer.</summary>
    public required int OutSize { get; init; }
    /// <summary>Pixels per example leaving the layer.</summary>
    public required int OutPixels { get; init; }
    /// <summary>
    /// Conv2D/AvgPool2D: [output pixel · <see cref="WindowOffsets"/> + offset] → input pixel, or −1 for zero padding
    /// (Circular padding wraps instead); null for the other kinds.
    /// </summary>
    public int[]? WindowSource { get; init; }
    /// <summary>Window offsets per output pixel (window²; 0 without a window).</summary>
    public int WindowOffsets { get; init; }
    /// <summary>Add: the index of the layer whose output is added; −1 otherwise.</summary>
    public int SourceLayer { get; init; } = -1;
    /// <summary>LayerNorm: ε.</summary>
    public double Epsilon { get; init; }
    /// <summary>Whether the backward pass needs this layer's input cotangent (some earlier layer has parameters).</summary>
    public bool NeedsInputCotangent { get; init; }
    /// <summary>Dense/Conv2D: output pixels P (1 for Dense).</summary>
    public int Pixels { get; init; }
    /// <summary>Dense/Conv2D: patch length F (fan-in).</summary>
    public int FanIn { get; init; }
    /// <summary>Dense/Conv2D: output channels C (units for Dense).</summary>
    public int Channels { get; init; }
    /// <summary>Dense/Conv2D: cW (docs/math.md §1).</summary>
    public double WeightScale { get; init; }
    /// <summary>Dense/Conv2D: cB.</summary>
    public double BiasScale { get; init; }
    /// <summary>Dense/Conv2D: whether the layer has a bias.</summary>
    public bool UseBias { get; init; }
    /// <summary>Dense/Conv2D: the identity activation (φ' ≡ 1, not applied).</summary>
    public bool IsIdentity { get; init; }
    /// <summary>Dense/Conv2D: the weight group's index in <see cref="ModelInfo.Groups"/> (the bias group is the next); −1 otherwise.</summary>
    public int WeightGroup { get; init; } = -1;
    /// <summary>Dense/Conv2D: offset of the weights in the flat parameter vector.</summary>
    public int WeightOffset { get; init; }
    /// <summary>Dense/Conv2D: offset of the bias in the flat parameter vector (−1 without bias).</summary>
    public int BiasOffset { get; init; } = -1;

    /// <summary>Whether the layer has parameters (Dense, Conv2D).</summary>
    public bool HasParameters => Kind is SpatialStepKind.Dense or SpatialStepKind.Conv2D;
}
