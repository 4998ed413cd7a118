using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Analytic;
using NtkDsl.Regression;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// The ARD ReLU kernel and the GP marginal likelihood behind <see cref="NtkRegressorWeights.InputScales"/>: the kernel
/// against <see cref="AnalyticMlp"/> on pre-scaled inputs (an independent implementation of the recursion), its
/// derivatives and the likelihood's gradient against central finite differences, the likelihood against a dense
/// MathNet evaluation of log N(y; 0, s²A), and the regressor's predictions against the dense GP formulas.
/// </summary>
public sealed class ArdMarginalLikelihoodTests
{
    private static double[] Normal(int count, long seed, double scale = 1.0)
    {
        var s = new NormalSampler(seed);
        var a = new double[count];
        for (int i = 0; i < count; i++) a[i] = scale * s.NextNormal();
        return a;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(2, true)]
    public void KernelEqualsAnalyticMlpOnScaledInputs(int depth, bool nngp)
    {
        const int n = 12, d = 4;
        double[] x = Normal(n * d, 3);
        double[] phi = [0.7, -1.2, 0.0, 2.1];
        const double bias = 0.3;
        var ard = new ArdReluKernel(depth, 2.0, 0.01, nngp);
        double[] k = ard.Kernel(x, n, d, phi, bias);

        var scaled = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < d; f++) scaled[i * d + f] = x[i * d + f] * Math.Exp(phi[f] / 2);
        var hidden = Enumerable.Range(0, depth).Select(l => new AnalyticHiddenLayer(AnalyticActivation.Relu, 2.0, l == 0 ? bias : 0.01)).ToArray();
        var net = new AnalyticMlp(d, hidden, new AnalyticReadout(2.0, 0.01));
        var xs = Tensor.FromArray(scaled, n, d);
        double[] reference = (nngp ? net.Nngp(xs) : net.Ntk(xs)).ToFlatArray();
        for (int q = 0; q < n * n; q++) Assert.Equal(reference[q], k[q], 1e-12 * Math.Abs(reference[q]) + 1e-14);
        // Network(d, b) is the same network.
        double[] fromNetwork = (nngp ? ard.Network(d, bias).Nngp(xs) : ard.Network(d, bias).Ntk(xs)).ToFlatArray();
        for (int q = 0; q < n * n; q++) Assert.Equal(reference[q], fromNetwork[q], 1e-12 * Math.Abs(reference[q]));
    }

    [Theory]
    [InlineData(1, false, 1.3, 0.8, 0.4)]
    [InlineData(2, false, 1.3, 0.8, -0.9)]
    [InlineData(4, false, 0.5, 2.0, 0.95)]
    [InlineData(3, true, 1.1, 0.7, 0.2)]
    public void PairDerivativesEqualCentralDifferences(int depth, bool nngp, double p, double r, double c)
    {
        var ard = new ArdReluKernel(depth, 2.0, 0.05, nngp);
        ard.Pair(p, r, c, out double dp, out double dr, out double dc);
        const double h = 1e-6;
        double Fd(Func<double, double> f) => (f(h) - f(-h)) / (2 * h);
        Assert.Equal(Fd(e => ard.Pair(p + e, r, c, out _, out _, out _)), dp, 1e-7);
        Assert.Equal(Fd(e => ard.Pair(p, r + e, c, out _, out _, out _)), dr, 1e-7);
        Assert.Equal(Fd(e => ard.Pair(p, r, c + e, out _, out _, out _)), dc, 1e-7);
    }

    private static (double[] X, double[] Y) Problem(int n, int d, long seed)
    {
        double[] x = Normal(n * d, seed);
        // A duplicated row: its pair is on the pr = c² branch, where dṪ is set to its limit 0.
        Array.Copy(x, 0, x, d, d);
        var y = new double[n];
        double[] noise = Normal(n, seed + 1, 0.1);
        for (int i = 0; i < n; i++) y[i] = Math.Sin(2 * x[i * d]) + 0.5 * x[i * d + 1] + noise[i];
        return (x, y);
    }

    [Fact]
    public void ValueEqualsDenseGaussianLogDensityAtProfiledAmplitude()
    {
        const int n = 20, d = 3;
        var (x, y) = Problem(n, d, 5);
        var ard = new ArdReluKernel(2, 2.0, 0.01);
        var ml = new ArdMarginalLikelihood(x, y, n, d, ard);
        double[] theta = [0.4, -0.8, 1.0, Math.Log(0.2), Math.Log(0.05)];
        double value = ml.Evaluate(theta, []);

        double[] k = ard.Kernel(x, n, d, theta.AsSpan(0, d), 0.2);
        double rho = 0.05 * Enumerable.Range(0, n).Average(i => k[i * n + i]); // ψ is the noise relative to the mean diagonal
        var a = Matrix<double>.Build.Dense(n, n, (i, j) => k[i * n + j] + (i == j ? rho : 0));
        var yv = Vector<double>.Build.DenseOfArray(y);
        double s2 = yv * a.Solve(yv) / n;
        // log N(y; 0, s²A) written out: −½ yᵀ(s²A)⁻¹y − ½ log|s²A| − (n/2) log 2π.
        var cov = a * s2;
        double expected = -0.5 * (yv * cov.Solve(yv)) - 0.5 * Math.Log(cov.Determinant()) - 0.5 * n * Math.Log(2 * Math.PI);
        Assert.Equal(expected / n, value, 1e-10);
    }

    [Fact]
    public void NoiseWeightsGiveTheDenseDensityOfGroupMeans()
    {
        // Group means ȳ_i of c_i observations: ȳ ~ N(0, s²(K + ρ·diag(1/c))), written out with MathNet.
        const int n = 16, d = 3;
        var (x, y) = Problem(n, d, 13);
        double[] counts = Enumerable.Range(0, n).Select(i => 1.0 + i % 3).ToArray();
        var ard = new ArdReluKernel(2, 2.0, 0.01);
        var ml = new ArdMarginalLikelihood(x, y, n, d, ard, noiseWeights: counts.Select(c => 1 / c).ToArray());
        double[] theta = [0.2, 0.5, -0.3, Math.Log(0.1), Math.Log(0.03)];
        double value = ml.Evaluate(theta, []);
        double[] k = ard.Kernel(x, n, d, theta.AsSpan(0, d), 0.1);
        double rho = 0.03 * Enumerable.Range(0, n).Average(i => k[i * n + i]);
        var a = Matrix<double>.Build.Dense(n, n, (i, j) => k[i * n + j] + (i == j ? rho / counts[i] : 0));
        var yv = Vector<double>.Build.DenseOfArray(y);
        double s2 = yv * a.Solve(yv) / n;
        var cov = a * s2;
        double expected = -0.5 * (yv * cov.Solve(yv)) - 0.5 * Math.Log(cov.Determinant()) - 0.5 * n * Math.Log(2 * Math.PI);
        Assert.Equal(expected / n, value, 1e-10);
        Assert.Equal(s2, ml.Amplitude, 1e-10 * s2);
    }

    [Fact]
    public void LeaveOneOutValueEqualsBruteForceRefitsAtProfiledAmplitude()
    {
        const int n = 18, d = 3;
        var (x, y) = Problem(n, d, 9);
        var ard = new ArdReluKernel(2, 2.0, 0.01);
        var loo = new ArdMarginalLikelihood(x, y, n, d, ard, leaveOneOut: true);
        double[] theta = [0.4, -0.8, 1.0, Math.Log(0.2), Math.Log(0.05)];
        double value = loo.Evaluate(theta, []);

        // Refit the GP without each row in turn (MathNet dense solves): mean μ_i and variance v_i (up to s²).
        double[] k = ard.Kernel(x, n, d, theta.AsSpan(0, d), 0.2);
        double rho = 0.05 * Enumerable.Range(0, n).Average(i => k[i * n + i]);
        var mu = new double[n];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            int[] keep = Enumerable.Range(0, n).Where(j => j != i).ToArray();
            var a = Matrix<double>.Build.Dense(n - 1, n - 1, (p, q) => k[keep[p] * n + keep[q]] + (p == q ? rho : 0));
            var ks = Vector<double>.Build.Dense(n - 1, p => k[i * n + keep[p]]);
            var yk = Vector<double>.Build.Dense(n - 1, p => y[keep[p]]);
            mu[i] = ks * a.Solve(yk);
            v[i] = k[i * n + i] + rho - ks * a.Solve(ks);
        }
        double s2 = Enumerable.Range(0, n).Sum(i => (y[i] - mu[i]) * (y[i] - mu[i]) / v[i]) / n;
        double expected = Enumerable.Range(0, n).Sum(i =>
            -0.5 * Math.Log(2 * Math.PI * s2 * v[i]) - (y[i] - mu[i]) * (y[i] - mu[i]) / (2 * s2 * v[i])) / n;
        Assert.Equal(expected, value, 1e-9);
        Assert.Equal(s2, loo.Amplitude, 1e-9 * s2);
    }

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(3, false, false)]
    [InlineData(1, true, false)]
    [InlineData(3, true, false)]
    [InlineData(2, false, true)]
    [InlineData(2, true, true)]
    public void GradientEqualsCentralDifferences(int depth, bool leaveOneOut, bool noiseWeights)
    {
        const int n = 25, d = 3;
        var (x, y) = Problem(n, d, 7);
        double[]? w = noiseWeights ? Enumerable.Range(0, n).Select(i => 1.0 / (1 + i % 4)).ToArray() : null;
        var ml = new ArdMarginalLikelihood(x, y, n, d, new ArdReluKernel(depth, 2.0, 0.01), leaveOneOut, w);
        double[] theta = [0.3, -0.5, 1.2, Math.Log(0.1), Math.Log(0.02)];
        var g = new double[theta.Length];
        ml.Evaluate(theta, g);
        const double h = 1e-5;
        for (int q = 0; q < theta.Length; q++)
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[q] += h;
            minus[q] -= h;
            double fd = (ml.Evaluate(plus, []) - ml.Evaluate(minus, [])) / (2 * h);
            Assert.True(Math.Abs(fd - g[q]) <= 1e-6 + 1e-5 * Math.Abs(fd), $"parameter {q}: analytic {g[q]:G8}, finite difference {fd:G8}");
        }
    }

    [Fact]
    public void MaximizeImprovesTheStartAndEndsNearAStationaryPoint()
    {
        const int n = 40, d = 3;
        var (x, y) = Problem(n, d, 11);
        var ml = new ArdMarginalLikelihood(x, y, n, d, new ArdReluKernel(1, 2.0, 0.01));
        double[] start = [0, 0, 0, Math.Log(0.01), Math.Log(0.1)];
        double startValue = ml.Evaluate(start, []);
        var (theta, value) = ml.Maximize(start, 200);
        Assert.True(value > startValue + 0.05, $"start {startValue}, end {value}");
        Assert.Equal(ml.Evaluate(theta, []), value, 1e-12);
        var g = new double[theta.Length];
        ml.Evaluate(theta, g);
        // Each coordinate is either near zero gradient or pinned at the search bound.
        for (int q = 0; q < theta.Length; q++)
            Assert.True(Math.Abs(g[q]) < 1e-3 || Math.Abs(theta[q]) > 17, $"parameter {q} = {theta[q]:G4}: gradient {g[q]:G4}");
    }

    [Theory]
    [InlineData(InputScalesObjective.MarginalLikelihood)]
    [InlineData(InputScalesObjective.LeaveOneOut)]
    public void RegressorLearnsToIgnoreAnIrrelevantFeatureAndPredictsWithTheDenseGpFormulas(InputScalesObjective objective)
    {
        const int n = 120, m = 15, d = 3;
        var s = new NormalSampler(21);
        double[] Rows(int rows, out double[] target)
        {
            var x = new double[rows * d];
            target = new double[rows];
            for (int i = 0; i < rows; i++)
            {
                for (int f = 0; f < d; f++) x[i * d + f] = s.NextNormal() * (f + 1) + f;
                // Feature 2 (the widest) is pure noise for the target.
                target[i] = 10 + 3 * Math.Sin(1.5 * x[i * d]) + x[i * d + 1] + 0.05 * s.NextNormal();
            }
            return x;
        }
        double[] xr = Rows(n, out double[] yr), xtr = Rows(m, out double[] ytr);
        var reg = NtkRegressor.Fit(Tensor.FromArray(xr, n, d), Tensor.FromArray(yr, n),
            new NtkRegressorOptions { Weights = NtkRegressorWeights.InputScales, Depths = [1, 2], MarginalLikelihoodDepthRows = 60, InputScalesObjective = objective });
        Assert.True(reg.MarginalLikelihoodEvaluations > 0);
        var scales = reg.InputScales!;
        Assert.True(scales[2] < 0.2 * Math.Min(scales[0], scales[1]), $"scales {string.Join(", ", scales)}");
        var plain = NtkRegressor.Fit(Tensor.FromArray(xr, n, d), Tensor.FromArray(yr, n), new NtkRegressorOptions { Depths = [1, 2] });
        Assert.True(reg.Score(Tensor.FromArray(xtr, m, d), Tensor.FromArray(ytr, m)).Rmse
            < plain.Score(Tensor.FromArray(xtr, m, d), Tensor.FromArray(ytr, m)).Rmse);

        // Dense reference: standardize by hand, scale, GP posterior with A = K + λI, s² = yᵀA⁻¹y/n, τ² = s²λ.
        double[] mean = new double[d], sd = new double[d];
        for (int f = 0; f < d; f++)
        {
            for (int i = 0; i < n; i++) mean[f] += xr[i * d + f] / n;
            for (int i = 0; i < n; i++) sd[f] += Math.Pow(xr[i * d + f] - mean[f], 2) / n;
            sd[f] = Math.Sqrt(sd[f]);
        }
        double my = yr.Average(), sy = Math.Sqrt(yr.Select(v => (v - my) * (v - my)).Average());
        Tensor Scaled(double[] raw, int rows) => Tensor.FromArray(Enumerable.Range(0, rows * d)
            .Select(q => (raw[q] - mean[q % d]) / sd[q % d] * scales[q % d]).ToArray(), rows, d);
        var net = reg.Network;
        var k = net.Ntk(Scaled(xr, n));
        var kx = net.Ntk(Scaled(xtr, m), Scaled(xr, n));
        var kss = net.Ntk(Scaled(xtr, m));
        var a = Matrix<double>.Build.Dense(n, n, (i, j) => k[i, j] + (i == j ? reg.Ridge : 0));
        var t = Vector<double>.Build.Dense(n, i => (yr[i] - my) / sy);
        var alpha = a.Solve(t);
        var ainv = a.Inverse();
        double s2 = objective == InputScalesObjective.MarginalLikelihood ? t * alpha / n
            : Enumerable.Range(0, n).Sum(i => alpha[i] * alpha[i] / ainv[i, i]) / n;
        Assert.Equal(s2, reg.Amplitude, 1e-8 * s2);
        Assert.Equal(s2 * reg.Ridge, reg.NoiseVariance, 1e-8 * s2 * reg.Ridge);
        var p = reg.Predict(Tensor.FromArray(xtr, m, d));
        for (int j = 0; j < m; j++)
        {
            var kj = Vector<double>.Build.Dense(n, i => kx[j, i]);
            double mu = (kj * alpha) * sy + my;
            double v = s2 * (kss[j, j] - kj * a.Solve(kj) + reg.Ridge) * sy * sy;
            Assert.Equal(mu, p.Mean.AsSpan()[j], 1e-7 * Math.Abs(mu));
            Assert.Equal(v, p.Variance.AsSpan()[j], 1e-6 * v);
        }
    }

    [Fact]
    public void RestartsNeverLowerTheMarginalLikelihoodOfAnyDepth()
    {
        // The restart run includes the unit-scale start, so its best per depth is at least the single run's.
        const int n = 60, d = 3;
        var (x, y) = Problem(n, d, 17);
        NtkRegressor Fit(int restarts) => NtkRegressor.Fit(Tensor.FromArray(x, n, d), Tensor.FromArray(y, n),
            new NtkRegressorOptions { Weights = NtkRegressorWeights.InputScales, Depths = [1, 2], MarginalLikelihoodRestarts = restarts, RepeatedRows = RepeatedTrainingRows.Keep });
        var single = Fit(0);
        var multi = Fit(2);
        Assert.True(multi.MarginalLikelihoodEvaluations > single.MarginalLikelihoodEvaluations);
        foreach (int depth in new[] { 1, 2 })
            Assert.True(multi.DepthScores[depth] <= single.DepthScores[depth] + 1e-12, $"depth {depth}: {multi.DepthScores[depth]} > {single.DepthScores[depth]}");
        var e = Assert.Throws<ArgumentException>(() => NtkRegressor.Fit(Tensor.FromArray(x, n, d), Tensor.FromArray(y, n),
            new NtkRegressorOptions { Weights = NtkRegressorWeights.InputScales, MarginalLikelihoodRestarts = -1 }));
        Assert.Contains("MarginalLikelihoodRestarts", e.Message);
    }
}
