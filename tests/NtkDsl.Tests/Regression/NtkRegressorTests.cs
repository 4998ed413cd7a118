using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Analytic;
using NtkDsl.Regression;
using NtkDsl.Wntk;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// The NTK regressor against references written here: predictions against a direct dense solve (Gaussian
/// elimination), the variance against the GP posterior formula in MathNet, the log-likelihood of a Gaussian case
/// worked by hand, and the depth/ridge choice and kernel amplitude against brute-force leave-one-out refits.
/// </summary>
public sealed class NtkRegressorTests
{
    // Raw (unstandardized) inputs with different scales and offsets, and a smooth noisy target far from zero mean.
    private static (Tensor X, Tensor Y, double[] Xr, double[] Yr) Data(int n, int d, long seed)
    {
        var s = new NormalSampler(seed);
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < d; c++) x[i * d + c] = (c + 1) * 3.0 * s.NextNormal() + 10 * c;
            y[i] = 50 + 4 * Math.Sin(x[i * d] / 3) + 0.2 * x[i * d + 1] + 0.3 * s.NextNormal();
        }
        return (Tensor.FromArray(x, n, d), Tensor.FromArray(y, n), x, y);
    }

    /// <summary>Population mean and standard deviation of each column, then (x − mean)/sd: the reference standardization.</summary>
    private static double[] Standardize(double[] x, int rows, int cols, double[]? xFit, int fitRows, out double[] mean, out double[] sd)
    {
        xFit ??= x;
        mean = new double[cols];
        sd = new double[cols];
        for (int c = 0; c < cols; c++)
        {
            for (int i = 0; i < fitRows; i++) mean[c] += xFit[i * cols + c] / fitRows;
            for (int i = 0; i < fitRows; i++) sd[c] += Math.Pow(xFit[i * cols + c] - mean[c], 2) / fitRows;
            sd[c] = Math.Sqrt(sd[c]);
        }
        var z = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < cols; c++) z[i * cols + c] = (x[i * cols + c] - mean[c]) / sd[c];
        return z;
    }

    private static double MeanDiagonal(double[] k, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += k[i * n + i];
        return s / n;
    }

    [Fact]
    public void MeanAndVarianceEqualDenseSolveAndMathNetGpFormula()
    {
        const int n = 40, m = 9, d = 3;
        var (x, y, xr, yr) = Data(n, d, 1);
        var (xt, _, xtr, _) = Data(m, d, 2);
        var reg = NtkRegressor.Fit(x, y, new NtkRegressorOptions { Depths = [2], RelativeRidges = [1e-2] });
        var p = reg.Predict(xt);

        double[] z = Standardize(xr, n, d, null, n, out double[] mx, out double[] sx);
        double[] zt = Standardize(xtr, m, d, xr, n, out _, out _);
        double[] t = Standardize(yr, n, 1, null, n, out double[] my, out double[] sy);
        var net = AnalyticMlp.Relu(d, 2);
        double[] k = net.Ntk(Tensor.FromArray(z, n, d)).ToFlatArray();
        double[] kx = net.Ntk(Tensor.FromArray(zt, m, d), Tensor.FromArray(z, n, d)).ToFlatArray();
        double[] kss = net.Ntk(Tensor.FromArray(zt, m, d)).ToFlatArray();
        double ridge = 1e-2 * MeanDiagonal(k, n);
        Assert.Equal(ridge, reg.Ridge, 1e-12 * ridge);
        Assert.Equal(2, reg.Depth);

        // Mean: α by Gaussian elimination.
        double[] alpha = DenseReference.Solve(DenseReference.AddRidge(k, n, ridge), n, t, 1);
        // Variance: the GP formula with MathNet, amplitude s² = (1/n) Σ α_i² / [A⁻¹]_ii.
        var a = Matrix<double>.Build.Dense(n, n, (i, j) => k[i * n + j] + (i == j ? ridge : 0));
        var ks = Matrix<double>.Build.Dense(m, n, (i, j) => kx[i * n + j]);
        var ainv = a.Inverse();
        // s² = (1/n) Σ r_i²/(u_i + ρ) with r_i = α_i/[A⁻¹]_ii, u_i = 1/[A⁻¹]_ii − λ at the chosen noise ratio ρ = τ²/s²
        // (the choice of ρ is checked against brute force in DepthRidgeAndVarianceCalibrationEqualBruteForceLeaveOneOut).
        double rho = reg.NoiseVariance / reg.Amplitude, s2 = 0;
        for (int i = 0; i < n; i++)
        {
            double r = alpha[i] / ainv[i, i];
            s2 += r * r / (1 / ainv[i, i] - ridge + rho) / n;
        }
        Assert.Equal(s2, reg.Amplitude, 1e-8 * s2);
        var quad = ks * ainv * ks.Transpose();
        for (int j = 0; j < m; j++)
        {
            double mu = 0;
            for (int i = 0; i < n; i++) mu += kx[j * n + i] * alpha[i];
            double expectedMean = mu * sy[0] + my[0];
            double latent = s2 * (kss[j * m + j] - quad[j, j]) * sy[0] * sy[0];
            double variance = latent + s2 * rho * sy[0] * sy[0];
            Assert.Equal(expectedMean, p.Mean.AsSpan()[j], 1e-9 * Math.Abs(expectedMean));
            Assert.Equal(latent, p.LatentVariance.AsSpan()[j], 1e-7 * variance);
            Assert.Equal(variance, p.Variance.AsSpan()[j], 1e-7 * variance);
            Assert.True(latent > 0, "the test points are not training points, so the latent variance is positive");
        }
    }

    [Fact]
    public void LogLikelihoodOfKnownGaussianCaseMatchesHandComputation()
    {
        // μ = (1, 2), v = (4, 0.25), y = (3, 2):
        // LL = ½[(−½ ln(8π) − 4/8) + (−½ ln(π/2) − 0)] = −1.1689385332046727, RMSE = √((4 + 0)/2) = √2.
        var p = new NtkPrediction(Tensor.FromArray([1.0, 2.0], 2), Tensor.FromArray([4.0, 0.25], 2), Tensor.FromArray([3.0, 0.2], 2));
        var s = NtkRegressor.ScoreOf(p, [3.0, 2.0]);
        Assert.Equal(-1.1689385332046727, s.LogLikelihood, 1e-14);
        Assert.Equal(1.4142135623730951, s.Rmse, 1e-14);
        Assert.Equal(2, s.Count);
    }

    [Fact]
    public void ScoreIsTheScoreOfThePrediction()
    {
        var (x, y, _, _) = Data(30, 2, 5);
        var (xt, yt, _, ytr) = Data(12, 2, 6);
        var reg = NtkRegressor.Fit(x, y, new NtkRegressorOptions { Depths = [1, 2] });
        var expected = NtkRegressor.ScoreOf(reg.Predict(xt), ytr);
        var actual = reg.Score(xt, yt.Reshape(12, 1));
        Assert.Equal(expected, actual);
        Assert.True(double.IsFinite(actual.LogLikelihood));
    }

    [Fact]
    public void DepthRidgeAndVarianceCalibrationEqualBruteForceLeaveOneOut()
    {
        const int n = 25, d = 2;
        var (x, y, xr, yr) = Data(n, d, 9);
        int[] depths = [1, 2, 3];
        double[] rel = [1e-4, 1e-2, 0.3, 3];
        var reg = NtkRegressor.Fit(x, y, new NtkRegressorOptions { Depths = depths, RelativeRidges = rel });

        double[] z = Standardize(xr, n, d, null, n, out _, out _);
        double[] t = Standardize(yr, n, 1, null, n, out _, out _);
        double best = double.PositiveInfinity, bestRidge = 0;
        int bestDepth = 0;
        foreach (int depth in depths)
        {
            double[] k = AnalyticMlp.Relu(d, depth).Ntk(Tensor.FromArray(z, n, d)).ToFlatArray();
            double depthBest = double.PositiveInfinity;
            foreach (double r in rel)
            {
                double ridge = r * MeanDiagonal(k, n), mse = 0;
                for (int i = 0; i < n; i++)
                {
                    var (pred, _) = RefitWithout(k, t, n, i, ridge);
                    mse += (t[i] - pred) * (t[i] - pred) / n;
                }
                depthBest = Math.Min(depthBest, mse);
                if (mse < best) { best = mse; bestDepth = depth; bestRidge = ridge; }
            }
            Assert.Equal(depthBest, reg.DepthScores[depth], 1e-8 * depthBest);
        }
        Assert.Equal(bestDepth, reg.Depth);
        Assert.Equal(bestRidge, reg.Ridge, 1e-12 * bestRidge);
        Assert.Equal(best, reg.LeaveOneOutError, 1e-8 * best);

        // Variance calibration: over ρ ∈ {λ} ∪ relative grid × mean diagonal, maximize the leave-one-out likelihood
        // Σ_i log N(t_i; μ_{−i}, s²·(u_{−i} + ρ)) of refits without row i, u_{−i} = k_ii − k_iᵀ(K_{−i} + λI)⁻¹k_i, over s² and ρ;
        // for fixed ρ the best s² is (1/n) Σ (t_i − μ_{−i})²/(u_{−i} + ρ). Here the maximum is found by scanning.
        double[] kb = AnalyticMlp.Relu(d, bestDepth).Ntk(Tensor.FromArray(z, n, d)).ToFlatArray();
        var refits = Enumerable.Range(0, n).Select(i => RefitWithout(kb, t, n, i, bestRidge)).ToArray();
        double bestLl = double.NegativeInfinity, bestS2 = 0, bestRho = 0;
        foreach (double rho in new[] { bestRidge }.Concat(rel.Select(r => r * MeanDiagonal(kb, n))))
        {
            double s2 = 0;
            for (int i = 0; i < n; i++) s2 += Math.Pow(t[i] - refits[i].Mean, 2) / (refits[i].Variance - bestRidge + rho) / n;
            foreach (double scale in new[] { 0.9, 1.0, 1.1 }) // s² itself is the maximum along the amplitude
            {
                double ll = 0;
                for (int i = 0; i < n; i++)
                {
                    double v = scale * s2 * (refits[i].Variance - bestRidge + rho);
                    ll += -0.5 * Math.Log(2 * Math.PI * v) - Math.Pow(t[i] - refits[i].Mean, 2) / (2 * v);
                }
                if (ll > bestLl) { bestLl = ll; bestS2 = scale * s2; bestRho = rho; }
            }
        }
        Assert.Equal(bestS2, reg.Amplitude, 1e-7 * bestS2);
        Assert.Equal(bestS2 * bestRho, reg.NoiseVariance, 1e-7 * bestS2 * bestRho);
    }

    /// <summary>Fits on every row but i (Gaussian elimination) and returns the prediction at i and the GP variance there (with noise λ).</summary>
    private static (double Mean, double Variance) RefitWithout(double[] k, double[] t, int n, int i, double ridge)
    {
        int[] rows = Enumerable.Range(0, n).Where(r => r != i).ToArray();
        int q = rows.Length;
        var a = new double[q * q];
        var b = new double[q];
        var ki = new double[q];
        for (int r = 0; r < q; r++)
        {
            b[r] = t[rows[r]];
            ki[r] = k[i * n + rows[r]];
            for (int c = 0; c < q; c++) a[r * q + c] = k[rows[r] * n + rows[c]] + (r == c ? ridge : 0);
        }
        double[] alpha = DenseReference.Solve(a, q, b, 1);
        double[] w = DenseReference.Solve(a, q, ki, 1);
        double mean = 0, quad = 0;
        for (int r = 0; r < q; r++) { mean += ki[r] * alpha[r]; quad += ki[r] * w[r]; }
        return (mean, k[i * n + i] - quad + ridge);
    }

    [Fact]
    public void LearnedPerFeatureWeightsAreUsedForPrediction()
    {
        const int n = 36, m = 7, d = 3;
        var (x, y, xr, yr) = Data(n, d, 21);
        var (xt, _, xtr, _) = Data(m, d, 22);
        var reg = NtkRegressor.Fit(x, y, new NtkRegressorOptions { Depths = [2], Weights = NtkRegressorWeights.PerInputFeature, WntkIterations = 30 });
        Assert.NotNull(reg.Learning);
        Assert.Equal(reg.Learning!.Weights, reg.KernelWeights);
        Assert.True(reg.LeaveOneOutError <= reg.DepthScores[2] * 1.5);

        double[] z = Standardize(xr, n, d, null, n, out _, out _);
        double[] zt = Standardize(xtr, m, d, xr, n, out _, out _);
        double[] t = Standardize(yr, n, 1, null, n, out double[] my, out double[] sy);
        double[] w = reg.KernelWeights.ToArray();
        // The weighted kernel as Σ_g w_g Θ^g of the per-feature blocks, then a dense solve.
        double[] k = InputFeatureGroups.Kernels(reg.Network, Tensor.FromArray(z, n, d)).Combine(w).ToFlatArray();
        double[] kx = InputFeatureGroups.Kernels(reg.Network, Tensor.FromArray(zt, m, d), Tensor.FromArray(z, n, d)).Combine(w).ToFlatArray();
        double[] alpha = DenseReference.Solve(DenseReference.AddRidge(k, n, reg.Ridge), n, t, 1);
        var p = reg.Predict(xt);
        for (int j = 0; j < m; j++)
        {
            double mu = 0;
            for (int i = 0; i < n; i++) mu += kx[j * n + i] * alpha[i];
            Assert.Equal(mu * sy[0] + my[0], p.Mean.AsSpan()[j], 1e-8 * Math.Abs(my[0]));
        }
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        var (x, y, xr, _) = Data(10, 2, 3);
        var two = Tensor.Zeros(10, 2);
        Assert.Contains("one target column", Assert.Throws<ArgumentException>(() => NtkRegressor.Fit(x, two)).Message, StringComparison.Ordinal);
        Assert.Contains("rows but x has", Assert.Throws<ArgumentException>(() => NtkRegressor.Fit(x, Tensor.Zeros(9))).Message, StringComparison.Ordinal);
        Assert.Contains("Depths", Assert.Throws<ArgumentException>(() => NtkRegressor.Fit(x, y, new NtkRegressorOptions { Depths = [] })).Message, StringComparison.Ordinal);
        var reg = NtkRegressor.Fit(x, y, new NtkRegressorOptions { Depths = [1] });
        Assert.Contains("training inputs' width", Assert.Throws<ArgumentException>(() => reg.Predict(Tensor.Zeros(3, 5))).Message, StringComparison.Ordinal);

        // A new user's report: these named internal classes (InputFeatureGroups, Standardizer) instead of the call.
        var empty = Assert.Throws<ArgumentException>(() => reg.Predict(Tensor.Zeros(0, 2)));
        Assert.StartsWith("NtkRegressor: x has 0 rows", empty.Message, StringComparison.Ordinal);
        var nanValues = (double[])xr.Clone();
        nanValues[4 * 2 + 1] = double.NaN;
        var nanX = Tensor.FromArray(nanValues, 10, 2);
        var fitNaN = Assert.Throws<ArgumentException>(() => NtkRegressor.Fit(nanX, y, new NtkRegressorOptions { Depths = [1] }));
        Assert.StartsWith("NtkRegressor: x holds NaN at row 4, column 1", fitNaN.Message, StringComparison.Ordinal);
        var predictNaN = Assert.Throws<ArgumentException>(() => reg.Predict(nanX));
        Assert.StartsWith("NtkRegressor: x holds NaN at row 4, column 1", predictNaN.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoiseVarianceIsInStandardizedUnits()
    {
        // Variance − LatentVariance is the noise in the target's own units: τ² times the population variance of y_train,
        // computed here from the raw targets.
        var (x, y, _, yr) = Data(30, 2, 5);
        var reg = NtkRegressor.Fit(x, y, new NtkRegressorOptions { Depths = [1] });
        double mean = yr.Average(), populationVariance = yr.Select(v => (v - mean) * (v - mean)).Average();
        var p = reg.Predict(x.SliceRows(0, 5));
        for (int i = 0; i < 5; i++)
            Assert.Equal(reg.NoiseVariance * populationVariance, p.Variance.GetFlat(i) - p.LatentVariance.GetFlat(i), 1e-12 * populationVariance);
    }
}
