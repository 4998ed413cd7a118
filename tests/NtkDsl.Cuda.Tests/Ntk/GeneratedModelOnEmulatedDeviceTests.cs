using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>Generated models on an emulated device with little memory, and the options' own checks.</summary>
public sealed class GeneratedModelOnEmulatedDeviceTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.5), n, d);

    [Fact]
    public void FeaturesLargerThanDeviceMemoryAreComputedInBlocksOfRows()
    {
        // 64 KiB of device memory; the features of 400 + 300 rows need about 470 KiB: blocks of rows of x1 and x2 (BlockedDeviceNtk).
        using var emu = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 64UL << 10 });
        Emulated.RequireCompiler();
        var model = new DeviceDeep(40, emu.Device);
        var x1 = Inputs(400, 5, 400);
        var x2 = Inputs(300, 5, 401);
        var theta = model.Ntk(x1, x2);
        Assert.True(emu.Device.FeatureBlockPairs > 1, $"{emu.Device.FeatureBlockPairs} block pairs");
        Assert.True(Reference.MaxRelative(theta.ToFlatArray(), new DeviceDeep(40).Ntk(x1, x2).ToFlatArray(), floor: 0) < 1e-12);
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
    public void DeviceModelMethodsRunAsDeviceWorkAlone()
    {
        // The emulation counts launches and library calls: Forward of DeviceDeep (4 layers) is 4 GEMMs and the 4 generated
        // ntk_act kernels (the parameter copies at the start of each call are neither; the readout's column norms are
        // computed only for the NTK features); the result is the CPU's.
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(43, emu.Device);
        var x = Inputs(5, 5, 406);
        gpu.Forward(x); // first call: compiles the modules
        long launches = emu.Gpu.LaunchCount, calls = emu.Gpu.LibraryCallCount;
        var y = gpu.Forward(x);
        Assert.Equal(4, emu.Gpu.LaunchCount - launches);
        Assert.Equal(4, emu.Gpu.LibraryCallCount - calls);
        Assert.True(Reference.MaxRelative(y.ToFlatArray(), new DeviceDeep(43).Forward(x).ToFlatArray(), floor: 0) < 1e-12);
        // Vjp: 4 forward GEMMs + per layer one weight-gradient GEMM and (below the top) one backward GEMM = 11; launches:
        // 4 φ/φ' kernels, 4 bias column sums, 3 products with φ'.
        launches = emu.Gpu.LaunchCount;
        calls = emu.Gpu.LibraryCallCount;
        gpu.Vjp(x, Tensor.FromArray(Reference.Random(15, 407), 5, 3));
        Assert.Equal(11, emu.Gpu.LibraryCallCount - calls);
        Assert.Equal(11, emu.Gpu.LaunchCount - launches);
    }

    [Fact]
    public void ATinyDeviceGivesAClearOutOfMemoryExceptionForEveryMethod()
    {
        // 2 KiB of device memory: DeviceDeep's 143 parameters (1.1 KiB) fit, a forward pass over 40 rows does not.
        using var emu = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 2UL << 10 });
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(44, emu.Device);
        var x = Inputs(40, 5, 408);
        int p = DeviceDeep.Info.ParameterCount;
        foreach (var call in new Action[] { () => gpu.Forward(x), () => gpu.Jvp(x, Tensor.FromArray(new double[p], p)), () => gpu.Vjp(x, Tensor.FromArray(new double[120], 40, 3)), () => gpu.Jacobian(x), () => gpu.Ntk(x, null) })
        {
            var e = Assert.Throws<CudaOutOfMemoryException>(call);
            Assert.Contains("Out of GPU memory", e.Message, StringComparison.Ordinal);
            Assert.True(e.RequestedBytes > e.FreeBytes, $"requested {e.RequestedBytes}, free {e.FreeBytes}");
        }
        // Nothing was left allocated by the failed calls beyond the resident parameters; a small batch still runs.
        Assert.True(Reference.MaxRelative(gpu.Forward(Inputs(1, 5, 409)).ToFlatArray(), new DeviceDeep(44).Forward(Inputs(1, 5, 409)).ToFlatArray(), floor: 0) < 1e-12);
    }

    [Fact]
    public void OptionsRejectBadValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CudaKernelOptions { TileRows = 0 });
        using var emu = new Emulated();
        Assert.Throws<ArgumentNullException>(() => emu.Device.KernelOptions = null!);
        Assert.Same(emu.Device, emu.Device.ModelBackend);
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
