using NtkDsl.Predict;
using NtkDsl.Regression;
using NtkDsl.Tests.Models;
using NtkDsl.Training;

namespace NtkDsl.Tests.Training;

/// <summary>
/// New-user trial item 3: settings that silently did nothing now either throw a clear exception or are documented.
/// </summary>
public sealed class SilentNoOpTests
{
    private static readonly Tensor X = Tensor.FromArray(new double[,]
    {
        { 0.3, -1.2, 0.5 }, { 1.0, 0.1, -0.4 }, { -0.7, 0.2, 0.9 }, { 0.4, 0.8, -0.1 }, { -0.2, -0.5, 0.6 },
    });

    private static readonly Tensor Y = Tensor.FromArray(new double[,] { { 1 }, { 2 }, { 3 }, { 4 }, { 5 } });

    [Fact]
    public void AMonteCarloFactoryThatIgnoresItsSeedIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => MonteCarloKernel.Estimate(_ => new ReluStandard(0), X, samples: 3));
        Assert.Equal("createModel", ex.ParamName);
        Assert.Contains("identical parameters for seeds 0 and 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("seed => new ReluStandard(seed)", ex.Message, StringComparison.Ordinal);
        // One shared instance is the same mistake.
        var shared = new ReluStandard(4);
        Assert.Throws<ArgumentException>(() => MonteCarloKernel.Estimate(_ => shared, X, samples: 2));
        // A factory that passes the seed on still gives a positive standard error.
        var ok = MonteCarloKernel.Estimate(s => new ReluStandard(s), X, samples: 3);
        Assert.True(ok.NtkStandardError[0, 1] > 0);
    }

    [Fact]
    public void GroupLearningRatesOfZeroForEveryGroupAreRejected()
    {
        var ctor = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { GroupLearningRates = new GroupWeights(0.0) }));
        Assert.Equal("options", ctor.ParamName);
        Assert.Contains("0 for every parameter group", ctor.Message, StringComparison.Ordinal);
        // Every group of this model set to 0 explicitly (default 1): detected against the model's groups.
        var zeros = new GroupWeights().Layer("Hidden", 0.0).Layer("Readout", 0.0);
        var model = new ReluStandard(1);
        var w0 = model.GetParameters();
        var run = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { GroupLearningRates = zeros }).Train(model, X, Y, 5));
        Assert.Contains("ReluStandard", run.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate of 0", run.Message, StringComparison.Ordinal);
        Assert.Equal(w0, model.GetParameters());
        // A zero for some groups stays legal: it freezes those groups and trains the others.
        var frozen = new Trainer(new TrainerOptions { LearningRate = 0.1, GroupLearningRates = new GroupWeights().Layer("Hidden", 0.0) });
        frozen.Train(model, X, Y, 5);
        var w = model.GetParameters();
        var info = ReluStandard.Info;
        var hidden = info.Groups.Where(g => g.Layer == "Hidden").ToList();
        Assert.All(hidden, g => Assert.Equal(w0.AsSpan(g.Offset, g.Count).ToArray(), w.AsSpan(g.Offset, g.Count).ToArray()));
        Assert.NotEqual(w0, w);
    }

    /// <summary>Documented: a batch at least as large as N is the full batch (the same steps as BatchSize = null).</summary>
    [Fact]
    public void ABatchLargerThanTheTrainingSetIsTheFullBatch()
    {
        var full = new ReluStandard(2);
        var large = new ReluStandard(2);
        new Trainer(new TrainerOptions { LearningRate = 0.1 }).Train(full, X, Y, 4);
        new Trainer(new TrainerOptions { LearningRate = 0.1, BatchSize = 100 }).Train(large, X, Y, 4);
        Assert.Equal(full.GetParameters(), large.GetParameters());
    }

    [Fact]
    public void RegressorDepthsOutsideOneToOneHundredAreRejected()
    {
        foreach (int[] depths in new[] { new[] { 1000 }, new[] { 2, 101 }, new[] { 0 } })
        {
            var ex = Assert.Throws<ArgumentException>(() => NtkRegressor.Fit(X, Y, new NtkRegressorOptions { Depths = depths }));
            Assert.Equal("options", ex.ParamName);
            Assert.Contains("from 1 to 100", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"got [{string.Join(", ", depths)}]", ex.Message, StringComparison.Ordinal);
        }
        Assert.Equal(100, NtkRegressorOptions.MaxDepth);
        Assert.Equal(100, NtkRegressor.Fit(X, Y, new NtkRegressorOptions { Depths = [100] }).Depth);
    }
}
