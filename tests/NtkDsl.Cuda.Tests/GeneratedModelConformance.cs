using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Ntk;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests;

/// <summary>
/// Generated models constructed on the device (<c>new DeviceDeep(seed, gpu)</c>): every kernel method's assembly runs
/// through the device backend and must equal the same model on the CPU (1e-12 float64, 1e-5 float32, relative to the
/// largest entry) and, for the traced NTK, the explicit J·Jᵀ contraction written here. Runs on the emulation and on
/// the real libraries (skipped without a GPU).
/// </summary>
public abstract partial class DeviceConformance
{
    private static readonly NtkMode[] AllModes = [NtkMode.Trace, NtkMode.Full, NtkMode.Diagonal, NtkMode.DiagonalFull];

    private static double[] Flat(Tensor t) => t.ToFlatArray();

    private static Tensor Inputs32(int n, int d, int seed) => Tensor.FromArray(Reference.ToFloat(Reference.Random(n * d, seed, 1.5)), n, d);

    /// <summary>Asserts the device result equals the CPU result in shape and to <paramref name="tolerance"/> relative to its largest entry.</summary>
    private static void Same(Tensor device, Tensor cpu, double tolerance, string what)
    {
        Assert.Equal(cpu.Shape.ToArray(), device.Shape.ToArray());
        Assert.Equal(cpu.DType, device.DType);
        double err = Reference.MaxRelative(Flat(device), Flat(cpu), floor: 0);
        Assert.True(err < tolerance, $"{what}: relative error {err:G3} ≥ {tolerance:G1}");
    }

    /// <summary>x1 of 11 rows in tiles of 4 (three tiles, the last partial) and in one tile; x2 of 7 rows or null.</summary>
    private void EveryMode(Func<Device, int, INtkModel> create, Tensor x1, Tensor x2, double tolerance)
    {
        var cpu = create(NtkDsl.Device.Cpu, 31);
        var gpu = create(Device, 31);
        Assert.Same(Device, gpu.Device);
        Assert.Equal(cpu.GetParameters(), gpu.GetParameters());
        foreach (int? tileRows in new int?[] { 4, null })
        {
            Device.KernelOptions = new CudaKernelOptions { TileRows = tileRows };
            foreach (var mode in AllModes)
                foreach (var second in new[] { x2, null })
                {
                    if (second is not null && mode is NtkMode.Diagonal or NtkMode.DiagonalFull) continue;
                    Same(gpu.Ntk(x1, second, mode), cpu.Ntk(x1, second, mode), tolerance, $"{mode}, x2 {(second is null ? "null" : "given")}, tile rows {tileRows?.ToString() ?? "auto"}");
                }
        }
        Device.KernelOptions = CudaKernelOptions.Default;
    }

    [Fact]
    public void GeneratedFloat64ModelOnDeviceMatchesCpuInEveryMode()
    {
        RequireKernelCompiler();
        EveryMode((d, s) => new DeviceDeep(s, d), Inputs(11, 5, 300), Inputs(7, 5, 301), 1e-12);
        EveryMode((d, s) => new DeviceSquashed(s, d), Inputs(11, 4, 302), Inputs(7, 4, 303), 1e-12);
    }

    [Fact]
    public void GeneratedFloat32ModelOnDeviceMatchesCpuInEveryMode()
    {
        RequireKernelCompiler();
        EveryMode((d, s) => new DeviceDeep32(s, d), Inputs32(11, 5, 304), Inputs32(7, 5, 305), 1e-5);
    }

