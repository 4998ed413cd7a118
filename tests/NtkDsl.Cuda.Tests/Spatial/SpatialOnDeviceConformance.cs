using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Tests.Spatial;

/// <summary>
/// Models on the SpatialNetwork engine (InputShape, width-less) constructed on a CUDA device: every generated method runs
/// the plan op by op on the device and must equal the same model on the CPU engine (1e-12 relative to the largest entry,
/// float64); the device's traced NTK must equal the explicit (1/K)·J·Jᵀ of its own Jacobian, contracted here; bad input
/// raises the CPU's exceptions. Run on the emulation (<see cref="SpatialOnEmulatedDeviceTests"/>) and on the real
/// libraries (<c>SpatialOnNativeDeviceTests</c>, skipped without a GPU).
/// </summary>
public abstract class SpatialOnDeviceConformance : IDisposable
{
    private CudaDevice? _device;

    /// <summary>Opens the device under test (or skips).</summary>
    protected abstract CudaDevice OpenDevice();

    /// <summary>Skips when kernels cannot be compiled in this configuration.</summary>
    protected virtual void RequireKernelCompiler() { }

    /// <summary>Kernel launches and library calls so far (the emulation counts them; null where nothing counts).</summary>
    protected virtual (long Launches, long LibraryCalls)? Counters => null;

    /// <summary>Called after each test with the device disposed (leak checks).</summary>
    protected virtual void AfterDispose() { }

    protected CudaDevice Device => _device ??= OpenDevice();

    public void Dispose()
    {
        _device?.Dispose();
        if (_device is not null) AfterDispose();
        GC.SuppressFinalize(this);
    }

    private static readonly NtkMode[] AllModes = [NtkMode.Trace, NtkMode.Full, NtkMode.Diagonal, NtkMode.DiagonalFull];

    private static Tensor Inputs(int n, int d, int seed, double scale = 1.0) => Tensor.FromArray(Reference.Random(n * d, seed, scale), n, d);

    private static void Same(Tensor device, Tensor cpu, double tolerance, string what)
    {
        Assert.Equal(cpu.Shape.ToArray(), device.Shape.ToArray());
        Assert.Equal(cpu.DType, device.DType);
        double err = Reference.MaxRelative(device.ToFlatArray(), cpu.ToFlatArray(), floor: 0);
        Assert.True(err < tolerance, $"{what}: relative error {err:G3} ≥ {tolerance:G1}");
    }

