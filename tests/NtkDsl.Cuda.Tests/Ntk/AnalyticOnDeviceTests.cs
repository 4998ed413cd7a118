using NtkDsl.Cuda.Analytic;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The device infinite-width kernels (the CUDA C the generator emitted for each model, run through the emulated NVRTC/cuBLAS) against the
/// CPU's generated AnalyticNtk/AnalyticNngp of the same model: 1e-12 relative, plus the exact-diagonal rule.
/// </summary>
public sealed class AnalyticOnDeviceTests
{
    private static Tensor Inputs(int n, int d, int seed, double scale = 1.3) => Tensor.FromArray(Reference.Random(n * d, seed, scale), n, d);

    /// <summary>x2 with rows 0 and 2 copied from x1 (equal inputs across the two sets) and one a multiple of x1's row 1.</summary>
    private static Tensor WithCopies(Tensor x1, Tensor x2)
    {
        var a = x1.ToFlatArray();
        var b = x2.ToFlatArray();
        int d = x1.Columns;
        Array.Copy(a, 0, b, 3 * d, d);
        Array.Copy(a, 2 * d, b, 0, d);
        for (int k = 0; k < d; k++) b[5 * d + k] = 2 * a[d + k];
        return Tensor.FromArray(b, x2.Rows, d);
    }

    public static TheoryData<string> ModelNames => ["mix", "sin", "relu2", "leaky"];

    private sealed record Case(ModelInfo Info, Func<CudaDevice, Tensor, Tensor?, Tensor> DeviceNtk, Func<CudaDevice, Tensor, Tensor?, Tensor> DeviceNngp,
        Func<Tensor, Tensor?, Tensor> Ntk, Func<Tensor, Tensor?, Tensor> Nngp, Func<Tensor, Tensor> Diagonal);

    private static Case For<TModel>(Func<Tensor, Tensor?, Tensor> ntk, Func<Tensor, Tensor?, Tensor> nngp, Func<Tensor, Tensor> diagonal) where TModel : IDeviceSource =>
        new(TModel.Info, (g, a, b) => g.AnalyticNtkOnDevice<TModel>(a, b), (g, a, b) => g.AnalyticNngpOnDevice<TModel>(a, b), ntk, nngp, diagonal);

