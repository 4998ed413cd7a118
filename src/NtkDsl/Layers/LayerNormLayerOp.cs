using System.Globalization;
using NtkDsl.Costing;

namespace NtkDsl.Layers;

/// <summary>
/// Layer normalization over the channels of each pixel (over the vector when flat), no learned affine:
/// y = (x − μ)·s with s = 1/√(σ² + ε), μ and the biased σ² over the C channels. Its Jacobian per pixel is the symmetric
/// s·(I − 11ᵀ/C − ŷŷᵀ/C), so the backward and tangent passes apply the same map: v ↦ s·(v − mean(v) − ŷ·mean(v ⊙ ŷ)).
/// </summary>
internal sealed class LayerNormLayerOp : LayerOp
{
    private readonly double _epsilon;

    public LayerNormLayerOp(LayerNormSpec spec, SpatialShape input) : base(spec, input)
    {
        if (!(spec.Epsilon >= 0) || !double.IsFinite(spec.Epsilon))
            throw new ArgumentException($"{spec.Name} (LayerNorm): Epsilon must be finite and ≥ 0, got {spec.Epsilon}.");
        _epsilon = spec.Epsilon;
    }

    private sealed record Cache(double[] Normalized, double[] InverseStd);

    public override string Kind => "LayerNorm";

    public override SpatialShape OutShape => InShape;

    public override string? Detail => string.Create(CultureInfo.InvariantCulture, $"{InShape}, over {InShape.Channels} channels, ε {_epsilon:G3}");

    public override long ForwardFlopsPerExample => SpatialCostLayer.LayerNormFlops(InShape.Size, InShape.Pixels);

    public override double[] Forward(double[][] parameters, double[] input, double[]? source, int rows, out object? cache)
    {
        int c = InShape.Channels, groups = rows * InShape.Pixels;
        var y = new double[input.Length];
        var s = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            var x = input.AsSpan(g * c, c);
            double mean = 0;
            for (int i = 0; i < c; i++) mean += x[i];
            mean /= c;
            double variance = 0;
            for (int i = 0; i < c; i++) variance += (x[i] - mean) * (x[i] - mean);
            variance /= c;
            // An overflowed mean or variance would normalize the pixel to exactly 0 (1/√∞ = 0): a wrong number that looks right.
            if (!double.IsFinite(variance) || !double.IsFinite(mean))
                throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture,
                    $"{QualifiedName} (LayerNorm): the mean or variance over the {c} channels of a pixel (mean {mean:G3}, variance {variance:G3})"),
                    g / InShape.Pixels, -1, double.IsFinite(variance) ? mean : variance);
            double inv = 1.0 / Math.Sqrt(variance + _epsilon);
            if (!double.IsFinite(inv))
                throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture,
                    $"{QualifiedName} (LayerNorm): 1/√(variance + ε) at a pixel whose {c} channels are all equal (variance 0, ε = {_epsilon:G3}); give the layer Epsilon > 0"),
                    g / InShape.Pixels, -1, inv);
            s[g] = inv;
            for (int i = 0; i < c; i++) y[g * c + i] = (x[i] - mean) * inv;
        }
        cache = new Cache(y, s);
        return y;
    }

    /// <summary>s·(v − mean(v) − ŷ·mean(v ⊙ ŷ)) per pixel for <paramref name="batch"/> vectors per example.</summary>
    private double[] Apply(Cache cache, double[] v, int rows, int batch)
    {
        int c = InShape.Channels, pixels = InShape.Pixels, size = InShape.Size;
        var r = new double[v.Length];
        for (int n = 0; n < rows; n++)
            for (int b = 0; b < batch; b++)
                for (int q = 0; q < pixels; q++)
                {
                    int g = n * pixels + q, o = (n * batch + b) * size + q * c;
                    var yh = cache.Normalized.AsSpan(g * c, c);
                    double mv = 0, my = 0;
                    for (int i = 0; i < c; i++)
                    {
                        mv += v[o + i];
                        my += v[o + i] * yh[i];
                    }
                    mv /= c;
                    my /= c;
                    double s = cache.InverseStd[g];
                    for (int i = 0; i < c; i++) r[o + i] = s * (v[o + i] - mv - yh[i] * my);
                }
        return r;
    }

    public override double[] Backward(double[][] parameters, object? cache, double[] gradOutput, int rows, int batch)
        => Apply((Cache)cache!, gradOutput, rows, batch);

    public override double[]? Jvp(double[][] parameters, double[][] tangentGroups, object? cache, double[]? tangentInput, double[]? tangentSource, int rows)
        => tangentInput is null ? null : Apply((Cache)cache!, tangentInput, rows, 1);
}
