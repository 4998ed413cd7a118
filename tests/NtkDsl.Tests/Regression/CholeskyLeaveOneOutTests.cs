using NtkDsl.Regression;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// Leave-one-out by one blocked Cholesky per ridge (used from <see cref="RidgeSelection.CholeskyCrossover"/> rows on)
/// against the eigendecomposition path it replaces, against explicit refits, and the not-positive-definite errors.
/// </summary>
public sealed class CholeskyLeaveOneOutTests
{
    private const int N = 450;

    private static (double[] K, double[] Y) Problem(long seed)
    {
        double[] x = DenseReference.Normal(N, seed);
        double[] k = DenseReference.Rbf(x, x, 0.7);
        var y = new double[N * 2];
        double[] noise = DenseReference.Normal(N * 2, seed + 1, 0.1);
        for (int i = 0; i < N; i++)
        {
            y[i * 2] = Math.Sin(2 * x[i]) + noise[i * 2];
            y[i * 2 + 1] = x[i] * x[i] + noise[i * 2 + 1];
        }
        return (k, y);
    }

    [Fact]
    public void CrossoverIsBelowTheTestSize() => Assert.True(N >= RidgeSelection.CholeskyCrossover);

    [Fact]
    public void ScoresEqualTheEigenPath()
    {
        var (k, y) = Problem(11);
        double[] grid = [1e-6, 1e-4, 1e-3, 1e-2, 0.1, 1];
        var chol = RidgeSelection.LeaveOneOutCore(k, N, y, 2, grid, cholesky: true);
        var eigen = RidgeSelection.LeaveOneOutCore(k, N, y, 2, grid, cholesky: false);
        for (int g = 0; g < grid.Length; g++)
            Assert.True(Math.Abs(chol.Scores[g] - eigen.Scores[g]) <= 1e-6 * eigen.Scores[g], $"ridge {grid[g]}: {chol.Scores[g]} vs eigen {eigen.Scores[g]}");
        Assert.Equal(eigen.BestIndex, chol.BestIndex);
        // The public entry point takes the Cholesky path at this size and gives the same search.
        var pub = RidgeSelection.LeaveOneOut(Tensor.FromArray(k, N, N), Tensor.FromArray(y, N, 2), grid);
        Assert.Equal(chol.Scores, pub.Scores);
    }

    [Fact]
    public void ResidualsEqualTheEigenPathAndExplicitRefits()
    {
        var (k, y) = Problem(21);
        const double ridge = 1e-3;
        var residuals = RidgeSelection.LeaveOneOutResiduals(Tensor.FromArray(k, N, N), Tensor.FromArray(y, N, 2), ridge);
        double[] eigen = RidgeSelection.LooResidualsCore(k, N, y, 2, ridge, cholesky: false);
        for (int i = 0; i < N; i++)
            for (int c = 0; c < 2; c++)
                Assert.True(Math.Abs(residuals[i, c] - eigen[i * 2 + c]) <= 1e-7 * (1 + Math.Abs(eigen[i * 2 + c])), $"row {i}: {residuals[i, c]} vs eigen {eigen[i * 2 + c]}");
        foreach (int held in new[] { 0, 201, N - 1 })
        {
            int[] rows = Enumerable.Range(0, N).Where(i => i != held).ToArray();
            var kk = new double[rows.Length * rows.Length];
            var yy = new double[rows.Length * 2];
            for (int a = 0; a < rows.Length; a++)
            {
                for (int b = 0; b < rows.Length; b++) kk[a * rows.Length + b] = k[rows[a] * N + rows[b]] + (a == b ? ridge : 0);
                yy[a * 2] = y[rows[a] * 2];
                yy[a * 2 + 1] = y[rows[a] * 2 + 1];
            }
            double[] alpha = DenseReference.Solve(kk, rows.Length, yy, 2);
            for (int c = 0; c < 2; c++)
            {
                double f = 0;
                for (int a = 0; a < rows.Length; a++) f += k[held * N + rows[a]] * alpha[a * 2 + c];
                double expected = y[held * 2 + c] - f;
                Assert.True(Math.Abs(residuals[held, c] - expected) <= 1e-6 * (1 + Math.Abs(expected)), $"row {held}: {residuals[held, c]} vs refit {expected}");
            }
        }
    }

    [Fact]
    public void IndefiniteKernelGivesInfinityAndTheSuggestedRidge()
    {
        var spectrum = Enumerable.Range(0, N).Select(i => 0.5 + i / 100.0).ToArray();
        spectrum[0] = -0.2;
        double[] k = DenseReference.WithSpectrum(spectrum, 31);
        double[] y = DenseReference.Normal(N, 32);
        var kt = Tensor.FromArray(k, N, N);
        var yt = Tensor.FromArray(y, N);
        var search = RidgeSelection.LeaveOneOut(kt, yt, [0.0, 0.1, 0.5, 1.0]);
        var eigen = RidgeSelection.LeaveOneOutCore(k, N, y, 1, [0.0, 0.1, 0.5, 1.0], cholesky: false);
        for (int g = 0; g < 4; g++) Assert.Equal(double.IsPositiveInfinity(eigen.Scores[g]), double.IsPositiveInfinity(search.Scores[g]));
        Assert.True(double.IsPositiveInfinity(search.Scores[1]) && double.IsFinite(search.Scores[2]));

        var ex = Assert.Throws<KernelNotPositiveDefiniteException>(() => RidgeSelection.LeaveOneOut(kt, yt, [0.0, 0.1]));
        double suggested = -0.2 * -1 + 1e-8 * spectrum.Max();
        Assert.InRange(ex.SuggestedRidge, suggested, suggested * 1.01);
        Assert.Contains("not positive definite for ridge = 0.1", ex.Message, StringComparison.Ordinal);
        var one = Assert.Throws<KernelNotPositiveDefiniteException>(() => RidgeSelection.LeaveOneOutResiduals(kt, yt, 0.1));
        Assert.Equal(ex.SuggestedRidge, one.SuggestedRidge);
        var fit = Assert.Throws<KernelNotPositiveDefiniteException>(() => KernelRegression.Fit(kt, yt, 0.0));
        Assert.Equal(ex.SuggestedRidge, fit.SuggestedRidge);
        Assert.Equal(-0.2, fit.SmallestEigenvalue, 1e-9);
        // The suggested ridge works as printed.
        Assert.Equal(N, KernelRegression.Fit(kt, yt, fit.SuggestedRidge).TrainSize);
    }
}
