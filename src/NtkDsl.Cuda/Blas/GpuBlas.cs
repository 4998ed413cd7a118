using System.Globalization;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Memory;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda;

/// <summary>
/// Dense products on the GPU with the same row-major conventions as the CPU's <see cref="NtkDsl.Kernels.Blas"/>
/// (C = α·op(A)·op(B) + β·C, leading dimensions in elements), so CPU and GPU code read the same. Each call maps the
/// row-major problem onto cuBLAS's column-major one (row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the
/// operands swap, the transpose flags stay) and is queued on the operands' device stream. An operand with r rows and
/// c columns as stored needs ld ≥ max(1, c) and a view of at least (r − 1)·ld + c elements; otherwise an
/// <see cref="ArgumentException"/> names the operand. Operands from another device or disposed buffers are rejected.
/// </summary>
public static class GpuBlas
{
    /// <summary>float64 GEMM: C[m×n] = α·op(A)·op(B) + β·C (cublasDgemm_v2).</summary>
    public static void Gemm(Transpose transA, Transpose transB, int m, int n, int k, double alpha,
        DeviceMemory<double> a, int lda, DeviceMemory<double> b, int ldb, double beta, DeviceMemory<double> c, int ldc)
    {
        var dev = CheckGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        CudaCheck.Cublas(dev.Backend.Cublas.Dgemm(dev.CublasHandle, Op(transB), Op(transA), n, m, k, alpha, b.Pointer, ldb, a.Pointer, lda, beta, c.Pointer, ldc), "cublasDgemm_v2");
    }

