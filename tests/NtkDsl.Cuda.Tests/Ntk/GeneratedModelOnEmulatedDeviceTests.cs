using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>Generated models on an emulated device with little memory, and the options' own checks.</summary>
public sealed class GeneratedModelOnEmulatedDeviceTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.5), n, d);

    [Fact]
    public void FeaturesLargerThanDeviceMemoryAreAClearOutOfMemoryException()
    {
        // 64 KiB of device memory; the features of 400 + 300 rows need about 470 KiB.
        using var emu = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 64UL << 10 });
        Emulated.RequireCompiler();
        var model = new DeviceDeep(40, emu.Device);
        var e = Assert.Throws<CudaOutOfMemoryException>(() => model.Ntk(Inputs(400, 5, 400), Inputs(300, 5, 401)));
        Assert.Contains("NTK features of 400 + 300 rows", e.Message, StringComparison.Ordinal);
        Assert.Contains("x.SliceRows", e.Message, StringComparison.Ordinal);
        Assert.True(e.RequestedBytes > e.FreeBytes, $"requested {e.RequestedBytes}, free {e.FreeBytes}");
        var d = Assert.Throws<CudaOutOfMemoryException>(() => model.Ntk(Inputs(900, 5, 402), null, NtkMode.DiagonalFull));
        Assert.Contains("NTK diagonal's features of 900 rows", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SmallMemoryMeansSmallerAutomaticTilesNotADifferentResult()
    {
        // 64 KiB: the features of 40 + 30 rows fit (43 KiB), a 40 × 30 Full tile with its accumulators does not (tiles of fewer rows).
        using var emu = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 64UL << 10 });
        Emulated.RequireCompiler();
        var x1 = Inputs(40, 5, 403);
        var x2 = Inputs(30, 5, 404);
        var gpu = new DeviceDeep(41, emu.Device);
        var seen = new List<NtkProgress>();
        var theta = gpu.Ntk(x1, x2, NtkMode.Full, new Progress(seen.Add));
        Assert.True(seen.Count > 1, "more than one tile");
        Assert.True(Reference.MaxRelative(theta.ToFlatArray(), new DeviceDeep(41).Ntk(x1, x2, NtkMode.Full).ToFlatArray(), floor: 0) < 1e-12);
    }

    [Fact]
    public void OptionsRejectBadValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CudaKernelOptions { TileRows = 0 });
        using var emu = new Emulated();
        Assert.Throws<ArgumentNullException>(() => emu.Device.KernelOptions = null!);
        Assert.Same(emu.Device, emu.Device.KernelBackend);
    }

    [Fact]
    public void ADisposedDeviceRefusesTheKernel()
    {
        var emu = new Emulated();
        var model = new DeviceDeep(42, emu.Device);
        emu.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Ntk(Inputs(3, 5, 405), null));
    }

    private sealed class Progress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
