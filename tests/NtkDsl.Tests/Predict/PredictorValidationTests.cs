using NtkDsl.Predict;
using static NtkDsl.Tests.Predict.PredictReference;

namespace NtkDsl.Tests.Predict;

/// <summary>Bad input gets a clear exception naming the argument and the fix; rounding-level negative variances are clipped.</summary>
public sealed class PredictorValidationTests
{
    private const int N = 6, M = 3;
    private static readonly KernelSet Ks = AnalyticKernels(N, M, 3, 601);
    private static readonly Tensor Y = Tensor.FromArray(Regression.DenseReference.Normal(N, 602), N);

    private static NtkGpPredictor Ntk(double ridge = 0) => new(Ks.Ntk.TrainTrainT, Ks.Nngp.TrainTrainT, Y, 1.0, ridge);

    [Fact]
    public void ShapeMismatchesNameTheArgumentAndTheExpectedShape()
    {
        var e1 = Assert.Throws<ArgumentException>(() => new NtkGpPredictor(Ks.Ntk.TrainTrainT, Tensor.Zeros(N - 1, N - 1), Y));
        Assert.Equal("nngpTrainTrain", e1.ParamName);
        Assert.Contains("same training set", e1.Message, StringComparison.Ordinal);

        var e2 = Assert.Throws<ArgumentException>(() => new NngpPredictor(Ks.Nngp.TrainTrainT, Tensor.Zeros(N + 1)));
        Assert.Equal("yTrain", e2.ParamName);

        var e3 = Assert.Throws<ArgumentException>(() => Ntk().Predict(1.0, Tensor.Zeros(M, N + 1), Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT));
        Assert.Equal("ntkTestTrain", e3.ParamName);

        var e4 = Assert.Throws<ArgumentException>(() => Ntk().Predict(1.0, Ks.Ntk.TestTrainT, Tensor.Zeros(M + 1, N), Tensor.Zeros(M + 1, M + 1)));
        Assert.Equal("nngpTestTrain", e4.ParamName);
        Assert.Contains("same test points", e4.Message, StringComparison.Ordinal);

        var e5 = Assert.Throws<ArgumentException>(() => Ntk().Predict(1.0, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Tensor.Zeros(M, M + 1)));
        Assert.Equal("nngpTestTest", e5.ParamName);
        Assert.Contains("length-3 vector", e5.Message, StringComparison.Ordinal);

        var e6 = Assert.Throws<ArgumentException>(() => new NngpPredictor(Ks.Nngp.TrainTrainT, Y).Predict(1.0, Ks.Nngp.TestTrainT, Tensor.Zeros(M + 1)));
        Assert.Equal("kTestTest", e6.ParamName);

        var e7 = Assert.Throws<ArgumentException>(() => new NngpPredictor(Tensor.Zeros(N, N + 1), Y));
        Assert.Contains("square", e7.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteKernelsAreRejectedWithTheirPosition()
    {
        var bad = Ks.Nngp.TestTrainT.Clone();
        bad.AsSpan()[4] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => new NngpPredictor(Ks.Nngp.TrainTrainT, Y).Predict(1.0, bad, Ks.Nngp.TestTestT));
        Assert.Equal("kTestTrain", e.ParamName);
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);

        var badTrain = Ks.Ntk.TrainTrainT.Clone();
        badTrain.AsSpan()[0] = double.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => new NtkGpPredictor(badTrain, Ks.Nngp.TrainTrainT, Y));

