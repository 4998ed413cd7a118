using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Memory;
using NtkDsl.Regression;

namespace NtkDsl.Cuda;

/// <summary>
/// Dense symmetric solvers on the GPU (cuSOLVER, float64 <c>D</c> and float32 <c>S</c> entry points) with row-major
/// conventions: a symmetric matrix reads the same in both orders, and the row-major lower triangle (j ≤ i) is
/// cuSOLVER's column-major upper one. Used by the linearized dynamics (eigendecomposition, math.md §5) and kernel
/// regression (Cholesky), which solve in float64 (<see cref="Solvers.CudaLinearAlgebra"/>); the float32 overloads serve
/// float32 matrices already on the device, at float32 accuracy (relative errors near 1e-7·κ, with κ the condition number).
/// </summary>
public static class GpuSolver
{
    /// <summary>
    /// Eigen-decomposition of the symmetric n×n matrix in <paramref name="a"/> (only its lower triangle, j ≤ i, is
    /// read): eigenvalues ascending into <paramref name="w"/>; with <paramref name="vectors"/>, row i of
    /// <paramref name="a"/> becomes the unit eigenvector of w[i] (cusolverDnDsyevd). Without vectors the lower triangle
    /// is destroyed.
    /// </summary>
    /// <exception cref="EigensolverNotConvergedException">syevd did not converge (devInfo &gt; 0).</exception>
    /// <exception cref="CudaException">cuSOLVER returned an error status or reported an invalid argument.</exception>
    /// <exception cref="ArgumentException">A view is too short for n and its leading dimension, or lies on another device.</exception>
    public static void SymmetricEigen(DeviceMemory<double> a, int n, int lda, DeviceMemory<double> w, bool vectors = true) =>
        Eigen(a, n, lda, w, vectors);

    /// <summary>The float32 <see cref="SymmetricEigen(DeviceMemory{double}, int, int, DeviceMemory{double}, bool)"/> (cusolverDnSsyevd).</summary>
    /// <exception cref="EigensolverNotConvergedException">syevd did not converge (devInfo &gt; 0).</exception>
    /// <exception cref="CudaException">cuSOLVER returned an error status or reported an invalid argument.</exception>
    /// <exception cref="ArgumentException">A view is too short for n and its leading dimension, or lies on another device.</exception>
    public static void SymmetricEigen(DeviceMemory<float> a, int n, int lda, DeviceMemory<float> w, bool vectors = true) =>
        Eigen(a, n, lda, w, vectors);

    /// <summary>
    /// Cholesky factor of the symmetric positive-definite n×n matrix in <paramref name="a"/>: on exit its lower
    /// triangle (j ≤ i) holds L with A = L·Lᵀ; the strictly upper part is not touched (cusolverDnDpotrf).
    /// </summary>
    /// <exception cref="KernelNotPositiveDefiniteException">The leading minor of some order is not positive definite.</exception>
    /// <exception cref="CudaException">cuSOLVER returned an error status or reported an invalid argument.</exception>
    public static void Cholesky(DeviceMemory<double> a, int n, int lda) => Factor(a, n, lda);

    /// <summary>The float32 <see cref="Cholesky(DeviceMemory{double}, int, int)"/> (cusolverDnSpotrf).</summary>
    /// <exception cref="KernelNotPositiveDefiniteException">The leading minor of some order is not positive definite in float32.</exception>
    /// <exception cref="CudaException">cuSOLVER returned an error status or reported an invalid argument.</exception>
    public static void Cholesky(DeviceMemory<float> a, int n, int lda) => Factor(a, n, lda);

    /// <summary>
    /// Solves A·X = B with the factor from <see cref="Cholesky(DeviceMemory{double}, int, int)"/>: <paramref name="rhs"/>
    /// holds <paramref name="nrhs"/> right-hand sides as rows of length n (row r starts at r·<paramref name="ldRhs"/>),
    /// overwritten by the solutions (cusolverDnDpotrs).
    /// </summary>
    /// <exception cref="CudaException">cuSOLVER returned an error status or reported an invalid argument.</exception>
    public static void CholeskySolve(DeviceMemory<double> factor, int n, int lda, DeviceMemory<double> rhs, int nrhs, int ldRhs) =>
        Solve(factor, n, lda, rhs, nrhs, ldRhs);

    /// <summary>The float32 <see cref="CholeskySolve(DeviceMemory{double}, int, int, DeviceMemory{double}, int, int)"/> (cusolverDnSpotrs).</summary>
    /// <exception cref="CudaException">cuSOLVER returned an error status or reported an invalid argument.</exception>
    public static void CholeskySolve(DeviceMemory<float> factor, int n, int lda, DeviceMemory<float> rhs, int nrhs, int ldRhs) =>
        Solve(factor, n, lda, rhs, nrhs, ldRhs);

    private static bool IsDouble<T>() => typeof(T) == typeof(double);

    private static string Name<T>(string routine) => "cusolverDn" + (IsDouble<T>() ? "D" : "S") + routine;

