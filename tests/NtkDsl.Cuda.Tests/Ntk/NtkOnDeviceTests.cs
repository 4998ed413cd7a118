using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The library entry point <c>model.NtkOnDevice</c> (emulated backend; a thin wrapper over the path of models constructed
/// on the device) against the CPU model's <c>Ntk</c>.
/// </summary>
public sealed class NtkOnDeviceTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.5), n, d);

    public static TheoryData<string> Names => ["pair", "stack", "relu2"];

    private static void With(string name, Action<INtkModel, Func<CudaDevice, Tensor, Tensor?, GpuPrecision, Tensor>> test)
    {
        switch (name)
        {
            case "pair": { var m = new TanhPair(5); test(m, (d, a, b, p) => m.NtkOnDevice(d, a, b, precision: p)); break; }
            case "stack": { var m = new ReluErfStack(6); test(m, (d, a, b, p) => m.NtkOnDevice(d, a, b, precision: p)); break; }
            case "relu2": { var m = new ReluDepth2(7); test(m, (d, a, b, p) => m.NtkOnDevice(d, a, b, precision: p)); break; }
            default: throw new ArgumentException(name);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float64MatchesTheCpuTo1e12(string name) => With(name, (model, ntkOnDevice) =>
    {
        Emulated.RequireCompiler();
        int d = model.Info.Inputs;
        var x1 = Inputs(13, d, 80);
        var x2 = Inputs(10, d, 81);
        using var e = new Emulated();
        var got = ntkOnDevice(e.Device, x1, x2, GpuPrecision.Float64);
        Assert.Equal(DType.Float64, got.DType);
        Assert.Equal([13, 10], got.Shape.ToArray());
        Assert.True(Reference.MaxRelative(got.ToFlatArray(), model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12, "x1 ≠ x2");
        var sym = ntkOnDevice(e.Device, x1, null, GpuPrecision.Float64);
        Assert.True(Reference.MaxRelative(sym.ToFlatArray(), model.Ntk(x1, null, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12, "x1 = x2");
        // The call's binding is released with it: nothing of the model stays on the device.
        Assert.Equal(0UL, e.Device.Allocator.LiveBytes);
    });

    [Theory]
    [MemberData(nameof(Names))]
    public void Float32MatchesTheCpuTo1e5AndTf32IsLessAccurate(string name) => With(name, (model, ntkOnDevice) =>
    {
        Emulated.RequireCompiler();
        int d = model.Info.Inputs;
        var x1 = Inputs(9, d, 82);
        var x2 = Inputs(8, d, 83);
        var cpu = model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray();
        using var e = new Emulated();
        var f32 = ntkOnDevice(e.Device, x1, x2, GpuPrecision.Float32);
        Assert.Equal(DType.Float32, f32.DType);
        double err = Reference.MaxRelative(f32.ToFlatArray(), cpu, floor: 0);
        Assert.True(err < 1e-5, $"float32 relative error {err}");
        double errTf32 = Reference.MaxRelative(ntkOnDevice(e.Device, x1, x2, GpuPrecision.Tf32).ToFlatArray(), cpu, floor: 0);
        Assert.True(errTf32 > err && errTf32 < 1e-2, $"TF32 {errTf32}, float32 {err}");
        // After a TF32 call on the same device (same cuBLAS handle), strict float32 is strict again, bit for bit.
        var again = ntkOnDevice(e.Device, x1, x2, GpuPrecision.Float32);
        Assert.Equal(f32.ToFlatArray(), again.ToFlatArray());
    });

    [Fact]
    public void KernelsLargerThanDeviceMemoryAreComputedInRowTiles()
    {
        Emulated.RequireCompiler();
        var model = new ReluErfStack(8);
        var x1 = Inputs(60, 6, 84);
        var x2 = Inputs(25, 6, 85);
        // 160 KiB: the features of 60 + 25 rows fit (about 90 KB with the forward pass), the kernel with its Gram buffers
        // and float64 accumulators (36 KB for 60 × 25, 86 KB for 60 × 60) only some rows at a time.
        using var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 160 << 10 });
        var got = model.NtkOnDevice(e.Device, x1, x2);
        Assert.True(Reference.MaxRelative(got.ToFlatArray(), model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12);
        var sym = model.NtkOnDevice(e.Device, x1);
        Assert.True(Reference.MaxRelative(sym.ToFlatArray(), model.Ntk(x1, null, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12);
    }

    [Fact]
    public void FeaturesBeyondDeviceMemoryGoInBlocksAndASingleRowThatCannotFitIsAClearError()
    {
        var model = new ReluDepth2(9);
        var x1 = Inputs(4, 9, 86);
        var x2 = Inputs(400, 9, 87);
        // 16 KiB: the parameters (3.9 KB) fit, the features of 4 + 400 rows (about 340 KB) do not: blocks of rows.
        using (var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 16 << 10 }))
        {
            var got = model.NtkOnDevice(e.Device, x1, x2);
            Assert.True(e.Device.FeatureBlockPairs > 1, $"{e.Device.FeatureBlockPairs} block pairs");
            Assert.True(Reference.MaxRelative(got.ToFlatArray(), model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12);
        }
        // 6 KiB: one row of x1 and one of x2 (their features, about 1.7 KB, and the forward pass's temporaries) do not fit beside the parameters.
        using (var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 6 << 10 }))
        {
            var ex = Assert.Throws<CudaOutOfMemoryException>(() => model.NtkOnDevice(e.Device, x1, x2));
            Assert.Contains("one row of x1 and one of x2 of ReluDepth2", ex.Message);
            Assert.Contains("KiB", ex.Message);
            Assert.Contains("MiB", ex.Message);
        }
    }

    [Fact]
    public void BadInputsAndUncoveredCasesAreNamed()
    {
        var model = new ReluDepth2(10);
        using var e = new Emulated();
        var bad = Inputs(3, 9, 88).ToFlatArray();
        bad[9 + 4] = double.PositiveInfinity;
        var nan = Assert.Throws<ArgumentException>(() => model.NtkOnDevice(e.Device, Tensor.FromArray(bad, 3, 9)));
        Assert.Contains("row 1, column 4", nan.Message);
        Assert.Throws<ArgumentException>(() => model.NtkOnDevice(e.Device, Inputs(3, 8, 89)));
        var diagonal = Assert.Throws<ArgumentException>(() => model.NtkOnDevice(e.Device, Inputs(3, 9, 90), Inputs(2, 9, 91), NtkMode.Diagonal));
        Assert.Contains("requires x2 == null", diagonal.Message);
    }

    [Fact]
    public void EveryModeAndActivationIsCoveredNow()
    {
        // Formerly Trace, NTK parameterization and ReLU/tanh/erf only: the wrapper runs the device model path, which covers them all.
        Emulated.RequireCompiler();
        using var e = new Emulated();
        var leaky = new LeakyPair(1);
        var x1 = Inputs(5, 3, 92);
        var x2 = Inputs(4, 3, 93);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full, NtkMode.Diagonal, NtkMode.DiagonalFull })
        {
            var second = mode is NtkMode.Diagonal or NtkMode.DiagonalFull ? null : x2;
            var got = leaky.NtkOnDevice(e.Device, x1, second, mode);
            var cpu = leaky.Ntk(x1, second, mode);
            Assert.Equal(cpu.Shape.ToArray(), got.Shape.ToArray());
            Assert.True(Reference.MaxRelative(got.ToFlatArray(), cpu.ToFlatArray(), floor: 0) < 1e-12, mode.ToString());
        }
    }
}
