namespace NtkDsl.Kernels;

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>Use the operand as stored (row-major).</summary>
    No = 0,
    /// <summary>Use the transpose of the stored operand.</summary>
    Yes = 1,
}

/// <summary>
/// Dense linear-algebra primitives of the CPU backend on row-major data (C = α·op(A)·op(B) + β·C), the hot path of
/// every generated method. Written by hand because no served package offers a managed, multi-threaded SIMD GEMM
/// (MathNet's managed provider is single-threaded and slow; native providers are not served). The implementation
/// packs A and B into cache-sized panels, runs a register-blocked AVX-512, AVX2/FMA or portable
/// <see cref="System.Numerics.Vector{T}"/> micro-kernel, and splits C into blocks over all cores.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>
/// As in reference BLAS, when β = 0 the input contents of C are never read (NaN or infinity there do not propagate),
/// and when α = 0 or k = 0 neither A nor B is read. An operand with r rows and c columns as stored needs a leading
/// dimension ≥ max(1, c) and a span of at least (r − 1)·ld + c elements; otherwise an
/// <see cref="ArgumentException"/> names the operand and the fix. C must not overlap A or B.
/// <para>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use). GEMM and SYRK parallelize internally.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Blas
{
    /// <summary>General matrix product on float64: C[m×n] = α·op(A)·op(B) + β·C, row-major with leading dimensions.</summary>
    public static void Gemm(Transpose transA, Transpose transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
        => BlasEntry<double>.Gemm(GemmKernels.Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, int.MaxValue);

    /// <summary>General matrix product on float32: C[m×n] = α·op(A)·op(B) + β·C, row-major with leading dimensions.</summary>
    public static void Gemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => BlasEntry<float>.Gemm(GemmKernels.Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, int.MaxValue);

    /// <summary>
    /// Symmetric rank-k update on float64: C[n×n] = α·A·Aᵀ + β·C for A n×k (row-major). Computes the lower triangle
    /// (j ≤ i), about half the work of the full product, and mirrors it, so C is exactly symmetric.
    /// </summary>
    public static void Syrk(int n, int k, double alpha, ReadOnlySpan<double> a, int lda, double beta, Span<double> c, int ldc)
        => BlasEntry<double>.Syrk(GemmKernels.Best, n, k, alpha, a, lda, beta, c, ldc, int.MaxValue);

    /// <summary>Symmetric rank-k update on float32 (see the float64 overload).</summary>
    public static void Syrk(int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
        => BlasEntry<float>.Syrk(GemmKernels.Best, n, k, alpha, a, lda, beta, c, ldc, int.MaxValue);
}
