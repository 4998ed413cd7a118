using NtkDsl.Cuda.Analytic;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Ntk;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests;

/// <summary>
/// The library's device NTK, device analytic kernels and per-call float32 precision, on the emulation and on the real
/// libraries (the real NVRTC compiles the same emitted CUDA C): compared with the CPU model's results.
/// </summary>
public abstract partial class DeviceConformance
{
    private static Tensor Inputs(int n, int d, int seed, double scale = 1.5) => Tensor.FromArray(Reference.Random(n * d, seed, scale), n, d);

    [Fact]
    public void DeviceNtkMatchesTheCpuNtk()
    {
        RequireKernelCompiler();
        var model = new ReluErfStack(21);
        var x1 = Inputs(17, 6, 200);
        var x2 = Inputs(12, 6, 201);
        var cpu = model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray();
        Assert.True(Reference.MaxRelative(model.NtkOnDevice(Device, x1, x2).ToFlatArray(), cpu, floor: 0) < 1e-12, "float64");
        Assert.True(Reference.MaxRelative(model.NtkOnDevice(Device, x1, x2, precision: GpuPrecision.Float32).ToFlatArray(), cpu, floor: 0) < 1e-5, "float32");
        var sym = model.NtkOnDevice(Device, x1).ToFlatArray();
        Assert.True(Reference.MaxRelative(sym, model.Ntk(x1, null, NtkMode.Trace).ToFlatArray(), floor: 0) < 1e-12, "x1 = x2");
    }

    [Fact]
    public void DeviceAnalyticKernelsMatchTheCpu()
    {
        RequireKernelCompiler();
        var x1 = Inputs(15, 5, 202, 1.2);
        var x2 = Inputs(11, 5, 203, 1.2);
        Assert.True(Reference.MaxRelative(Device.AnalyticNtkOnDevice<AnalyticMix>(x1, x2).ToFlatArray(), AnalyticMix.AnalyticNtk(x1, x2).ToFlatArray(), floor: 0) < 1e-12, "NTK");
        Assert.True(Reference.MaxRelative(Device.AnalyticNngpOnDevice<AnalyticMix>(x1, x2).ToFlatArray(), AnalyticMix.AnalyticNngp(x1, x2).ToFlatArray(), floor: 0) < 1e-12, "NNGP");
        var s1 = Inputs(9, 4, 204, 0.8);
        var sym = Device.AnalyticNtkOnDevice<AnalyticSinIdentity>(s1).ToFlatArray();
        Assert.True(Reference.MaxRelative(sym, AnalyticSinIdentity.AnalyticNtk(s1).ToFlatArray(), floor: 0) < 1e-12, "sin/identity, x1 = x2");
        // Equal inputs across x1 and x2 reproduce the symmetric diagonal bit for bit (the exact-diagonal rule).
        var cross = Device.AnalyticNtkOnDevice<AnalyticSinIdentity>(s1, s1.SliceRows(3, 2)).ToFlatArray();
        Assert.Equal(sym[3 * 9 + 3], cross[3 * 2 + 0]);
        Assert.Equal(sym[4 * 9 + 4], cross[4 * 2 + 1]);
    }

    [Fact]
    public void Float32PrecisionIsSetOnEveryCall()
    {
        const int m = 6, n = 5, k = 40;
        var a = Reference.ToFloat(Reference.Random(m * k, 205));
        var b = Reference.ToFloat(Reference.Random(n * k, 206));
        using var da = Device.Upload<float>(a);
        using var db = Device.Upload<float>(b);
        using var dc = Device.Allocate<float>(m * n);
        float[] Run(GpuFloat32Mode mode)
        {
            GpuBlas.Gemm(Transpose.No, Transpose.Yes, m, n, k, 1f, da, k, db, k, 0f, dc, n, mode);
            return dc.ToArray();
        }
        var strict = Run(GpuFloat32Mode.Strict);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[j * k + p];
                Assert.True(Math.Abs(strict[i * n + j] - s) < 1e-5, $"strict ({i}, {j}): {strict[i * n + j]} vs {s}");
            }
        // The handle left in TF32 mode by someone else: a strict call must still be strict.
        Assert.Equal(CublasStatus.Success, Device.Backend.Cublas.SetMathMode(Device.CublasHandle, CublasMath.Tf32TensorOp));
        Assert.Equal(strict, Run(GpuFloat32Mode.Strict));
    }
}
