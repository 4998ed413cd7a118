using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Spatial;

/// <summary>The spatial device contract on the strict host emulation (launches and cuBLAS calls counted; nothing may be left alive), plus a device too small for the NTK features.</summary>
public sealed class SpatialOnEmulatedDeviceTests : SpatialOnDeviceConformance
{
    private readonly EmulatedGpu _gpu = new();

    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed), n, d);

    protected override CudaDevice OpenDevice() => CudaDevice.Open(0, _gpu.CreateBackend());

    protected override void RequireKernelCompiler() => Emulated.RequireCompiler();

    protected override (long Launches, long LibraryCalls)? Counters => (_gpu.LaunchCount, _gpu.LibraryCallCount);

    protected override void AfterDispose()
    {
        try
        {
            _gpu.AssertClean();
        }
        finally
        {
            _gpu.Dispose();
        }
    }

    [Fact]
    public void NtkFeaturesLargerThanTheDeviceAreAClearException()
    {
        Emulated.RequireCompiler();
        using var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 2UL << 20 });
        var model = new SpatialWidthless(300, 1, e.Device);
        var x = Inputs(200, 300, 460);
        // Per-example gradients of 200 rows × 3 outputs × (6·300 + 6 + 4·6 + 3·4 + 3) values: about 8.4 MiB on a 2 MiB device.
        var ex = Assert.Throws<CudaOutOfMemoryException>(() => model.Ntk(x));
        Assert.Contains("per-example gradient features", ex.Message, StringComparison.Ordinal);
        Assert.Contains("x.SliceRows", ex.Message, StringComparison.Ordinal);
        // Disposing the Emulated device asserts that the failed call leaked nothing.
    }
}
