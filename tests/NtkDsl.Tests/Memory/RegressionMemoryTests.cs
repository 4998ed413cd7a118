using NtkDsl.Memory;
using NtkDsl.Regression;
using NtkDsl.Tests.Training;
using NtkDsl.Wntk;

namespace NtkDsl.Tests.Memory;

/// <summary>
/// Kernel regression, ridge selection and WNTK learning check their working set with <see cref="MemoryBudget"/>
/// before allocating: one byte less than the count fails with <see cref="NotEnoughMemoryException"/> naming the
/// operation, the exact count succeeds. The expected counts are written here from the documented working sets
/// (float64 n × n copies and work matrices, plus per-row values), not read back from the code.
/// </summary>
public sealed class RegressionMemoryTests
{
    private const int N = 30;

    /// <summary>A positive definite n × n kernel: X·Xᵀ + I for random X (n × 3).</summary>
    private static Tensor Kernel(int n, int seed)
    {
        double[] x = TrainingData.X(n, seed).ToFlatArray();
        var k = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? 1.0 : 0.0;
                for (int c = 0; c < 3; c++) s += x[i * 3 + c] * x[j * 3 + c];
                k[i * n + j] = s;
            }
        return Tensor.FromArray(k, n, n);
    }

    private static void FailsBelowAndFitsAt(long bytes, string operation, Action call)
    {
        using (MemoryBudget.LimitForTesting(bytes - 1))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(call);
            Assert.Equal(bytes, e.RequestedBytes);
            Assert.Equal(operation, e.Operation);
            Assert.Contains("fewer training rows", e.Message, StringComparison.Ordinal);
        }
        using (MemoryBudget.LimitForTesting(bytes)) call();
    }

    [Fact]
    public void FitCountsTheKernelCopyTheFactorTargetsAndCoefficients()
    {
        var k = Kernel(N, 1);
        var y = TrainingData.Y(N, 2, 2);
        // 2·n² (copy of K, Cholesky factor) + 2·n·K (targets, α) float64 values.
        long bytes = (2L * N * N + 2L * N * 2) * 8;
        FailsBelowAndFitsAt(bytes, "KernelRegression.Fit", () => KernelRegression.Fit(k, y, 1e-3));
        using (MemoryBudget.LimitForTesting(bytes - 1))
            Assert.Contains("2 float64 30 × 30 matrices", Assert.Throws<NotEnoughMemoryException>(() => KernelRegression.Fit(k, y, 1e-3)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictCountsTheCrossKernelCopyAndThePredictions()
    {
        var fit = KernelRegression.Fit(Kernel(N, 1), TrainingData.Y(N, 2, 2), 1e-3);
        var cross = Tensor.FromArray(Kernel(N, 3).ToFlatArray().AsSpan(0, 7 * N).ToArray(), 7, N);
        // m·n (copy of the 7 × 30 kernel) + m·K (predictions).
        FailsBelowAndFitsAt((7L * N + 7L * 2) * 8, "KernelRegression.Predict", () => fit.Predict(cross));
    }

    [Fact]
    public void RidgeSearchesCountTheirFactorizations()
    {
        var k = Kernel(N, 4);
        var y = TrainingData.Y(N, 2, 5);
        double[] grid = [1e-4, 1e-2, 1.0];
        // Leave-one-out below 400 rows (eigen path): 5·n² + 3·n·K.
        long loo = (5L * N * N + 3L * N * 2) * 8;
        FailsBelowAndFitsAt(loo, "RidgeSelection.LeaveOneOut", () => RidgeSelection.LeaveOneOut(k, y, grid));
        // FitLeaveOneOut: its fit needs less (above) than the search, so the search's count decides.
        FailsBelowAndFitsAt(loo, "RidgeSelection.LeaveOneOut", () => KernelRegression.FitLeaveOneOut(k, y, grid));
        // 5 folds of 30 rows: training blocks of t = 24 rows; n² + 4·t² + n·t + 2·n·K.
        long kfold = (30L * 30 + 4L * 24 * 24 + 30L * 24 + 2L * 30 * 2) * 8;
        FailsBelowAndFitsAt(kfold, "RidgeSelection.KFold", () => RidgeSelection.KFold(k, y, grid, folds: 5));
    }

    [Fact]
    public void WntkProblemAndLearnerCountTheBlocksAndTheObjectiveMatrices()
    {
        Tensor[] blocks = [Kernel(N, 6), Kernel(N, 7), Kernel(N, 8)];
        var y = Tensor.FromArray(TrainingData.Y(N, 1, 9).ToFlatArray(), N);
        // G·n² block copies + n target values.
        FailsBelowAndFitsAt((3L * N * N + N) * 8, "WntkProblem", () => _ = new WntkProblem(blocks, y));
        var problem = new WntkProblem(blocks, y);
        var options = new WntkLearnerOptions { Iterations = 3 };
        // Leave-one-out objective: 5 n × n work matrices; alignment: G + 1 = 4.
        FailsBelowAndFitsAt(5L * N * N * 8, "WntkLearner.Learn", () => new WntkLearner(new LeaveOneOutRidgeObjective(), options).Learn(problem));
        FailsBelowAndFitsAt(4L * N * N * 8, "WntkLearner.Learn", () => new WntkLearner(new KernelTargetAlignmentObjective(), options).Learn(problem));
    }
}
