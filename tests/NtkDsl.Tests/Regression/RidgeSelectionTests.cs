using NtkDsl.Regression;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Regression;

public sealed class RidgeSelectionTests
{
    [Fact]
    public void ClosedFormLeaveOneOutMatchesExplicitRefits()
    {
        const int n = 9, k = 2;
        var kernel = DenseReference.RandomPsd(n, 4, 71);
        var y = DenseReference.Normal(n * k, 72);
        double[] grid = [0.001, 0.05, 1.0];
        var search = RidgeSelection.LeaveOneOut(Tensor.FromArray(kernel, n, n), Tensor.FromArray(y, n, k), grid);
        for (int g = 0; g < grid.Length; g++)
        {
            var explicitResiduals = new double[n * k];
            for (int i = 0; i < n; i++)
            {
                int[] keep = Enumerable.Range(0, n).Where(r => r != i).ToArray();
                var kk = new double[(n - 1) * (n - 1)];
                var yk = new double[(n - 1) * k];
                var ki = new double[n - 1];
                for (int a = 0; a < n - 1; a++)
                {
                    for (int b = 0; b < n - 1; b++) kk[a * (n - 1) + b] = kernel[keep[a] * n + keep[b]];
                    for (int c = 0; c < k; c++) yk[a * k + c] = y[keep[a] * k + c];
                    ki[a] = kernel[i * n + keep[a]];
                }
                var alpha = DenseReference.Solve(DenseReference.AddRidge(kk, n - 1, grid[g]), n - 1, yk, k);
                var pred = DenseReference.Multiply(ki, 1, n - 1, alpha, k);
                for (int c = 0; c < k; c++) explicitResiduals[i * k + c] = y[i * k + c] - pred[c];
            }
            var closed = RidgeSelection.LeaveOneOutResiduals(Tensor.FromArray(kernel, n, n), Tensor.FromArray(y, n, k), grid[g]);
            Close.Relative(explicitResiduals, closed.ToFlatArray(), 1e-9, $"LOO residuals at ridge {grid[g]}");
            double mse = explicitResiduals.Select(r => r * r).Average();
            Assert.Equal(mse, search.Scores[g], 1e-9 * mse);
        }
        Assert.Equal(search.Scores.Min(), search.BestScore);
    }

    [Fact]
    public void KFoldScoresMatchExplicitFoldRefits()
    {
        const int n = 13, folds = 4;
        var kernel = DenseReference.RandomPsd(n, 5, 81);
        var y = DenseReference.Normal(n, 82);
        double[] grid = [0.01, 0.3];
        var search = RidgeSelection.KFold(Tensor.FromArray(kernel, n, n), Tensor.FromArray(y, n), grid, folds, seed: 5);
        var foldRows = RidgeSelection.FoldIndices(n, folds, 5);
        for (int g = 0; g < grid.Length; g++)
        {
            double sse = 0;
            foreach (var valid in foldRows)
            {
                int[] train = Enumerable.Range(0, n).Except(valid).ToArray();
                var kk = new double[train.Length * train.Length];
                var yk = train.Select(r => y[r]).ToArray();
                for (int a = 0; a < train.Length; a++)
                    for (int b = 0; b < train.Length; b++) kk[a * train.Length + b] = kernel[train[a] * n + train[b]];
                var alpha = DenseReference.Solve(DenseReference.AddRidge(kk, train.Length, grid[g]), train.Length, yk, 1);
                foreach (int v in valid)
                {
                    double pred = 0;
                    for (int a = 0; a < train.Length; a++) pred += kernel[v * n + train[a]] * alpha[a];
                    sse += (y[v] - pred) * (y[v] - pred);
                }
            }
            Assert.Equal(sse / n, search.Scores[g], 1e-9 * sse / n);
        }
    }

    [Fact]
    public void FoldsAreADeterministicBalancedPartition()
    {
        var a = RidgeSelection.FoldIndices(23, 5, 7);
        var b = RidgeSelection.FoldIndices(23, 5, 7);
        var c = RidgeSelection.FoldIndices(23, 5, 8);
        Assert.Equal(a.Select(f => f.ToArray()), b.Select(f => f.ToArray()));
        Assert.NotEqual(a.Select(f => f.ToArray()), c.Select(f => f.ToArray()));
        Assert.Equal(Enumerable.Range(0, 23), a.SelectMany(f => f).Order());
        Assert.InRange(a.Max(f => f.Count) - a.Min(f => f.Count), 0, 1);
    }

