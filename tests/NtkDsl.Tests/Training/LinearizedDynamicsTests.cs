using NtkDsl.Dynamics;
using NtkDsl.Tests.Dynamics;
using NtkDsl.Tests.Support;
using NtkDsl.Training;
using static NtkDsl.Tests.Training.TrainingData;

namespace NtkDsl.Tests.Training;

/// <summary>Weight-space training of the linearized model against function-space formulas with the same kernel.</summary>
public sealed class LinearizedDynamicsTests
{
    private static readonly int[] Steps = [0, 1, 7, 40];

    /// <summary>Runs GD on <paramref name="m"/> and returns its outputs on x and xTest at <see cref="Steps"/>.</summary>
    private static List<(double[] Train, double[] Test)> RunGd(IDifferentiableModel m, Tensor x, Tensor y, Tensor xTest, TrainerOptions o)
    {
        var outs = new List<(double[], double[])>();
        new Trainer(o).Train(m, x, y, Steps, _ => outs.Add((m.Forward(x).ToFlatArray(), m.Forward(xTest).ToFlatArray())));
        Assert.Equal(Steps.Length, outs.Count);
        return outs;
    }

    [Fact]
    public void GdOnLinearizedEqualsDiscreteClosedFormWithTheEmpiricalNtk()
    {
        var model = new TrainTanh(1);
        Tensor x = X(10, 2), xTest = X(5, 3), y = Y(10, 1, 4);
        var theta = model.Ntk(x);
        double eta = 0.5 * GradientDescentMse.MaxLearningRate(theta);
        var gd = new GradientDescentMse(theta, y, eta);
        var f0 = model.Forward(x);
        var f0Test = model.Forward(xTest);
        var cross = model.Ntk(xTest, x);
        var outs = RunGd(model.Linearize(), x, y, xTest, new TrainerOptions { LearningRate = eta });
        for (int i = 0; i < Steps.Length; i++)
        {
            Close.Relative(gd.PredictTrainSteps(Steps[i], f0).ToFlatArray(), outs[i].Train, 1e-9, $"train k={Steps[i]}");
            Close.Relative(gd.PredictTestSteps(Steps[i], f0, f0Test, cross).ToFlatArray(), outs[i].Test, 1e-9, $"test k={Steps[i]}");
        }
    }

    [Fact]
    public void GdOnLinearizedWithTwoOutputsEqualsTheFullKernelRecursionWithNEqualsNTimesK()
    {
        var model = new TrainTanh2(5);
        Tensor x = X(6, 6), xTest = X(4, 7), y = Y(6, 2, 8);
        var a = ExplicitKernel(model, x, x, out int nk, out _);
        var b = ExplicitKernel(model, xTest, x, out int mk, out _);
        double lambdaMax = NtkDsl.Regression.SymmetricEigen.Of(a, nk).Max;
        double eta = 0.5 * 2 * nk / lambdaMax;
        var outs = RunGd(model.Linearize(), x, y, xTest, new TrainerOptions { LearningRate = eta });
        var f0 = model.Forward(x).ToFlatArray();
        var f0Test = model.Forward(xTest).ToFlatArray();
        for (int i = 0; i < Steps.Length; i++)
        {
            // f ← f − (η/N)·J Jᵀ (f − y) with N = n·K = 12 entries.
            var (train, test) = LinearOde.Iterate(a, b, nk, mk, 1, y.ToFlatArray(), f0, f0Test, eta / nk, Steps[i]);
            Close.Relative(train, outs[i].Train, 1e-9, $"train k={Steps[i]}");
            Close.Relative(test, outs[i].Test, 1e-9, $"test k={Steps[i]}");
        }
    }

    [Fact]
    public void PerGroupLearningRatesFollowTheWeightedNtkDynamics()
    {
        var model = new TrainTanh(9);
        Tensor x = X(8, 10), xTest = X(3, 11), y = Y(8, 1, 12);
        var weights = new GroupWeights().Weights("Hidden", 0.3).Bias("Hidden", 2.0).Layer("Readout", 0.5);
        var wntk = model.Wntk(x, null, weights);
        double eta = 0.5 * GradientDescentMse.MaxLearningRate(wntk);
        var gd = new GradientDescentMse(wntk, y, eta);
        var outs = RunGd(model.Linearize(), x, y, xTest, new TrainerOptions { LearningRate = eta, GroupLearningRates = weights });
        var f0 = model.Forward(x);
        var f0Test = model.Forward(xTest);
        var cross = model.Wntk(xTest, x, weights);
        for (int i = 0; i < Steps.Length; i++)
        {
            Close.Relative(gd.PredictTrainSteps(Steps[i], f0).ToFlatArray(), outs[i].Train, 1e-9, $"train k={Steps[i]}");
            Close.Relative(gd.PredictTestSteps(Steps[i], f0, f0Test, cross).ToFlatArray(), outs[i].Test, 1e-9, $"test k={Steps[i]}");
        }
        // And plain learning rates give a different trajectory, so the preconditioner really acts.
        var plain = RunGd(model.Linearize(), x, y, xTest, new TrainerOptions { LearningRate = eta });
        Assert.True(Math.Abs(plain[^1].Train[0] - outs[^1].Train[0]) > 1e-4);
    }

