namespace NtkDsl.Layers;

/// <summary>Dense on a flat input (after Flatten/GlobalAvgPool, or a 1 × 1 × n input): one pixel whose patch is the input.</summary>
internal sealed class DenseLayerOp : PatchLayerOp
{
    public DenseLayerOp(DenseSpec spec, SpatialShape input, Parameterization parameterization)
        : base(spec, input, 1, input.Size, spec.Units, spec.Activation, spec.WeightStd, spec.BiasStd, spec.UseBias, parameterization)
    {
        if (!input.IsFlat)
            throw new ArgumentException($"{spec.Name} (Dense) follows a {input} spatial output; put a Flatten or GlobalAvgPool layer before it.");
        if (spec.Units <= 0) throw new ArgumentException($"{spec.Name} (Dense): Units must be positive, got {spec.Units}.");
    }

    public override string Kind => "Dense";

    public override SpatialShape OutShape => new(1, 1, Channels);

    public override string? Detail => null;

    protected override int[] WeightShape => [Channels, FanIn];

    public override double[] Patches(double[] input, int rows) => input;

    public override double[] PatchesTranspose(double[] gradPatches, int count) => gradPatches;
}
