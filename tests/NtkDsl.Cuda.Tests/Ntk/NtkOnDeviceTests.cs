using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>The library entry point <c>model.NtkOnDevice</c> (emulated backend) against the CPU model's <c>Ntk</c>.</summary>
public sealed class NtkOnDeviceTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.5), n, d);

    public static TheoryData<string> Names => ["pair", "stack", "relu2"];

    private static INtkModel Model(string name) => name switch
    {
        "pair" => new TanhPair(5),
        "stack" => new ReluErfStack(6),
        "relu2" => new ReluDepth2(7),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Float64MatchesTheCpuTo1e12(string name)
    {
        Emulated.RequireCompiler();
        var model = Model(name);
        int d = model.Info.Inputs;
        var x1 = Inputs(13, d, 80);
        var x2 = Inputs(10, d, 81);
        using var e = new Emulated();
        var got = model.NtkOnDevice(e.Device, x1, x2);
        Assert.Equal(DType.Float64, got.DType);
        Assert.Equal([13, 10], got.Shape.ToArray());
        Assert.True(Reference.MaxRelative(got.ToFlatArray(), model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12, "x1 ≠ x2");
        var sym = model.NtkOnDevice(e.Device, x1);
        Assert.True(Reference.MaxRelative(sym.ToFlatArray(), model.Ntk(x1, null, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12, "x1 = x2");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float32MatchesTheCpuTo1e5AndTf32IsLessAccurate(string name)
    {
        Emulated.RequireCompiler();
        var model = Model(name);
        int d = model.Info.Inputs;
        var x1 = Inputs(9, d, 82);
        var x2 = Inputs(8, d, 83);
        var cpu = model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray();
        using var e = new Emulated();
        var f32 = model.NtkOnDevice(e.Device, x1, x2, precision: GpuPrecision.Float32);
        Assert.Equal(DType.Float32, f32.DType);
        double err = Reference.MaxRelative(f32.ToFlatArray(), cpu, floor: 0);
        Assert.True(err < 1e-5, $"float32 relative error {err}");
        double errTf32 = Reference.MaxRelative(model.NtkOnDevice(e.Device, x1, x2, precision: GpuPrecision.Tf32).ToFlatArray(), cpu, floor: 0);
        Assert.True(errTf32 > err && errTf32 < 1e-2, $"TF32 {errTf32}, float32 {err}");
        // After a TF32 call on the same device (same cuBLAS handle), strict float32 is strict again, bit for bit.
        var again = model.NtkOnDevice(e.Device, x1, x2, precision: GpuPrecision.Float32);
        Assert.Equal(f32.ToFlatArray(), again.ToFlatArray());
    }

    [Fact]
    public void KernelsLargerThanDeviceMemoryAreComputedInRowTiles()
    {
        Emulated.RequireCompiler();
        var model = new ReluErfStack(8);
        var x1 = Inputs(60, 6, 84);
        var x2 = Inputs(25, 6, 85);
        // 128 KiB: the features of 60 rows fit (about 93 KB), the kernel with its two Gram buffers (36 KB for 60 × 25,
        // 86 KB for 60 × 60) only a few rows at a time.
        using var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 128 << 10 });
        var got = model.NtkOnDevice(e.Device, x1, x2);
        Assert.True(Reference.MaxRelative(got.ToFlatArray(), model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12);
        var sym = model.NtkOnDevice(e.Device, x1);
        Assert.True(Reference.MaxRelative(sym.ToFlatArray(), model.Ntk(x1, null, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12);
    }

    [Fact]
    public void TooLittleDeviceMemoryIsAClearErrorWithSizes()
    {
        var model = new ReluDepth2(9);
        using var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 16 << 10 });
        var ex = Assert.Throws<CudaOutOfMemoryException>(() => model.NtkOnDevice(e.Device, Inputs(4, 9, 86), Inputs(400, 9, 87)));
        Assert.Contains("features of 400 rows of x2", ex.Message);
        Assert.Contains("MiB", ex.Message);
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
        var mode = Assert.Throws<NotSupportedException>(() => model.NtkOnDevice(e.Device, Inputs(3, 9, 90), mode: NtkMode.Full));
        Assert.Contains("model.Ntk(x1, x2, NtkMode.Full)", mode.Message);
        var leaky = Assert.Throws<NotSupportedException>(() => new LeakyPair(1).NtkOnDevice(e.Device, Inputs(2, 3, 91)));
        Assert.Contains("LeakyRelu", leaky.Message);
    }
}
