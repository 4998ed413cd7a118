using System.Globalization;

namespace NtkDsl.Layers;

/// <summary>
/// 2-D convolution, NHWC, weights channels × k × k × input channels (row-major), fan-in k·k·C_in; patches by im2col
/// over the <see cref="WindowTable"/> (zero padding for Same/Valid, wrap-around for Circular).
/// </summary>
internal sealed class Conv2DLayerOp : PatchLayerOp
{
    private readonly Conv2DSpec _spec;
    private readonly WindowTable _table;

    public Conv2DLayerOp(Conv2DSpec spec, SpatialShape input, Parameterization parameterization)
        : base(spec, input, Table(spec, input).OutHeight * Table(spec, input).OutWidth, spec.KernelSize * spec.KernelSize * input.Channels,
            spec.Channels, spec.Activation, spec.WeightStd, spec.BiasStd, spec.UseBias, parameterization)
    {
        _spec = spec;
        _table = Table(spec, input);
    }

    private static WindowTable Table(Conv2DSpec spec, SpatialShape input)
    {
        if (spec.Channels <= 0 || spec.KernelSize <= 0 || spec.Stride <= 0)
            throw new ArgumentException($"{spec.Name} (Conv2D): channels, kernel size and stride must be positive (got {spec.Channels}, {spec.KernelSize}, {spec.Stride}).");
        try
        {
            return new WindowTable(input.Height, input.Width, spec.KernelSize, spec.Stride, spec.Padding);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{spec.Name} (Conv2D): {e.Message}", e);
        }
    }

    /// <summary>The window table (device backends read it through <see cref="SpatialNetwork.Steps"/>).</summary>
    internal WindowTable Windows => _table;

    public override string Kind => "Conv2D";

    public override SpatialShape OutShape => new(_table.OutHeight, _table.OutWidth, Channels);

    public override string? Detail => string.Create(CultureInfo.InvariantCulture,
        $"{InShape} → {OutShape}, {_spec.KernelSize}×{_spec.KernelSize}, stride {_spec.Stride}, {_spec.Padding}");

    public override LayerInfo Describe(int offset) =>
        base.Describe(offset) with { Window = _spec.KernelSize, Stride = _spec.Stride, Padding = _spec.Padding };

    protected override int[] WeightShape => [Channels, _spec.KernelSize, _spec.KernelSize, InShape.Channels];

    public override double[] Patches(double[] input, int rows)
    {
        int p = Pixels, f = FanIn, o = _table.Offsets, cin = InShape.Channels, size = InShape.Size;
        var src = _table.Source;
        var patches = new double[(long)rows * p * f];
        for (int n = 0; n < rows; n++)
            for (int q = 0; q < p; q++)
            {
                int dst = (n * p + q) * f;
                for (int k = 0; k < o; k++)
                {
                    int s = src[q * o + k];
                    if (s >= 0) Array.Copy(input, n * size + s * cin, patches, dst + k * cin, cin);
                }
            }
        return patches;
    }

    public override double[] PatchesTranspose(double[] gradPatches, int count)
    {
        int p = Pixels, f = FanIn, o = _table.Offsets, cin = InShape.Channels, size = InShape.Size;
        var src = _table.Source;
        var g = new double[(long)count * size];
        for (int n = 0; n < count; n++)
            for (int q = 0; q < p; q++)
            {
                int from = (n * p + q) * f;
                for (int k = 0; k < o; k++)
                {
                    int s = src[q * o + k];
                    if (s < 0) continue;
                    int to = n * size + s * cin, fk = from + k * cin;
                    for (int c = 0; c < cin; c++) g[to + c] += gradPatches[fk + c];
                }
            }
        return g;
    }
}
