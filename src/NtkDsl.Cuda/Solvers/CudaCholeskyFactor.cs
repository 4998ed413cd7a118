using System.Globalization;

namespace NtkDsl.Cuda.Solvers;

/// <summary>
/// A Cholesky factor L·Lᵀ = A + λI made by cusolverDnDpotrf on a <see cref="CudaDevice"/>, kept in host memory
/// (row-major, L in the lower triangle) so that it needs no device memory between solves and no disposal; each
/// <see cref="Solve"/> uploads it with the right-hand sides and runs cusolverDnDpotrs (an O(n²) copy beside the
/// O(n²·columns) solve).
/// </summary>
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
            $"a {N} × {N} Cholesky solve with {columns} right-hand sides (cusolverDnDpotrs needs the factor and the right-hand sides on the device; with less device memory, use Device.Cpu)"), () =>
        {
            using var l = device.Upload<double>(factor);
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
