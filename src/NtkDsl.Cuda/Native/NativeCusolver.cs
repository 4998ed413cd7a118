using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Native;

/// <summary>cuSOLVER (dense, float64) through function pointers.</summary>
internal sealed unsafe class NativeCusolver : ICusolver
{
    private readonly delegate* unmanaged<IntPtr*, int> _create;
    private readonly delegate* unmanaged<IntPtr, int> _destroy;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int> _setStream;
    private readonly delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int*, int> _syevdSize;
    private readonly delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, ulong, int, ulong, int> _syevd;
    private readonly delegate* unmanaged<IntPtr, int, int, ulong, int, int*, int> _potrfSize;
    private readonly delegate* unmanaged<IntPtr, int, int, ulong, int, ulong, int, ulong, int> _potrf;
    private readonly delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int, ulong, int> _potrs;

    public NativeCusolver(IntPtr lib)
    {
        const string L = "libcusolver";
        _create = (delegate* unmanaged<IntPtr*, int>)NativeExports.Get(lib, "cusolverDnCreate", L);
        _destroy = (delegate* unmanaged<IntPtr, int>)NativeExports.Get(lib, "cusolverDnDestroy", L);
        _setStream = (delegate* unmanaged<IntPtr, IntPtr, int>)NativeExports.Get(lib, "cusolverDnSetStream", L);
        _syevdSize = (delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int*, int>)NativeExports.Get(lib, "cusolverDnDsyevd_bufferSize", L);
        _syevd = (delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, ulong, int, ulong, int>)NativeExports.Get(lib, "cusolverDnDsyevd", L);
        _potrfSize = (delegate* unmanaged<IntPtr, int, int, ulong, int, int*, int>)NativeExports.Get(lib, "cusolverDnDpotrf_bufferSize", L);
        _potrf = (delegate* unmanaged<IntPtr, int, int, ulong, int, ulong, int, ulong, int>)NativeExports.Get(lib, "cusolverDnDpotrf", L);
        _potrs = (delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int, ulong, int>)NativeExports.Get(lib, "cusolverDnDpotrs", L);
    }

    public CusolverStatus Create(out IntPtr handle)
    {
        IntPtr h;
        var r = _create(&h);
        handle = h;
        return (CusolverStatus)r;
    }

    public CusolverStatus Destroy(IntPtr handle) => (CusolverStatus)_destroy(handle);
    public CusolverStatus SetStream(IntPtr handle, IntPtr stream) => (CusolverStatus)_setStream(handle, stream);

    public CusolverStatus DsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork)
    {
        int l;
        var r = _syevdSize(handle, (int)jobz, (int)uplo, n, a, lda, w, &l);
        lwork = l;
        return (CusolverStatus)r;
    }

    public CusolverStatus Dsyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info)
        => (CusolverStatus)_syevd(handle, (int)jobz, (int)uplo, n, a, lda, w, work, lwork, info);

    public CusolverStatus DpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork)
    {
        int l;
        var r = _potrfSize(handle, (int)uplo, n, a, lda, &l);
        lwork = l;
        return (CusolverStatus)r;
    }

    public CusolverStatus Dpotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info)
        => (CusolverStatus)_potrf(handle, (int)uplo, n, a, lda, work, lwork, info);

    public CusolverStatus Dpotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info)
        => (CusolverStatus)_potrs(handle, (int)uplo, n, nrhs, a, lda, b, ldb, info);
}
