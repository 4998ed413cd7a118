using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The generated AnalyticNtk/AnalyticNngp/AnalyticWntk(device, …) overloads: Device.Cpu gives the CPU methods' values,
/// an emulated GPU runs the model's generated CUDA C (launch counts prove it) and agrees with the CPU to 1e-12, a
/// recording backend sees the call with the model's source and group weights, and an activation without a device
/// dual is a NotSupportedException naming it — never a CPU fallback.
/// </summary>
public sealed class AnalyticModelMethodsOnDeviceTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.3), n, d);

    private static void Close(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double err = Reference.MaxRelative(actual.ToFlatArray(), expected.ToFlatArray(), floor: 0);
        Assert.True(err < 1e-12, $"{what}: relative error {err:G3}");
    }

    [Fact]
    public void TheModelsAnalyticMethodsRunOnTheDeviceAndMatchTheCpu()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var x1 = Inputs(9, 5, 700);
        var x2 = Inputs(6, 5, 701);
        var weights = new GroupWeights(0.6).Weights("Hidden2", 2.0).Bias("Readout", 0.0).Layer("Hidden3", 1.7);
        var model = new AnalyticMix(3, emu.Device);
        foreach (var x in new[] { (Tensor?)null, x2 })
        {
            long launches = emu.Gpu.LaunchCount, calls = emu.Gpu.LibraryCallCount;
            var ntk = AnalyticMix.AnalyticNtk(model.Device, x1, x);
            Assert.True(emu.Gpu.LaunchCount > launches, "the chain and pair kernels ran on the device");
            Assert.True(emu.Gpu.LibraryCallCount > calls, "the Gram x·x'/d is a device DGEMM");
            Close(ntk, AnalyticMix.AnalyticNtk(x1, x), "AnalyticNtk");
            Close(AnalyticMix.AnalyticNngp(emu.Device, x1, x), AnalyticMix.AnalyticNngp(x1, x), "AnalyticNngp");
            Close(AnalyticMix.AnalyticWntk(emu.Device, x1, x, weights), AnalyticMix.AnalyticWntk(x1, x, weights), "AnalyticWntk");
        }
        // Device.Cpu is the CPU method itself.
        Assert.Equal(AnalyticMix.AnalyticNtk(x1, x2).ToFlatArray(), AnalyticMix.AnalyticNtk(Device.Cpu, x1, x2).ToFlatArray());
        Assert.Equal(AnalyticMix.AnalyticWntk(x1, null, weights).ToFlatArray(), AnalyticMix.AnalyticWntk(Device.Cpu, x1, null, weights).ToFlatArray());
    }

    [Fact]
    public void ProgressAndCancellationReachTheDevicePath()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var x = Inputs(7, 9, 702);
        var seen = new List<NtkProgress>();
        ReluDepth2.AnalyticNtk(emu.Device, x, null, new SyncProgress(seen.Add));
        Assert.Contains(seen, p => p.Stage == "Analytic kernel tiles" && p.Done == p.Total);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ReluDepth2.AnalyticNngp(emu.Device, x, null, null, cts.Token));
    }

    [Fact]
    public void TheCallReachesTheModelBackendWithTheModelsSourceAndWeights()
    {
        var device = new RecordingModelDevice(() => new AnalyticMix(1));
        var x1 = Inputs(4, 5, 703);
        var x2 = Inputs(3, 5, 704);
        Assert.All(AnalyticMix.AnalyticNtk(device, x1, x2).ToFlatArray(), v => Assert.Equal(7.0, v));
        AnalyticMix.AnalyticNngp(device, x1);
        var weights = new GroupWeights(0.5).Weights("Hidden1", 3.0);
        AnalyticMix.AnalyticWntk(device, x1, x2, weights);
        Assert.Equal(["Analytic AnalyticMix NTK 4×3", "Analytic AnalyticMix NNGP 4×-", "Analytic AnalyticMix NTK 4×3"], device.Calls);
        Assert.Equal(weights.Resolve(AnalyticMix.Info), device.LastGroupWeights);
        Assert.Equal(AnalyticMix.CudaSource, device.LastSource);
        Assert.Null(device.LastReason);
        // Inputs are checked before the backend sees them, with the CPU's message.
        var bad = Inputs(2, 4, 705);
        Assert.Equal(Assert.Throws<ArgumentException>(() => AnalyticMix.AnalyticNtk(bad)).Message,
            Assert.Throws<ArgumentException>(() => AnalyticMix.AnalyticNtk(device, bad)).Message);
        Assert.Equal(3, device.Calls.Count);
    }

    [Fact]
    public void AnActivationWithoutADeviceDualIsNotSupportedNeverACpuFallback()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var x = Inputs(5, 7, 706);
        Assert.NotNull(TanhPair.CudaAnalyticUnsupportedReason);
        long launches = emu.Gpu.LaunchCount;
        var e = Assert.Throws<NotSupportedException>(() => TanhPair.AnalyticNtk(emu.Device, x));
        Assert.Equal(TanhPair.CudaAnalyticUnsupportedReason, e.Message);
        Assert.Contains("Tanh", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<NotSupportedException>(() => TanhPair.AnalyticWntk(emu.Device, x, null, GroupWeights.Ones));
        Assert.Equal(launches, emu.Gpu.LaunchCount);
        // The recording backend receives the reason (the backend, not the generated code, decides).
        var device = new RecordingModelDevice(() => new TanhPair(1));
        TanhPair.AnalyticNngp(device, x);
        Assert.Equal(TanhPair.CudaAnalyticUnsupportedReason, device.LastReason);
    }

    [Fact]
    public void ADeviceWithoutAModelBackendIsNotSupported()
    {
        var e = Assert.Throws<NotSupportedException>(() => AnalyticMix.AnalyticNtk(new BareDevice(), Inputs(2, 5, 707)));
        Assert.Contains("bare test device has no implementation of the infinite-width kernels", e.Message, StringComparison.Ordinal);
        Assert.Contains("Device.Cpu", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => AnalyticMix.AnalyticNtk((Device)null!, Inputs(2, 5, 708)));
    }

    private sealed class BareDevice : Device
    {
        public override string Name => "bare test device";
        public override bool IsCpu => false;
    }

    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
