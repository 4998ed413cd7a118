using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Regression;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// The blocked Cholesky against MathNet.Numerics' factorization, solve and inverse, and against explicit dense
/// references (L·Lᵀ by the triple loop, Gaussian elimination), for sizes below, at and across block edges.
/// </summary>
public sealed class BlockedCholeskyTests
{
    /// <summary>A well-conditioned SPD matrix: X Xᵀ/d + 0.1 (rank ≤ d) plus 0.5·I.</summary>
    private static double[] Spd(int n, long seed) => DenseReference.AddRidge(DenseReference.RandomPsd(n, Math.Max(1, n / 2), seed), n, 0.5);

    private static Matrix<double> M(double[] a, int n) => Matrix<double>.Build.DenseOfRowMajor(n, n, a);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65)]
    [InlineData(300)]
    [InlineData(700)]
    public void FactorMatchesMathNetAndReconstructsTheMatrix(int n)
    {
        double[] a = Spd(n, 300 + n);
        var chol = BlockedCholesky.TryFactor((double[])a.Clone(), n);
        Assert.NotNull(chol);
        double[] l = chol.Factor;
        double[] reference = M(a, n).Cholesky().Factor.ToRowMajorArray();
        double scale = DenseReference.MaxAbs(reference);
        for (int i = 0; i < n * n; i++) Assert.True(Math.Abs(l[i] - reference[i]) <= 1e-11 * scale, $"L[{i / n},{i % n}] = {l[i]} vs MathNet {reference[i]}");
        var lt = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) lt[j * n + i] = l[i * n + j];
        double[] llt = DenseReference.Multiply(l, n, n, lt, n);
        double aScale = DenseReference.MaxAbs(a);
        for (int i = 0; i < n * n; i++) Assert.True(Math.Abs(llt[i] - a[i]) <= 1e-12 * n * aScale, $"(L·Lᵀ)[{i / n},{i % n}] = {llt[i]} vs {a[i]}");
        double minPivot = Enumerable.Range(0, n).Min(i => reference[i * n + i] * reference[i * n + i]);
        Assert.Equal(minPivot, chol.MinPivot, 1e-10 * minPivot);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65)]
    [InlineData(300)]
    [InlineData(700)]
    public void SolveMatchesMathNetAndGaussianElimination(int n)
    {
        double[] a = Spd(n, 400 + n);
        const int columns = 3;
        double[] b = DenseReference.Normal(n * columns, 500 + n);
        double[] x = BlockedCholesky.TryFactor((double[])a.Clone(), n)!.Solve(b, columns);
        double[] mathNet = M(a, n).Cholesky().Solve(Matrix<double>.Build.DenseOfRowMajor(n, columns, b)).ToRowMajorArray();
        double[] gauss = DenseReference.Solve(a, n, b, columns);
        double scale = DenseReference.MaxAbs(gauss);
        for (int i = 0; i < n * columns; i++)
        {
            Assert.True(Math.Abs(x[i] - mathNet[i]) <= 1e-10 * scale, $"x[{i}] = {x[i]} vs MathNet {mathNet[i]}");
            Assert.True(Math.Abs(x[i] - gauss[i]) <= 1e-10 * scale, $"x[{i}] = {x[i]} vs elimination {gauss[i]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65)]
    [InlineData(300)]
    [InlineData(700)]
    public void InverseDiagonalMatchesMathNetInverseAndUnitVectorSolves(int n)
    {
        double[] a = Spd(n, 600 + n);
        double[] diag = BlockedCholesky.TryFactor((double[])a.Clone(), n)!.InverseDiagonal();
        var inverse = M(a, n).Inverse();
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(diag[i] - inverse[i, i]) <= 1e-10 * Math.Abs(inverse[i, i]), $"diag[{i}] = {diag[i]} vs MathNet {inverse[i, i]}");
        // Independent of MathNet: (A^{-1})_ii = e_iᵀ x for A x = e_i, on a few rows spread over the blocks.
        foreach (int i in new[] { 0, n / 3, n / 2, n - 1 }.Distinct())
        {
            var e = new double[n];
            e[i] = 1;
            double reference = DenseReference.Solve(a, n, e, 1)[i];
            Assert.True(Math.Abs(diag[i] - reference) <= 1e-10 * Math.Abs(reference), $"diag[{i}] = {diag[i]} vs elimination {reference}");
        }
    }

    [Fact]
    public void IllConditionedKernelStillMatchesMathNet()
    {
        // RBF kernel on 1-d points with a small ridge, across several blocks: entries ≤ 1 so ‖A‖ ≤ n + ridge and
        // κ ≤ (n + ridge)/ridge ≈ 4.5e8. Inverse entries computed by any backward-stable method carry relative
        // errors up to about κ·ε ≈ 1e-7; both sides are compared within 50·κ·ε.
        const int n = 450;
        const double ridge = 1e-6;
        double[] pts = DenseReference.Normal(n, 41);
        double[] a = DenseReference.AddRidge(DenseReference.Rbf(pts, pts, 0.3), n, ridge);
        double tolerance = 50 * (n + ridge) / ridge * 2.220446049250313e-16;
        double[] b = DenseReference.Normal(n, 42);
        var chol = BlockedCholesky.TryFactor((double[])a.Clone(), n)!;
        var mn = M(a, n).Cholesky();
        double[] x = chol.Solve(b, 1);
        double[] reference = mn.Solve(Vector<double>.Build.DenseOfArray(b)).ToArray();
        // Both are backward stable; compare residuals rather than solutions of an ill-conditioned system.
        double[] ax = DenseReference.Multiply(a, n, n, x, 1), ar = DenseReference.Multiply(a, n, n, reference, 1);
        double res = 0, resRef = 0;
        for (int i = 0; i < n; i++)
        {
            res = Math.Max(res, Math.Abs(ax[i] - b[i]));
            resRef = Math.Max(resRef, Math.Abs(ar[i] - b[i]));
        }
        Assert.True(res <= Math.Max(100 * resRef, 1e-9 * DenseReference.MaxAbs(x)), $"residual {res} vs MathNet's {resRef}");
        double[] diag = chol.InverseDiagonal();
        var inverse = M(a, n).Inverse();
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(diag[i] - inverse[i, i]) <= tolerance * Math.Abs(inverse[i, i]), $"diag[{i}] = {diag[i]} vs MathNet {inverse[i, i]}");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(65)]
    [InlineData(300)]
    public void IndefiniteAndSingularMatricesAreRejected(int n)
    {
        var spectrum = Enumerable.Range(0, n).Select(i => 1.0 + i).ToArray();
        spectrum[n / 2] = -0.3;
        double[] indefinite = DenseReference.WithSpectrum(spectrum, 700 + n);
        Assert.Null(BlockedCholesky.TryFactor((double[])indefinite.Clone(), n));
        Assert.Null(CholeskySolver.TryFactor(indefinite, n, 0.2));
        Assert.NotNull(CholeskySolver.TryFactor(indefinite, n, 0.4));
        // Rank-deficient PSD (rank 3): the pivots fall to rounding level, below the n·ε·max diag floor.
        double[] singular = DenseReference.RandomPsd(n, 3, 800 + n);
        if (n > 4) Assert.Null(CholeskySolver.TryFactor(singular, n, 0.0));
    }
}