    /// <summary>float32 GEMM (cublasSgemm_v2) in the given <paramref name="mode"/> (strict float32 or TF32).</summary>
    public static void Gemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        DeviceMemory<float> a, int lda, DeviceMemory<float> b, int ldb, float beta, DeviceMemory<float> c, int ldc, GpuFloat32Mode mode)
    {
        var dev = CheckGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        dev.SetMath(MathMode(mode));
        CudaCheck.Cublas(dev.Backend.Cublas.Sgemm(dev.CublasHandle, Op(transB), Op(transA), n, m, k, alpha, b.Pointer, ldb, a.Pointer, lda, beta, c.Pointer, ldc), "cublasSgemm_v2");
    }

    /// <summary>
    /// float64 symmetric rank-k update C[n×n] = α·A·Aᵀ + β·C for A n×k (row-major), on the lower triangle of C (j ≤ i)
    /// only; the strictly upper part is not touched (cublasDsyrk_v2, about half a GEMM's work).
    /// </summary>
    public static void SyrkLower(int n, int k, double alpha, DeviceMemory<double> a, int lda, double beta, DeviceMemory<double> c, int ldc)
    {
        var dev = CheckSyrk(n, k, a, lda, c, ldc);
        // Row-major A (n×k) is column-major Aᵀ (k×n): A·Aᵀ = (Aᵀ)ᵀ·Aᵀ, so trans = T; row-major lower = column-major upper.
        CudaCheck.Cublas(dev.Backend.Cublas.Dsyrk(dev.CublasHandle, CublasFill.Upper, CublasOperation.T, n, k, alpha, a.Pointer, lda, beta, c.Pointer, ldc), "cublasDsyrk_v2");
    }

    /// <summary>float32 SYRK on the lower triangle (cublasSsyrk_v2) in the given <paramref name="mode"/>.</summary>
    public static void SyrkLower(int n, int k, float alpha, DeviceMemory<float> a, int lda, float beta, DeviceMemory<float> c, int ldc, GpuFloat32Mode mode)
    {
        var dev = CheckSyrk(n, k, a, lda, c, ldc);
        dev.SetMath(MathMode(mode));
        CudaCheck.Cublas(dev.Backend.Cublas.Ssyrk(dev.CublasHandle, CublasFill.Upper, CublasOperation.T, n, k, alpha, a.Pointer, lda, beta, c.Pointer, ldc), "cublasSsyrk_v2");
    }

    /// <summary>
    /// float64 strided batched GEMM: for b &lt; <paramref name="batchCount"/>, C_b = α·op(A_b)·op(B_b) + β·C_b with
    /// X_b starting <c>b·strideX</c> elements after X (cublasDgemmStridedBatched).
    /// </summary>
    public static void GemmStridedBatched(Transpose transA, Transpose transB, int m, int n, int k, double alpha,
        DeviceMemory<double> a, int lda, long strideA, DeviceMemory<double> b, int ldb, long strideB, double beta,
        DeviceMemory<double> c, int ldc, long strideC, int batchCount)
    {
        var dev = CheckBatched(transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, batchCount);
        CudaCheck.Cublas(dev.Backend.Cublas.DgemmStridedBatched(dev.CublasHandle, Op(transB), Op(transA), n, m, k, alpha,
            b.Pointer, ldb, strideB, a.Pointer, lda, strideA, beta, c.Pointer, ldc, strideC, batchCount), "cublasDgemmStridedBatched");
    }

    /// <summary>float32 strided batched GEMM (cublasSgemmStridedBatched) in the given <paramref name="mode"/>.</summary>
    public static void GemmStridedBatched(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        DeviceMemory<float> a, int lda, long strideA, DeviceMemory<float> b, int ldb, long strideB, float beta,
        DeviceMemory<float> c, int ldc, long strideC, int batchCount, GpuFloat32Mode mode)
    {
        var dev = CheckBatched(transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, batchCount);
        dev.SetMath(MathMode(mode));
        CudaCheck.Cublas(dev.Backend.Cublas.SgemmStridedBatched(dev.CublasHandle, Op(transB), Op(transA), n, m, k, alpha,
            b.Pointer, ldb, strideB, a.Pointer, lda, strideA, beta, c.Pointer, ldc, strideC, batchCount), "cublasSgemmStridedBatched");
    }

    private static CublasOperation Op(Transpose t) => t == Transpose.Yes ? CublasOperation.T : CublasOperation.N;

    private static CublasMath MathMode(GpuFloat32Mode mode) => mode switch
    {
        GpuFloat32Mode.Strict => CublasMath.Default,
        GpuFloat32Mode.Tf32 => CublasMath.Tf32TensorOp,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Pass GpuFloat32Mode.Strict or GpuFloat32Mode.Tf32."),
    };

    /// <summary>One GEMM is a batch of one with zero strides (the overlap check does not apply).</summary>
    private static CudaDevice CheckGemm<T>(Transpose transA, Transpose transB, int m, int n, int k,
        DeviceMemory<T> a, int lda, DeviceMemory<T> b, int ldb, DeviceMemory<T> c, int ldc) where T : unmanaged =>
        CheckBatched(transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, 1);

    private static CudaDevice CheckSyrk<T>(int n, int k, DeviceMemory<T> a, int lda, DeviceMemory<T> c, int ldc) where T : unmanaged
    {
        if (n < 0 || k < 0) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"SYRK sizes must be ≥ 0 (n = {n}, k = {k})."));
        var dev = c.Device;
        SameDevice.Check(dev, a.Buffer, "a");
        SameDevice.Check(dev, c.Buffer, "c");
        Operand("A", n, k, a.Length, lda);
        Operand("C", n, n, c.Length, ldc);
        dev.MakeCurrent();
        return dev;
    }

    private static CudaDevice CheckBatched<T>(Transpose transA, Transpose transB, int m, int n, int k,
        DeviceMemory<T> a, int lda, long strideA, DeviceMemory<T> b, int ldb, long strideB, DeviceMemory<T> c, int ldc, long strideC, int batchCount)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchCount);
        if (strideA < 0 || strideB < 0 || strideC < 0) throw new ArgumentException("Batch strides must be ≥ 0.");
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"GEMM sizes must be ≥ 0 (m = {m}, n = {n}, k = {k})."));
        var dev = c.Device;
        SameDevice.Check(dev, a.Buffer, "a");
        SameDevice.Check(dev, b.Buffer, "b");
        SameDevice.Check(dev, c.Buffer, "c");
        long last = Math.Max(0, batchCount - 1);
        Operand("A", transA == Transpose.No ? m : k, transA == Transpose.No ? k : m, a.Length - last * strideA, lda);
        Operand("B", transB == Transpose.No ? k : n, transB == Transpose.No ? n : k, b.Length - last * strideB, ldb);
        Operand("C", m, n, c.Length - last * strideC, ldc);
        long cExtent = m == 0 || n == 0 ? 0 : (long)(m - 1) * ldc + n;
        if (batchCount > 1 && strideC < cExtent)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"strideC = {strideC} is smaller than one C matrix ({cExtent} elements): the batch outputs would overlap."), nameof(strideC));
        dev.MakeCurrent();
        return dev;
    }

    private static void Operand(string name, int rows, int cols, long length, int ld)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Leading dimension of {name} is {ld} but {name} has {cols} columns (row-major); pass ld{name.ToLowerInvariant()} ≥ {Math.Max(1, cols)}."), "ld" + name.ToLowerInvariant());
        long need = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} is {rows}×{cols} with leading dimension {ld} and needs {need} elements, but its device view has {length}."), name.ToLowerInvariant());
    }
}
