using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Native;

/// <summary>cuBLAS through function pointers (the <c>_v2</c> entry points; pointer mode host).</summary>
internal sealed unsafe class NativeCublas : ICublas
{
    private readonly delegate* unmanaged<IntPtr*, int> _create;
    private readonly delegate* unmanaged<IntPtr, int> _destroy;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int> _setStream;
    private readonly delegate* unmanaged<IntPtr, int, int> _setMathMode;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, int, double*, ulong, int, ulong, int, double*, ulong, int, int> _dgemm;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int> _sgemm;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, double*, ulong, int, double*, ulong, int, int> _dsyrk;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, float*, ulong, int, float*, ulong, int, int> _ssyrk;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, int, double*, ulong, int, long, ulong, int, long, double*, ulong, int, long, int, int> _dgemmBatched;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, long, ulong, int, long, float*, ulong, int, long, int, int> _sgemmBatched;

    public NativeCublas(IntPtr lib)
    {
        const string L = "libcublas";
        _create = (delegate* unmanaged<IntPtr*, int>)NativeExports.Get(lib, "cublasCreate_v2", L);
        _destroy = (delegate* unmanaged<IntPtr, int>)NativeExports.Get(lib, "cublasDestroy_v2", L);
        _setStream = (delegate* unmanaged<IntPtr, IntPtr, int>)NativeExports.Get(lib, "cublasSetStream_v2", L);
        _setMathMode = (delegate* unmanaged<IntPtr, int, int>)NativeExports.Get(lib, "cublasSetMathMode", L);
        _dgemm = (delegate* unmanaged<IntPtr, int, int, int, int, int, double*, ulong, int, ulong, int, double*, ulong, int, int>)NativeExports.Get(lib, "cublasDgemm_v2", L);
        _sgemm = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int>)NativeExports.Get(lib, "cublasSgemm_v2", L);
        _dsyrk = (delegate* unmanaged<IntPtr, int, int, int, int, double*, ulong, int, double*, ulong, int, int>)NativeExports.Get(lib, "cublasDsyrk_v2", L);
        _ssyrk = (delegate* unmanaged<IntPtr, int, int, int, int, float*, ulong, int, float*, ulong, int, int>)NativeExports.Get(lib, "cublasSsyrk_v2", L);
        _dgemmBatched = (delegate* unmanaged<IntPtr, int, int, int, int, int, double*, ulong, int, long, ulong, int, long, double*, ulong, int, long, int, int>)NativeExports.Get(lib, "cublasDgemmStridedBatched", L);
        _sgemmBatched = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, long, ulong, int, long, float*, ulong, int, long, int, int>)NativeExports.Get(lib, "cublasSgemmStridedBatched", L);
    }

    public CublasStatus Create(out IntPtr handle)
    {
        IntPtr h;
        var r = _create(&h);
        handle = h;
        return (CublasStatus)r;
    }

    public CublasStatus Destroy(IntPtr handle) => (CublasStatus)_destroy(handle);
    public CublasStatus SetStream(IntPtr handle, IntPtr stream) => (CublasStatus)_setStream(handle, stream);
    public CublasStatus SetMathMode(IntPtr handle, CublasMath mode) => (CublasStatus)_setMathMode(handle, (int)mode);

    public CublasStatus Dgemm(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        double alpha, ulong a, int lda, ulong b, int ldb, double beta, ulong c, int ldc)
        => (CublasStatus)_dgemm(handle, (int)transA, (int)transB, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc);

    public CublasStatus Sgemm(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
        => (CublasStatus)_sgemm(handle, (int)transA, (int)transB, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc);

    public CublasStatus Dsyrk(IntPtr handle, CublasFill uplo, CublasOperation trans, int n, int k,
        double alpha, ulong a, int lda, double beta, ulong c, int ldc)
        => (CublasStatus)_dsyrk(handle, (int)uplo, (int)trans, n, k, &alpha, a, lda, &beta, c, ldc);

    public CublasStatus Ssyrk(IntPtr handle, CublasFill uplo, CublasOperation trans, int n, int k,
        float alpha, ulong a, int lda, float beta, ulong c, int ldc)
        => (CublasStatus)_ssyrk(handle, (int)uplo, (int)trans, n, k, &alpha, a, lda, &beta, c, ldc);

    public CublasStatus DgemmStridedBatched(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        double alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, double beta, ulong c, int ldc, long strideC, int batchCount)
        => (CublasStatus)_dgemmBatched(handle, (int)transA, (int)transB, m, n, k, &alpha, a, lda, strideA, b, ldb, strideB, &beta, c, ldc, strideC, batchCount);

    public CublasStatus SgemmStridedBatched(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float beta, ulong c, int ldc, long strideC, int batchCount)
        => (CublasStatus)_sgemmBatched(handle, (int)transA, (int)transB, m, n, k, &alpha, a, lda, strideA, b, ldb, strideB, &beta, c, ldc, strideC, batchCount);
}
