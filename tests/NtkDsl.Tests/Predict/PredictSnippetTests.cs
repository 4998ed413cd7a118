using NtkDsl.Predict;

namespace NtkDsl.Tests.Predict;

[NtkModel(Inputs = 1, WeightStd = 1.4, BiasStd = 0.3)]
public partial class SnippetMlp
{
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>A usage example of the predictors, run with its claims checked (the README's own example is compiled and
/// run by ReadmeSnippetTests).</summary>
public sealed class PredictSnippetTests
{
    [Fact]
    public void ReadmeSnippetRunsAndItsNumbersMakeSense()
    {
        var xTrain = Tensor.FromArray(new double[] { -2, -1.2, -0.4, 0.3, 1.1, 1.9 }, 6, 1);
        var yTrain = Tensor.FromArray(new double[] { -0.9, -0.93, -0.39, 0.3, 0.89, 0.95 }, 6);
        var xTest = Tensor.FromArray(new double[] { -1.6, 0.0, 3.0 }, 3, 1);

        // Infinite ensemble of infinitely wide SnippetMlp networks trained by gradient flow (Lee et al. 2019).
        var ntkGp = new NtkGpPredictor(SnippetMlp.AnalyticNtk(xTrain), SnippetMlp.AnalyticNngp(xTrain), yTrain,
            learningRate: 1.0, ridge: 1e-6);
        var end = ntkGp.Posterior(SnippetMlp.AnalyticNtk(xTest, xTrain), SnippetMlp.AnalyticNngp(xTest, xTrain),
            SnippetMlp.AnalyticNngpDiagonal(xTest));                 // diagonal → marginal variances only
        var early = ntkGp.Predict(5.0, SnippetMlp.AnalyticNtk(xTest, xTrain), SnippetMlp.AnalyticNngp(xTest, xTrain),
            SnippetMlp.AnalyticNngp(xTest));                         // full test–test kernel → full covariance
        var sd = end.StandardDeviation();
        for (int i = 0; i < 3; i++)
            Console.WriteLine($"x = {xTest[i, 0]}: {end.Mean.GetFlat(i):F3} ± {2 * sd.GetFlat(i):F3}");

        // The Bayesian posterior of the NNGP, with observation noise variance 0.01.
        var nngpGp = new NngpPredictor(SnippetMlp.AnalyticNngp(xTrain), yTrain, ridge: 0.01)
            .Posterior(SnippetMlp.AnalyticNngp(xTest, xTrain), SnippetMlp.AnalyticNngp(xTest));

        // Monte Carlo kernels of finite networks: mean over 64 seeds and its standard error.
        var mc = MonteCarloKernel.Estimate(seed => new SnippetMlp(seed), xTrain, samples: 64);
        Console.WriteLine($"Θ(x0, x0) ≈ {mc.Ntk[0, 0]:F3} ± {mc.NtkStandardError[0, 0]:F3}");

        // At a training input the trained ensemble interpolates with almost no spread; far away it is uncertain.
        var atTrain = ntkGp.Posterior(SnippetMlp.AnalyticNtk(xTrain, xTrain), SnippetMlp.AnalyticNngp(xTrain, xTrain),
            SnippetMlp.AnalyticNngpDiagonal(xTrain));
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(yTrain.GetFlat(i), atTrain.Mean.GetFlat(i), 1e-4);
            Assert.True(atTrain.Variance.GetFlat(i) < 1e-4 * SnippetMlp.AnalyticNngp(xTrain)[i, i]);
        }
        Assert.True(sd.GetFlat(2) > sd.GetFlat(0), "extrapolation (x = 3) must be less certain than interpolation (x = −1.6)");
        Assert.Equal([3, 3], early.Covariance!.Shape.ToArray());
        Assert.Null(end.Covariance);
        Assert.All(nngpGp.Variance.ToFlatArray(), v => Assert.True(v > 0));
        double z = Math.Abs(mc.Ntk[0, 0] - SnippetMlp.AnalyticNtk(xTrain)[0, 0]) / mc.NtkStandardError[0, 0];
        Assert.True(z < 4.5, $"Monte Carlo NTK off by {z:F2} standard errors");
    }
}
