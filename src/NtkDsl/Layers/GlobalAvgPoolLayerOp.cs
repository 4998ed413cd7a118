using System.Globalization;
using NtkDsl.Costing;

namespace NtkDsl.Layers;

/// <summary>Mean over all pixels per channel: H × W × C → C (linear).</summary>
internal sealed class GlobalAvgPoolLayerOp : LayerOp
{
    public GlobalAvgPoolLayerOp(GlobalAvgPoolSpec spec, SpatialShape input) : base(spec, input) { }

    public override string Kind => "GlobalAvgPool";

    public override SpatialShape OutShape => new(1, 1, InShape.Channels);

    public override string? Detail => string.Create(CultureInfo.InvariantCulture, $"{InShape} → {OutShape}");

    public override long ForwardFlopsPerExample => SpatialCostLayer.GlobalAvgPoolFlops(InShape.Size, InShape.Channels);

    public override double[] Forward(double[][] parameters, double[] input, double[]? source, int rows, out object? cache)
    {
        cache = null;
        return Mean(input, rows);
    }

    private double[] Mean(double[] input, int count)
    {
        int p = InShape.Pixels, c = InShape.Channels;
        double scale = 1.0 / p;
        var y = new double[(long)count * c];
        for (int n = 0; n < count; n++)
        {
            for (int q = 0; q < p; q++)
                for (int ch = 0; ch < c; ch++) y[n * c + ch] += input[(n * p + q) * c + ch];
            for (int ch = 0; ch < c; ch++) y[n * c + ch] *= scale;
        }
        return y;
    }

    public override double[] Backward(double[][] parameters, object? cache, double[] gradOutput, int rows, int batch)
    {
        int count = rows * batch, p = InShape.Pixels, c = InShape.Channels;
        double scale = 1.0 / p;
        var g = new double[(long)count * p * c];
        for (int n = 0; n < count; n++)
            for (int q = 0; q < p; q++)
                for (int ch = 0; ch < c; ch++) g[(n * p + q) * c + ch] = scale * gradOutput[n * c + ch];
        return g;
    }

    public override double[]? Jvp(double[][] parameters, double[][] tangentGroups, object? cache, double[]? tangentInput, double[]? tangentSource, int rows)
        => tangentInput is null ? null : Mean(tangentInput, rows);
}
