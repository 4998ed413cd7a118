using NtkDsl.Dynamics;
using NtkDsl.Tests.Models;
using NtkDsl.Training;

namespace NtkDsl.Tests.Dynamics;

/// <summary>
/// New-user trial item 1: discrete-step predictions that overflow because η is far above the stability bound must
/// name the learning rate and the bound, not blame the inputs; overflow with a stable η keeps the input advice.
/// </summary>
public sealed class UnstableRateOverflowTests
{
    private static readonly Tensor X = Tensor.FromArray(new double[,]
    {
        { 0.3, -1.2, 0.5 }, { 1.0, 0.1, -0.4 }, { -0.7, 0.2, 0.9 }, { 0.4, 0.8, -0.1 }, { -0.2, -0.5, 0.6 },
    });

    private static readonly Tensor Y = Tensor.FromArray([1.0, 2.0, 3.0, 4.0, 5.0], 5);

    private static Tensor Kernel() => new ReluStandard(3).Ntk(X);

    [Fact]
    public void StepsAboveTheBoundNameTheLearningRateAndTheBound()
    {
        var k = Kernel();
        double bound = GradientDescentMse.MaxLearningRate(k);
        var gd = new GradientDescentMse(k, Y, 1e6 * bound);
        Assert.True(gd.LearningRateExceedsStableBound);
        var zeros = Tensor.FromArray(new double[5], 5);
        var train = Assert.Throws<NonFiniteResultException>(() => gd.PredictTrainSteps(50, zeros));
        var test = Assert.Throws<NonFiniteResultException>(() =>
            gd.PredictTestSteps(50, zeros, Tensor.FromArray(new double[5], 5), k));
        foreach (var ex in new[] { train, test })
        {
            Assert.Contains("learningRate = ", ex.Message, StringComparison.Ordinal);
            Assert.Contains(gd.MaxStableLearningRate.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
            Assert.Contains("Lower the learning rate", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Standardize", ex.Message, StringComparison.Ordinal);
            Assert.False(double.IsFinite(ex.Value));
            Assert.Contains("step index 0", ex.Stage, StringComparison.Ordinal);
        }
        // The same object's continuous-time predictions are exact for any η and stay finite.
        Assert.All(gd.PredictTrain(50.0, zeros).ToFlatArray(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void OverflowWithAStableRateKeepsTheInputAdvice()
    {
        var k = Kernel();
        var gd = new GradientDescentMse(k, Y, 0.5 * GradientDescentMse.MaxLearningRate(k));
        Assert.False(gd.LearningRateExceedsStableBound);
        var f0 = Tensor.FromArray([-1.7e308, 1.7e308, 0, 0, 0], 5); // f₀ − Y overflows in the residual, whatever η
        var ex = Assert.Throws<NonFiniteResultException>(() => gd.PredictTrainSteps(3, f0));
        Assert.Contains("Standardize", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("learningRate = ", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The Trainer's siblings (heavy-ball momentum, per-group rates) already report divergence as a learning-rate
    /// problem with the estimated bound; pinned here so the overflow path keeps doing so.</summary>
    [Theory]
    [InlineData(0.9, false)]
    [InlineData(0.0, true)]
    public void TrainerDivergenceWithMomentumOrGroupRatesNamesTheRate(double momentum, bool groupRates)
    {
        var model = new ReluStandard(3);
        var y = Tensor.FromArray(new double[,] { { 1 }, { 2 }, { 3 }, { 4 }, { 5 } });
        double eta = 1e6 * GradientDescentMse.MaxLearningRate(model.Ntk(X));
        var options = new TrainerOptions
        {
            LearningRate = eta,
            Momentum = momentum,
            GroupLearningRates = groupRates ? new GroupWeights().Layer("Hidden", 2.0) : null,
        };
        var ex = Assert.Throws<TrainingDivergedException>(() => new Trainer(options).Train(model, X, y, 200));
        Assert.Contains("learning rate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("estimated here as", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Standardize", ex.Message, StringComparison.Ordinal);
        // The kernel whose bound applies: the weighted one when the groups have their own rates.
        Assert.Contains(groupRates ? "MaxLearningRate(model.Wntk(x, null, GroupLearningRates), K)" : "MaxLearningRate(model.Ntk(x), K)",
            ex.Message, StringComparison.Ordinal);
        if (momentum > 0) Assert.Contains("times 1 + μ = 1.9 with momentum", ex.Message, StringComparison.Ordinal);
    }
}
