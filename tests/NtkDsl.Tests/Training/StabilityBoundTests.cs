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
/// The Trainer's stability bound 2N/λ_max when the top two eigenvalues are close (λ₂/λ₁ = 0.99): the old 30 power
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

    /// <summary>
    /// With heavy-ball momentum μ the bound is 2(1 + μ)/λ_max (Polyak 1964: the roots of z² − (1 + μ − ηλ)z + μ lie in
    /// the unit disc iff 0 &lt; ηλ &lt; 2(1 + μ)). The old check warned at 2/λ_max whatever μ was, so rates that train
    /// were reported as diverging. Checked on the quadratic loss of the linear model by training at 0.97 and 1.03 times
    /// 2(1 + μ)/λ_max: the loss falls by three orders of magnitude inside, and grows above its start outside.
    /// </summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void WithMomentumTheBoundIsTwoOnePlusMuOverLambda(double mu)
    {
        var model = new StabilityLinear(3);
        var (x, y) = Data();
        var w0 = model.GetParameters();
        var j = Matrix<double>.Build.DenseOfArray(Support.Zoo.JacobianMatrix(model, x));
        double lambda = (j * j.Transpose()).Evd(Symmetricity.Symmetric).EigenValues.Max(e => e.Real) / 40;
        double bound = 2 * (1 + mu) / lambda;

        // Above plain GD's 2/λ_max, below 2(1 + μ)/λ_max: no warning, and training converges.
        model.SetParameters(w0);
        var inside = new Trainer(new TrainerOptions { LearningRate = 0.97 * bound, Momentum = mu }).Train(model, x, y, 2000);
        Assert.True(0.97 * bound > 2 / lambda);
        Assert.Equal(bound, inside.MaxStableLearningRate, 1e-8 * bound);
        Assert.DoesNotContain(inside.Warnings, w => w.Contains("exceeds the stability bound", StringComparison.Ordinal));
        Assert.True(inside.History[^1].Loss < 1e-3 * inside.History[0].Loss, $"loss {inside.History[0].Loss:G4} → {inside.History[^1].Loss:G4}");

        // Just above 2(1 + μ)/λ_max: the warning names the momentum bound, and the loss grows.
        model.SetParameters(w0);
        var outside = new Trainer(new TrainerOptions { LearningRate = 1.03 * bound, Momentum = mu }).Train(model, x, y, 400);
        var warning = Assert.Single(outside.Warnings, w => w.Contains("exceeds the stability bound", StringComparison.Ordinal));
        Assert.Contains("2N(1 + μ)/λ_max with momentum μ = " + mu.ToString(System.Globalization.CultureInfo.InvariantCulture), warning, StringComparison.Ordinal);
        Assert.True(outside.History[^1].Loss > outside.History[0].Loss, $"loss {outside.History[0].Loss:G4} → {outside.History[^1].Loss:G4}");
    }
}
