using NtkDsl.Dynamics;
using NtkDsl.Predict;
using NtkDsl.Regression;
using NtkDsl.Tests.Models;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// New-user trial item 4: every method that takes a test–train (or test–test) kernel names an NtkMode.Full (or
/// DiagonalFull) kernel as such and says to compute it with NtkMode.Trace, as the training-kernel check already did.
/// Before, KernelRegression.Predict and its siblings reported only the shape.
/// </summary>
public sealed class FullModeKernelHintTests
{
    private static readonly Tensor X = Tensor.FromArray(new double[,] { { 0.3, -1.2, 0.5 }, { 1.0, 0.1, -0.4 }, { -0.7, 0.2, 0.9 }, { 0.4, 0.8, -0.1 } });
    private static readonly Tensor XTest = Tensor.FromArray(new double[,] { { 0.1, 0.2, 0.3 }, { -0.5, 0.4, 0.0 } });

    private static void ExpectHint(Action call, string argument, string mode = "NtkMode.Full")
    {
        var ex = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(argument, ex.ParamName);
        Assert.Contains($"an {mode} kernel", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NtkMode.Trace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCrossKernelArgumentGivesTheTraceHint()
    {
        var model = new ReluNtk(2); // two outputs: Full mode is [m, n, 2, 2]
        var kTrain = model.Ntk(X);
        var kTestTrain = model.Ntk(XTest, X);
        var fullCross = model.Ntk(XTest, X, NtkMode.Full);
        Assert.Equal([2, 4, 2, 2], fullCross.Shape.ToArray());
        var y = model.Forward(X);

        ExpectHint(() => KernelRegression.Fit(kTrain, y, 1e-3).Predict(fullCross), "kTestTrain");
        var gd = new GradientDescentMse(kTrain, y);
        ExpectHint(() => gd.PredictTest(1.0, y, model.Forward(XTest), fullCross), "kTestTrain");
        ExpectHint(() => gd.PredictTestSteps(1, y, model.Forward(XTest), fullCross), "kTestTrain");
        var nngp = new NngpPredictor(kTrain, y, ridge: 1e-3);
        ExpectHint(() => nngp.PredictMean(1.0, fullCross), "kTestTrain");
        ExpectHint(() => nngp.Posterior(fullCross, model.Ntk(XTest)), "kTestTrain");
        // The test–test kernel: Full [m, m, K, K] and DiagonalFull [m, K, K] name their modes too.
        ExpectHint(() => nngp.Posterior(kTestTrain, model.Ntk(XTest, mode: NtkMode.Full)), "kTestTest");
        ExpectHint(() => nngp.Posterior(kTestTrain, model.Ntk(XTest, mode: NtkMode.DiagonalFull)), "kTestTest", "NtkMode.DiagonalFull");
        var gp = new NtkGpPredictor(kTrain, kTrain, y, ridge: 1e-3);
        ExpectHint(() => gp.PredictMean(1.0, fullCross), "ntkTestTrain");
        ExpectHint(() => gp.Predict(1.0, kTestTrain, fullCross, model.Ntk(XTest)), "nngpTestTrain");
        // The Trace-mode kernels of the same points are accepted.
        Assert.Equal(2, KernelRegression.Fit(kTrain, y, 1e-3).Predict(kTestTrain).Rows);
    }
}
