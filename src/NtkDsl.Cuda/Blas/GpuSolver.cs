using System.Globalization;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Memory;
using NtkDsl.Regression;

namespace NtkDsl.Cuda;

/// <summary>
/// Dense symmetric solvers on the GPU (cuSOLVER, float64) with row-major conventions: a symmetric matrix reads the
/// same in both orders, and the row-major lower triangle (j ≤ i) is cuSOLVER's column-major upper one.
/// Used by the linearized dynamics (eigendecomposition, math.md §5) and kernel regression (Cholesky).
/// </summary>
public static class GpuSolver
{
    /// <summary>
    /// Eigen-decomposition of the symmetric n×n matrix in <paramref name="a"/> (only its lower triangle, j ≤ i, is
    /// read): eigenvalues ascending into <paramref name="w"/>; with <paramref name="vectors"/>, row i of
    /// <paramref name="a"/> becomes the unit eigenvector of w[i] (cusolverDnDsyevd). Without vectors the lower triangle
    /// is destroyed.
    /// </summary>
    /// <exception cref="CudaException">cuSOLVER failed or did not converge (info &gt; 0).</exception>
    public static void SymmetricEigen(DeviceMemory<double> a, int n, int lda, DeviceMemory<double> w, bool vectors = true)
    {
        var dev = Check(a, n, lda, "a");
        SameDevice.Check(dev, w.Buffer, "w");
        if (w.Length < n) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"w has {w.Length} elements; the eigenvalues need {n}."), nameof(w));
        if (n == 0) return;
        var jobz = vectors ? EigMode.Vector : EigMode.NoVector;
        var s = dev.Backend.Cusolver;
        CudaCheck.Cusolver(s.DsyevdBufferSize(dev.CusolverHandle, jobz, CublasFill.Upper, n, a.Pointer, lda, w.Pointer, out int lwork), "cusolverDnDsyevd_bufferSize");
        using var work = dev.Allocate<double>(Math.Max(1, lwork));
        using var info = dev.Allocate<int>(1);
        CudaCheck.Cusolver(s.Dsyevd(dev.CusolverHandle, jobz, CublasFill.Upper, n, a.Pointer, lda, w.Pointer, work.Pointer, lwork, info.Pointer), "cusolverDnDsyevd");
        int i = ReadInfo(info);
        if (i < 0) throw new CudaException("cusolverDnDsyevd", "devInfo " + i.ToString(CultureInfo.InvariantCulture), i, $"Argument {-i} is invalid.");
        if (i > 0) throw new CudaException("cusolverDnDsyevd", "devInfo " + i.ToString(CultureInfo.InvariantCulture), i, $"The eigensolver did not converge ({i} off-diagonal elements); check the matrix for NaN or infinity.");
    }

    /// <summary>
    /// Cholesky factor of the symmetric positive-definite n×n matrix in <paramref name="a"/>: on exit its lower
    /// triangle (j ≤ i) holds L with A = L·Lᵀ; the strictly upper part is not touched (cusolverDnDpotrf).
    /// </summary>
    /// <exception cref="KernelNotPositiveDefiniteException">The leading minor of some order is not positive definite.</exception>
    public static void Cholesky(DeviceMemory<double> a, int n, int lda)
    {
        var dev = Check(a, n, lda, "a");
        if (n == 0) return;
        var s = dev.Backend.Cusolver;
        CudaCheck.Cusolver(s.DpotrfBufferSize(dev.CusolverHandle, CublasFill.Upper, n, a.Pointer, lda, out int lwork), "cusolverDnDpotrf_bufferSize");
        using var work = dev.Allocate<double>(Math.Max(1, lwork));
        using var info = dev.Allocate<int>(1);
        CudaCheck.Cusolver(s.Dpotrf(dev.CusolverHandle, CublasFill.Upper, n, a.Pointer, lda, work.Pointer, lwork, info.Pointer), "cusolverDnDpotrf");
        int i = ReadInfo(info);
        if (i < 0) throw new CudaException("cusolverDnDpotrf", "devInfo " + i.ToString(CultureInfo.InvariantCulture), i, $"Argument {-i} is invalid.");
        if (i > 0)
            throw new KernelNotPositiveDefiniteException(string.Create(CultureInfo.InvariantCulture,
                $"The matrix is not positive definite: its leading minor of order {i} is not (cusolverDnDpotrf). Add a ridge (λ·I) or check for duplicated inputs."));
    }

    /// <summary>
    /// Solves A·X = B with the factor from <see cref="Cholesky"/>: <paramref name="rhs"/> holds <paramref name="nrhs"/>
    /// right-hand sides as rows of length n (row r starts at r·<paramref name="ldRhs"/>), overwritten by the solutions
    /// (cusolverDnDpotrs).
    /// </summary>
    public static void CholeskySolve(DeviceMemory<double> factor, int n, int lda, DeviceMemory<double> rhs, int nrhs, int ldRhs)
    {
        var dev = Check(factor, n, lda, "factor");
        SameDevice.Check(dev, rhs.Buffer, "rhs");
        ArgumentOutOfRangeException.ThrowIfNegative(nrhs);
        if (ldRhs < Math.Max(1, n)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ldRhs = {ldRhs} is below the system size {n}."), nameof(ldRhs));
        long need = nrhs == 0 || n == 0 ? 0 : (long)(nrhs - 1) * ldRhs + n;
        if (rhs.Length < need) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"rhs needs {need} elements for {nrhs} right-hand sides of {n}; it has {rhs.Length}."), nameof(rhs));
        if (n == 0 || nrhs == 0) return;
        using var info = dev.Allocate<int>(1);
        CudaCheck.Cusolver(dev.Backend.Cusolver.Dpotrs(dev.CusolverHandle, CublasFill.Upper, n, nrhs, factor.Pointer, lda, rhs.Pointer, ldRhs, info.Pointer), "cusolverDnDpotrs");
        int i = ReadInfo(info);
        if (i != 0) throw new CudaException("cusolverDnDpotrs", "devInfo " + i.ToString(CultureInfo.InvariantCulture), i, $"Argument {-i} is invalid.");
    }

    private static CudaDevice Check(DeviceMemory<double> a, int n, int lda, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var dev = a.Device;
        SameDevice.Check(dev, a.Buffer, name);
        if (lda < Math.Max(1, n)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"lda = {lda} is below n = {n}; pass lda ≥ {Math.Max(1, n)}."), nameof(lda));
        long need = n == 0 ? 0 : (long)(n - 1) * lda + n;
        if (a.Length < need) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} is {n}×{n} with leading dimension {lda} and needs {need} elements; its device view has {a.Length}."), name);
        dev.MakeCurrent();
        return dev;
    }

    private static int ReadInfo(DeviceBuffer<int> info)
    {
        Span<int> v = stackalloc int[1];
        info.CopyTo(v);
        return v[0];
    }
}
