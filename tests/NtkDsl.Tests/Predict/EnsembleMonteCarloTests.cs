using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Dynamics;
using NtkDsl.Predict;
using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Support;
using static NtkDsl.Tests.Predict.PredictReference;

namespace NtkDsl.Tests.Predict;

/// <summary>
/// Monte Carlo checks of what the predicted Gaussians mean (Lee et al. 2019 §2.3): ensembles of real wide networks
/// (one hidden ReLU layer of width 2048, NTK parameterization, analytic kernels from the generated
/// <c>AnalyticNtk</c>/<c>AnalyticNngp</c>), each trained in closed form on its own empirical kernel, and posterior
/// samples of the GP prior. Tolerances: every mean and covariance entry within 4.5 standard errors of the prediction
/// (<see cref="EnsembleStatistics"/>; below 1e-5 per entry by chance for Gaussian draws), and the finite-width
/// corrections are O(1/width) ≈ 5e-4 relative, far below the Monte Carlo standard errors (≈ 5% of σ for the means at
/// S = 400). Each test also shows that the check has power: a prediction at twice the time is rejected.
/// </summary>
public sealed class EnsembleMonteCarloTests(ITestOutputHelper output)
{
    private const int N = 6, M = 3, D = 3, Seeds = 400;
    private const double Eta = 1.0, Limit = 4.5;

    private static Tensor X => Zoo.RandomInputs(N + M, D, 700);
    private static double[] Y => Regression.DenseReference.Normal(N, 701);

    private static double[] Times(IReadOnlyList<double> eigenvalues) =>
        [0.0, 0.5 * N / (Eta * eigenvalues[^1]), 1.0 * N / (Eta * eigenvalues.First(v => v > 0)), double.PositiveInfinity];

    private static double[] Row(Tensor t, int row, int width)
    {
        var r = new double[width];
        for (int j = 0; j < width; j++) r[j] = t.Rank == 2 ? t[row, j] : t.GetFlat(row * width + j);
        return r;
    }

    /// <summary>Outputs of a [T, m] stack at time index i.</summary>
    private static double[] At(Tensor stacked, int i) => Row(stacked, i, M);

