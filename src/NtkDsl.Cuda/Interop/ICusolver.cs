namespace NtkDsl.Cuda.Interop;

/// <summary>
/// The cuSOLVER dense entry points NtkDsl uses (float64 <c>D</c> and float32 <c>S</c>; the S calls take the same
/// arguments with float32 arrays and workspace), column-major. <c>info</c> is a device pointer to one int:
/// 0 = success, −i = the i-th argument (not counting the handle) is wrong, i &gt; 0 = a numerical failure
/// (potrf: the leading minor of order i is not positive definite; syevd: i off-diagonal elements did not converge).
/// </summary>
public interface ICusolver
{
    /// <summary>cusolverDnCreate.</summary>
    CusolverStatus Create(out IntPtr handle);
    /// <summary>cusolverDnDestroy.</summary>
    CusolverStatus Destroy(IntPtr handle);
    /// <summary>cusolverDnSetStream.</summary>
    CusolverStatus SetStream(IntPtr handle, IntPtr stream);
    /// <summary>cusolverDnDsyevd_bufferSize.</summary>
    CusolverStatus DsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork);
    /// <summary>cusolverDnDsyevd: eigenvalues (ascending) into W, eigenvectors (columns) over A when jobz = Vector.</summary>
    CusolverStatus Dsyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info);
    /// <summary>cusolverDnDpotrf_bufferSize.</summary>
    CusolverStatus DpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork);
    /// <summary>cusolverDnDpotrf: A = L·Lᵀ (Lower) or Uᵀ·U (Upper), factor over the referenced triangle.</summary>
    CusolverStatus Dpotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info);
    /// <summary>cusolverDnDpotrs: solves A·X = B with the potrf factor; X over B (n×nrhs).</summary>
    CusolverStatus Dpotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info);
    /// <summary>cusolverDnSsyevd_bufferSize (lwork in float32 elements).</summary>
    CusolverStatus SsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork);
    /// <summary>cusolverDnSsyevd: the float32 <see cref="Dsyevd"/>.</summary>
    CusolverStatus Ssyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info);
    /// <summary>cusolverDnSpotrf_bufferSize (lwork in float32 elements).</summary>
    CusolverStatus SpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork);
    /// <summary>cusolverDnSpotrf: the float32 <see cref="Dpotrf"/>.</summary>
    CusolverStatus Spotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info);
    /// <summary>cusolverDnSpotrs: the float32 <see cref="Dpotrs"/>.</summary>
    CusolverStatus Spotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info);
}
