using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Predict;
using NtkDsl.Tests.Support;
using static NtkDsl.Tests.Predict.PredictReference;

namespace NtkDsl.Tests.Predict;

/// <summary>
/// Rank-deficient kernels (issue 13, item 4): a linear kernel Θ = K = 2·x·x'/3 of 12 Gaussian rows in 3 dimensions
/// (rank 3), ridge 0. Null-space directions must contribute nothing at any t: the mean stays at the least-squares fit
/// (the pseudo-inverse formula, here from MathNet's SVD) and, since a linear function is determined by 3 independent
/// points, the posterior variance at every test point is 0.
/// </summary>
public sealed class PredictorSingularKernelTests
{
    private const int N = 12, M = 4, D = 3;

    private static KernelSet LinearKernels()
    {
        var x = Zoo.RandomInputs(N + M, D, 77).ToArray();
        var joint = new double[N + M, N + M];
        for (int i = 0; i < N + M; i++)
            for (int j = 0; j < N + M; j++)
            {
                double s = 0;
                for (int p = 0; p < D; p++) s += x[i, p] * x[j, p];
                joint[i, j] = 2.0 * s / D;
            }
        var blocks = Split(Tensor.FromArray(joint), N);
        return new KernelSet(blocks, blocks, N, M);
    }

    [Fact]
    public void NullSpaceContributesNothingAtAnyTime()
    {
        var ks = LinearKernels();
        var y = Regression.DenseReference.Normal(N, 78);
        var yt = Tensor.FromArray(y, N);
        var ntk = new NtkGpPredictor(ks.Ntk.TrainTrainT, ks.Nngp.TrainTrainT, yt);
        var nngp = new NngpPredictor(ks.Nngp.TrainTrainT, yt);
        Assert.Equal(3, ntk.Rank);
        Assert.Equal(3, nngp.Rank);
        Assert.False(ntk.UsesCholeskyAtInfinity); // singular: t = ∞ goes through the pseudo-inverse
        Assert.False(nngp.UsesCholeskyAtInfinity);
        // Least squares through the pseudo-inverse (SVD, an independent route): K*X K⁺ Y.
        var expected = ks.Ntk.TestTrain * ks.Ntk.TrainTrain.PseudoInverse() * Matrix<double>.Build.Dense(N, 1, y);
        double scale = ks.Nngp.TestTest.Diagonal().Maximum();
        foreach (double t in new[] { 1e6, 1e12, 1e15, 1e300, double.PositiveInfinity })
        {
            var r = ntk.Predict(t, ks.Ntk.TestTrainT, ks.Nngp.TestTrainT, ks.Nngp.TestTestT);
            AssertClose(expected, r.Mean, 1e-10, $"ntk mean t={t:G3}");
            Assert.All(r.Variance.ToFlatArray(), v => Assert.InRange(v, 0, 1e-12 * scale));
            Assert.All(r.Covariance!.ToFlatArray(), v => Assert.True(Math.Abs(v) <= 1e-12 * scale, $"ntk covariance entry {v:E3} at t={t:G3}"));
            var g = nngp.Predict(t, ks.Nngp.TestTrainT, ks.Nngp.TestTestT);
            AssertClose(expected, g.Mean, 1e-10, $"nngp mean t={t:G3}");
            Assert.All(g.Variance.ToFlatArray(), v => Assert.InRange(v, 0, 1e-12 * scale));
        }
    }

    /// <summary>Duplicated training points make K singular; the duplicate's direction must drop out exactly.</summary>
    [Fact]
    public void DuplicatedTrainingPointsGiveTheSameAnswerAsTheDeduplicatedSet()
    {
        var ks = AnalyticKernels(6, 3, 3, 90);
        // Train set with point 2 repeated: rows/columns [0..5, 2].
        int[] idx = [0, 1, 2, 3, 4, 5, 2];
        var kdd = Matrix<double>.Build.Dense(7, 7, (i, j) => ks.Nngp.TrainTrain[idx[i], idx[j]]);
        var ktd = Matrix<double>.Build.Dense(3, 7, (i, j) => ks.Nngp.TestTrain[i, idx[j]]);
        var y = Regression.DenseReference.Normal(6, 91);
        var yDup = idx.Select(i => y[i]).ToArray();
        var dedup = new NngpPredictor(ks.Nngp.TrainTrainT, Tensor.FromArray(y, 6)).Posterior(ks.Nngp.TestTrainT, ks.Nngp.TestTestT);
        var dup = new NngpPredictor(ToTensor(kdd), Tensor.FromArray(yDup, 7));
        Assert.Equal(6, dup.Rank);
        var r = dup.Posterior(ToTensor(ktd), ks.Nngp.TestTestT);
        Close.Relative(dedup.Mean, r.Mean, 1e-9, "mean");
        Close.Relative(dedup.Covariance!, r.Covariance!, 1e-8, "covariance");
    }

    [Fact]
    public void ARaisedToleranceDropsSmallDirectionsAndIsReported()
    {
        var ks = AnalyticKernels(8, 2, 3, 92);
        var y = Tensor.FromArray(Regression.DenseReference.Normal(8, 93), 8);
        var p = new NngpPredictor(ks.Nngp.TrainTrainT, y, eigenvalueTolerance: 0.5);
        var ev = ks.Nngp.TrainTrain.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        double cutoff = 0.5 * ev.Max();
        Assert.Equal(cutoff, p.EigenvalueCutoff, 1e-12 * cutoff);
        Assert.Equal(ev.Count(v => v > cutoff), p.Rank);
        Assert.Equal(0.5, p.EigenvalueTolerance);
        Assert.Equal(8 * 2.220446049250313e-16, new NngpPredictor(ks.Nngp.TrainTrainT, y).EigenvalueTolerance);
    }
}
