using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Regression;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// <see cref="NtkRegressorWeights.InputScales"/> when the depth is screened on a row subset (more training rows than
/// <see cref="NtkRegressorOptions.MarginalLikelihoodRows"/>): the switched-off test against scale ratios written out,
/// and the refit on the likelihood rows against a fit of the chosen depth alone from the default start, both compared
/// by a dense MathNet log marginal likelihood on those rows.
/// </summary>
public sealed class DepthScreeningTests
{
    [Fact]
    public void AFeatureIsSwitchedOffBelowOnePercentOfTheLargestScale()
    {
        // φ = log variance; the scale is e^{φ/2}. Largest scale 3, the other at 0.99% and at 1.01% of it.
        double big = 2 * Math.Log(3.0);
        double[] below = [big, 2 * Math.Log(3.0 * 0.0099), 0.0, 5.0, -1.0];
        double[] above = [big, 2 * Math.Log(3.0 * 0.0101), 0.0, 5.0, -1.0];
        var scales = ArdReluKernel.Scales(below.AsSpan(0, 3));
        Assert.True(scales[1] / scales.Max() < 0.01);
        Assert.True(NtkRegressor.SwitchesFeaturesOff(below, 3));
        Assert.False(NtkRegressor.SwitchesFeaturesOff(above, 3));
        // Only the d feature entries count: log b and ψ (indices d, d + 1) are not feature variances.
        Assert.False(NtkRegressor.SwitchesFeaturesOff([0.0, 0.0, -40.0, -40.0], 2));
        Assert.False(NtkRegressor.SwitchesFeaturesOff([1.5], 1));
    }

    private static (double[] X, double[] Y) Problem(int n, int d, long seed)
    {
        // y depends smoothly on x₀ and x₁, weakly on x₂; the remaining features are pure noise inputs.
        var s = new NormalSampler(seed);
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int f = 0; f < d; f++) x[i * d + f] = s.NextNormal();
            y[i] = Math.Sin(1.5 * x[i * d]) + 0.8 * x[i * d + 1] * x[i * d + 1] + 0.15 * x[i * d + 2] + 0.1 * s.NextNormal();
        }
        return (x, y);
    }

    // Dense profile log likelihood per row of the standardized targets of `rows` under s²(K + ρI): K the regressor's
    // network on its scaled standardized inputs of those rows, ρ = (the regressor's ridge relative to its all-rows
    // kernel's mean diagonal) × the mean diagonal on these rows (the relative noise is what is learned).
    private static double DenseLogLikelihood(NtkRegressor reg, double[] x, double[] y, int n, int d, int[] rows)
    {
        var scales = reg.InputScales!;
        double[] mean = new double[d], sd = new double[d];
        for (int f = 0; f < d; f++)
        {
            for (int i = 0; i < n; i++) mean[f] += x[i * d + f] / n;
            for (int i = 0; i < n; i++) sd[f] += Math.Pow(x[i * d + f] - mean[f], 2) / n;
            sd[f] = Math.Sqrt(sd[f]);
        }
        Tensor Z(IEnumerable<int> which) { var w = which.ToArray(); return Tensor.FromArray(w.SelectMany(i => Enumerable.Range(0, d).Select(f => (x[i * d + f] - mean[f]) / sd[f] * scales[f])).ToArray(), w.Length, d); }
        var all = reg.Network.Ntk(Z(Enumerable.Range(0, n)));
        double meanAll = Enumerable.Range(0, n).Average(i => all[i, i]);
        int m = rows.Length;
        var k = reg.Network.Ntk(Z(rows));
        double meanRows = Enumerable.Range(0, m).Average(i => k[i, i]);
        double rho = reg.Ridge / meanAll * meanRows;
        double my = y.Average(), sy = Math.Sqrt(y.Select(v => (v - my) * (v - my)).Average());
        var t = Vector<double>.Build.Dense(m, q => (y[rows[q]] - my) / sy);
        var a = Matrix<double>.Build.Dense(m, m, (i, j) => k[i, j] + (i == j ? rho : 0));
        double s2 = t * a.Solve(t) / m;
        var cov = a * s2;
        return (-0.5 * (t * cov.Solve(t)) - 0.5 * cov.Cholesky().DeterminantLn - 0.5 * m * Math.Log(2 * Math.PI)) / m;
    }

    [Fact]
    public void TheRefitOnTheLikelihoodRowsIsAtLeastAsLikelyAsTheChosenDepthFittedFromTheDefaultStart()
    {
        const int n = 160, d = 6, mlRows = 100;
        var (x, y) = Problem(n, d, 5);
        NtkRegressor Fit(IReadOnlyList<int> depths) => NtkRegressor.Fit(Tensor.FromArray(x, n, d), Tensor.FromArray(y, n), new NtkRegressorOptions
        {
            Weights = NtkRegressorWeights.InputScales, Depths = depths, MarginalLikelihoodRestarts = 0, LogWarpInputs = false,
            MarginalLikelihoodRows = mlRows, MarginalLikelihoodDepthRows = 40, MarginalLikelihoodIterations = 60,
        });
        var screened = Fit([1, 2, 3]);
        // One depth: no screening, the default start fitted on the likelihood rows directly.
        var single = Fit([screened.Depth]);
        // The likelihood rows: the deterministic subset of NtkRegressor (no copies to drop in continuous data).
        int[] rows = RidgeSelection.FoldIndices(n, (int)Math.Ceiling(n / (double)mlRows), 0)[0].ToArray();
        double llScreened = DenseLogLikelihood(screened, x, y, n, d, rows);
        double llSingle = DenseLogLikelihood(single, x, y, n, d, rows);
        Assert.True(double.IsFinite(llScreened) && double.IsFinite(llSingle));
        // The noise features are switched off (< 1% of the largest scale) by both fits, so the cold refit ran.
        Assert.True(NtkRegressor.SwitchesFeaturesOff(screened.InputScales!.Select(v => 2 * Math.Log(v)).ToArray(), d));
        Assert.True(llScreened >= llSingle - 1e-9, $"screened {llScreened} < default-start {llSingle}");
    }
}
