using System.Globalization;
using NtkDsl.Costing;

namespace NtkDsl.Layers;

/// <summary>
/// Residual sum: output = running activations + the output of the earlier layer <see cref="AddSpec.Source"/>. Its
/// backward pass passes the cotangent through unchanged; <see cref="SpatialNetwork"/> also adds it to the cotangent of
/// the source layer's output (the skip connection).
/// </summary>
internal sealed class AddLayerOp : LayerOp
{
    private readonly int _source;

    public AddLayerOp(AddSpec spec, SpatialShape input, int sourceLayer, SpatialShape sourceShape) : base(spec, input)
    {
        if (sourceShape != input)
            throw new ArgumentException($"{spec.Name} (Add): the output of {spec.Source} is {sourceShape} but the running activations are {input}; both must have the same shape.");
        _source = sourceLayer;
    }

    public override string Kind => "Add";

    public override int SourceLayer => _source;

    public override SpatialShape OutShape => InShape;

    public override string? Detail => string.Create(CultureInfo.InvariantCulture, $"+ {((AddSpec)Spec).Source}, {InShape}");

    public override long ForwardFlopsPerExample => SpatialCostLayer.AddFlops(InShape.Size);

    public override double[] Forward(double[][] parameters, double[] input, double[]? source, int rows, out object? cache)
    {
        cache = null;
        var y = new double[input.Length];
        for (int i = 0; i < y.Length; i++) y[i] = input[i] + source![i];
        return y;
    }

    public override double[] Backward(double[][] parameters, object? cache, double[] gradOutput, int rows, int batch) => gradOutput;

    public override double[]? Jvp(double[][] parameters, double[][] tangentGroups, object? cache, double[]? tangentInput, double[]? tangentSource, int rows)
    {
        if (tangentInput is null) return tangentSource;
        if (tangentSource is null) return tangentInput;
        var y = new double[tangentInput.Length];
        for (int i = 0; i < y.Length; i++) y[i] = tangentInput[i] + tangentSource[i];
        return y;
    }
}
