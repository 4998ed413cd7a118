using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Dynamics;
using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Regression;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Dynamics;

/// <summary>
/// Issue 13 item 4: on a singular kernel the null space contributes nothing, so predictions stay at the least-squares
/// fit for every large t instead of drifting like ε·t.
/// </summary>
public sealed class GradientDescentMseNullSpaceTests
{
    private const int N = 12, M = 5;

    /// <summary>
    /// A linear net's NTK is Θ = c·X·Xᵀ (rank 3), so the t → ∞ fit is ordinary least squares in input space:
    /// f(x*) = x*ᵀβ with β = X⁺y, solved here by MathNet's SVD of the 12 × 3 design matrix — independent of Θ.
    /// </summary>
    [Fact]
    public void LinearNetStaysAtTheLeastSquaresFitForEveryLargeTime()
    {
        var x = Tensor.FromArray(DenseReference.Normal(N * 3, 21), N, 3);
        var xt = Tensor.FromArray(DenseReference.Normal(M * 3, 22), M, 3);
        var y = Tensor.FromArray(DenseReference.Normal(N, 23), N);
        var gd = new GradientDescentMse(Linear3.AnalyticNtk(x), y);
        Assert.Equal(3, gd.Rank);
        Assert.Equal(N * 2.220446049250313e-16, gd.RankTolerance);

        var design = Matrix<double>.Build.DenseOfRowMajor(N, 3, x.ToFlatArray());
        var beta = design.Svd().Solve(Vector<double>.Build.DenseOfArray(y.ToFlatArray()));
        double[] expectedTest = (Matrix<double>.Build.DenseOfRowMajor(M, 3, xt.ToFlatArray()) * beta).ToArray();
        double[] expectedTrain = (design * beta).ToArray();

        var zeros = Tensor.Zeros(N);
        var zerosTest = Tensor.Zeros(M);
        var kTest = Linear3.AnalyticNtk(xt, x);
        foreach (double t in new[] { 1e3, 1e6, 1e9, 1e12, 1e15, 1e300, double.PositiveInfinity })
        {
            Close.Relative(expectedTest, gd.PredictTest(t, zeros, zerosTest, kTest).ToFlatArray(), 1e-12, $"test t = {t}");
            Close.Relative(expectedTrain, gd.PredictTrain(t, zeros).ToFlatArray(), 1e-12, $"train t = {t}");
        }
        // Discrete gradient descent with a stable step converges to the same fit.
        var stable = new GradientDescentMse(Linear3.AnalyticNtk(x), y, learningRate: 0.5 * gd.MaxStableLearningRate);
        foreach (int k in new[] { 10_000, 1_000_000_000, int.MaxValue })
        {
            Close.Relative(expectedTest, stable.PredictTestSteps(k, zeros, zerosTest, kTest).ToFlatArray(), 1e-12, $"test steps = {k}");
            Close.Relative(expectedTrain, stable.PredictTrainSteps(k, zeros).ToFlatArray(), 1e-12, $"train steps = {k}");
        }
    }

    /// <summary>At small t the same predictor follows the gradient flow (RK4) and discrete GD (iterated) exactly.</summary>
    [Fact]
    public void LinearNetFollowsTheFlowAtSmallTime()
    {
        var x = Tensor.FromArray(DenseReference.Normal(N * 3, 31), N, 3);
        var xt = Tensor.FromArray(DenseReference.Normal(M * 3, 32), M, 3);
        double[] y = DenseReference.Normal(N, 33), f0 = DenseReference.Normal(N, 34, 0.3), f0t = DenseReference.Normal(M, 35, 0.3);
        double[] k = Linear3.AnalyticNtk(x).ToFlatArray(), kt = Linear3.AnalyticNtk(xt, x).ToFlatArray();
        const double eta = 0.8;
        var gd = new GradientDescentMse(Tensor.FromArray(k, N, N), Tensor.FromArray(y, N), eta);
        double coeff = eta / N;
        foreach (double t in new[] { 0.5, 3.0, 20.0 })
        {
            var (train, test) = LinearOde.Rk4(k, kt, N, M, 1, y, f0, f0t, coeff, t, 1e-3 / (coeff * DenseReference.MaxAbs(k) * N));
            Close.Relative(train, gd.PredictTrain(t, Tensor.FromArray(f0, N)).ToFlatArray(), 1e-6, $"train t = {t}");
            Close.Relative(test, gd.PredictTest(t, Tensor.FromArray(f0, N), Tensor.FromArray(f0t, M), Tensor.FromArray(kt, M, N)).ToFlatArray(), 1e-6, $"test t = {t}");
        }
        var (it, itest) = LinearOde.Iterate(k, kt, N, M, 1, y, f0, f0t, coeff, 25);
        Close.Relative(it, gd.PredictTrainSteps(25, Tensor.FromArray(f0, N)).ToFlatArray(), 1e-11, "train steps");
        Close.Relative(itest, gd.PredictTestSteps(25, Tensor.FromArray(f0, N), Tensor.FromArray(f0t, M), Tensor.FromArray(kt, M, N)).ToFlatArray(), 1e-11, "test steps");
    }
}
