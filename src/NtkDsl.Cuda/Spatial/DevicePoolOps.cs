using NtkDsl.Cuda.Memory;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Spatial;

/// <summary>AvgPool2D on the device (<c>AvgPool2DLayerOp</c>): the window sum times 1/window², its transpose backward, itself as the tangent map.</summary>
internal sealed class DeviceAvgPool2DOp : DeviceSpatialOp
{
    private readonly DeviceMemory<int> _table, _start, _entries;

    public DeviceAvgPool2DOp(SpatialEngine engine, SpatialStep step) : base(engine, step)
    {
        var (start, entries) = InverseTable(step.WindowSource!, step.InPixels);
        _table = engine.UploadConstant(step.WindowSource!);
        _start = engine.UploadConstant(start);
        _entries = engine.UploadConstant(entries);
    }

    private double Scale => 1.0 / Step.WindowOffsets;

    private DeviceMemory<double> Pool(DeviceMemory<double> input, int count)
    {
        long n = (long)count * Step.OutSize;
        var y = Engine.Alloc(n);
        Engine.Kernel("sp_pool").LaunchLinear(n, SpatialEngine.Block, input, _table, y, n, Step.OutPixels, Step.WindowOffsets, Step.InChannels, Step.InSize, Scale);
        return y;
    }

    public override DeviceMemory<double> Forward(DeviceMemory<double> input, DeviceMemory<double>? source, int rows, out object? cache)
    {
        cache = null;
        return Pool(input, rows);
    }

    public override DeviceMemory<double> Backward(object? cache, DeviceMemory<double> gradOutput, int rows, int batch)
    {
        long n = (long)rows * batch * Step.InSize;
        var g = Engine.Alloc(n);
        Engine.Kernel("sp_pool_t").LaunchLinear(n, SpatialEngine.Block, gradOutput, _start, _entries, g, n, Step.InPixels, Step.WindowOffsets, Step.InChannels, Step.OutSize, Scale);
        return g;
    }

    public override DeviceMemory<double>? Jvp(object? cache, DeviceMemory<double>? tangentInput, DeviceMemory<double>? tangentSource, int rows, DeviceMemory<double> tangent)
        => tangentInput is null ? (DeviceMemory<double>?)null : Pool(tangentInput.Value, rows);
}

/// <summary>GlobalAvgPool on the device (<c>GlobalAvgPoolLayerOp</c>): the mean over pixels per channel, its transpose backward.</summary>
internal sealed class DeviceGlobalAvgPoolOp(SpatialEngine engine, SpatialStep step) : DeviceSpatialOp(engine, step)
{
    private double Scale => 1.0 / Step.InPixels;

    private DeviceMemory<double> Mean(DeviceMemory<double> input, int count)
    {
        long n = (long)count * Step.InChannels;
        var y = Engine.Alloc(n);
        Engine.Kernel("sp_gap").LaunchLinear(n, SpatialEngine.Block, input, y, n, Step.InPixels, Step.InChannels, Scale);
        return y;
    }

    public override DeviceMemory<double> Forward(DeviceMemory<double> input, DeviceMemory<double>? source, int rows, out object? cache)
    {
        cache = null;
        return Mean(input, rows);
    }

    public override DeviceMemory<double> Backward(object? cache, DeviceMemory<double> gradOutput, int rows, int batch)
    {
        long n = (long)rows * batch * Step.InSize;
        var g = Engine.Alloc(n);
        Engine.Kernel("sp_gap_t").LaunchLinear(n, SpatialEngine.Block, gradOutput, g, n, Step.InPixels, Step.InChannels, Scale);
        return g;
    }

    public override DeviceMemory<double>? Jvp(object? cache, DeviceMemory<double>? tangentInput, DeviceMemory<double>? tangentSource, int rows, DeviceMemory<double> tangent)
        => tangentInput is null ? (DeviceMemory<double>?)null : Mean(tangentInput.Value, rows);
}
