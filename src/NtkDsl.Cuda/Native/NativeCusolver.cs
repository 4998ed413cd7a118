using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Native;

/// <summary>cuSOLVER (dense, float64 and float32) through function pointers.</summary>
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
    private readonly delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int*, int> _ssyevdSize;
    private readonly delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, ulong, int, ulong, int> _ssyevd;
    private readonly delegate* unmanaged<IntPtr, int, int, ulong, int, int*, int> _spotrfSize;
    private readonly delegate* unmanaged<IntPtr, int, int, ulong, int, ulong, int, ulong, int> _spotrf;
    private readonly delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int, ulong, int> _spotrs;

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
        _ssyevdSize = (delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int*, int>)NativeExports.Get(lib, "cusolverDnSsyevd_bufferSize", L);
        _ssyevd = (delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, ulong, int, ulong, int>)NativeExports.Get(lib, "cusolverDnSsyevd", L);
        _spotrfSize = (delegate* unmanaged<IntPtr, int, int, ulong, int, int*, int>)NativeExports.Get(lib, "cusolverDnSpotrf_bufferSize", L);
        _spotrf = (delegate* unmanaged<IntPtr, int, int, ulong, int, ulong, int, ulong, int>)NativeExports.Get(lib, "cusolverDnSpotrf", L);
        _spotrs = (delegate* unmanaged<IntPtr, int, int, int, ulong, int, ulong, int, ulong, int>)NativeExports.Get(lib, "cusolverDnSpotrs", L);
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

    public CusolverStatus SsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork)
    {
        int l;
        var r = _ssyevdSize(handle, (int)jobz, (int)uplo, n, a, lda, w, &l);
        lwork = l;
        return (CusolverStatus)r;
    }

    public CusolverStatus Ssyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info)
        => (CusolverStatus)_ssyevd(handle, (int)jobz, (int)uplo, n, a, lda, w, work, lwork, info);

    public CusolverStatus SpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork)
    {
        int l;
        var r = _spotrfSize(handle, (int)uplo, n, a, lda, &l);
        lwork = l;
        return (CusolverStatus)r;
    }

    public CusolverStatus Spotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info)
        => (CusolverStatus)_spotrf(handle, (int)uplo, n, a, lda, work, lwork, info);

    public CusolverStatus Spotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info)
        => (CusolverStatus)_spotrs(handle, (int)uplo, n, nrhs, a, lda, b, ldb, info);
}
