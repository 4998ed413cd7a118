namespace NtkDsl.Cuda.Interop;

/// <summary>
/// The cuBLAS entry points NtkDsl uses, with cuBLAS's column-major conventions (pointer mode host: α and β are
/// values). The native implementation calls the <c>_v2</c> entry points.
/// </summary>
public interface ICublas
{
    /// <summary>cublasCreate_v2.</summary>
    CublasStatus Create(out IntPtr handle);
    /// <summary>cublasDestroy_v2.</summary>
    CublasStatus Destroy(IntPtr handle);
    /// <summary>cublasSetStream_v2.</summary>
    CublasStatus SetStream(IntPtr handle, IntPtr stream);
    /// <summary>cublasSetMathMode.</summary>
    CublasStatus SetMathMode(IntPtr handle, CublasMath mode);
    /// <summary>cublasDgemm_v2: C = α·op(A)·op(B) + β·C, C m×n.</summary>
    CublasStatus Dgemm(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        double alpha, ulong a, int lda, ulong b, int ldb, double beta, ulong c, int ldc);
    /// <summary>cublasSgemm_v2.</summary>
    CublasStatus Sgemm(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc);
    /// <summary>cublasDsyrk_v2: C = α·op(A)·op(A)ᵀ + β·C on the <paramref name="uplo"/> triangle, C n×n.</summary>
    CublasStatus Dsyrk(IntPtr handle, CublasFill uplo, CublasOperation trans, int n, int k,
        double alpha, ulong a, int lda, double beta, ulong c, int ldc);
    /// <summary>cublasSsyrk_v2.</summary>
    CublasStatus Ssyrk(IntPtr handle, CublasFill uplo, CublasOperation trans, int n, int k,
        float alpha, ulong a, int lda, float beta, ulong c, int ldc);
    /// <summary>cublasDgemmStridedBatched.</summary>
    CublasStatus DgemmStridedBatched(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        double alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, double beta, ulong c, int ldc, long strideC, int batchCount);
    /// <summary>cublasSgemmStridedBatched.</summary>
    CublasStatus SgemmStridedBatched(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float beta, ulong c, int ldc, long strideC, int batchCount);
}
