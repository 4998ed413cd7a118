using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Regression;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// Log warps of skewed positive inputs, automatic restarts and full-row depth screening of
/// <see cref="NtkRegressorWeights.InputScales"/>: the candidates against skewness written with raw moments, the warp
/// against Math.Log, the warped regressor's predictions against the dense GP formulas on hand-warped inputs, and the
/// warp decision against dense log marginal likelihoods of both fits.
/// </summary>
public sealed class InputWarpingTests
{
    // Skewness from raw moments, E[x³] − 3μσ² − μ³ over σ³ (a different formula from the central-moment sums).
    private static double RawMomentSkewness(double[] v)
    {
        double mu = v.Average(), m2raw = v.Average(a => a * a), m3raw = v.Average(a => a * a * a);
        double var = m2raw - mu * mu;
        return (m3raw - 3 * mu * var - mu * mu * mu) / Math.Pow(var, 1.5);
    }

    private static double[] Column(double[] x, int d, int f) => Enumerable.Range(0, x.Length / d).Select(i => x[i * d + f]).ToArray();

    [Fact]
    public void CandidatesAreThePositiveFeaturesAboveTheSkewnessMostSkewedFirst()
    {
        const int n = 400, d = 5;
        var s = new NormalSampler(3);
        var x = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            x[i * d] = Math.Exp(0.8 * s.NextNormal());          // log-normal, skewness ≈ 3
            x[i * d + 1] = 5 + s.NextNormal();                   // symmetric
            x[i * d + 2] = i == 7 ? 0 : Math.Exp(s.NextNormal()); // skewed but one value 0: not strictly positive
            x[i * d + 3] = Math.Exp(1.3 * s.NextNormal());       // more skewed
            x[i * d + 4] = -Math.Exp(s.NextNormal());            // negative values
        }
        double[] skew = Enumerable.Range(0, d).Select(f => RawMomentSkewness(Column(x, d, f))).ToArray();
        int[] expected = Enumerable.Range(0, d).Where(f => Column(x, d, f).Min() > 0 && skew[f] > 1.0).OrderByDescending(f => skew[f]).ToArray();
        Assert.Equal([3, 0], expected); // the construction does what it says
        Assert.Equal(expected, InputWarping.Candidates(Tensor.FromArray(x, n, d), 1.0));
        // The threshold is strict and sits between the two skewnesses: only the more skewed one remains.
        Assert.Equal([3], InputWarping.Candidates(Tensor.FromArray(x, n, d), (skew[0] + skew[3]) / 2));
        Assert.Empty(InputWarping.Candidates(Tensor.FromArray(x, n, d), double.PositiveInfinity));
    }

    [Fact]
    public void LogWarpsOnlyTheListedColumnsAndNamesABadValue()
    {
        double[] x = [1, -2, 3, 0.5, 7, 9];
        var w = InputWarping.Log(Tensor.FromArray(x, 3, 2), [0], "T", "x").ToFlatArray();
        Assert.Equal([Math.Log(1), -2, Math.Log(3), 0.5, Math.Log(7), 9], w);
        var e = Assert.Throws<ArgumentException>(() => InputWarping.Log(Tensor.FromArray(x, 3, 2), [1], "T", "x"));
        Assert.Contains("x[0, 1] = -2", e.Message);
        Assert.Contains("log-warped", e.Message);
        Assert.Contains("LogWarpInputs = false", e.Message);
    }

    private static (double[] X, double[] Y) LogTargetProblem(int n, long seed)
    {
        // y depends on log x₀ (x₀ log-normal, strongly skewed) and linearly on x₁; x₂ is symmetric noise input.
        const int d = 3;
        var s = new NormalSampler(seed);
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double g = s.NextNormal();
            x[i * d] = Math.Exp(1.5 * g);
            x[i * d + 1] = s.NextNormal();
            x[i * d + 2] = s.NextNormal();
            y[i] = 4 + 2 * Math.Sin(1.7 * g) + 0.7 * x[i * d + 1] + 0.05 * s.NextNormal();
        }
        return (x, y);
    }

    // The dense profile log likelihood per row of standardized targets under s²(K + ρI), K the regressor's own network
    // on its scaled, standardized (and, for logFeatures, log-warped by hand) training inputs, ρ its ridge.
    private static double DenseProfileLogLikelihood(NtkRegressor reg, double[] xr, double[] yr, int n, int d, int[] logFeatures)
    {
        var z = HandScaled(reg, xr, xr, n, n, d, logFeatures);
        var k = reg.Network.Ntk(z);
        var a = Matrix<double>.Build.Dense(n, n, (i, j) => k[i, j] + (i == j ? reg.Ridge : 0));
        double my = yr.Average(), sy = Math.Sqrt(yr.Select(v => (v - my) * (v - my)).Average());
        var t = Vector<double>.Build.Dense(n, i => (yr[i] - my) / sy);
        double s2 = t * a.Solve(t) / n;
        var cov = a * s2;
        return (-0.5 * (t * cov.Solve(t)) - 0.5 * cov.Cholesky().DeterminantLn - 0.5 * n * Math.Log(2 * Math.PI)) / n;
    }

    // Warp (log of logFeatures), standardize with the warped training rows' mean and population sd, multiply by the scales.
    private static Tensor HandScaled(NtkRegressor reg, double[] train, double[] rows, int n, int m, int d, int[] logFeatures)
    {
        double W(double v, int f) => logFeatures.Contains(f) ? Math.Log(v) : v;
        double[] mean = new double[d], sd = new double[d];
        for (int f = 0; f < d; f++)
        {
            for (int i = 0; i < n; i++) mean[f] += W(train[i * d + f], f) / n;
            for (int i = 0; i < n; i++) sd[f] += Math.Pow(W(train[i * d + f], f) - mean[f], 2) / n;
            sd[f] = Math.Sqrt(sd[f]);
        }
        var scales = reg.InputScales!;
        return Tensor.FromArray(Enumerable.Range(0, m * d).Select(q => (W(rows[q], q % d) - mean[q % d]) / sd[q % d] * scales[q % d]).ToArray(), m, d);
    }

    [Fact]
    public void WarpIsChosenByMarginalLikelihoodAndPredictsWithTheDenseGpOnLogInputs()
    {
        const int n = 150, m = 12, d = 3;
        var (xr, yr) = LogTargetProblem(n, 31);
        var (xt, _) = LogTargetProblem(m, 32);
        NtkRegressor Fit(bool warp) => NtkRegressor.Fit(Tensor.FromArray(xr, n, d), Tensor.FromArray(yr, n), new NtkRegressorOptions
        {
            Weights = NtkRegressorWeights.InputScales, Depths = [1], MarginalLikelihoodRestarts = 0, LogWarpInputs = warp,
        });
        var raw = Fit(false);
        var warped = Fit(true);
        Assert.Empty(raw.LogInputs);
        Assert.Equal([0], warped.LogInputs);
        // The decision: the warped optimum has the larger marginal likelihood on the (all) rows, in dense formulas.
        double llRaw = DenseProfileLogLikelihood(raw, xr, yr, n, d, []);
        double llWarped = DenseProfileLogLikelihood(warped, xr, yr, n, d, [0]);
        Assert.True(llWarped > llRaw, $"warped {llWarped} ≤ raw {llRaw}");
        // The standardizer is the warped inputs' one.
        Assert.Equal(Column(xr, d, 0).Select(v => Math.Log(v)).Average(), warped.InputScaler.Mean[0], 1e-12);

        // Predictions: the dense GP posterior on hand-warped inputs.
        var zs = HandScaled(warped, xr, xr, n, n, d, [0]);
        var zt = HandScaled(warped, xr, xt, n, m, d, [0]);
        var k = warped.Network.Ntk(zs);
        var kx = warped.Network.Ntk(zt, zs);
        var kss = warped.Network.Ntk(zt);
        var a = Matrix<double>.Build.Dense(n, n, (i, j) => k[i, j] + (i == j ? warped.Ridge : 0));
        double my = yr.Average(), sy = Math.Sqrt(yr.Select(v => (v - my) * (v - my)).Average());
        var alpha = a.Solve(Vector<double>.Build.Dense(n, i => (yr[i] - my) / sy));
        var p = warped.Predict(Tensor.FromArray(xt, m, d));
        for (int j = 0; j < m; j++)
        {
            var kj = Vector<double>.Build.Dense(n, i => kx[j, i]);
            double mu = (kj * alpha) * sy + my;
            double v = warped.Amplitude * (kss[j, j] - kj * a.Solve(kj) + warped.Ridge) * sy * sy;
            Assert.Equal(mu, p.Mean.AsSpan()[j], 1e-7 * Math.Abs(mu));
            Assert.Equal(v, p.Variance.AsSpan()[j], 1e-6 * v);
        }

        // A new row that cannot be warped is named, not predicted as NaN.
        double[] bad = (double[])xt.Clone();
        bad[2 * d] = 0;
        var e = Assert.Throws<ArgumentException>(() => warped.Predict(Tensor.FromArray(bad, m, d)));
        Assert.Contains("x[2, 0] = 0", e.Message);
    }

    [Fact]
    public void TheWarpedStandardizerEqualsAFitOnHandWarpedInputsInEveryColumn()
    {
        // Two candidates (x₀ and a skewed but irrelevant x₃), only x₀ warped: the final standardizer (picked column by
        // column from the fits on raw and on all-candidates-logged inputs, so x is logged once) must equal a
        // Standardizer fitted on x with x₀ logged by hand, column by column, constant flags included.
        const int n = 150, d = 4;
        var (x3, yr) = LogTargetProblem(n, 31);
        var s = new NormalSampler(77);
        var xr = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(x3, i * 3, xr, i * d, 3);
            xr[i * d + 3] = Math.Exp(1.2 * s.NextNormal());
        }
        var reg = NtkRegressor.Fit(Tensor.FromArray(xr, n, d), Tensor.FromArray(yr, n), new NtkRegressorOptions
        {
            Weights = NtkRegressorWeights.InputScales, Depths = [1], MarginalLikelihoodRestarts = 0,
        });
        Assert.Contains(0, reg.LogInputs);
        var hand = (double[])xr.Clone();
        for (int i = 0; i < n; i++)
            foreach (int f in reg.LogInputs) hand[i * d + f] = Math.Log(hand[i * d + f]);
        var expected = Standardizer.Fit(Tensor.FromArray(hand, n, d));
        Assert.Equal(expected.Mean, reg.InputScaler.Mean);
        Assert.Equal(expected.Scale, reg.InputScaler.Scale);
        Assert.Equal(expected.IsConstant, reg.InputScaler.IsConstant);
    }

    [Theory]
    [InlineData(2, 9)]
    [InlineData(100, 9)]
    [InlineData(101, 8)]
    [InlineData(277, 2)]
    [InlineData(334, 1)]
    [InlineData(500, 1)]
    [InlineData(501, 0)]
    [InlineData(8611, 0)]
    public void AutomaticRestartsFollowTheRowBudget(int n, int restarts)
    {
        // ⌊1000/n⌋ − 1, clamped to [0, 9].
        Assert.Equal(restarts, NtkRegressor.AutomaticRestarts(n));
    }

    [Fact]
    public void AutomaticRestartsAreUsedUnlessSetAndEveryDepthIsScreenedOnAllRowsWhenTheyFit()
    {
        const int n = 90, d = 3;
        var (xr, yr) = LogTargetProblem(n, 41);
        NtkRegressor Fit(int? restarts, int depthRows) => NtkRegressor.Fit(Tensor.FromArray(xr, n, d), Tensor.FromArray(yr, n), new NtkRegressorOptions
        {
            Weights = NtkRegressorWeights.InputScales, Depths = [1, 2], MarginalLikelihoodRestarts = restarts, LogWarpInputs = false,
            MarginalLikelihoodDepthRows = depthRows, MarginalLikelihoodIterations = 30,
        });
        Assert.Equal(NtkRegressor.AutomaticRestarts(n), Fit(null, 30).MarginalLikelihoodRestartsUsed);
        Assert.Equal(0, Fit(0, 30).MarginalLikelihoodRestartsUsed);
        // n = 90 ≤ MarginalLikelihoodRows (1000): a 30-row screening setting has no effect, every depth sees all 90
        // rows, so the depth scores equal those of screening on all rows explicitly (MarginalLikelihoodDepthRows = n).
        var small = Fit(0, 30);
        var all = Fit(0, n);
        Assert.Equal(all.DepthScores, small.DepthScores);
        // With fewer likelihood rows than training rows the screening subset is used again: other scores.
        var subset = NtkRegressor.Fit(Tensor.FromArray(xr, n, d), Tensor.FromArray(yr, n), new NtkRegressorOptions
        {
            Weights = NtkRegressorWeights.InputScales, Depths = [1, 2], MarginalLikelihoodRestarts = 0, LogWarpInputs = false,
            MarginalLikelihoodRows = 60, MarginalLikelihoodDepthRows = 30, MarginalLikelihoodIterations = 30,
        });
        Assert.NotEqual(all.DepthScores[1], subset.DepthScores[1]);
    }
}