    private static void Eigen<T>(DeviceMemory<T> a, int n, int lda, DeviceMemory<T> w, bool vectors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dev = Check(a, n, lda, "a");
        SameDevice.Check(dev, w.Buffer, "w");
        if (w.Length < n) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"w has {w.Length} elements; the eigenvalues need {n}."), nameof(w));
        if (n == 0) return;
        var jobz = vectors ? EigMode.Vector : EigMode.NoVector;
        var s = dev.Backend.Cusolver;
        string call = Name<T>("syevd");
        int lwork;
        CudaCheck.Cusolver(IsDouble<T>()
            ? s.DsyevdBufferSize(dev.CusolverHandle, jobz, CublasFill.Upper, n, a.Pointer, lda, w.Pointer, out lwork)
            : s.SsyevdBufferSize(dev.CusolverHandle, jobz, CublasFill.Upper, n, a.Pointer, lda, w.Pointer, out lwork), call + "_bufferSize");
        using var work = dev.Allocate<T>(Math.Max(1, lwork));
        using var info = dev.Allocate<int>(1);
        CudaCheck.Cusolver(IsDouble<T>()
            ? s.Dsyevd(dev.CusolverHandle, jobz, CublasFill.Upper, n, a.Pointer, lda, w.Pointer, work.Pointer, lwork, info.Pointer)
            : s.Ssyevd(dev.CusolverHandle, jobz, CublasFill.Upper, n, a.Pointer, lda, w.Pointer, work.Pointer, lwork, info.Pointer), call);
        int i = ReadInfo(info);
        if (i < 0) throw InvalidArgument(call, i);
        if (i > 0) throw new EigensolverNotConvergedException(call, n, i);
    }

    private static void Factor<T>(DeviceMemory<T> a, int n, int lda) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dev = Check(a, n, lda, "a");
        if (n == 0) return;
        var s = dev.Backend.Cusolver;
        string call = Name<T>("potrf");
        int lwork;
        CudaCheck.Cusolver(IsDouble<T>()
            ? s.DpotrfBufferSize(dev.CusolverHandle, CublasFill.Upper, n, a.Pointer, lda, out lwork)
            : s.SpotrfBufferSize(dev.CusolverHandle, CublasFill.Upper, n, a.Pointer, lda, out lwork), call + "_bufferSize");
        using var work = dev.Allocate<T>(Math.Max(1, lwork));
        using var info = dev.Allocate<int>(1);
        CudaCheck.Cusolver(IsDouble<T>()
            ? s.Dpotrf(dev.CusolverHandle, CublasFill.Upper, n, a.Pointer, lda, work.Pointer, lwork, info.Pointer)
            : s.Spotrf(dev.CusolverHandle, CublasFill.Upper, n, a.Pointer, lda, work.Pointer, lwork, info.Pointer), call);
        int i = ReadInfo(info);
        if (i < 0) throw InvalidArgument(call, i);
        if (i > 0)
            throw new KernelNotPositiveDefiniteException(string.Create(CultureInfo.InvariantCulture,
                $"The matrix is not positive definite: its leading minor of order {i} is not ({call}). Add a ridge (λ·I) or check for duplicated inputs."));
    }

    private static void Solve<T>(DeviceMemory<T> factor, int n, int lda, DeviceMemory<T> rhs, int nrhs, int ldRhs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dev = Check(factor, n, lda, "factor");
        SameDevice.Check(dev, rhs.Buffer, "rhs");
        ArgumentOutOfRangeException.ThrowIfNegative(nrhs);
        if (ldRhs < Math.Max(1, n)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ldRhs = {ldRhs} is below the system size {n}."), nameof(ldRhs));
        long need = nrhs == 0 || n == 0 ? 0 : (long)(nrhs - 1) * ldRhs + n;
        if (rhs.Length < need) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"rhs needs {need} elements for {nrhs} right-hand sides of {n}; it has {rhs.Length}."), nameof(rhs));
        if (n == 0 || nrhs == 0) return;
        using var info = dev.Allocate<int>(1);
        var s = dev.Backend.Cusolver;
        string call = Name<T>("potrs");
        CudaCheck.Cusolver(IsDouble<T>()
            ? s.Dpotrs(dev.CusolverHandle, CublasFill.Upper, n, nrhs, factor.Pointer, lda, rhs.Pointer, ldRhs, info.Pointer)
            : s.Spotrs(dev.CusolverHandle, CublasFill.Upper, n, nrhs, factor.Pointer, lda, rhs.Pointer, ldRhs, info.Pointer), call);
        int i = ReadInfo(info);
        if (i != 0) throw InvalidArgument(call, i);
    }

    private static CudaException InvalidArgument(string call, int info) =>
        new(call, "devInfo " + info.ToString(CultureInfo.InvariantCulture), info, $"Argument {-info} is invalid.");

    private static CudaDevice Check<T>(DeviceMemory<T> a, int n, int lda, string name) where T : unmanaged
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
