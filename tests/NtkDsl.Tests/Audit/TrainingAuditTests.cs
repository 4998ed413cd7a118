using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Tests.Support;
using NtkDsl.Training;

namespace NtkDsl.Tests.Audit;

/// <summary>
/// The <see cref="Trainer"/>'s updates against steps written here from the Jacobian (math.md §5, §3): the gradient of
/// F = (1/α²)(1/2N)‖α·h − y‖² is (1/(αN))·Jᵀ(α·h − y), the per-group rate multiplies it by D (laid out by hand), and
/// heavy-ball momentum is v ← m·v + D·g, w ← w − η·v. Existing tests check the gradient by central differences
/// (TrainerTests) and the linearized K = 1 and K = 2 trajectories with the library's own Wntk/Ntk
/// (LinearizedDynamicsTests); none checks a nonlinear K = 3 network's parameter updates with α ≠ 1, momentum and
/// per-group rates at once, nor the linearized K = 3 run with per-group rates, α and centring against J·D·Jᵀ.
/// </summary>
public sealed class TrainingAuditTests(ITestOutputHelper output)
{
    private const int K = 3, P = 105;

    private static GroupWeights Rates() => new GroupWeights().Weights("H1", 0.3).Bias("H1", 2.5).Weights("H2", 0.0).Weights("Out", 1.7).Bias("Out", 0.05);

    private static double[] HandD()
    {
        var d = new double[P];
        for (int i = 0; i < P; i++) d[i] = i < 35 ? 0.3 : i < 42 ? 2.5 : i < 84 ? 0.0 : i < 102 ? 1.7 : 0.05;
        return d;
    }

    /// <summary>(1/(αN))·Jᵀ(α·h − y) at parameters w, h = f − f0 when centred.</summary>
    private static double[] Gradient(AuditMlp model, double[] w, Tensor x, double[] y, double alpha, double[]? f0)
    {
        var m = (AuditMlp)model.Clone();
        m.SetParameters(w);
        var j = Zoo.JacobianMatrix(m, x);
        var f = m.Forward(x).ToFlatArray();
        int nk = f.Length;
        var g = new double[P];
        for (int r = 0; r < nk; r++)
        {
            double res = alpha * (f[r] - (f0?[r] ?? 0)) - y[r];
            for (int q = 0; q < P; q++) g[q] += j[r, q] * res / (alpha * nk);
        }
        return g;
    }

    [Theory]
    [InlineData(2.5, false, 0.0)]
    [InlineData(2.5, true, 0.6)]
    [InlineData(0.5, false, 0.6)]
    public void StepsWithPerGroupRatesMomentumAndAlphaAreTheHandWrittenUpdates(double alpha, bool centred, double momentum)
    {
        var model = new AuditMlp(21);
        var x = AuditReference.Inputs(6, 5, 700);
        var y = Tensor.FromArray(Zoo.RandomInputs(6, K, 701).ToFlatArray(), 6, K);
        double eta = 0.05;
        var w0 = model.GetParameters();
        var f0 = centred ? model.Forward(x).ToFlatArray() : null;
        var d = HandD();
        // Hand: three steps of heavy ball with the preconditioner D.
        var w = (double[])w0.Clone();
        var v = new double[P];
        var expected = new List<double[]>();
        for (int s = 0; s < 3; s++)
        {
            var g = Gradient(model, w, x, y.ToFlatArray(), alpha, f0);
            for (int q = 0; q < P; q++) { v[q] = momentum * v[q] + d[q] * g[q]; w[q] -= eta * v[q]; }
            expected.Add(w.Select((val, q) => val - w0[q]).ToArray());
        }
        var got = new List<double[]>();
        new Trainer(new TrainerOptions { LearningRate = eta, GroupLearningRates = Rates(), OutputScale = alpha, Centered = centred, Momentum = momentum })
            .Train(model, x, y, [1, 2, 3], _ => got.Add(model.GetParameters().Select((val, q) => val - w0[q]).ToArray()));
        for (int s = 0; s < 3; s++)
        {
            AuditReference.Check(output, expected[s], got[s], 1e-10, $"α={alpha} centred={centred} m={momentum} step {s + 1}: w − w0");
            for (int q = 42; q < 84; q++) Assert.Equal(0.0, got[s][q]); // H2 weights have rate 0: they never move
        }
    }

