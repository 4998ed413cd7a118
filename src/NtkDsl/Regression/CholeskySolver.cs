using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace NtkDsl.Regression;

/// <summary>
/// Cholesky factorization of K + λI with solves for many right-hand sides. MathNet.Numerics 5 is used for the same
/// reasons as in <see cref="SymmetricEigen"/>: served here, widely tested, double precision.
/// A factorization whose smallest pivot is below the n·ε·max diag rounding floor is treated as a failure too:
/// MathNet only rejects non-positive pivots, and a tiny positive one would give a solution of pure rounding noise.
/// </summary>
internal sealed class CholeskySolver
{
    private readonly Cholesky<double> _cholesky;

    private CholeskySolver(int n, Cholesky<double> cholesky)
    {
        N = n;
        _cholesky = cholesky;
    }

    /// <summary>Matrix order.</summary>
    public int N { get; }

    /// <summary>
    /// Factors K + ridge·I (K symmetric row-major n × n) or throws <see cref="KernelNotPositiveDefiniteException"/>
    /// with the smallest ridge that would work, computed from the eigenvalues of K
    /// (<paramref name="eigen"/> when the caller already has them).
    /// </summary>
    public static CholeskySolver Factor(double[] kernel, int n, double ridge, string owner, SymmetricEigen? eigen = null)
    {
        var a = (double[])kernel.Clone();
        double maxDiag = 0;
        for (int i = 0; i < n; i++)
        {
            a[i * n + i] += ridge;
            maxDiag = Math.Max(maxDiag, a[i * n + i]);
        }
        Exception? inner = null;
        try
        {
            var chol = Matrix<double>.Build.DenseOfColumnMajor(n, n, a).Cholesky();
            var l = chol.Factor;
            double minPivot = double.PositiveInfinity;
            for (int i = 0; i < n; i++) minPivot = Math.Min(minPivot, l[i, i] * l[i, i]);
            if (minPivot > SymmetricEigen.PositivityFloor(n, maxDiag)) return new CholeskySolver(n, chol);
        }
        catch (ArgumentException ex)
        {
            inner = ex;
        }
        throw NotPositiveDefinite(owner, ridge, eigen ?? SymmetricEigen.Of(kernel, n), inner);
    }

    /// <summary>The error naming the smallest eigenvalue of K and the smallest ridge that works.</summary>
    public static KernelNotPositiveDefiniteException NotPositiveDefinite(string owner, double ridge, SymmetricEigen eigen, Exception? inner = null)
    {
        double suggested = eigen.SmallestSafeRidge();
        string message = string.Create(CultureInfo.InvariantCulture,
            $"{owner}: kernel + ridge·I is not positive definite for ridge = {ridge:G6}: the smallest eigenvalue of the kernel is {eigen.Min:G6} (largest {eigen.Max:G6}), so K + ridge·I is singular or indefinite to working precision. Use ridge ≥ {suggested:G6} (the smallest value that makes K + ridge·I positive definite, plus a 1e-8·‖K‖ margin, rounded up to 3 significant digits), or check that the kernel was computed correctly.");
        return new KernelNotPositiveDefiniteException(message, ridge, eigen.Min, suggested, inner);
    }

    /// <summary>Solves (K + λI) X = B for B row-major n × columns; returns X row-major.</summary>
    public double[] Solve(double[] b, int columns)
    {
        var rhs = Matrix<double>.Build.DenseOfRowMajor(N, columns, b);
        return _cholesky.Solve(rhs).ToRowMajorArray();
    }
}