    /// <summary>Every generated method of <paramref name="create"/>'s model on the device against the CPU; where the device counts them, each must launch kernels and call cuBLAS.</summary>
    private void EveryMethodMatchesCpu(Func<Device, INtkModel> create, int d, int seed)
    {
        RequireKernelCompiler();
        var cpu = create(NtkDsl.Device.Cpu);
        var gpu = create(Device);
        Assert.Same(Device, gpu.Device);
        Assert.Equal(cpu.GetParameters(), gpu.GetParameters());
        int p = cpu.GetParameters().Length, k = cpu.Info.Outputs;
        var x1 = Inputs(7, d, seed);
        var x2 = Inputs(5, d, seed + 1);

        void OnDevice(string what, Action body)
        {
            var before = Counters;
            body();
            if (before is not { } b || Counters is not { } a) return;
            Assert.True(a.Launches > b.Launches, $"{what}: no kernel ran on the device");
            Assert.True(a.LibraryCalls > b.LibraryCalls, $"{what}: no cuBLAS call on the device");
        }

        OnDevice("Forward", () => Same(gpu.Forward(x1), cpu.Forward(x1), 1e-12, "Forward"));
        var tangent = Tensor.FromArray(Reference.Random(p, seed + 2), p);
        OnDevice("Jvp", () => Same(gpu.Jvp(x1, tangent), cpu.Jvp(x1, tangent), 1e-12, "Jvp"));
        var cotangent = Tensor.FromArray(Reference.Random(7 * k, seed + 3), 7, k);
        OnDevice("Vjp", () => Same(gpu.Vjp(x1, cotangent), cpu.Vjp(x1, cotangent), 1e-12, "Vjp"));
        OnDevice("Jacobian", () => Same(gpu.Jacobian(x1), cpu.Jacobian(x1), 1e-12, "Jacobian"));
        foreach (int? tileRows in new int?[] { 3, null })
        {
            Device.KernelOptions = new CudaKernelOptions { TileRows = tileRows };
            foreach (var mode in AllModes)
                foreach (var second in new[] { x2, null })
                {
                    if (second is not null && mode is NtkMode.Diagonal or NtkMode.DiagonalFull) continue;
                    string what = $"Ntk {mode}, x2 {(second is null ? "null" : "given")}, tile rows {tileRows?.ToString() ?? "auto"}";
                    OnDevice(what, () => Same(gpu.Ntk(x1, second, mode), cpu.Ntk(x1, second, mode), 1e-12, what));
                }
        }
        Device.KernelOptions = CudaKernelOptions.Default;
        OnDevice("NtkPerGroup", () =>
        {
            var blocks = gpu.NtkPerGroup(x1, x2, NtkMode.Full);
            var reference = cpu.NtkPerGroup(x1, x2, NtkMode.Full);
            Assert.Equal(reference.Count, blocks.Count);
            for (int g = 0; g < blocks.Count; g++) Same(blocks[g], reference[g], 1e-12, $"NtkPerGroup {blocks.Groups[g].Key}");
        });
        // Group weights with a zero (the group is skipped on both engines) and one above 1.
        var weights = new GroupWeights(0.7).Set(cpu.Info.Groups[0].Layer, cpu.Info.Groups[0].Kind, 0.0).Set(cpu.Info.Groups[^1].Layer, cpu.Info.Groups[^1].Kind, 2.5);
        OnDevice("Wntk", () => Same(gpu.Wntk(x1, null, weights), cpu.Wntk(x1, null, weights), 1e-12, "Wntk"));
    }

    [Fact]
    public void ResidualConvolutionalModelMatchesCpuInEveryMethod() =>
        EveryMethodMatchesCpu(d => new SpatialResidual(11, d), 6 * 5 * 2, 400);

    [Fact]
    public void StridedModelWithCustomActivationMatchesCpuInEveryMethod() =>
        EveryMethodMatchesCpu(d => new SpatialStrided(12, d), 9 * 7 * 2, 410);

    [Fact]
    public void WidthlessModelMatchesCpuInEveryMethod() =>
        EveryMethodMatchesCpu(d => new SpatialWidthless(4, 13, d), 4, 420);