    [Fact]
    public void LinearizedRunWithThreeOutputsPerGroupRatesAlphaAndCentringFollowsJDJt()
    {
        var model = new AuditMlp(22);
        Tensor x = AuditReference.Inputs(7, 5, 710), xTest = AuditReference.Inputs(4, 5, 711);
        var y = Tensor.FromArray(Zoo.RandomInputs(7, K, 712).ToFlatArray(), 7, K);
        const double alpha = 3.0;
        var d = HandD();
        var j = Zoo.JacobianMatrix(model, x);
        var jt = Zoo.JacobianMatrix(model, xTest);
        int nk = 7 * K, mk = 4 * K;
        // A = J D Jᵀ (nk × nk), B = J* D Jᵀ (mk × nk), from the hand-built D.
        var jm = Matrix<double>.Build.DenseOfArray(j);
        var jtm = Matrix<double>.Build.DenseOfArray(jt);
        var dm = Matrix<double>.Build.DiagonalOfDiagonalArray(d);
        var a = jm * dm * jm.Transpose();
        var b = jtm * dm * jm.Transpose();
        double lmax = a.Evd(Symmetricity.Symmetric).EigenValues.Max(e => e.Real);
        double eta = 0.9 * 2 * nk / lmax;
        int[] steps = [1, 4, 25, 120];
        // g = α·(f − f0): g_{k+1} = g_k − (η/N)·A·(g_k − y), g*_{k+1} = g*_k − (η/N)·B·(g_k − y), g_0 = 0.
        var yv = Vector<double>.Build.DenseOfArray(y.ToFlatArray());
        var g = Vector<double>.Build.Dense(nk);
        var gt = Vector<double>.Build.Dense(mk);
        var expected = new List<(double[] Train, double[] Test)>();
        for (int s = 1; s <= steps[^1]; s++)
        {
            var r = g - yv;
            g -= eta / nk * (a * r);
            gt -= eta / nk * (b * r);
            if (steps.Contains(s)) expected.Add((g.ToArray(), gt.ToArray()));
        }
        var f0 = model.Forward(x).ToFlatArray();
        var f0t = model.Forward(xTest).ToFlatArray();
        var lin = model.Linearize();
        var got = new List<(double[], double[])>();
        new Trainer(new TrainerOptions { LearningRate = eta, GroupLearningRates = Rates(), OutputScale = alpha, Centered = true })
            .Train(lin, x, y, steps, _ => got.Add((lin.Forward(x).ToFlatArray().Select((v, i) => alpha * (v - f0[i])).ToArray(),
                                                   lin.Forward(xTest).ToFlatArray().Select((v, i) => alpha * (v - f0t[i])).ToArray())));
        for (int i = 0; i < steps.Length; i++)
        {
            AuditReference.Check(output, expected[i].Train, got[i].Item1, 1e-9, $"linearized train k={steps[i]}");
            AuditReference.Check(output, expected[i].Test, got[i].Item2, 1e-9, $"linearized test k={steps[i]}");
        }
    }
}

/// <summary>
/// The Trainer's reported stability bound against 2N/λ_max(J·D·Jᵀ) from a MathNet eigendecomposition (the GD map on
/// F = (1/α²)(1/2N)‖α·h − y‖² with rates η·D has Gauss–Newton curvature (1/N)·J·D·Jᵀ, independent of α). The Trainer
/// estimates λ_max by Lanczos, a Ritz value ≤ λ_max, so its bound can only be too high; measured here (close top
/// eigenvalues: Training/StabilityBoundTests).
/// </summary>
public sealed class TrainerStabilityBoundAuditTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(7.0)]
    public void ReportedBoundIsTwoNOverTheLargestEigenvalueOfJDJt(double alpha)
    {
        var model = new AuditMlp(51);
        var x = AuditReference.Inputs(9, 5, 1100);
        var y = Tensor.FromArray(Support.Zoo.RandomInputs(9, 3, 1101).ToFlatArray(), 9, 3);
        var rates = new GroupWeights().Weights("H1", 0.3).Bias("H1", 2.5).Weights("H2", 0.0).Weights("Out", 1.7).Bias("Out", 0.05);
        var j = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(Support.Zoo.JacobianMatrix(model, x));
        var d = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DiagonalOfDiagonalArray(rates.PerParameter(AuditMlp.Info));
        var eig = (j * d * j.Transpose()).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(e => e.Real).OrderDescending().ToArray();
        double expected = 2.0 * 27 / eig[0];
        var result = new Trainer(new TrainerOptions { LearningRate = 1e-3, GroupLearningRates = rates, OutputScale = alpha }).Train(model, x, y, 0);
        double rel = (result.MaxStableLearningRate - expected) / expected;
        output.WriteLine($"α={alpha}: Trainer bound {result.MaxStableLearningRate:G8}, 2N/λ_max {expected:G8} (λ₂/λ₁ = {eig[1] / eig[0]:F4}), relative difference {rel:E2}");
        Assert.True(rel >= -1e-10, "the power-iteration estimate cannot exceed λ_max");
        Assert.True(rel <= 1e-3, $"bound {rel:E2} above the true one");
    }
}

/// <summary>
/// The Trainer on a float32 model against the same run on its float64 twin (same parameters), with per-group rates,
/// α, centring and momentum: the displacement w − w0 and the loss history agree to float32 accuracy (relative 1e-5
/// after 20 steps: each step's rounding is ~1e-7 and 20 contracting steps add them up; 3.7e-7 measured). No existing test trains a
/// float32 model against float64.
/// </summary>
public sealed class Float32TrainingAuditTests(ITestOutputHelper output)
{
    [Fact]
    public void Float32TrainingFollowsTheFloat64Run()
    {
        var m32 = new AuditMlp32(71);
        var m64 = new AuditMlp(0);
        m64.SetParameters(m32.GetParameters());
        var w0 = m32.GetParameters();
        var x = AuditReference.Inputs(8, 5, 1300);
        var y = Tensor.FromArray(Support.Zoo.RandomInputs(8, 3, 1301).ToFlatArray(), 8, 3);
        var rates = new GroupWeights().Weights("H1", 0.3).Bias("H1", 2.5).Weights("H2", 0.0).Weights("Out", 1.7).Bias("Out", 0.05);
        var options = new TrainerOptions { LearningRate = 0.5, GroupLearningRates = rates, OutputScale = 2.0, Centered = true, Momentum = 0.5 };
        var r64 = new Trainer(options).Train(m64, x, y, 20);
        var r32 = new Trainer(options).Train(m32, x.To(DType.Float32), y.To(DType.Float32), 20);
        var d64 = m64.GetParameters().Select((v, i) => v - w0[i]).ToArray();
        var d32 = m32.GetParameters().Select((v, i) => v - w0[i]).ToArray();
        AuditReference.Check(output, d64, d32, 1e-5, "float32 vs float64 training: w − w0 after 20 steps");
        AuditReference.Check(output, r64.History.Select(p => p.Loss).ToArray(), r32.History.Select(p => p.Loss).ToArray(), 1e-5, "float32 vs float64 training: loss history");
        Assert.True(r64.History[^1].Loss < 0.5 * r64.History[0].Loss, "the run must actually train");
    }
}
