using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Ntk;
using NtkDsl.Cuda.Tests.Spatial;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Review;

/// <summary>
/// State that outlives one call on a device: a kernel cancelled after its first tile or feature block must leave the
/// allocator pool, the resident parameters and the compiled modules usable (the next call equals the CPU at 1e-12, and
/// nothing leaks when the device closes); a model whose device was disposed throws ObjectDisposedException instead of
/// reaching freed buffers; a model's parameters on one device are not those of another.
/// </summary>
public sealed class DeviceLifecycleTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.3), n, d);

    private static void Same(Tensor device, Tensor cpu, string what)
    {
        Assert.Equal(cpu.Shape.ToArray(), device.Shape.ToArray());
        double err = Reference.MaxRelative(device.ToFlatArray(), cpu.ToFlatArray(), floor: 0);
        Assert.True(err < 1e-12, $"{what}: relative error {err:G3}");
    }

    /// <summary>Cancels its token at the first report of <paramref name="stage"/> (synchronously, inside the computation).</summary>
    private sealed class CancelAtFirst(string stage, CancellationTokenSource source) : IProgress<NtkProgress>
    {
        public int Reports { get; private set; }

        public void Report(NtkProgress value)
        {
            if (value.Stage != stage) return;
            Reports++;
            source.Cancel();
        }
    }

    private static void CancelThenRecompute(Func<Device, INtkModel> create, int d, CudaKernelOptions options, string stage, int seed)
    {
        Emulated.RequireCompiler();
        using var emu = new Emulated();
        emu.Device.KernelOptions = options;
        var cpu = create(Device.Cpu);
        var gpu = create(emu.Device);
        var x1 = Inputs(7, d, seed);
        var x2 = Inputs(5, d, seed + 1);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
        {
            using var cts = new CancellationTokenSource();
            var cancel = new CancelAtFirst(stage, cts);
            Assert.ThrowsAny<OperationCanceledException>(() => gpu.Ntk(x1, null, mode, cancel, cts.Token));
            Assert.Equal(1, cancel.Reports); // cancelled after the first tile or block, not before it
            // A different shape next (x1 ≠ x2, N2 ≠ N1), then the cancelled call itself: the pool's blocks are reused.
            Same(gpu.Ntk(x1, x2, mode), cpu.Ntk(x1, x2, mode), $"{mode} x1 ≠ x2 after a cancelled call");
            Same(gpu.Ntk(x1, null, mode), cpu.Ntk(x1, null, mode), $"{mode} after a cancelled call");
        }
        Same(gpu.Forward(x2), cpu.Forward(x2), "Forward after cancelled calls");
        // Disposing the emulated device asserts that nothing leaked.
    }

    [Fact]
    public void DenseTilesCancelledMidwayLeaveTheDeviceConsistent() =>
        CancelThenRecompute(dev => new DeviceDeep(71, dev), 5, new CudaKernelOptions { TileRows = 2 }, "NTK tiles", 800);

    [Fact]
    public void DenseFeatureBlocksCancelledMidwayLeaveTheDeviceConsistent() =>
        CancelThenRecompute(dev => new DeviceDeep(72, dev), 5, new CudaKernelOptions { FeatureBlockRows = 3 }, "NTK feature blocks", 810);

    [Fact]
    public void SpatialTilesCancelledMidwayLeaveTheDeviceConsistent() =>
        CancelThenRecompute(dev => new SpatialResidual(73, dev), 60, new CudaKernelOptions { TileRows = 2 }, "NTK tiles", 820);

    [Fact]
    public void ModelsOfADisposedDeviceThrowObjectDisposed()
    {
        Emulated.RequireCompiler();
        var gpu = new EmulatedGpuHolder();
        var dense = new DeviceDeep(74, gpu.Device);
        var spatial = new SpatialResidual(75, gpu.Device);
        var x = Inputs(3, 5, 830);
        var image = Inputs(3, 60, 831);
        Same(dense.Forward(x), new DeviceDeep(74).Forward(x), "before disposal");
        Same(spatial.Forward(image), new SpatialResidual(75).Forward(image), "before disposal");
        gpu.Close();
        Assert.Throws<ObjectDisposedException>(() => dense.Forward(x));
        Assert.Throws<ObjectDisposedException>(() => dense.Ntk(x));
        Assert.Throws<ObjectDisposedException>(() => spatial.Forward(image));
        Assert.Throws<ObjectDisposedException>(() => spatial.Ntk(image));
        Assert.Throws<ObjectDisposedException>(() => new DeviceDeep(74).NtkOnDevice(gpu.Device, x));
    }

    [Fact]
    public void OneModelsKernelOnTwoDevices()
    {
        Emulated.RequireCompiler();
        using var a = new Emulated();
        using var b = new Emulated();
        var onA = new DeviceDeep(76, a.Device);
        var cpu = new DeviceDeep(76);
        var x = Inputs(6, 5, 840);
        var y = Inputs(4, 5, 841);
        Same(onA.NtkOnDevice(b.Device, x, y, NtkMode.Full), cpu.Ntk(x, y, NtkMode.Full), "a model of device A on device B");
        onA.Hidden2.Weights.AsSpan()[3] += 0.25;
        cpu.Hidden2.Weights.AsSpan()[3] += 0.25;
        Same(onA.Ntk(x, y), cpu.Ntk(x, y), "device A after a span write");
        Same(onA.NtkOnDevice(b.Device, x, y), cpu.Ntk(x, y), "device B after a span write");
    }

    /// <summary>An emulated device closed by the test itself (then checked for leaks).</summary>
    private sealed class EmulatedGpuHolder
    {
        private readonly NtkDsl.Cuda.Emulation.EmulatedGpu _gpu = new();

        public EmulatedGpuHolder() => Device = CudaDevice.Open(0, _gpu.CreateBackend());

        public CudaDevice Device { get; }

        public void Close()
        {
            Device.Dispose();
            try
            {
                _gpu.AssertClean();
            }
            finally
            {
                _gpu.Dispose();
            }
        }
    }
}