    [Fact]
    public void GradientFlowOfTheLinearizedModelMatchesTheContinuousClosedForm()
    {
        var model = new TrainTanh(13);
        Tensor x = X(8, 14), y = Y(8, 1, 15);
        var lin = model.Linearize();
        var objective = new SquareLossObjective(lin, x, y, alpha: 1, centered: false);
        double[] times = [0, 0.5, 3, 20];
        var ws = GradientFlow.Integrate(GradientFlow.Field(objective, learningRate: 1.0), lin.GetParameters(), times, 1e-11, 1e-13);
        var gd = new GradientDescentMse(model.Ntk(x), y, learningRate: 1.0);
        var f0 = model.Forward(x);
        for (int i = 0; i < times.Length; i++)
        {
            lin.SetParameters(ws[i]);
            Close.Relative(gd.PredictTrain(times[i], f0).ToFlatArray(), lin.Forward(x).ToFlatArray(), 1e-6, $"t={times[i]}");
        }
    }

    [Fact]
    public void CentredOutputsStartAtZeroAndAlphaDoesNotChangeTheFunctionSpaceTrajectory()
    {
        var model = new TrainTanh(16);
        Tensor x = X(8, 17), y = Y(8, 1, 18);
        double eta = 0.5 * GradientDescentMse.MaxLearningRate(model.Ntk(x));
        var f0 = model.Forward(x).ToFlatArray();
        List<double[]> Scaled(double alpha, out TrainingResult result)
        {
            var lin = model.Linearize();
            var list = new List<double[]>();
            result = new Trainer(new TrainerOptions { LearningRate = eta, OutputScale = alpha, Centered = true })
                .Train(lin, x, y, Steps, _ => list.Add(lin.Forward(x).ToFlatArray().Select((v, i) => alpha * (v - f0[i])).ToArray()));
            return list;
        }
        var one = Scaled(1, out var r1);
        var ten = Scaled(10, out var r10);
        Assert.All(one[0], v => Assert.Equal(0, v));
        for (int i = 1; i < Steps.Length; i++) Close.Relative(one[i], ten[i], 1e-10, $"k={Steps[i]}");
        double sq = y.ToFlatArray().Sum(v => v * v);
        Assert.Equal(sq / (2 * 8), r1.History[0].Loss, 12);
        Assert.Equal(sq / (2 * 8 * 100), r10.History[0].Loss, 12);
        // In weight space the α-scaled run moves 10 times less.
        Assert.Equal(r1.History[^1].Distance / 10, r10.History[^1].Distance, 10);
    }

    [Fact]
    public void LinearizedForwardEqualsInitialOutputsPlusExplicitJacobianTimesDisplacement()
    {
        var model = new TrainTanh2(19);
        var x = X(5, 20);
        var lin = model.Linearize();
        var theta0 = model.GetParameters();
        var delta = NtkDsl.Tests.Regression.DenseReference.Normal(theta0.Length, 21, 0.3);
        lin.SetParameters(theta0.Select((v, i) => v + delta[i]).ToArray());
        var j = Zoo.JacobianMatrix(model, x);
        var f0 = model.Forward(x).ToFlatArray();
        var expected = new double[f0.Length];
        for (int r = 0; r < f0.Length; r++)
        {
            double s = f0[r];
            for (int p = 0; p < delta.Length; p++) s += j[r, p] * delta[p];
            expected[r] = s;
        }
        Close.Relative(expected, lin.Forward(x).ToFlatArray(), 1e-12, "f_lin");
        // The gradient of the linearized model is Jᵀu at θ0 whatever θ is.
        var u = NtkDsl.Tests.Regression.DenseReference.Normal(f0.Length, 22);
        var jtu = new double[delta.Length];
        for (int p = 0; p < jtu.Length; p++)
            for (int r = 0; r < u.Length; r++) jtu[p] += j[r, p] * u[r];
        Close.Relative(jtu, lin.Vjp(x, Tensor.FromArray(u, 5, 2)).ToFlatArray(), 1e-12, "Jᵀu");
        Assert.Equal(theta0, lin.Theta0.ToArray());
    }
}