    [Fact]
    public void KFoldAndLeaveOneOutPickASensibleRidgeOnNoisyData()
    {
        // y = sin(3x) + noise (σ = 0.3) with an RBF kernel: a tiny ridge interpolates the noise, a huge one shrinks
        // everything to 0; the chosen ridge must lie strictly inside the grid and beat both ends on clean test data.
        const int n = 60, m = 200;
        var rng = new NormalSampler(91);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextUniform() * 4 - 2).ToArray();
        var y = x.Select(v => Math.Sin(3 * v) + 0.3 * rng.NextNormal()).ToArray();
        var xt = Enumerable.Range(0, m).Select(i => -2 + 4.0 * i / (m - 1)).ToArray();
        var yt = xt.Select(v => Math.Sin(3 * v)).ToArray();
        var kt = Tensor.FromArray(DenseReference.Rbf(x, x, 0.3), n, n);
        var kx = Tensor.FromArray(DenseReference.Rbf(xt, x, 0.3), m, n);
        double[] grid = [1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.1, 0.3, 1, 3, 10, 100, 1000];

        double TestMse(double ridge) =>
            KernelRegression.Fit(kt, Tensor.FromArray(y, n), ridge).Predict(kx).ToFlatArray().Select((p, i) => (p - yt[i]) * (p - yt[i])).Average();

        foreach (var model in new[]
                 {
                     KernelRegression.FitKFold(kt, Tensor.FromArray(y, n), grid, folds: 5, seed: 1),
                     KernelRegression.FitLeaveOneOut(kt, Tensor.FromArray(y, n), grid),
                 })
        {
            var sel = model.Selection!;
            Assert.InRange(sel.BestIndex, 1, grid.Length - 2);
            Assert.Equal(sel.BestRidge, model.Ridge);
            double best = TestMse(model.Ridge);
            Assert.True(best < TestMse(grid[0]) && best < TestMse(grid[^1]), $"{sel}");
            Assert.True(best < 0.05, $"test MSE {best} at ridge {model.Ridge} ({sel.Method})");
        }
    }

    [Fact]
    public void IndefiniteKernelScoresInfinityBelowTheNeededRidge()
    {
        double[] spectrum = [-0.2, 0.5, 1, 2, 3];
        var kernel = Tensor.FromArray(DenseReference.WithSpectrum(spectrum, 95), 5, 5);
        var y = Tensor.FromArray(DenseReference.Normal(5, 96), 5);
        var search = RidgeSelection.LeaveOneOut(kernel, y, [0.0, 0.1, 0.5, 1.0]);
        Assert.True(double.IsPositiveInfinity(search.Scores[0]) && double.IsPositiveInfinity(search.Scores[1]));
        Assert.True(double.IsFinite(search.Scores[2]) && double.IsFinite(search.Scores[3]));
        var ex = Assert.Throws<KernelNotPositiveDefiniteException>(() => RidgeSelection.LeaveOneOut(kernel, y, [0.0, 0.1]));
        Assert.InRange(ex.SuggestedRidge, 0.2, 0.21);
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        var kernel = Tensor.FromArray(DenseReference.RandomPsd(6, 8, 97), 6, 6);
        var y = Tensor.FromArray(DenseReference.Normal(6, 98), 6);
        Assert.Throws<ArgumentException>(() => RidgeSelection.LeaveOneOut(kernel, y, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => RidgeSelection.LeaveOneOut(kernel, y, [0.1, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RidgeSelection.KFold(kernel, y, [0.1], folds: 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => RidgeSelection.KFold(kernel, y, [0.1], folds: 1));
        var ex = Assert.Throws<ArgumentException>(() => RidgeSelection.LeaveOneOut(kernel, Tensor.Zeros(5), [0.1]));
        Assert.Contains("yTrain", ex.Message, StringComparison.Ordinal);
    }
}