    [Fact]
    public void DeviceTraceNtkEqualsExplicitJacobianContraction()
    {
        RequireKernelCompiler();
        Device.KernelOptions = new CudaKernelOptions { TileRows = 3 };
        var model = new DeviceDeep(32, Device);
        var x1 = Inputs(8, 5, 306);
        var x2 = Inputs(5, 5, 307);
        var theta = Flat(model.Ntk(x1, x2));
        // Reference: Θ[i, j] = (1/K) Σ_c Σ_p J[i, c, p]·J[j, c, p] from the explicit (CPU) Jacobians.
        var j1 = Flat(model.Jacobian(x1));
        var j2 = Flat(model.Jacobian(x2));
        int k = 3, p = model.GetParameters().Length;
        var expected = new double[8 * 5];
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 5; j++)
            {
                double s = 0;
                for (int c = 0; c < k; c++)
                    for (int q = 0; q < p; q++) s += j1[(i * k + c) * p + q] * j2[(j * k + c) * p + q];
                expected[i * 5 + j] = s / k;
            }
        Assert.True(Reference.MaxRelative(theta, expected, floor: 0) < 1e-12);
    }

    [Fact]
    public void GeneratedNtkPerGroupAndWntkOnDeviceMatchCpu()
    {
        RequireKernelCompiler();
        var cpu = new DeviceDeep(33);
        var gpu = new DeviceDeep(33, Device);
        var x1 = Inputs(9, 5, 308);
        var x2 = Inputs(6, 5, 309);
        Device.KernelOptions = new CudaKernelOptions { TileRows = 4 };
        // Non-uniform weights, one group switched off (its layer's work is skipped) and one bias weighted apart from its weights.
        var weights = new GroupWeights(0.7).Weights("Hidden1", 2.5).Bias("Hidden2", 0.0).Layer("Readout", 0.2).Weights("Hidden3", 1.9);
        foreach (var mode in AllModes)
            foreach (var second in new[] { x2, null })
            {
                if (second is not null && mode is NtkMode.Diagonal or NtkMode.DiagonalFull) continue;
                var blocksGpu = gpu.NtkPerGroup(x1, second, mode);
                var blocksCpu = cpu.NtkPerGroup(x1, second, mode);
                Assert.Equal(blocksCpu.Count, blocksGpu.Count);
                Assert.Equal(8, blocksGpu.Count);
                for (int g = 0; g < blocksCpu.Count; g++) Same(blocksGpu[g], blocksCpu[g], 1e-12, $"block {g}, {mode}");
                Same(gpu.Wntk(x1, second, weights, mode), cpu.Wntk(x1, second, weights, mode), 1e-12, $"Wntk {mode}");
                // The weighted kernel is the weighted sum of the blocks (both from the device).
                Same(gpu.Wntk(x1, second, weights, mode), blocksGpu.Combine(weights), 1e-12, $"Wntk = Σ w_g·blocks, {mode}");
            }
        Device.KernelOptions = CudaKernelOptions.Default;
    }

    [Fact]
    public void DeviceModelReportsTilesAsProgress()
    {
        RequireKernelCompiler();
        Device.KernelOptions = new CudaKernelOptions { TileRows = 4 };
        var model = new DeviceDeep(34, Device);
        var seen = new List<NtkProgress>();
        model.Ntk(Inputs(10, 5, 310), Inputs(3, 5, 311), progress: new SyncProgress(seen.Add));
        Assert.Equal([new NtkProgress("NTK tiles", 1, 3), new NtkProgress("NTK tiles", 2, 3), new NtkProgress("NTK tiles", 3, 3)], seen);
    }

    [Fact]
    public void Tf32IsAnExplicitOptionForFloat32Models()
    {
        RequireKernelCompiler();
        var cpu = new DeviceDeep32(35);
        var gpu = new DeviceDeep32(35, Device);
        var x1 = Tensor.FromArray(Reference.ToFloat(Reference.Random(12 * 5, 312, 1.5)), 12, 5);
        var reference = Flat(cpu.Ntk(x1, null));
        var strict = Flat(gpu.Ntk(x1, null));
        Device.KernelOptions = new CudaKernelOptions { Float32 = GpuFloat32Mode.Tf32 };
        var tf32 = Flat(gpu.Ntk(x1, null));
        Device.KernelOptions = CudaKernelOptions.Default;
        Assert.True(Reference.MaxRelative(strict, reference, floor: 0) < 1e-5, "strict float32");
        double err = Reference.MaxRelative(tf32, reference, floor: 0);
        // TF32 keeps 10 mantissa bits: its error is far above strict float32's and within the TF32 accuracy.
        Assert.True(err is > 1e-5 and < 1e-2, $"TF32 relative error {err:G3}");
    }

    [Fact]
    public void NonFiniteInputsAndOverflowOnDeviceThrowAsOnTheCpu()
    {
        var gpu = new DeviceDeep(36, Device);
        var cpu = new DeviceDeep(36);
        var x = Inputs(4, 5, 313);
        var bad = Tensor.FromArray(Flat(x).Select((v, i) => i == 7 ? double.NaN : v).ToArray(), 4, 5);
        var eGpu = Assert.Throws<ArgumentException>(() => gpu.Ntk(bad, null));
        var eCpu = Assert.Throws<ArgumentException>(() => cpu.Ntk(bad, null));
        Assert.Equal(eCpu.Message, eGpu.Message);
        Assert.Contains("row 1, column 2", eGpu.Message, StringComparison.Ordinal);
        // Finite inputs whose Gram overflows (⟨x, x'⟩ ≈ 1e321): the device result is checked like the CPU's.
        RequireKernelCompiler();
        var huge = Tensor.FromArray(Enumerable.Repeat(1e160, 3 * 5).ToArray(), 3, 5);
        Assert.Throws<NonFiniteResultException>(() => cpu.Ntk(huge, null));
        var e = Assert.Throws<NonFiniteResultException>(() => gpu.Ntk(huge, null));
        Assert.Contains(Device.Name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpatialAndWidthlessModelsRunOnTheDevice()
    {
        // Models on the SpatialNetwork engine have a device path (ISpatialBackend; every method: Spatial/SpatialOnDeviceTests).
        RequireKernelCompiler();
        var x = Inputs(3, 16, 320);
        Same(new DeviceConv(1, Device).Forward(x), new DeviceConv(1).Forward(x), 1e-12, "DeviceConv Forward");
        var w = Inputs(4, 5, 321);
        Same(new DeviceWidthless(5, 1, Device).Ntk(w, null, NtkMode.Full), new DeviceWidthless(5, 1).Ntk(w, null, NtkMode.Full), 1e-12, "DeviceWidthless Ntk");
    }

    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
