namespace NtkDsl;

/// <summary>
/// Infrastructure for generated code; not part of the supported API. Implemented by device packages, never called by
/// users. The seam through which a non-CPU
/// <see cref="Device"/> runs the dense float64 linear algebra of the closed-form dynamics, kernel regression and the
/// GP predictors (<c>Dynamics.GradientDescentMse</c>, <c>Regression.KernelRegression</c>, <c>Predict.NngpPredictor</c>,
/// <c>Predict.NtkGpPredictor</c>, each given a <c>device</c>): the symmetric eigendecomposition, the Cholesky factor
/// and solves, and the products (docs/math.md §5, §8). Reached through <see cref="Device.LinearAlgebra"/>; the CPU has
/// none (those classes then use their managed code, unchanged). NtkDsl.Cuda's <c>CudaDevice</c> implements it with
/// cuSOLVER (syevd, potrf, potrs) and cuBLAS (DGEMM).
/// </summary>
/// <remarks>
/// Contract: every matrix is row-major float64 and is not modified; results equal the managed code's to rounding.
/// The callers run the same checks on these results as on the CPU's (indefinite kernels, rank cutoffs, the Cholesky
/// pivot floor), so bad input raises the same exception types. Device failures (out of memory, a library status)
/// surface as the device package's exceptions, naming the call; nothing falls back to the CPU.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface ILinearAlgebraBackend
{
    /// <summary>
    /// Eigendecomposition A = V·diag(w)·Vᵀ of the symmetric n × n matrix <paramref name="symmetric"/> (n² values).
    /// </summary>
    /// <param name="symmetric">The matrix, row-major n × n (symmetric: both triangles are equal).</param>
    /// <param name="n">The order n ≥ 0.</param>
    /// <param name="values">Receives the n eigenvalues, ascending.</param>
    /// <param name="vectors">Receives V, row-major n × n: column j is the unit eigenvector of values[j] (its sign is
    /// arbitrary).</param>
    void SymmetricEigen(double[] symmetric, int n, double[] values, double[] vectors);

    /// <summary>
    /// Cholesky factor of <paramref name="symmetric"/> + ridge·I, or null when the factorization meets a pivot that is
    /// not positive (the matrix is not positive definite). The caller applies its own pivot floor to
    /// <see cref="ICholeskyFactor.MinPivot"/>.
    /// </summary>
    /// <param name="symmetric">The matrix, row-major n × n; only its lower triangle (j ≤ i) is read.</param>
    /// <param name="n">The order n ≥ 0.</param>
    /// <param name="ridge">λ ≥ 0 added to the diagonal.</param>
    ICholeskyFactor? TryCholesky(double[] symmetric, int n, double ridge);

    /// <summary>C = op(A)·op(B), row-major: op(A) m × k, op(B) k × n; returns a new m × n array.</summary>
    /// <param name="transA">Use Aᵀ (A stored k × m).</param>
    /// <param name="transB">Use Bᵀ (B stored n × k).</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="a">A, row-major (m × k, or k × m with <paramref name="transA"/>).</param>
    /// <param name="b">B, row-major (k × n, or n × k with <paramref name="transB"/>).</param>
    double[] Multiply(bool transA, bool transB, int m, int n, int k, double[] a, double[] b);
}

/// <summary>
/// Infrastructure for generated code; not part of the supported API. A Cholesky factor L·Lᵀ = A + λI made by an
/// <see cref="ILinearAlgebraBackend"/>.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface ICholeskyFactor
{
    /// <summary>The order n.</summary>
    int N { get; }

    /// <summary>The smallest pivot, min_i L_ii² (compare with the managed Cholesky's pivot floor).</summary>
    double MinPivot { get; }

    /// <summary>Solves (A + λI)·X = B for B row-major n × <paramref name="columns"/>; returns X row-major (new array).</summary>
    double[] Solve(double[] b, int columns);
}
