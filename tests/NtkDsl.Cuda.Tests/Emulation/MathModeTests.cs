using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests.Emulation;

/// <summary>
/// float32 precision is explicit per call: the cuBLAS math mode is handle state (the emulated cuBLAS keeps it per handle
/// and rounds to TF32 in TF32 mode, as the real one does), so every float32 call must set the mode it asks for.
/// </summary>
public sealed class MathModeTests
{
    private const int M = 7, N = 5, K = 33;

    private static float[] Strict(float[] a, float[] b)
    {
        // Reference in float64 of the float32 inputs; a strict float32 GEMM is within K·ε_32 of it, TF32 is not.
        var c = new float[M * N];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double s = 0;
                for (int k = 0; k < K; k++) s += (double)a[i * K + k] * b[j * K + k];
                c[i * N + j] = (float)s;
            }
        return c;
    }

    private static double MaxError(float[] x, float[] y) => x.Zip(y, (p, q) => Math.Abs((double)p - q)).Max();

    [Fact]
    public void StrictFloat32StaysStrictWhenTheHandleWasLeftInTf32Mode()
    {
        var a = Reference.ToFloat(Reference.Random(M * K, 1));
        var b = Reference.ToFloat(Reference.Random(N * K, 2));
        var reference = Strict(a, b);
        using var e = new Emulated();
        var dev = e.Device;
        using var da = dev.Upload<float>(a);
        using var db = dev.Upload<float>(b);
        using var dc = dev.Allocate<float>(M * N);
        float[] Run(GpuFloat32Mode mode)
        {
            GpuBlas.Gemm(Transpose.No, Transpose.Yes, M, N, K, 1f, da, K, db, K, 0f, dc, N, mode);
            return dc.ToArray();
        }
        var strict = Run(GpuFloat32Mode.Strict);
        Assert.True(MaxError(strict, reference) < 1e-5, "strict float32 agrees with the float64 reference");
        var tf32 = Run(GpuFloat32Mode.Tf32);
        Assert.True(MaxError(tf32, reference) > 1e-4, "TF32 rounding is visible in the emulation");
        // Something else that holds the handle (another library sharing it, a failed call) leaves it in TF32 mode.
        // The old device cached "strict is set" and skipped cublasSetMathMode: this strict call then ran in TF32.
        Assert.Equal(CublasStatus.Success, dev.Backend.Cublas.SetMathMode(dev.CublasHandle, CublasMath.Tf32TensorOp));
        Assert.Equal(strict, Run(GpuFloat32Mode.Strict));
        Assert.Equal(tf32, Run(GpuFloat32Mode.Tf32));
        Assert.Equal(strict, Run(GpuFloat32Mode.Strict));
    }

    [Fact]
    public void StrictSyrkStaysStrictAfterTf32()
    {
        var a = Reference.ToFloat(Reference.Random(M * K, 3));
        using var e = new Emulated();
        var dev = e.Device;
        using var da = dev.Upload<float>(a);
        using var dc = dev.Allocate<float>(M * M);
        dc.Clear();
        GpuBlas.SyrkLower(M, K, 1f, da, K, 0f, dc, M, GpuFloat32Mode.Strict);
        var strict = dc.ToArray();
        Assert.Equal(CublasStatus.Success, dev.Backend.Cublas.SetMathMode(dev.CublasHandle, CublasMath.Tf32TensorOp));
        GpuBlas.SyrkLower(M, K, 1f, da, K, 0f, dc, M, GpuFloat32Mode.Strict);
        Assert.Equal(strict, dc.ToArray());
    }
}
