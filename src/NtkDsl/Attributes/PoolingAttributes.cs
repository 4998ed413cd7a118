namespace NtkDsl;

/// <summary>
/// Declares average pooling over <c>window × window</c> pixels per channel on a <c>public partial Layer Name { get; }</c>
/// property. No parameters. Each output is the mean over the full window (zero padding, when <see cref="Padding"/> is
/// <see cref="Padding.Same"/>, counts in the denominator, as neural-tangents' <c>AvgPool</c> with <c>normalize_edges=False</c>).
/// </summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class AvgPool2DAttribute : Attribute
{
    /// <summary>Average pooling over a square window of <paramref name="window"/> pixels.</summary>
    public AvgPool2DAttribute(int window) => Window = window;

    /// <summary>Height and width of the window.</summary>
    public int Window { get; }

    /// <summary>Step between windows; 0 (the default) means the window size.</summary>
    public int Stride { get; set; }

    /// <summary>How the border is handled (default <see cref="Padding.Valid"/>).</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}

/// <summary>
/// Declares the mean over all pixels per channel (<c>H × W × C → C</c>) on a <c>public partial Layer Name { get; }</c>
/// property; a <see cref="DenseAttribute"/> layer may follow it.
/// </summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : Attribute
{
}

/// <summary>
/// Declares the reshape <c>H × W × C → H·W·C</c> (row-major NHWC order) on a <c>public partial Layer Name { get; }</c>
/// property; a <see cref="DenseAttribute"/> layer may follow it. In the infinite-width limit a following Dense layer
/// sees the mean over pixels of the pixel-diagonal covariance (neural-tangents' <c>Flatten</c>).
/// </summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
}

/// <summary>
/// Declares a residual sum on a <c>public partial Layer Name { get; }</c> property: the output of the earlier layer
/// named by <see cref="Source"/> (after its activation) is added to the running activations. Both must have the same shape.
/// </summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class AddAttribute : Attribute
{
    /// <summary>Adds the output of the earlier layer <paramref name="source"/> (use <c>nameof</c>).</summary>
    public AddAttribute(string source) => Source = source;

    /// <summary>Name of the earlier layer whose output is added.</summary>
    public string Source { get; }
}

/// <summary>
/// Declares layer normalization over the channels of each pixel (of each feature vector after
/// <see cref="FlattenAttribute"/>/<see cref="GlobalAvgPoolAttribute"/>), without a learned affine map:
/// <c>y = (x − mean) / sqrt(var + Epsilon)</c> with mean and (biased) variance over the channels. On a
/// <c>public partial Layer Name { get; }</c> property.
/// </summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class LayerNormAttribute : Attribute
{
    /// <summary>Added to the variance before the square root (default 1e-12, neural-tangents' default).</summary>
    public double Epsilon { get; set; } = 1e-12;
}