    private static Case Model(string name) => name switch
    {
        "mix" => For<AnalyticMix>((a, b) => AnalyticMix.AnalyticNtk(a, b), (a, b) => AnalyticMix.AnalyticNngp(a, b), AnalyticMix.AnalyticNtkDiagonal),
        "sin" => For<AnalyticSinIdentity>((a, b) => AnalyticSinIdentity.AnalyticNtk(a, b), (a, b) => AnalyticSinIdentity.AnalyticNngp(a, b), AnalyticSinIdentity.AnalyticNtkDiagonal),
        "relu2" => For<ReluDepth2>((a, b) => ReluDepth2.AnalyticNtk(a, b), (a, b) => ReluDepth2.AnalyticNngp(a, b), ReluDepth2.AnalyticNtkDiagonal),
        "leaky" => For<LeakyPair>((a, b) => LeakyPair.AnalyticNtk(a, b), (a, b) => LeakyPair.AnalyticNngp(a, b), LeakyPair.AnalyticNtkDiagonal),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void NtkAndNngpMatchTheCpuTo1e12(string name)
    {
        Emulated.RequireCompiler();
        var m = Model(name);
        int d = m.Info.Inputs;
        var x1 = Inputs(11, d, 60);
        var x2 = WithCopies(x1, Inputs(9, d, 61));
        using var e = new Emulated();
        var ntk = m.DeviceNtk(e.Device, x1, x2).ToFlatArray();
        var nngp = m.DeviceNngp(e.Device, x1, x2).ToFlatArray();
        Assert.True(Reference.MaxRelative(ntk, m.Ntk(x1, x2).ToFlatArray(), floor: 0) < 1e-12, "NTK x1 ≠ x2");
        Assert.True(Reference.MaxRelative(nngp, m.Nngp(x1, x2).ToFlatArray(), floor: 0) < 1e-12, "NNGP x1 ≠ x2");
        var sym = m.DeviceNtk(e.Device, x1, null).ToFlatArray();
        Assert.True(Reference.MaxRelative(sym, m.Ntk(x1, null).ToFlatArray(), floor: 0) < 1e-12, "NTK x1 = x2");
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void EqualInputsGiveExactlyTheDiagonalValue(string name)
    {
        // Near ρ = 1 a one-ulp difference between x·x'/d from the GEMM and |x|²/d of the chain would become an angle of
        // order √ε, i.e. an error of about 1e-8: equal rows (across x1 and x2, and the diagonal of x1 with itself) must
        // reproduce the symmetric kernel's diagonal bit for bit, which in turn matches the CPU's AnalyticNtkDiagonal.
        Emulated.RequireCompiler();
        var m = Model(name);
        int d = m.Info.Inputs;
        var x1 = Inputs(6, d, 62, 0.7);
        var x2 = WithCopies(x1, Inputs(7, d, 63, 0.7));
        using var e = new Emulated();
        var cross = m.DeviceNtk(e.Device, x1, x2).ToFlatArray();
        var sym = m.DeviceNtk(e.Device, x1, null).ToFlatArray();
        var diag = m.Diagonal(x1).ToFlatArray();
        int n1 = x1.Rows, n2 = x2.Rows;
        Assert.Equal(sym[0 * n1 + 0], cross[0 * n2 + 3]);
        Assert.Equal(sym[2 * n1 + 2], cross[2 * n2 + 0]);
        for (int i = 0; i < n1; i++) Assert.True(Math.Abs(sym[i * n1 + i] - diag[i]) <= 1e-14 * Math.Abs(diag[i]), $"diagonal {i}: {sym[i * n1 + i]} vs {diag[i]}");
    }

    [Fact]
    public void RowTilesGiveTheSameKernel()
    {
        Emulated.RequireCompiler();
        var x1 = Inputs(40, 9, 64);
        var x2 = Inputs(30, 9, 65);
        // 40 KiB: the inputs and chains fit, the 40 × 30 kernel (9.6 KB) only in tiles at 80 % of what is free.
        using var e = new Emulated(new NtkDsl.Cuda.Emulation.EmulatedGpuOptions { TotalMemoryBytes = 12 << 10 });
        var got = e.Device.AnalyticNtkOnDevice<ReluDepth2>(x1, x2).ToFlatArray();
        Assert.True(Reference.MaxRelative(got, ReluDepth2.AnalyticNtk(x1, x2).ToFlatArray(), floor: 0) < 1e-12);
    }

    [Fact]
    public void ActivationsWithoutADeviceClosedFormAreNamed()
    {
        using var e = new Emulated();
        var x = Inputs(3, 7, 66);
        var ex = Assert.Throws<NotSupportedException>(() => e.Device.AnalyticNtkOnDevice<TanhPair>(x));
        Assert.Contains("Tanh", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Hidden", ex.Message);
        Assert.Contains("no closed-form dual", ex.Message);
        Assert.Equal(TanhPair.CudaAnalyticUnsupportedReason, ex.Message);
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        using var e = new Emulated();
        var bad = Inputs(4, 9, 68).ToFlatArray();
        bad[2 * 9 + 5] = double.NaN;
        var ex = Assert.Throws<ArgumentException>(() => e.Device.AnalyticNtkOnDevice<ReluDepth2>(Tensor.FromArray(bad, 4, 9)));
        Assert.Contains("row 2, column 5", ex.Message);
        Assert.Throws<ArgumentException>(() => e.Device.AnalyticNtkOnDevice<ReluDepth2>(Inputs(3, 9, 69), Inputs(3, 8, 70)));
    }

    [Fact]
    public void TheGeneratedSourceIsCompiledOncePerDevice()
    {
        Emulated.RequireCompiler();
        // The source is the generator's compile-time constant; the device compiles it once and serves the cached module after.
        string a = AnalyticMix.CudaSource;
        Assert.Contains("ntk_abrelu(", a);
        Assert.Contains("ntk_erf(", a);
        using var e = new Emulated();
        var x = Inputs(3, 5, 71);
        e.Device.AnalyticNtkOnDevice<AnalyticMix>(x);
        var m1 = e.Device.Compile(a);
        e.Device.AnalyticNngpOnDevice<AnalyticMix>(x);
        Assert.Same(m1, e.Device.Compile(a));
    }
}
