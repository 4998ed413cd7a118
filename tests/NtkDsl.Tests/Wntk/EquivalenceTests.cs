using NtkDsl.Dynamics;
using NtkDsl.Training;

namespace NtkDsl.Tests.Wntk;

[NtkModel(Inputs = 3, WeightStd = 1.5, BiasStd = 0.3)]
public partial class EquivErf512
{
    [Dense(512, Activation.Erf)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}

[NtkModel(Inputs = 3, WeightStd = 1.5, BiasStd = 0.3)]
public partial class EquivErf4096
{
    [Dense(4096, Activation.Erf)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// WNTK equivalence (math.md §3): a network trained by GD with per-group learning rates η·w_g follows the closed-form
/// WNTK dynamics f_k = Y + (I − ηΘ_w/N)^k (f_0 − Y) on the training outputs, up to a gap that shrinks with width.
/// </summary>
/// <remarks>
/// Tolerance (derived). Write f_k for the network's training outputs and g_k for the closed form, e_k = f_k − g_k.
/// One GD step moves θ by Δθ_k = −(η/N)·D·J_kᵀ(f_k − Y), so by Taylor f_{k+1} = f_k − (η/N)Θ_k(f_k − Y) + R_k with
/// Θ_k = J_k D J_kᵀ the WNTK at step k, while g_{k+1} = g_k − (η/N)Θ_0(g_k − Y). Subtracting,
/// e_{k+1} = (I − ηΘ_0/N)e_k − (η/N)(Θ_k − Θ_0)(f_k − Y) + R_k, and with η ≤ N/λ_max(Θ_0) the matrix I − ηΘ_0/N has
/// spectrum in [0, 1], so ‖e_S‖ ≤ τ := Σ_{k&lt;S} [(η/N)‖(Θ_k − Θ_0)(f_k − Y)‖ + ‖R̄_k‖], where R̄_k bounds the Taylor
/// remainder entrywise. For one erf hidden layer f = (σ_v/√W)Σ_i v_i φ(h_i) + σ_c c, h_i = (σ_w/√d)u_i·x + σ_b b_i, the
/// only second derivatives are v_i–(u_i, b_i) and (u_i, b_i)–(u_i, b_i) of the same unit, giving
/// |R_k(x)| ≤ ½(σ_v/√W)(L₁g(x) + v_max·L₂g(x)²)‖Δθ_k‖² with g(x) = √(σ_w²|x|²/d + σ_b²), L₁ = sup|erf'| = 2/√π,
/// L₂ = sup|erf''| = 2√2·e^{−1/2}/√π and v_max the largest |v_i| at either end of the step. τ ~ 1/√W.
/// </remarks>
public class EquivalenceTests
{
    private const int N = 8, Steps = 20;
    private static readonly double L1 = 2 / Math.Sqrt(Math.PI);
    private static readonly double L2 = 2 * Math.Sqrt(2) * Math.Exp(-0.5) / Math.Sqrt(Math.PI);

    private static GroupWeights Weights => new GroupWeights().Weights("Hidden", 2.0).Bias("Hidden", 0.5).Weights("Readout", 1.5).Bias("Readout", 0.25);

    private static (Tensor X, Tensor Y) Data()
    {
        var s = new NormalSampler(3);
        var x = new double[N * 3];
        s.FillNormal(x, 1.0);
        var y = new double[N];
        for (int i = 0; i < N; i++) y[i] = Math.Sin(x[i * 3] + x[i * 3 + 1] - x[i * 3 + 2]);
        return (Tensor.FromArray(x, N, 3), Tensor.FromArray(y, N, 1));
    }

    internal sealed record Run(double Gap, double Tolerance, double Scale);

    internal static Run Compare(INtkModel model)
    {
        var (x, y) = Data();
        var gw = Weights;
        var theta0 = model.Wntk(x, null, gw);
        var f0 = model.Forward(x);
        double eta = 0.5 * GradientDescentMse.MaxLearningRate(theta0); // = N/λ_max: I − ηΘ/N has spectrum in [0, 1]
        var closed = new GradientDescentMse(theta0, y, eta).PredictTrainSteps(Steps, f0);
        var trainer = new Trainer(new TrainerOptions { LearningRate = eta, GroupLearningRates = gw, CheckStability = false });
        var info = model.Info;
        var readout = info.FindGroup("Readout.Weights")!;
        int width = readout.Count;
        double sv = info.Layers[^1].WeightStd, sw = info.Layers[0].WeightStd, sb = info.Layers[0].BiasStd;
        double tau = 0;
        for (int k = 0; k < Steps; k++)
        {
            var fk = model.Forward(x);
            var thetaK = model.Wntk(x, null, gw);
            var before = model.GetParameters();
            trainer.Train(model, x, y, steps: 1);
            var after = model.GetParameters();
            double move = 0, vmax = 0;
            for (int p = 0; p < before.Length; p++) move += (after[p] - before[p]) * (after[p] - before[p]);
            for (int p = readout.Offset; p < readout.Offset + width; p++) vmax = Math.Max(vmax, Math.Max(Math.Abs(before[p]), Math.Abs(after[p])));
            double drift = 0, remainder = 0;
            for (int i = 0; i < N; i++)
            {
                double s = 0;
                for (int j = 0; j < N; j++) s += (thetaK[i, j] - theta0[i, j]) * (fk[j, 0] - y[j, 0]);
                drift += s * s;
                double xx = x[i, 0] * x[i, 0] + x[i, 1] * x[i, 1] + x[i, 2] * x[i, 2];
                double g = Math.Sqrt(sw * sw * xx / 3 + sb * sb);
                double r = 0.5 * sv / Math.Sqrt(width) * (L1 * g + vmax * L2 * g * g) * move;
                remainder += r * r;
            }
            tau += eta / N * Math.Sqrt(drift) + Math.Sqrt(remainder);
        }
        var f = model.Forward(x);
        double gap = 0, scale = 0;
        for (int i = 0; i < N; i++)
        {
            gap += Math.Pow(f[i, 0] - closed[i, 0], 2);
            scale += Math.Pow(f0[i, 0] - y[i, 0], 2);
        }
        return new Run(Math.Sqrt(gap), tau, Math.Sqrt(scale));
    }

    [Fact]
    public void WideNetworkTracksClosedFormWithinDerivedTolerance()
    {
        var run = Compare(new EquivErf4096(seed: 1));
        Assert.True(run.Gap <= run.Tolerance, $"gap {run.Gap:G4} > derived tolerance {run.Tolerance:G4}");
        // The derived tolerance itself is small at this width: a few percent of the initial residual.
        Assert.True(run.Tolerance < 0.1 * run.Scale, $"tolerance {run.Tolerance:G4} vs residual {run.Scale:G4}");
    }

    [Fact]
    public void GapShrinksWithWidth()
    {
        var narrow = Compare(new EquivErf512(seed: 1));
        var wide = Compare(new EquivErf4096(seed: 1));
        Assert.True(narrow.Gap > wide.Gap, $"gap at 512: {narrow.Gap:G4}, at 4096: {wide.Gap:G4}");
        Assert.True(narrow.Gap <= narrow.Tolerance);
    }
}