    /// <summary>
    /// The weighted case (<c>weighted = true</c>): weights w_g on the parameter groups, i.e. training with per-group
    /// learning rates η·w_g (math.md §3); the ensemble follows the NTK-GP with Θ_w in place of Θ (the prior stays the NNGP).
    /// </summary>
    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.05, false)]
    [InlineData(0.0, true)]
    public void WideNetworksTrainedByGradientFlowFollowTheNtkGp(double ridge, bool weighted)
    {
        var weights = weighted ? new GroupWeights().Weights("Hidden", 3.0).Bias("Hidden", 0.2).Weights("Readout", 0.5) : GroupWeights.Ones;
        var ntk = Split(Wide2048.AnalyticWntk(X, null, weights), N);
        var nngp = Split(Wide2048.AnalyticNngp(X), N);
        var yt = Tensor.FromArray(Y, N);
        var predictor = new NtkGpPredictor(ntk.TrainTrainT, nngp.TrainTrainT, yt, Eta, ridge);
        double[] times = Times(predictor.Eigenvalues);
        var predicted = predictor.Predict(times, ntk.TestTrainT, nngp.TestTrainT, nngp.TestTestT);
        var stats = times.Select(_ => new EnsembleStatistics(M)).ToArray();
        var x = X;
        for (int s = 0; s < Seeds; s++)
        {
            var model = new Wide2048(2000 + s);
            var theta = Split(model.Wntk(x, null, weights), N);
            var f0 = model.Forward(x).ToFlatArray();
            var gd = new GradientDescentMse(theta.TrainTrainT, yt, Eta, ridge);
            var f = gd.PredictTest(times, Tensor.FromArray(f0.AsSpan(0, N), N), Tensor.FromArray(f0.AsSpan(N, M), M), theta.TestTrainT);
            for (int i = 0; i < times.Length; i++) stats[i].Add(At(f, i));
        }
        for (int i = 0; i < times.Length; i++)
        {
            var (zm, zc) = stats[i].MaxZ(predicted[i].Mean, predicted[i].Covariance!);
            output.WriteLine($"ridge {ridge}, weighted {weighted}, t = {times[i]:G4}: max |z| mean {zm:F2}, covariance {zc:F2}");
            Assert.True(zm < Limit, $"t = {times[i]}: ensemble mean is {zm:F2} standard errors from the NTK-GP mean");
            Assert.True(zc < Limit, $"t = {times[i]}: ensemble covariance is {zc:F2} standard errors from the NTK-GP covariance");
        }
        // Power: the prediction at twice the (finite, non-zero) time is rejected.
        var wrong = predictor.Predict(2 * times[1], ntk.TestTrainT, nngp.TestTrainT, nngp.TestTestT);
        var (wm, wc) = stats[1].MaxZ(wrong.Mean, wrong.Covariance!);
        output.WriteLine($"prediction at 2t: max |z| mean {wm:F2}, covariance {wc:F2}");
        Assert.True(Math.Max(wm, wc) > Limit, $"the check cannot tell t from 2t (max |z| {Math.Max(wm, wc):F2})");
    }

    /// <summary>
    /// Lee et al. 2019 §2.3: training only the readout layer of wide networks, the ensemble is the NNGP prediction.
    /// Per seed the readout's kernel is its NTK block (σ_w²/n ⟨a, a'⟩ + σ_b²), exact for the readout-only model.
    /// </summary>
    [Fact]
    public void WideNetworksWithOnlyTheReadoutTrainedFollowTheNngpPrediction()
    {
        var nngp = Split(Wide2048.AnalyticNngp(X), N);
        var yt = Tensor.FromArray(Y, N);
        var predictor = new NngpPredictor(nngp.TrainTrainT, yt, Eta);
        double[] times = Times(predictor.Eigenvalues);
        var predicted = predictor.Predict(times, nngp.TestTrainT, nngp.TestTestT);
        var stats = times.Select(_ => new EnsembleStatistics(M)).ToArray();
        var x = X;
        for (int s = 0; s < Seeds; s++)
        {
            var model = new Wide2048(3000 + s);
            var blocks = model.NtkPerGroup(x);
            var k = blocks["Readout.Weights"].Clone();
            TensorOps.AddScaled(k, blocks["Readout.Bias"], 1.0);
            var kk = Split(k, N);
            var f0 = model.Forward(x).ToFlatArray();
            var f = new GradientDescentMse(kk.TrainTrainT, yt, Eta).PredictTest(times, Tensor.FromArray(f0.AsSpan(0, N), N),
                Tensor.FromArray(f0.AsSpan(N, M), M), kk.TestTrainT);
            for (int i = 0; i < times.Length; i++) stats[i].Add(At(f, i));
        }
        for (int i = 0; i < times.Length; i++)
        {
            var (zm, zc) = stats[i].MaxZ(predicted[i].Mean, predicted[i].Covariance!);
            output.WriteLine($"t = {times[i]:G4}: max |z| mean {zm:F2}, covariance {zc:F2}");
            Assert.True(zm < Limit, $"t = {times[i]}: mean off by {zm:F2} standard errors");
            Assert.True(zc < Limit, $"t = {times[i]}: covariance off by {zc:F2} standard errors");
        }
        var wrong = predictor.Predict(2 * times[1], nngp.TestTrainT, nngp.TestTestT);
        var (wm, wc) = stats[1].MaxZ(wrong.Mean, wrong.Covariance!);
        output.WriteLine($"prediction at 2t: max |z| mean {wm:F2}, covariance {wc:F2}");
        Assert.True(Math.Max(wm, wc) > Limit, $"the check cannot tell t from 2t (max |z| {Math.Max(wm, wc):F2})");
    }

    /// <summary>
    /// Sampling from the prior: draw (f(X), f(x*)) ~ N(0, K) jointly and observation noise ε ~ N(0, λI), and move each
    /// draw by f_t(x*) = f(x*) + K(x*, X) A_t (Y − f(X) − ε) with A_t = K_λ^{-1}(I − e^{−sK_λ/N}) from the dense
    /// reference. At t = ∞ this is Matheron's rule, whose draws are exact GP-posterior samples; at finite t it is the
    /// readout-only flow from noisy initial outputs that neural-tangents' NNGP formula describes (docs/math.md §8).
    /// </summary>
    [Fact]
    public void ConditionedPriorSamplesFollowTheNngpPosteriorWithNoise()
    {
        const double ridge = 0.1;
        const int draws = 4000;
        var joint = Wide2048.AnalyticNngp(X);
        var k = Split(joint, N);
        var chol = Matrix<double>.Build.DenseOfArray(joint.ToArray()).Cholesky().Factor;
        var y = Matrix<double>.Build.Dense(N, 1, Y);
        var predictor = new NngpPredictor(k.TrainTrainT, Tensor.FromArray(Y, N), Eta, ridge);
        double[] times = [0.5 * N / predictor.Eigenvalues[^1], 2.0 * N / predictor.Eigenvalues[0], double.PositiveInfinity];
        foreach (double t in times)
        {
            var gain = k.TestTrain * Gain(k.TrainTrain, ridge, Eta * t, N);
            var z = Matrix<double>.Build.DenseOfColumnMajor(N + M, draws, Regression.DenseReference.Normal((N + M) * draws, 800));
            var noise = Matrix<double>.Build.DenseOfColumnMajor(N, draws, Regression.DenseReference.Normal(N * draws, 801, Math.Sqrt(ridge)));
            var f = chol * z;
            var residual = -(f.SubMatrix(0, N, 0, draws) + noise);
            for (int c = 0; c < draws; c++) residual.SetColumn(c, residual.Column(c) + y.Column(0));
            var ft = f.SubMatrix(N, M, 0, draws) + gain * residual;
            var stats = new EnsembleStatistics(M);
            for (int c = 0; c < draws; c++) stats.Add(ft.Column(c).ToArray());
            var p = predictor.Predict(t, k.TestTrainT, k.TestTestT);
            var (zm, zc) = stats.MaxZ(p.Mean, p.Covariance!);
            output.WriteLine($"t = {t:G4}: max |z| mean {zm:F2}, covariance {zc:F2}");
            Assert.True(zm < Limit, $"t = {t}: mean off by {zm:F2} standard errors");
            Assert.True(zc < Limit, $"t = {t}: covariance off by {zc:F2} standard errors");
            // Power: ignoring the noise (the ridge-free posterior) is rejected at t = ∞.
            if (double.IsPositiveInfinity(t))
            {
                var noiseless = new NngpPredictor(k.TrainTrainT, Tensor.FromArray(Y, N), Eta, 0.0).Posterior(k.TestTrainT, k.TestTestT);
                var (nm, nc) = stats.MaxZ(noiseless.Mean, noiseless.Covariance!);
                output.WriteLine($"noise-free posterior: max |z| mean {nm:F2}, covariance {nc:F2}");
                Assert.True(Math.Max(nm, nc) > Limit, $"the check cannot tell the noisy from the noise-free posterior (max |z| {Math.Max(nm, nc):F2})");
            }
        }
    }
}
