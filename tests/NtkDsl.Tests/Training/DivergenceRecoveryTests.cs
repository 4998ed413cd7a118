using NtkDsl.Dynamics;
using NtkDsl.Training;
using static NtkDsl.Tests.Training.TrainingData;

namespace NtkDsl.Tests.Training;

/// <summary>Issue 13 item 10: divergence restores the last finite parameters and gives advice that fits the cause.</summary>
public sealed class DivergenceRecoveryTests
{
    [Fact]
    public void DivergenceRestoresTheLastRecordedFiniteParametersAndRetrainingWithASaneRateWorks()
    {
        var model = new TrainTanh(4);
        Tensor x = X(8, 5), y = Y(8, 1, 6);
        double eta = 50 * GradientDescentMse.MaxLearningRate(model.Ntk(x));
        // Recorded independently of the trainer's own bookkeeping: the parameters the model holds at every recorded
        // (finite-loss) step, read through the public API inside the callback.
        var seen = new List<(int Step, double Loss, double[] W)>();
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(new TrainerOptions { LearningRate = eta, CheckStability = false })
                .Train(model, x, y, 5000, 1, p => seen.Add((p.Step, p.Loss, model.GetParameters()))));
        Assert.True(seen.Count >= 2, "the run should take a few finite steps first");
        var (lastStep, lastLoss, lastW) = seen[^1];
        Assert.True(double.IsFinite(lastLoss));
        Assert.Equal(lastW, model.GetParameters());
        Assert.Equal(lastStep, ex.RestoredStep);
        Assert.Equal(lastStep + 1, ex.Step);
        Assert.Equal(lastLoss, ex.RestoredLoss, 12);
        Assert.Contains($"parameters of step {lastStep} again", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxLearningRate", ex.Message, StringComparison.Ordinal);

        // The model is usable again: its loss is finite, and gradient descent with a rate below the stability bound
        // at the restored parameters trains without diverging and lowers the loss.
        var restoredOutputs = model.Forward(x).ToFlatArray();
        Assert.All(restoredOutputs, v => Assert.True(double.IsFinite(v)));
        double sane = 0.5 * GradientDescentMse.MaxLearningRate(model.Ntk(x));
        var again = new Trainer(new TrainerOptions { LearningRate = sane }).Train(model, x, y, 200, 50);
        Assert.True(again.History[^1].Loss < again.History[0].Loss, $"loss {again.History[0].Loss} → {again.History[^1].Loss}");
        Assert.Equal(lastLoss, again.History[0].Loss, 12);
    }

    [Fact]
    public void DivergenceWithoutRecordingRestoresTheLastFiniteStepNotTheOverflowedOne()
    {
        var model = new TrainTanh(4);
        Tensor x = X(8, 5), y = Y(8, 1, 6);
        double eta = 50 * GradientDescentMse.MaxLearningRate(model.Ntk(x));
        // Reference: the same iteration written out here, w ← w − η∇F, stopping before the first non-finite loss.
        var reference = model.Clone();
        var objective = new SquareLossObjective(reference, x, y, 1.0, false);
        var w = reference.GetParameters();
        double[] lastFinite = (double[])w.Clone();
        for (int step = 0; step < 5000; step++)
        {
            var (loss, grad) = objective.LossAndGradient(w);
            if (!double.IsFinite(loss) || grad.Any(g => !double.IsFinite(g))) break;
            lastFinite = (double[])w.Clone();
            var next = w.Select((v, i) => v - eta * grad[i]).ToArray();
            if (next.Any(v => !double.IsFinite(v))) break;
            w = next;
        }
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(new TrainerOptions { LearningRate = eta, CheckStability = false }).Train(model, x, y, 5000, 10_000));
        Assert.Equal(lastFinite, model.GetParameters());
        Assert.True(ex.RestoredStep > 0);
    }

    [Fact]
    public void ANonFiniteLossAtTheStartBlamesTheDataNotTheLearningRate()
    {
        var model = new TrainTanh(4);
        var w0 = model.GetParameters();
        Tensor x = X(8, 5);
        // Targets near the largest double: the residual squares overflow at the starting parameters.
        var y = Tensor.FromArray(Enumerable.Repeat(1e300, 8).ToArray(), 8, 1);
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(new TrainerOptions { LearningRate = 1e-3, CheckStability = false }).Train(model, x, y, 10));
        Assert.Equal(0, ex.Step);
        Assert.Equal(0, ex.RestoredStep);
        Assert.Contains("step 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate is not the cause", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Lower the learning rate", ex.Message, StringComparison.Ordinal);
        Assert.Equal(w0, model.GetParameters());
    }

    [Fact]
    public void MomentumSgdDivergenceRestoresAFiniteRecordedPoint()
    {
        var model = new TrainTanh2(21);
        Tensor x = X(16, 22), y = Y(16, 2, 23);
        double eta = 80 * GradientDescentMse.MaxLearningRate(model.Ntk(x), 2);
        var seen = new List<double[]>();
        var ex = Assert.Throws<TrainingDivergedException>(() => new Trainer(new TrainerOptions { LearningRate = eta, Momentum = 0.9, BatchSize = 4, CheckStability = false })
            .Train(model, x, y, 10000, 1, _ => seen.Add(model.GetParameters())));
        Assert.Equal(seen[^1], model.GetParameters());
        Assert.True(double.IsFinite(new SquareLossObjective(model.Clone(), x, y, 1, false).Loss(model.GetParameters())));
        Assert.Contains("again", ex.Message, StringComparison.Ordinal);
    }
}
