using System.Globalization;
using NtkDsl.Dynamics;
using NtkDsl.Regression;
using NtkDsl.Tests.Regression;
using NtkDsl.Tests.Support;
using NtkDsl.Training;
using static NtkDsl.Tests.Training.TrainingData;

namespace NtkDsl.Tests.Training;

public sealed class TrainerTests
{
    [Fact]
    public void ObjectiveGradientMatchesCentralDifferences()
    {
        var model = new TrainTanh2(1);
        Tensor x = X(5, 2), y = Y(5, 2, 3);
        var objective = new SquareLossObjective(model, x, y, alpha: 3, centered: true);
        var w = model.GetParameters().Select((v, i) => v + 0.1 * Math.Sin(i)).ToArray();
        var (loss, grad) = objective.LossAndGradient(w);
        Assert.Equal(objective.Loss(w), loss, 14);
        var fd = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            const double h = 1e-5;
            var wp = (double[])w.Clone();
            var wm = (double[])w.Clone();
            wp[i] += h;
            wm[i] -= h;
            fd[i] = (objective.Loss(wp) - objective.Loss(wm)) / (2 * h);
        }
        Close.Relative(fd, grad, 1e-7, "∇F");
    }

    [Fact]
    public void GradientFlowMatchesTheExactExponentialOnAQuadratic()
    {
        const int n = 6;
        var a = DenseReference.AddRidge(DenseReference.RandomPsd(n, 8, 31), n, 0.5);
        var b = DenseReference.Normal(n, 32);
        var w0 = DenseReference.Normal(n, 33);
        var wStar = DenseReference.Solve(a, n, b, 1);
        double[] times = [0, 0.1, 1, 4, 4, 10];
        var ws = GradientFlow.Integrate(w =>
        {
            var g = DenseReference.Multiply(a, n, n, w, 1);
            for (int i = 0; i < n; i++) g[i] = b[i] - g[i];
            return g;
        }, w0, times, out var stats, 1e-11, 1e-13);
        Assert.True(stats.Accepted > 0);
        var eig = SymmetricEigen.Of(a, n);
        for (int t = 0; t < times.Length; t++)
        {
            // w(t) = w* + V e^{−Λt} Vᵀ (w0 − w*)
            var exact = (double[])wStar.Clone();
            for (int k = 0; k < n; k++)
            {
                double c = 0;
                for (int i = 0; i < n; i++) c += eig.Vectors[i * n + k] * (w0[i] - wStar[i]);
                c *= Math.Exp(-eig.Values[k] * times[t]);
                for (int i = 0; i < n; i++) exact[i] += eig.Vectors[i * n + k] * c;
            }
            Close.Relative(exact, ws[t], 1e-8, $"t={times[t]}");
        }
    }

    [Fact]
    public void GradientFlowRejectsBadTimesAndNamesAFieldThatIsNotFinite()
    {
        Assert.Throws<ArgumentException>(() => GradientFlow.Integrate(w => w, [1.0], [1.0, 0.5]));
        var ex = Assert.Throws<TrainingDivergedException>(() => GradientFlow.Integrate(w => [double.NaN], [1.0], [1.0]));
        Assert.Contains("not finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteLossStopsWithTheStepTheLearningRateAndMaxLearningRate()
    {
        var model = new TrainTanh(4);
        Tensor x = X(8, 5), y = Y(8, 1, 6);
        double eta = 50 * GradientDescentMse.MaxLearningRate(model.Ntk(x));
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(new TrainerOptions { LearningRate = eta, CheckStability = false }).Train(model, x, y, 2000));
        Assert.Matches(@"at step \d+", ex.Message);
        Assert.Contains(eta.ToString("G4", CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxLearningRate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LearningRatesAboveTheStabilityBoundWarnAndBelowDoNot()
    {
        var model = new TrainTanh(7);
        Tensor x = X(10, 8), y = Y(10, 1, 9);
        double bound = GradientDescentMse.MaxLearningRate(model.Ntk(x));
        var seen = new List<string>();
        var high = new Trainer(new TrainerOptions { LearningRate = 1.5 * bound, Warning = seen.Add }).Train(model.Linearize(), x, y, 1);
        Assert.Single(high.Warnings);
        Assert.Equal(high.Warnings, seen);
        Assert.Contains("stability bound", high.Warnings[0], StringComparison.Ordinal);
        // Power iteration with JVP/VJP agrees with the eigendecomposition of the explicit NTK.
        Assert.InRange(high.MaxStableLearningRate / bound, 0.98, 1.02);
        var low = new Trainer(new TrainerOptions { LearningRate = 0.5 * bound }).Train(model.Linearize(), x, y, 1);
        Assert.Empty(low.Warnings);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void SgdAndMomentumDecreaseTheLossAndAreDeterministicForASeed(double momentum)
    {
        var model = new TrainTanh(10);
        Tensor x = X(16, 11);
        var y = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => 0.5 * Math.Sin(x[i, 0])).ToArray(), 16, 1);
        double eta = 0.2 * GradientDescentMse.MaxLearningRate(model.Ntk(x));
        (TrainingResult, double[]) Run(int seed)
        {
            var m = model.Clone();
            var r = new Trainer(new TrainerOptions { LearningRate = eta, BatchSize = 4, Momentum = momentum, Seed = seed }).Train(m, x, y, 300, 50);
            return (r, m.GetParameters());
        }
        var (a, wa) = Run(1);
        var (b, wb) = Run(1);
        var (_, wc) = Run(2);
        Assert.True(a.History[^1].Loss < 0.5 * a.History[0].Loss, $"loss {a.History[0].Loss} → {a.History[^1].Loss}");
        Assert.Equal(wa, wb);
        Assert.Equal(a.History, b.History);
        Assert.NotEqual(wa, wc);
    }

    [Fact]
    public void RecordStepsAreHonouredAndTheModelHoldsThoseParametersDuringTheCallback()
    {
        var model = new TrainTanh(12);
        Tensor x = X(6, 13), y = Y(6, 1, 14);
        var snapshots = new List<double[]>();
        var r = new Trainer(new TrainerOptions { LearningRate = 0.1 }).Train(model, x, y, [0, 3, 5], _ => snapshots.Add(model.GetParameters()));
        Assert.Equal([0, 3, 5], r.History.Select(p => p.Step));
        Assert.Equal(snapshots[^1], model.GetParameters());
        var w0 = snapshots[0];
        Assert.Equal(Math.Sqrt(snapshots[1].Select((v, i) => (v - w0[i]) * (v - w0[i])).Sum()), r.History[1].Distance, 12);
        Assert.Throws<ArgumentException>(() => new Trainer().Train(model, x, y, [3, 3]));
    }

    [Fact]
    public void NegativeStepsAndRecordIntervalsNameTheArgumentAndTheRule()
    {
        var model = new TrainTanh(12);
        Tensor x = X(6, 13), y = Y(6, 1, 14);
        var before = model.GetParameters();
        var steps = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer().Train(model, x, y, -1));
        Assert.Equal("steps", steps.ParamName);
        Assert.Contains("≥ 0", steps.Message, StringComparison.Ordinal);
        var every = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer().Train(model, x, y, 5, recordEvery: 0));
        Assert.Equal("recordEvery", every.ParamName);
        Assert.Contains("≥ 1", every.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.GetParameters());
    }
}