        var badDiag = Ks.Nngp.TestDiagonalT.Clone();
        badDiag.AsSpan()[1] = double.NegativeInfinity;
        var e3 = Assert.Throws<ArgumentException>(() => Ntk().Predict(1.0, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, badDiag));
        Assert.Equal("nngpTestTest", e3.ParamName);
    }

    [Fact]
    public void NegativeVarianceBeyondRoundingThrowsNamingTheMagnitude()
    {
        // Lower each K(x*, x*) by its true posterior variance plus half its value: the computed variance is then
        // −K(x*, x*)/2, far beyond rounding (such a K(x*, x*) cannot come from the same kernel as the other blocks).
        var nngp = new NngpPredictor(Ks.Nngp.TrainTrainT, Y);
        var e = Assert.Throws<ArgumentException>(() => nngp.Posterior(Ks.Nngp.TestTrainT, Lowered(nngp.Posterior(Ks.Nngp.TestTrainT, Ks.Nngp.TestDiagonalT).Variance)));
        Assert.Equal("kTestTest", e.ParamName);
        Assert.Contains("negative beyond rounding", e.Message, StringComparison.Ordinal);
        Assert.Contains("jointly positive semi-definite", e.Message, StringComparison.Ordinal);
        Assert.Matches(@"variance at test point 0 is -\d", e.Message);

        var ntk = Ntk(0.01);
        var v = ntk.Posterior(Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestDiagonalT).Variance;
        var e2 = Assert.Throws<ArgumentException>(() => ntk.Posterior(Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Lowered(v)));
        Assert.Equal("nngpTestTest", e2.ParamName);
        Assert.Contains("negative beyond rounding", e2.Message, StringComparison.Ordinal);
    }

    private static Tensor Lowered(Tensor variance)
    {
        var d = Ks.Nngp.TestDiagonalT.ToFlatArray();
        for (int i = 0; i < d.Length; i++) d[i] -= variance.GetFlat(i) + 0.5 * d[i];
        return Tensor.FromArray(d, d.Length);
    }

    [Fact]
    public void RoundingLevelNegativeVariancesAreClippedToZeroAndCounted()
    {
        // At a training point, noise-free GP regression has variance 0; lower K(x*, x*) by 1e-12 of its value so the
        // computed variance is about −1e-12·K**: rounding-sized, so it is clipped and reported.
        var p = new NngpPredictor(Ks.Nngp.TrainTrainT, Y);
        var kTestTrain = Tensor.FromArray(Enumerable.Range(0, N).Select(j => Ks.Nngp.TrainTrain[1, j]).ToArray(), 1, N);
        double kss = Ks.Nngp.TrainTrain[1, 1];
        var r = p.Posterior(kTestTrain, Tensor.FromArray([kss * (1 - 1e-12)], 1));
        Assert.Equal(1, r.ClippedVariances);
        Assert.InRange(r.LargestClippedVariance, 1e-14 * kss, 1e-10 * kss);
        Assert.Equal(0.0, r.Variance.GetFlat(0));
        Assert.Equal(0.0, r.StandardDeviation().GetFlat(0));
        // …and a clean one has nothing clipped.
        var clean = p.Posterior(Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT);
        Assert.Equal(0, clean.ClippedVariances);
        Assert.Equal(0.0, clean.LargestClippedVariance);
    }

    [Fact]
    public void IndefiniteTrainingKernelsAreRejectedWithARidgeSuggestion()
    {
        var k = Ks.Ntk.TrainTrain.Clone();
        k[0, 0] = -k[0, 0];
        var e = Assert.Throws<ArgumentException>(() => new NtkGpPredictor(ToTensor(k), null, Y));
        Assert.Equal("ntkTrainTrain", e.ParamName);
        Assert.Contains("indefinite", e.Message, StringComparison.Ordinal);
        Assert.Contains("ridge ≥", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NngpPredictor(Ks.Nngp.TrainTrainT, Y, learningRate: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NngpPredictor(Ks.Nngp.TrainTrainT, Y, learningRate: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NngpPredictor(Ks.Nngp.TrainTrainT, Y, ridge: -1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NtkGpPredictor(Ks.Ntk.TrainTrainT, null, Y, eigenvalueTolerance: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NtkGpPredictor(Ks.Ntk.TrainTrainT, null, Y, eigenvalueTolerance: -1e-9));
        var p = Ntk();
        Assert.Throws<ArgumentOutOfRangeException>(() => p.PredictMean(-1, Ks.Ntk.TestTrainT));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.PredictMean(double.NaN, Ks.Ntk.TestTrainT));
        Assert.Throws<ArgumentException>(() => p.Predict([], Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT));
    }

    [Fact]
    public void CovarianceWithoutTheTrainingNngpExplainsWhatIsMissing()
    {
        var p = new NtkGpPredictor(Ks.Ntk.TrainTrainT, null, Y);
        var e = Assert.Throws<InvalidOperationException>(() => p.Predict(1.0, Ks.Ntk.TestTrainT, Ks.Nngp.TestTrainT, Ks.Nngp.TestTestT));
        Assert.Contains("nngpTrainTrain", e.Message, StringComparison.Ordinal);
        Assert.Equal([M], p.PredictMean(1.0, Ks.Ntk.TestTrainT).Shape.ToArray());
    }
}