    [Fact]
    public void DeviceTraceNtkEqualsExplicitContractionOfTheDeviceJacobian()
    {
        RequireKernelCompiler();
        Device.KernelOptions = new CudaKernelOptions { TileRows = 2 };
        var model = new SpatialResidual(21, Device);
        int d = 60, k = 3, p = model.GetParameters().Length;
        var x1 = Inputs(5, d, 430);
        var x2 = Inputs(4, d, 431);
        var theta = model.Ntk(x1, x2).ToFlatArray();
        var symmetric = model.Ntk(x1).ToFlatArray();
        var j1 = model.Jacobian(x1).ToFlatArray();
        var j2 = model.Jacobian(x2).ToFlatArray();
        // Θ[i, j] = (1/K) Σ_c Σ_p J[i, c, p]·J[j, c, p], contracted here from the device Jacobians.
        double[] Contract(double[] a, int na, double[] b, int nb)
        {
            var r = new double[na * nb];
            for (int i = 0; i < na; i++)
                for (int j = 0; j < nb; j++)
                {
                    double s = 0;
                    for (int c = 0; c < k; c++)
                        for (int q = 0; q < p; q++) s += a[(i * k + c) * p + q] * b[(j * k + c) * p + q];
                    r[i * nb + j] = s / k;
                }
            return r;
        }
        Assert.True(Reference.MaxRelative(theta, Contract(j1, 5, j2, 4), floor: 0) < 1e-12);
        Assert.True(Reference.MaxRelative(symmetric, Contract(j1, 5, j1, 5), floor: 0) < 1e-12);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) Assert.Equal(symmetric[i * 5 + j], symmetric[j * 5 + i]); // exactly symmetric
    }

    [Fact]
    public void ParameterChangesReachTheDevice()
    {
        RequireKernelCompiler();
        var cpu = new SpatialResidual(5);
        var gpu = new SpatialResidual(5, Device);
        var x = Inputs(3, 60, 440);
        Same(gpu.Forward(x), cpu.Forward(x), 1e-12, "before");
        // A write through a layer's Weights span, not SetParameters: the device copies the parameters on every call.
        gpu.C2.Weights.AsSpan()[4] += 0.5;
        cpu.C2.Weights.AsSpan()[4] += 0.5;
        Same(gpu.Forward(x), cpu.Forward(x), 1e-12, "after a span write");
    }

    [Fact]
    public void CancellationAndProgressReachTheDeviceNtk()
    {
        RequireKernelCompiler();
        Device.KernelOptions = new CudaKernelOptions { TileRows = 2 };
        var model = new SpatialResidual(8, Device);
        var x = Inputs(5, 60, 445);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => model.Ntk(x, null, NtkMode.Trace, null, cancelled.Token));
        var reports = new List<NtkProgress>();
        model.Ntk(x, null, NtkMode.Full, new SyncProgress(reports.Add));
        // Five rows in tiles of two: three tiles, reported in order, the last one complete.
        Assert.Equal([1L, 2L, 3L], reports.Select(r => r.Done).ToArray());
        Assert.All(reports, r => Assert.Equal(3, r.Total));
        Device.KernelOptions = CudaKernelOptions.Default;
    }

    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }

    [Fact]
    public void BadInputGivesTheCpuExceptions()
    {
        RequireKernelCompiler();
        var cpu = new SpatialResidual(6);
        var gpu = new SpatialResidual(6, Device);
        var nan = Inputs(3, 60, 450);
        nan.AsSpan()[7] = double.NaN;
        var before = Counters;
        Assert.Equal(Assert.Throws<ArgumentException>(() => cpu.Forward(nan)).Message, Assert.Throws<ArgumentException>(() => gpu.Forward(nan)).Message);
        Assert.Equal(Assert.Throws<ArgumentException>(() => cpu.Ntk(nan)).Message, Assert.Throws<ArgumentException>(() => gpu.Ntk(nan)).Message);
        var narrow = Inputs(3, 59, 451);
        Assert.Equal(Assert.Throws<ArgumentException>(() => cpu.Jacobian(narrow)).Message, Assert.Throws<ArgumentException>(() => gpu.Jacobian(narrow)).Message);
        var x = Inputs(3, 60, 452);
        var shortTangent = Tensor.FromArray(new double[5], 5);
        Assert.Equal(Assert.Throws<ArgumentException>(() => cpu.Jvp(x, shortTangent)).Message, Assert.Throws<ArgumentException>(() => gpu.Jvp(x, shortTangent)).Message);
        Assert.Equal(Assert.Throws<ArgumentException>(() => cpu.Ntk(x, x, NtkMode.Diagonal)).Message, Assert.Throws<ArgumentException>(() => gpu.Ntk(x, x, NtkMode.Diagonal)).Message);
        Assert.Equal(before, Counters); // rejected before anything ran on the device
        // Finite inputs whose LayerNorm variance overflows: the device raises the CPU op's exception.
        var huge = Inputs(2, 60, 453, 1e160);
        var eCpu = Assert.Throws<NonFiniteResultException>(() => cpu.Forward(huge));
        var eGpu = Assert.Throws<NonFiniteResultException>(() => gpu.Forward(huge));
        Assert.Equal(eCpu.Message, eGpu.Message);
        Assert.Contains("SpatialResidual.Norm (LayerNorm)", eGpu.Message, StringComparison.Ordinal);
    }
}
