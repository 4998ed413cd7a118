using NtkDsl.Dynamics;
using NtkDsl.Kernels;
using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Models;
using NtkDsl.Training;

namespace NtkDsl.Tests.Ntk;

/// <summary>
/// Issue 13 item 5: finite inputs that overflow anywhere give <see cref="NonFiniteResultException"/> naming the stage
/// and rows, never NaN or ∞ output. Each case below produced NaN/∞ (or a misleading argument error) before.
/// </summary>
public sealed class OverflowTests
{
    /// <summary>Four rows of 3 inputs; row 2 is 1e300 (x·x = 3e600 overflows, the forward pass itself stays finite).</summary>
    private static Tensor HugeRow(double big = 1e300) => Tensor.FromArray(new double[,] { { 0.3, -1.2, 0.5 }, { 1.0, 0.1, -0.4 }, { big, -big, big }, { -0.7, 0.2, 0.9 } });

    private static Tensor Small() => Tensor.FromArray(new double[,] { { 0.1, 0.2, 0.3 }, { -0.5, 0.4, 0.0 } });

    private static void ExpectRow2(NonFiniteResultException ex, string stagePart)
    {
        Assert.Contains(stagePart, ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Row == 2 || ex.Column == 2, $"row {ex.Row}, column {ex.Column}: expected the huge row 2 ({ex.Message})");
        Assert.False(double.IsFinite(ex.Value));
        Assert.Contains("Standardize", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NtkMode.Trace)]
    [InlineData(NtkMode.Full)]
    [InlineData(NtkMode.Diagonal)]
    [InlineData(NtkMode.DiagonalFull)]
    public void EmpiricalKernelsThrowNamingTheLayerAndRow(NtkMode mode)
    {
        var model = new ReluNtk(1);
        var x = HugeRow();
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => model.Ntk(x, mode: mode)), "dense layer 1 of 2");
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => model.NtkPerGroup(x, mode: mode)), "dense layer 1 of 2");
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => model.Wntk(x, null, new GroupWeights().Layer("Hidden", 0.5), mode)), "dense layer 1 of 2");
        if (mode is NtkMode.Trace or NtkMode.Full)
        {
            // Cross tiles: huge × huge overflows; huge × small (≈ 1e300) is a correct finite value.
            ExpectRow2(Assert.Throws<NonFiniteResultException>(() => model.Ntk(x.Clone(), x.Clone(), mode)), "dense layer 1 of 2");
            Assert.All(model.Ntk(Small(), x, mode).ToFlatArray(), v => Assert.True(double.IsFinite(v)));
        }
        // The same call on moderate inputs is finite (the check does not fire spuriously).
        Assert.All(model.Ntk(HugeRow(3.0), mode: mode).ToFlatArray(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void ForwardJvpAndVjpThrowNamingTheLayer()
    {
        var model = new ReluNtk(2);
        var p = model.GetParameters();
        var huge = p.Select(v => v * 1e200).ToArray();
        var big = new ReluNtk(2);
        big.SetParameters(huge);
        var x = Tensor.FromArray(new double[,] { { 1e200, 1e200, 1e200 } });
        var ex = Assert.Throws<NonFiniteResultException>(() => big.Forward(x));
        Assert.Contains("ReluNtk.Hidden (Dense 3 → 5): pre-activations", ex.Message, StringComparison.Ordinal); // named by layer, with its shape
        Assert.Equal(0, ex.Row);

        var moderate = Tensor.FromArray(new double[,] { { 1e10, -2e10, 3e10 }, { 0.5, 0.1, 0.2 } });
        var tangent = Tensor.FromArray(Enumerable.Repeat(1e300, p.Length).ToArray(), p.Length);
        // The tangent of the first layer's weights (1e300) times inputs of 1e10 overflows there (ḣ = cW·Ẇ·x + cB·ḃ).
        Assert.Contains("ReluNtk.Hidden (Dense 3 → 5): ", Assert.Throws<NonFiniteResultException>(() => model.Jvp(moderate, tangent)).Message, StringComparison.Ordinal);
        // The backward pass starts at the readout: its weight gradient δᵀ·a with δ = 1e300 and a ≈ 1e10 overflows first.
        var cotangent = Tensor.FromArray(new double[,] { { 1e300, 1e300 }, { 1.0, 1.0 } });
        Assert.Contains("ReluNtk.Readout (Dense 5 → 2): weight gradient", Assert.Throws<NonFiniteResultException>(() => model.Vjp(moderate, cotangent)).Message, StringComparison.Ordinal);
        // Moderate values pass.
        Assert.All(model.Forward(moderate).ToFlatArray(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void OutputActivationOverflowThrowsInForwardAndJvp()
    {
        var model = new ExpOutputNet(3);
        double[] p = model.GetParameters();
        // Row 1: the direction of 1e4-sized inputs with the largest output pre-activation (finite, ≈ 1e3–1e4), e^h overflows.
        var candidates = new[] { (1e4, 1e4), (-1e4, -1e4), (1e4, -1e4), (-1e4, 1e4), (1e4, 0.0), (0.0, 1e4), (-1e4, 0.0), (0.0, -1e4) };
        var best = candidates.MaxBy(d => ReferenceOutputPreActivation(model, Tensor.FromArray(new double[,] { { d.Item1, d.Item2 } }))[0]);
        var x = Tensor.FromArray(new double[,] { { 0.1, 0.2 }, { best.Item1, best.Item2 } });
        double[] h = ReferenceOutputPreActivation(model, x);
        Assert.All(h, v => Assert.True(double.IsFinite(v)));
        Assert.True(h[1] > 710, $"the test needs e^h to overflow for row 1, h = {h[1]}");
        var ex = Assert.Throws<NonFiniteResultException>(() => model.Forward(x));
        Assert.Contains("output activation", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Row);
        Assert.Throws<NonFiniteResultException>(() => model.Jvp(x, Tensor.FromArray(Enumerable.Repeat(1.0, p.Length).ToArray(), p.Length)));
        Assert.Throws<NonFiniteResultException>(() => model.Ntk(x));
        Assert.All(model.Forward(Tensor.FromArray(new double[,] { { 0.1, 0.2 } })).ToFlatArray(), v => Assert.True(double.IsFinite(v)));
    }

    /// <summary>h of the output layer from the parameters (hidden ReLU 2 → 4, readout 4 → 1, NTK scaling, σ_b = 1).</summary>
    private static double[] ReferenceOutputPreActivation(ExpOutputNet model, Tensor x)
    {
        double[] p = model.GetParameters(), xs = x.ToFlatArray();
        var result = new double[x.Rows];
        for (int r = 0; r < x.Rows; r++)
        {
            double h = p[8 + 4 + 4]; // readout bias
            for (int u = 0; u < 4; u++)
            {
                double z = p[8 + u] + (p[u * 2] * xs[r * 2] + p[u * 2 + 1] * xs[r * 2 + 1]) / Math.Sqrt(2);
                h += p[12 + u] * Math.Max(z, 0) / 2.0;
            }
            result[r] = h;
        }
        return result;
    }

    [Fact]
    public void JacobianProductsThatOverflowThrow()
    {
        // Finite features whose product δ·â overflows (1e200 · 1e200) in row 1.
        var layer = new LayerFeatures<double>(rows: 2, inputWidth: 2, width: 2, outputs: 1, DeltaForm.General, biasScale: 1, hasBias: false, weightGroup: 0, biasGroup: -1);
        layer.Inputs[2] = 1e200; layer.Inputs[3] = 1;
        layer.Inputs[0] = 1; layer.Inputs[1] = 1;
        layer.Deltas[0] = 1; layer.Deltas[1] = 1; layer.Deltas[2] = 1e200; layer.Deltas[3] = 1;
        var f = new NtkFeatures<double>(2, 1, [layer]);
        var ex = Assert.Throws<NonFiniteResultException>(() => JacobianAssembler.Build(f, 4, [0], [4]));
        Assert.Equal(1, ex.Row);
        Assert.Contains("Jacobian", ex.Message, StringComparison.Ordinal);
        // Non-finite features are named by layer.
        layer.Deltas[2] = double.PositiveInfinity;
        Assert.Contains("deltas", Assert.Throws<NonFiniteResultException>(() => JacobianAssembler.Build(f, 4, [0], [4])).Message, StringComparison.Ordinal);
        // The generated Jacobian on the overflowing model throws too (from the forward pass of its features).
        var big = new ReluNtk(2);
        big.SetParameters(big.GetParameters().Select(v => v * 1e200).ToArray());
        Assert.Throws<NonFiniteResultException>(() => big.Jacobian(Tensor.FromArray(new double[,] { { 1e200, 1e200, 1e200 } })));
    }

    [Fact]
    public void AnalyticKernelsThrowNamingTheStageAndRow()
    {
        var x = HugeRow();
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => ReluNtk.AnalyticNtk(x)), "input-layer variance");
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => ReluNtk.AnalyticNtk(Small(), x)), "input-layer variance");
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => ReluNtk.AnalyticNtkDiagonal(x)), "input-layer variance");
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => ReluNtk.AnalyticNngp(x)), "input-layer variance");
        var mlp = NtkDsl.Analytic.AnalyticMlp.Relu(3, 2);
        ExpectRow2(Assert.Throws<NonFiniteResultException>(() => mlp.Ntk(x)), "input-layer variance");

        // Every layer finite, the NTK's sum of 3 terms of 2x² each ≈ 4.9e308 overflows: the output scan names it.
        var edge = Tensor.FromArray(new double[,] { { 1.0 }, { 9e153 } });
        Assert.Equal(2 * 81e306, Relu1In.AnalyticNngp(edge).ToFlatArray()[3], 1e-12 * 2 * 81e306); // K stays finite
        var ex = Assert.Throws<NonFiniteResultException>(() => Relu1In.AnalyticNtk(edge));
        Assert.Contains("sum of the per-layer terms", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Row);
        Assert.Equal(1, Assert.Throws<NonFiniteResultException>(() => Relu1In.AnalyticNtkDiagonal(edge)).Row);
    }

    [Fact]
    public void DynamicsPredictionsThatOverflowThrow()
    {
        var k = Tensor.FromArray(new double[,] { { 2.0, 0.5 }, { 0.5, 1.0 } });
        var y = Tensor.FromArray([1.5e308, 1.0], 2);
        var gd = new GradientDescentMse(k, y);
        var f0 = Tensor.FromArray([-1.5e308, 0.0], 2); // f₀ − Y = −∞
        var ex = Assert.Throws<NonFiniteResultException>(() => gd.PredictTrain(1.0, f0));
        Assert.Contains("GradientDescentMse", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NonFiniteResultException>(() => gd.PredictTest(1.0, f0, Tensor.FromArray([0.0], 1), Tensor.FromArray(new double[,] { { 1.0, 0.3 } })));
        Assert.All(gd.PredictTrain(1.0, Tensor.FromArray([1e307, 0.0], 2)).ToFlatArray(), v => Assert.True(double.IsFinite(v)));
    }

    /// <summary>Divergent training that overflows inside the forward/backward pass is still reported as divergence.</summary>
    [Fact]
    public void DivergingTrainingStillReportsDivergence()
    {
        var model = new ReluNtk(5);
        var x = Tensor.FromArray(new double[,] { { 0.3, -1.2, 0.5 }, { 1.0, 0.1, -0.4 }, { -0.7, 0.2, 0.9 } });
        var y = Tensor.FromArray(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } });
        double eta = 1e3 * GradientDescentMse.MaxLearningRate(model.Ntk(x), 2);
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(new TrainerOptions { LearningRate = eta, CheckStability = false }).Train(model, x, y, 5000));
        Assert.Contains("learning rate", ex.Message, StringComparison.Ordinal);
    }
}
