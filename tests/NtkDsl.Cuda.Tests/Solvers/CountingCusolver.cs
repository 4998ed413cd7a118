using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Tests.Solvers;

/// <summary>A cuSOLVER that forwards every call to another one and counts the solver calls that reached it (float64 and float32 together).</summary>
internal sealed class CountingCusolver(ICusolver inner) : ICusolver
{
    public int Syevd { get; private set; }
    public int Potrf { get; private set; }
    public int Potrs { get; private set; }
    public int Total => Syevd + Potrf + Potrs;

    public CusolverStatus Create(out IntPtr handle) => inner.Create(out handle);
    public CusolverStatus Destroy(IntPtr handle) => inner.Destroy(handle);
    public CusolverStatus SetStream(IntPtr handle, IntPtr stream) => inner.SetStream(handle, stream);

    public CusolverStatus DsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork) =>
        inner.DsyevdBufferSize(handle, jobz, uplo, n, a, lda, w, out lwork);

    public CusolverStatus Dsyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info)
    {
        Syevd++;
        return inner.Dsyevd(handle, jobz, uplo, n, a, lda, w, work, lwork, info);
    }

    public CusolverStatus DpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork) =>
        inner.DpotrfBufferSize(handle, uplo, n, a, lda, out lwork);

    public CusolverStatus Dpotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info)
    {
        Potrf++;
        return inner.Dpotrf(handle, uplo, n, a, lda, work, lwork, info);
    }

    public CusolverStatus Dpotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info)
    {
        Potrs++;
        return inner.Dpotrs(handle, uplo, n, nrhs, a, lda, b, ldb, info);
    }

    public CusolverStatus SsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork) =>
        inner.SsyevdBufferSize(handle, jobz, uplo, n, a, lda, w, out lwork);

    public CusolverStatus Ssyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info)
    {
        Syevd++;
        return inner.Ssyevd(handle, jobz, uplo, n, a, lda, w, work, lwork, info);
    }

    public CusolverStatus SpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork) =>
        inner.SpotrfBufferSize(handle, uplo, n, a, lda, out lwork);

    public CusolverStatus Spotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info)
    {
        Potrf++;
        return inner.Spotrf(handle, uplo, n, a, lda, work, lwork, info);
    }

    public CusolverStatus Spotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info)
    {
        Potrs++;
        return inner.Spotrs(handle, uplo, n, nrhs, a, lda, b, ldb, info);
    }
}
