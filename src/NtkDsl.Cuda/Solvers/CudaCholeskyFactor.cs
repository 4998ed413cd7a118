using System.Globalization;

namespace NtkDsl.Cuda.Solvers;

/// <summary>
/// A Cholesky factor L·Lᵀ = A + λI made by cusolverDnDpotrf on a <see cref="CudaDevice"/>. The factor is kept in host
/// memory (row-major, L in the lower triangle) and also stays resident on the device where potrf left it
/// (<see cref="ResidentFactors"/>: one factor per device), so repeated solves with the same factor (a fit, then its
/// predictions) upload only their right-hand sides and run cusolverDnDpotrs. Factoring or solving with another factor on
/// the same device, an out-of-memory retry or the device's disposal evicts the device copy; the next solve uploads it
/// again from the host copy. Needs no disposal.
/// </summary>
/// <remarks>Not thread-safe (like its device).</remarks>
internal sealed class CudaCholeskyFactor(CudaDevice device, int n, double[] factor, double minPivot) : ICholeskyFactor
{
    /// <inheritdoc />
    public int N { get; } = n;

    /// <inheritdoc />
    public double MinPivot { get; } = minPivot;

    /// <inheritdoc />
    /// <exception cref="CudaException">cusolverDnDpotrs failed.</exception>
    /// <exception cref="CudaOutOfMemoryException">The factor and the right-hand sides do not fit.</exception>
    public double[] Solve(double[] b, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        CudaLinearAlgebra.CheckLength(b, (long)N * columns, nameof(b));
        if (N == 0 || columns == 0) return new double[b.Length];
        // potrs takes the right-hand sides as rows of length n: Bᵀ (columns × n), and gives Xᵀ back.
        var rhs = new double[b.Length];
        for (int i = 0; i < N; i++)
            for (int c = 0; c < columns; c++) rhs[(long)c * N + i] = b[(long)i * columns + c];
        OutOfMemory.Describe(device, string.Create(CultureInfo.InvariantCulture,
            $"a {N} × {N} Cholesky solve with {columns} right-hand sides (cusolverDnDpotrs needs the factor and the right-hand sides on the device)"), () =>
        {
            var l = ResidentFactors.Of(device).Get(this, factor);
            using var x = device.Upload<double>(rhs);
            GpuSolver.CholeskySolve(l, N, N, x, columns, N);
            x.CopyTo(rhs);
            return true;
        });
        var result = new double[b.Length];
        for (int i = 0; i < N; i++)
            for (int c = 0; c < columns; c++) result[(long)i * columns + c] = rhs[(long)c * N + i];
        return result;
    }
}
