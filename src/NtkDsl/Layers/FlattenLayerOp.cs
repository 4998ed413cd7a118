using System.Globalization;
using NtkDsl.Costing;

namespace NtkDsl.Layers;

/// <summary>Reshape H × W × C → H·W·C (NHWC rows are already in that order, so every pass is the identity).</summary>
internal sealed class FlattenLayerOp : LayerOp
{
    public FlattenLayerOp(FlattenSpec spec, SpatialShape input) : base(spec, input) { }

    public override string Kind => "Flatten";

    public override SpatialShape OutShape => new(1, 1, InShape.Size);

    public override string? Detail => string.Create(CultureInfo.InvariantCulture, $"{InShape} → {OutShape}");

    public override long ForwardFlopsPerExample => SpatialCostLayer.FlattenFlops;

    public override double[] Forward(double[][] parameters, double[] input, double[]? source, int rows, out object? cache)
    {
        cache = null;
        return input;
    }

    public override double[] Backward(double[][] parameters, object? cache, double[] gradOutput, int rows, int batch) => gradOutput;

    public override double[]? Jvp(double[][] parameters, double[][] tangentGroups, object? cache, double[]? tangentInput, double[]? tangentSource, int rows)
        => tangentInput;
}
