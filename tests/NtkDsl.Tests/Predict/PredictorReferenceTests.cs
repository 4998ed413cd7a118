using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Dynamics;
using NtkDsl.Predict;
using static NtkDsl.Tests.Predict.PredictReference;

namespace NtkDsl.Tests.Predict;

/// <summary>
/// <see cref="NngpPredictor"/> and <see cref="NtkGpPredictor"/> against the dense formulas of Lee et al. 2019
/// (explicit inverses and a Taylor matrix exponential in <see cref="PredictReference"/>), on the analytic kernels of a
/// depth-2 ReLU network: 8 training points, 4 test points, 2 outputs (N = 16).
/// </summary>
public sealed class PredictorReferenceTests
{
    private const int N = 8, M = 4, K = 2, D = 3;
    private const double Eta = 0.7;

    private static readonly KernelSet Ks = AnalyticKernels(N, M, D, 501);
    private static readonly Matrix<double> Y = Matrix<double>.Build.DenseOfRowMajor(N, K, Regression.DenseReference.Normal(N * K, 502));
    private static Tensor YT => ToTensor(Y);

    /// <summary>Times spanning the spectrum: s·λ_max/N from 0.3 to about 30·cond.</summary>
    private static double[] Times(Matrix<double> kernel)
    {
        var ev = kernel.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        double lmax = ev.Max(), lmin = ev.Min();
        return [0.3 * N * K / (Eta * lmax), 3.0 * N * K / (Eta * lmax), 0.5 * N * K / (Eta * lmin)];
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void NngpPosteriorIsGpRegressionWithNoiseVarianceRidge(double ridge)
    {
        var p = new NngpPredictor(Ks.Nngp.TrainTrainT, YT, Eta, ridge);
        var full = p.Posterior(Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        var diag = p.Posterior(Ks.Nngp.TestTrainT, Ks.Nngp.TestDiagonalT);
        // Standard GP regression (Rasmussen & Williams eq. 2.23–2.24) with an explicit inverse.
        var inv = (Ks.Nngp.TrainTrain + ridge * Matrix<double>.Build.DenseIdentity(N)).Inverse();
        var mean = Ks.Nngp.TestTrain * inv * Y;
        var cov = Ks.Nngp.TestTest - Ks.Nngp.TestTrain * inv * Ks.Nngp.TestTrain.Transpose();
        AssertClose(mean, full.Mean, 1e-10, "mean");
        AssertClose(cov, full.Covariance!, 1e-9, "covariance");
        AssertClose(Matrix<double>.Build.Dense(M, 1, cov.Diagonal().ToArray()), diag.Variance, 1e-9, "marginal variance");
        Assert.Null(diag.Covariance);
        Assert.Equal(full.Mean.ToFlatArray(), diag.Mean.ToFlatArray());
        Assert.True(double.IsPositiveInfinity(full.Time));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void NngpAtFiniteTimesMatchesTheDenseFormula(double ridge)
    {
        var p = new NngpPredictor(Ks.Nngp.TrainTrainT, YT, Eta, ridge);
        foreach (double t in Times(Ks.Nngp.TrainTrain))
        {
            var (mean, cov) = Nngp(Ks.Nngp, Y, ridge, Eta * t, N * K);
            var r = p.Predict(t, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
            AssertClose(mean, r.Mean, 1e-9, $"mean t={t}");
            AssertClose(cov, r.Covariance!, 1e-9, $"cov t={t}");
            AssertClose(mean, p.PredictMean(t, Ks.Nngp.TestTrainT), 1e-9, $"PredictMean t={t}");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.03)]
    public void NtkGpMatchesTheDenseFormulaAtFiniteTimesAndInfinity(double ridge)
    {
        var p = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta, ridge);
        foreach (double t in Times(Ks.Ntk.TrainTrain).Append(double.PositiveInfinity))
        {
            var (mean, cov) = NtkGp(Ks, Y, ridge, Eta * t, N * K);
            var r = p.Predict(t, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
            AssertClose(mean, r.Mean, 1e-9, $"mean t={t}");
            AssertClose(cov, r.Covariance!, 1e-9, $"cov t={t}");
            var marginal = p.Predict(t, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestDiagonalT);
            AssertClose(Matrix<double>.Build.Dense(M, 1, cov.Diagonal().ToArray()), marginal.Variance, 1e-9, $"variance t={t}");
            AssertClose(mean, p.PredictMean(t, Ks.Ntk.TestTrainT), 1e-9, $"PredictMean t={t}");
        }
    }

    [Fact]
    public void TimeZeroIsThePrior()
    {
        var nngp = new NngpPredictor(Ks.Nngp.TrainTrainT, YT, Eta, 0.01).Predict(0, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        var ntk = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta, 0.01).Predict(0, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        foreach (var r in new[] { nngp, ntk })
        {
            Assert.All(r.Mean.ToFlatArray(), v => Assert.Equal(0.0, v));
            AssertClose(Ks.Nngp.TestTest, r.Covariance!, 1e-15, "prior covariance");
        }
    }

    [Fact]
    public void LargeTimesApproachTheInfiniteTimeFormula()
    {
        var nngp = new NngpPredictor(Ks.Nngp.TrainTrainT, YT, Eta);
        var ntk = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta);
        // e^{−sλ_min/N} < e^{−60}: the finite-time formula equals the limit to rounding.
        double tn = 60.0 * N * K / (Eta * nngp.Eigenvalues[0]);
        double tk = 60.0 * N * K / (Eta * ntk.Eigenvalues[0]);
        var (mn, cn) = Nngp(Ks.Nngp, Y, 0, double.PositiveInfinity, N * K);
        var (mk, ck) = NtkGp(Ks, Y, 0, double.PositiveInfinity, N * K);
        var rn = nngp.Predict([tn, double.PositiveInfinity], Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        var rk = ntk.Predict([tk, double.PositiveInfinity], Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        foreach (var r in rn)
        {
            AssertClose(mn, r.Mean, 1e-9, $"nngp mean t={r.Time}");
            AssertClose(cn, r.Covariance!, 1e-8, $"nngp cov t={r.Time}");
        }
        foreach (var r in rk)
        {
            AssertClose(mk, r.Mean, 1e-9, $"ntk mean t={r.Time}");
            AssertClose(ck, r.Covariance!, 1e-8, $"ntk cov t={r.Time}");
        }
    }

    /// <summary>t = ∞ runs on a Cholesky factor when the kernel is positive definite; the eigen route gives the same.</summary>
    [Fact]
    public void CholeskyAndEigendecompositionAgreeAtInfinity()
    {
        double tol = N * 2.220446049250313e-16; // the default, given explicitly: forces the eigen route
        var chol = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta, 0.01);
        var eig = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta, 0.01, tol);
        Assert.True(chol.UsesCholeskyAtInfinity);
        Assert.False(eig.UsesCholeskyAtInfinity);
        var a = chol.Posterior(Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        var b = eig.Posterior(Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        Support.Close.Relative(b.Mean, a.Mean, 1e-11, "ntk mean");
        Support.Close.Relative(b.Covariance!, a.Covariance!, 1e-10, "ntk covariance");
        Support.Close.Relative(eig.PredictMean(double.PositiveInfinity, Ks.Ntk.TestTrainT), chol.PredictMean(double.PositiveInfinity, Ks.Ntk.TestTrainT), 1e-11, "ntk PredictMean");
        var gc = new NngpPredictor(Ks.Nngp.TrainTrainT, YT, Eta, 0.01);
        var ge = new NngpPredictor(Ks.Nngp.TrainTrainT, YT, Eta, 0.01, tol);
        Assert.True(gc.UsesCholeskyAtInfinity);
        var c = gc.Posterior(Ks.Nngp.TestTrainT, Ks.Nngp.TestDiagonalT);
        var d = ge.Posterior(Ks.Nngp.TestTrainT, Ks.Nngp.TestDiagonalT);
        Support.Close.Relative(d.Mean, c.Mean, 1e-11, "nngp mean");
        Support.Close.Relative(d.Variance, c.Variance, 1e-10, "nngp variance");
        Support.Close.Relative(ge.PredictMean(double.PositiveInfinity, Ks.Nngp.TestTrainT), gc.PredictMean(double.PositiveInfinity, Ks.Nngp.TestTrainT), 1e-11, "nngp PredictMean");
    }

    [Fact]
    public void SeveralTimesEqualSingleCalls()
    {
        var p = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta, 0.02);
        double[] ts = [0.0, 1.5, 40.0, double.PositiveInfinity];
        var many = p.Predict(ts, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        for (int i = 0; i < ts.Length; i++)
        {
            var one = p.Predict(ts[i], Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
            Assert.Equal(one.Mean.ToFlatArray(), many[i].Mean.ToFlatArray());
            Assert.Equal(one.Covariance!.ToFlatArray(), many[i].Covariance!.ToFlatArray());
            Assert.Equal(ts[i], many[i].Time);
        }
    }

    /// <summary>With Θ = K and no ridge the NTK-GP formula reduces to the NNGP one: A_t K = I − e^{−sK/N}.</summary>
    [Fact]
    public void NtkGpWithTheNngpAsItsNtkIsTheNngpPredictor()
    {
        var nngp = new NngpPredictor(Ks.Nngp.TrainTrainT, YT, Eta);
        var ntk = new NtkGpPredictor(Ks.Nngp.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta);
        foreach (double t in Times(Ks.Nngp.TrainTrain).Append(double.PositiveInfinity))
        {
            var a = nngp.Predict(t, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
            var b = ntk.Predict(t, Ks.Nngp.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
            Support.Close.Relative(a.Mean, b.Mean, 1e-10, $"mean t={t}");
            Support.Close.Relative(a.Covariance!, b.Covariance!, 1e-9, $"cov t={t}");
        }
    }

    /// <summary>The ensemble mean is the linearized network started from f₀ = 0: GradientDescentMse.PredictTest.</summary>
    [Fact]
    public void NtkGpMeanIsGradientDescentMseFromZeroOutputs()
    {
        const double ridge = 0.02;
        var p = new NtkGpPredictor(Ks.Ntk.TrainTrainT, null, YT, Eta, ridge);
        var gd = new GradientDescentMse(Ks.Ntk.TrainTrainT, YT, Eta, ridge);
        foreach (double t in Times(Ks.Ntk.TrainTrain).Append(double.PositiveInfinity))
            Support.Close.Relative(gd.PredictTest(t, Tensor.Zeros(N, K), Tensor.Zeros(M, K), Ks.Ntk.TestTrainT),
                p.PredictMean(t, Ks.Ntk.TestTrainT), 1e-10, $"t={t}");
    }

    [Fact]
    public void VectorTargetsGiveVectorMeansEqualToTheColumnOfMatrixTargets()
    {
        var col = Y.Column(1).ToArray();
        var vec = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, Tensor.FromArray(col, N), Eta);
        var mat = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta);
        // Same time in units of s/N: N differs (n vs n·K), so scale t by the output count.
        var a = vec.Predict(2.0, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        var b = mat.Predict(2.0 * K, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        Assert.Equal([M], a.Mean.Shape.ToArray());
        Assert.Equal([M, K], b.Mean.Shape.ToArray());
        for (int i = 0; i < M; i++) Assert.Equal(b.Mean[i, 1], a.Mean.GetFlat(i), 1e-12);
        Support.Close.Relative(b.Covariance!, a.Covariance!, 1e-12, "covariance");
    }

    [Fact]
    public void Float32KernelsAreAcceptedAndAgreeToFloat32Precision()
    {
        var p64 = new NtkGpPredictor(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, YT, Eta, 0.05);
        var p32 = new NtkGpPredictor(Ks.Ntk.TrainTrainT.To(DType.Float32), Ks.Nngp.TrainTrainT.To(DType.Float32), YT, Eta, 0.05);
        var a = p64.Predict(3.0, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        var b = p32.Predict(3.0, Ks.Ntk.TestTrainT.To(DType.Float32), Ks.Nngp.TestTrainT.To(DType.Float32), Ks.Nngp.TestTestT.To(DType.Float32));
        Assert.Equal(DType.Float64, b.Mean.DType);
        Support.Close.Relative(a.Mean, b.Mean, 1e-4, "mean");
        Assert.All(b.Variance.ToFlatArray(), v => Assert.True(v >= 0));
    }
}
