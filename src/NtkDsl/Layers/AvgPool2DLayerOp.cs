using System.Globalization;
using NtkDsl.Costing;

namespace NtkDsl.Layers;

/// <summary>
/// Average pooling per channel over window × window pixels; every output divides by window² (zero padding counts, as
/// neural-tangents' AvgPool with normalize_edges = False; Circular wraps). Linear, so its JVP is itself and its
/// backward pass is the transpose.
/// </summary>
internal sealed class AvgPool2DLayerOp : LayerOp
{
    private readonly AvgPool2DSpec _spec;
    private readonly WindowTable _table;
    private readonly int _stride;

    public AvgPool2DLayerOp(AvgPool2DSpec spec, SpatialShape input) : base(spec, input)
    {
        _spec = spec;
        _stride = spec.Stride == 0 ? spec.Window : spec.Stride;
        if (spec.Window <= 0 || _stride <= 0)
            throw new ArgumentException($"{spec.Name} (AvgPool2D): window and stride must be positive (got {spec.Window}, {spec.Stride}).");
        try
        {
            _table = new WindowTable(input.Height, input.Width, spec.Window, _stride, spec.Padding);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{spec.Name} (AvgPool2D): {e.Message}", e);
        }
    }

    /// <summary>The window table (device backends read it through <see cref="SpatialNetwork.Steps"/>).</summary>
    internal WindowTable Windows => _table;

    public override string Kind => "AvgPool2D";

    public override SpatialShape OutShape => new(_table.OutHeight, _table.OutWidth, InShape.Channels);

    public override string? Detail => string.Create(CultureInfo.InvariantCulture,
        $"{InShape} → {OutShape}, {_spec.Window}×{_spec.Window}, stride {_stride}, {_spec.Padding}");

    public override LayerInfo Describe(int offset) =>
        base.Describe(offset) with { Window = _spec.Window, Stride = _stride, Padding = _spec.Padding };

    public override long ForwardFlopsPerExample => SpatialCostLayer.AvgPool2DFlops(OutShape.Size, _table.Window);

    public override double[] Forward(double[][] parameters, double[] input, double[]? source, int rows, out object? cache)
    {
        cache = null;
        return Pool(input, rows);
    }

    private double[] Pool(double[] input, int count)
    {
        int p = OutShape.Pixels, o = _table.Offsets, c = InShape.Channels, inSize = InShape.Size, outSize = OutShape.Size;
        double scale = 1.0 / o;
        var src = _table.Source;
        var y = new double[(long)count * outSize];
        for (int n = 0; n < count; n++)
            for (int q = 0; q < p; q++)
            {
                int dst = n * outSize + q * c;
                for (int k = 0; k < o; k++)
                {
                    int s = src[q * o + k];
                    if (s < 0) continue;
                    int from = n * inSize + s * c;
                    for (int ch = 0; ch < c; ch++) y[dst + ch] += input[from + ch];
                }
                for (int ch = 0; ch < c; ch++) y[dst + ch] *= scale;
            }
        return y;
    }

    public override double[] Backward(double[][] parameters, object? cache, double[] gradOutput, int rows, int batch)
    {
        int count = rows * batch, p = OutShape.Pixels, o = _table.Offsets, c = InShape.Channels, inSize = InShape.Size, outSize = OutShape.Size;
        double scale = 1.0 / o;
        var src = _table.Source;
        var g = new double[(long)count * inSize];
        for (int n = 0; n < count; n++)
            for (int q = 0; q < p; q++)
            {
                int from = n * outSize + q * c;
                for (int k = 0; k < o; k++)
                {
                    int s = src[q * o + k];
                    if (s < 0) continue;
                    int to = n * inSize + s * c;
                    for (int ch = 0; ch < c; ch++) g[to + ch] += scale * gradOutput[from + ch];
                }
            }
        return g;
    }

    public override double[]? Jvp(double[][] parameters, double[][] tangentGroups, object? cache, double[]? tangentInput, double[]? tangentSource, int rows)
        => tangentInput is null ? null : Pool(tangentInput, rows);
}
