using System.Globalization;
using NtkDsl.Cuda.Memory;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Spatial;

/// <summary>
/// LayerNorm on the device (<c>LayerNormLayerOp</c>): y = (x − μ)·s per pixel, s = 1/√(σ² + ε); backward and tangent
/// passes apply the symmetric v ↦ s·(v − mean(v) − ŷ·mean(v ⊙ ŷ)). The per-pixel mean and variance are copied back once
/// per forward pass (2 values per pixel) so that an overflow raises the CPU op's exception, not a silent 0.
/// </summary>
internal sealed class DeviceLayerNormOp(SpatialEngine engine, SpatialStep step) : DeviceSpatialOp(engine, step)
{
    private sealed record Cache(DeviceMemory<double> Normalized, DeviceMemory<double> InverseStd);

    public override DeviceMemory<double> Forward(DeviceMemory<double> input, DeviceMemory<double>? source, int rows, out object? cache)
    {
        int c = Step.InChannels, pixels = Step.InPixels;
        long groups = (long)rows * pixels;
        var y = Engine.Alloc(groups * c);
        var inv = Engine.Alloc(groups);
        var stats = Engine.Alloc(2 * groups);
        Engine.Kernel("sp_layernorm").LaunchLinear(groups, SpatialEngine.Block, input, y, inv, stats, groups, c, Step.Epsilon);
        var host = new double[2 * groups];
        stats.CopyTo(host);
        var invHost = new double[groups];
        inv.CopyTo(invHost);
        for (long g = 0; g < groups; g++)
        {
            double mean = host[2 * g], variance = host[2 * g + 1];
            if (!double.IsFinite(variance) || !double.IsFinite(mean))
                throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture,
                    $"{Engine.Name}.{Step.Name} (LayerNorm): the mean or variance over the {c} channels of a pixel (mean {mean:G3}, variance {variance:G3})"),
                    (int)(g / pixels), -1, double.IsFinite(variance) ? mean : variance);
            if (!double.IsFinite(invHost[g]))
                throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture,
                    $"{Engine.Name}.{Step.Name} (LayerNorm): 1/√(variance + ε) at a pixel whose {c} channels are all equal (variance 0, ε = {Step.Epsilon:G3}); give the layer Epsilon > 0"),
                    (int)(g / pixels), -1, invHost[g]);
        }
        cache = new Cache(y, inv);
        return y;
    }

    private DeviceMemory<double> Apply(Cache cache, DeviceMemory<double> v, int rows, int batch)
    {
        int c = Step.InChannels, pixels = Step.InPixels;
        long count = (long)rows * batch * pixels;
        var r = Engine.Alloc(count * c);
        Engine.Kernel("sp_layernorm_apply").LaunchLinear(count, SpatialEngine.Block, v, cache.Normalized, cache.InverseStd, r, count, batch, pixels, c);
        return r;
    }

    public override DeviceMemory<double> Backward(object? cache, DeviceMemory<double> gradOutput, int rows, int batch)
        => Apply((Cache)cache!, gradOutput, rows, batch);

    public override DeviceMemory<double>? Jvp(object? cache, DeviceMemory<double>? tangentInput, DeviceMemory<double>? tangentSource, int rows, DeviceMemory<double> tangent)
        => tangentInput is null ? (DeviceMemory<double>?)null : Apply((Cache)cache!, tangentInput.Value, rows, 1);
}
