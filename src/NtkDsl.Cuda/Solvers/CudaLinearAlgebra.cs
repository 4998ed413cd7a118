using System.Globalization;
using NtkDsl.Cuda.Memory;
using NtkDsl.Kernels;
using NtkDsl.Regression;

namespace NtkDsl.Cuda.Solvers;

/// <summary>
/// <see cref="ILinearAlgebraBackend"/> of a <see cref="CudaDevice"/>: the dense float64 linear algebra of
/// <c>GradientDescentMse</c>, <c>KernelRegression</c> and the GP predictors given <c>device: gpu</c>, on cuSOLVER
/// (<c>cusolverDnDsyevd</c>, <c>cusolverDnDpotrf</c>/<c>potrs</c> through <see cref="GpuSolver"/>) and cuBLAS
/// (<c>cublasDgemm_v2</c> through <see cref="GpuBlas"/>), every status checked there. Each call uploads its operands,
/// runs on the device's stream and downloads the result into host memory; the device buffers go back to the pool
/// when the call returns, except a Cholesky factor, which stays resident for its solves (<see cref="ResidentFactors"/>).
/// A matrix that does not fit on the device is a <see cref="CudaOutOfMemoryException"/> naming the operation, the sizes
/// and what the user can do (<see cref="OutOfMemory.SolverTip"/>); nothing is computed on the CPU instead.
/// <para>Precision: float64 throughout (cusolverDnDsyevd/Dpotrf/Dpotrs, cublasDgemm_v2), also for float32 kernels, which
/// the callers widen to float64 exactly as on the CPU. This is deliberate: the dynamics and regression divide by
/// eigenvalues and pivots of kernels whose condition numbers routinely exceed float32's 1/ε ≈ 1.7e7, where a float32
/// solve has no correct digits left. The float32 solvers (<c>cusolverDnSsyevd/Spotrf/Spotrs</c>) are available for
/// float32 matrices already on the device through <see cref="GpuSolver"/>'s float32 overloads.</para>
/// </summary>
/// <remarks>Not thread-safe (like its device): use it from one thread at a time.</remarks>
internal sealed class CudaLinearAlgebra(CudaDevice device) : ILinearAlgebraBackend
{
    /// <summary>The device this backend runs on.</summary>
    public CudaDevice Device { get; } = device;

    /// <inheritdoc />
    /// <exception cref="EigensolverNotConvergedException">cusolverDnDsyevd did not converge (devInfo &gt; 0).</exception>
    /// <exception cref="CudaException">cusolverDnDsyevd failed.</exception>
    /// <exception cref="CudaOutOfMemoryException">The n × n matrix and the solver's workspace do not fit.</exception>
    public void SymmetricEigen(double[] symmetric, int n, double[] values, double[] vectors)
    {
        CheckSquare(symmetric, n, nameof(symmetric));
        CheckLength(values, n, nameof(values));
        CheckLength(vectors, (long)n * n, nameof(vectors));
        if (n == 0) return;
        var sorted = OutOfMemory.Describe(Device, string.Create(CultureInfo.InvariantCulture,
            $"the {n} × {n} symmetric eigendecomposition (cusolverDnDsyevd needs the matrix and a workspace of about 2·n² float64 on the device)"), () =>
        {
            using var a = Device.Upload<double>(symmetric);
            using var w = Device.Allocate<double>(n);
            GpuSolver.SymmetricEigen(a, n, n, w, vectors: true);
            w.CopyTo(values);
            return a.ToArray(); // row i: the unit eigenvector of values[i]
        });
        // The core's layout: column j of the row-major V is eigenvector j.
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) vectors[(long)j * n + i] = sorted[(long)i * n + j];
    }

    /// <inheritdoc />
    /// <exception cref="CudaException">A cuSOLVER status other than success, or an invalid argument reported by devInfo.</exception>
    /// <exception cref="CudaOutOfMemoryException">The n × n matrix does not fit.</exception>
    public ICholeskyFactor? TryCholesky(double[] symmetric, int n, double ridge)
    {
        CheckSquare(symmetric, n, nameof(symmetric));
        if (!double.IsFinite(ridge) || ridge < 0)
            throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "The ridge must be a finite number ≥ 0.");
        var shifted = (double[])symmetric.Clone();
        for (int i = 0; i < n; i++) shifted[(long)i * n + i] += ridge;
        if (n == 0) return new CudaCholeskyFactor(Device, 0, shifted, double.PositiveInfinity);
        var (factor, onDevice) = OutOfMemory.Describe(Device, string.Create(CultureInfo.InvariantCulture,
            $"the {n} × {n} Cholesky factorization (cusolverDnDpotrf needs the matrix and an n-element workspace on the device)"), () =>
        {
            var a = Device.Upload<double>(shifted);
            try
            {
                GpuSolver.Cholesky(a, n, n);
                return (a.ToArray(), a);
            }
            catch (KernelNotPositiveDefiniteException)
            {
                a.Dispose();
                return ((double[]?)null, (DeviceBuffer<double>?)null); // devInfo > 0: the caller words the error
            }
            catch
            {
                a.Dispose();
                throw;
            }
        });
        if (factor is null) return null;
        double minPivot = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
        {
            double l = factor[(long)i * n + i];
            minPivot = Math.Min(minPivot, double.IsFinite(l) ? l * l : double.NaN);
            if (double.IsNaN(minPivot)) break;
        }
        var result = new CudaCholeskyFactor(Device, n, factor, minPivot);
        ResidentFactors.Of(Device).Adopt(result, onDevice!); // the factor potrf left on the device serves the first solves
        return result;
    }

    /// <inheritdoc />
    /// <exception cref="CudaException">cublasDgemm_v2 failed.</exception>
    /// <exception cref="CudaOutOfMemoryException">The three operands do not fit.</exception>
    public double[] Multiply(bool transA, bool transB, int m, int n, int k, double[] a, double[] b)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckLength(a, (long)m * k, nameof(a));
        CheckLength(b, (long)k * n, nameof(b));
        var c = new double[(long)m * n];
        if (c.Length == 0 || k == 0) return c;
        return OutOfMemory.Describe(Device, string.Create(CultureInfo.InvariantCulture,
            $"the operands of a {m} × {k} by {k} × {n} float64 product (cublasDgemm_v2 needs all three matrices on the device)"), () =>
        {
            using var da = Device.Upload<double>(a);
            using var db = Device.Upload<double>(b);
            using var dc = Device.Allocate<double>(c.Length);
            GpuBlas.Gemm(transA ? Transpose.Yes : Transpose.No, transB ? Transpose.Yes : Transpose.No, m, n, k, 1.0,
                da, transA ? m : k, db, transB ? k : n, 0.0, dc, n);
            dc.CopyTo(c);
            return c;
        });
    }

    private static void CheckSquare(double[] a, int n, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        CheckLength(a, (long)n * n, name);
    }

    internal static void CheckLength(double[] a, long length, string name)
    {
        ArgumentNullException.ThrowIfNull(a, name);
        if (a.Length != length)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} has {a.Length} elements; the operation needs exactly {length}."), name);
    }
}
