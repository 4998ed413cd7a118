using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Training;

namespace NtkDsl.Tests.Training;

/// <summary>A linear model without bias: J = σ_w·x/√d per row, so (1/N)·J·Jᵀ has the eigenvalues we put into x.</summary>
[NtkModel(Inputs = 40)]
public partial class StabilityLinear
{
    [Dense(1, UseBias = false)] public partial DenseLayer Out { get; }
}

/// <summary>
/// The Trainer's stability bound 2/λ_max when the top two eigenvalues are close (λ₂/λ₁ = 0.99): the old 30 power
/// iterations reported a bound about half a percent too high here (their Rayleigh quotient converges like
/// (λ₂/λ₁)^(2k)), so a rate between the true and the reported bound diverged without a warning. The reference is a
/// MathNet eigendecomposition of J·D·Jᵀ built from the model's own Jacobian.
/// </summary>
public sealed class StabilityBoundTests(ITestOutputHelper output)
{
    private static (Tensor X, Tensor Y) Data()
    {
        // Orthogonal rows with norms s_i: eigenvalues of x·xᵀ are s_i². s_1 = 1, s_2 = √0.99, the rest 0.1 … 0.9.
        const int n = 40;
        var x = new double[n * n];
        for (int i = 0; i < n; i++)
            x[i * n + i] = i == 0 ? 1.0 : i == 1 ? Math.Sqrt(0.99) : 0.1 + 0.8 * (i - 2) / (n - 3);
        var y = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
        return (Tensor.FromArray(x, n, n), Tensor.FromArray(y, n, 1));
    }

    [Fact]
    public void CloseTopEigenvaluesGiveTheExactBound()
    {
        var model = new StabilityLinear(3);
        var (x, y) = Data();
        var j = Matrix<double>.Build.DenseOfArray(Support.Zoo.JacobianMatrix(model, x));
        var eig = (j * j.Transpose()).Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).OrderDescending().ToArray();
        Assert.InRange(eig[1] / eig[0], 0.989, 0.991); // the case this test is about
        double expected = 2.0 * 40 / eig[0];
        var result = new Trainer(new TrainerOptions { LearningRate = 1e-3 }).Train(model, x, y, 0);
        double rel = (result.MaxStableLearningRate - expected) / expected;
        output.WriteLine($"bound {result.MaxStableLearningRate:G12}, 2N/λ_max {expected:G12}, relative {rel:E2}");
        Assert.True(Math.Abs(rel) <= 1e-8, $"relative error {rel:E2}");
    }

    [Fact]
    public void ARateJustAboveTheTrueBoundWarns()
    {
        var model = new StabilityLinear(3);
        var (x, y) = Data();
        var j = Matrix<double>.Build.DenseOfArray(Support.Zoo.JacobianMatrix(model, x));
        double lambda = (j * j.Transpose()).Evd(Symmetricity.Symmetric).EigenValues.Max(e => e.Real);
        double eta = 1.001 * 2.0 * 40 / lambda; // 0.1 % above the bound: each step multiplies the top mode by −1.002
        var result = new Trainer(new TrainerOptions { LearningRate = eta }).Train(model, x, y, 0);
        Assert.Contains(result.Warnings, w => w.Contains("exceeds the stability bound", StringComparison.Ordinal));
        var below = new Trainer(new TrainerOptions { LearningRate = 0.999 * 2.0 * 40 / lambda }).Train(model, x, y, 0);
        Assert.DoesNotContain(below.Warnings, w => w.Contains("exceeds the stability bound", StringComparison.Ordinal));
    }
}
