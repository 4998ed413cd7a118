using System.Globalization;
using NtkDsl.Regression;

namespace NtkDsl.Wntk;

/// <summary>
/// Learns the group weights w ≥ 0 of a weighted NTK Θ_w = Σ_g w_g Θ^g (multiple-kernel learning over the blocks,
/// math.md §3) with a pluggable <see cref="IWntkObjective"/>. The weights are parameterized as w_g = exp(θ_g) — so they
/// stay positive — and, when the objective uses it, the ridge as λ = exp(ρ); Adam runs on (θ, ρ) from unit weights
/// with the analytic gradient (∂/∂θ_g = w_g·∂/∂w_g). Deterministic. The best iterate is returned, so the result is
/// never worse than the unit-weight start.
/// </summary>
/// <remarks>Thread safety: holds only its options and objective, so concurrent runs are safe when the objective is (see <see cref="IWntkObjective"/>).</remarks>
public sealed class WntkLearner
{
    /// <summary>A learner for <paramref name="objective"/>.</summary>
    public WntkLearner(IWntkObjective objective, WntkLearnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        Objective = objective;
        Options = options ?? new WntkLearnerOptions();
        if (Options.Iterations < 0) throw new ArgumentOutOfRangeException(nameof(options), Options.Iterations, "Iterations must be ≥ 0.");
        if (!(Options.StepSize > 0) || !double.IsFinite(Options.StepSize)) throw new ArgumentOutOfRangeException(nameof(options), Options.StepSize, "The step size must be finite and > 0.");
        if (!(Options.Beta1 >= 0 && Options.Beta1 < 1) || !(Options.Beta2 >= 0 && Options.Beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(options), "Adam's β1 and β2 must lie in [0, 1).");
        if (Options.InitialRidge is double r && (!double.IsFinite(r) || r < 0))
            throw new ArgumentOutOfRangeException(nameof(options), r, "The initial ridge must be finite and ≥ 0.");
    }

    /// <summary>The objective.</summary>
    public IWntkObjective Objective { get; }

    /// <summary>The settings.</summary>
    public WntkLearnerOptions Options { get; }

    /// <summary>Learns the weights for the per-group blocks of a generated model (Trace mode) and targets.</summary>
    public WntkLearningResult Learn(NtkBlocks blocks, Tensor targets) => Learn(WntkProblem.FromBlocks(blocks, targets));

    /// <summary>Learns the weights for <paramref name="problem"/>.</summary>
    /// <exception cref="InvalidOperationException">The objective is undefined at unit weights for every starting ridge.</exception>
    public WntkLearningResult Learn(WntkProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        int gCount = problem.GroupCount;
        if (WorkingMatrices(Objective, gCount) is long matrices and > 0)
            RegressionMemory.Ensure(RegressionMemory.Squares(problem.Size, matrices), "WntkLearner.Learn", string.Create(CultureInfo.InvariantCulture,
                $"the {Objective.Name}'s work matrices ({matrices} float64 {problem.Size} × {problem.Size})"));
        double sign = Objective.Direction == ObjectiveDirection.Minimize ? 1.0 : -1.0;
        var grad = new double[gCount];
        var ones = Enumerable.Repeat(1.0, gCount).ToArray();
        double ridge = StartRidge(problem, ones, grad);
        bool learnRidge = Objective.UsesRidge && Options.LearnRidge && ridge > 0;

        int p = gCount + (learnRidge ? 1 : 0);
        var x = new double[p]; // log w, then log λ
        if (learnRidge) x[gCount] = Math.Log(ridge);
        var m = new double[p];
        var v = new double[p];
        var g = new double[p];
        var w = (double[])ones.Clone();
        var history = new List<double>();
        double value = Objective.Evaluate(problem, w, ridge, grad, out double ridgeGrad);
        if (!double.IsFinite(value))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"WntkLearner: the {Objective.Name} is undefined at unit weights with ridge {ridge:G4} (kernel + ridge not positive definite?); pass a larger WntkLearnerOptions.InitialRidge."));
        history.Add(value);
        Options.Progress?.Invoke(0, value);
        double best = sign * value;
        int bestIteration = 0;
        var bestW = (double[])w.Clone();
        double bestRidge = ridge;
        double step = Options.StepSize;
        for (int it = 1; it <= Options.Iterations; it++)
        {
            double norm = 0;
            for (int q = 0; q < gCount; q++) g[q] = sign * w[q] * grad[q];
            if (learnRidge) g[gCount] = sign * ridge * ridgeGrad;
            foreach (double gi in g) norm += gi * gi;
            if (Math.Sqrt(norm) < Options.GradientTolerance) break;
            for (int q = 0; q < p; q++)
            {
                m[q] = Options.Beta1 * m[q] + (1 - Options.Beta1) * g[q];
                v[q] = Options.Beta2 * v[q] + (1 - Options.Beta2) * g[q] * g[q];
                double mh = m[q] / (1 - Math.Pow(Options.Beta1, it)), vh = v[q] / (1 - Math.Pow(Options.Beta2, it));
                x[q] -= step * mh / (Math.Sqrt(vh) + 1e-12);
                x[q] = Math.Clamp(x[q], -700, 700);
            }
            for (int q = 0; q < gCount; q++) w[q] = Math.Exp(x[q]);
            if (learnRidge) ridge = Math.Exp(x[gCount]);
            value = Objective.Evaluate(problem, w, ridge, grad, out ridgeGrad);
            history.Add(value);
            Options.Progress?.Invoke(it, value);
            if (!double.IsFinite(value))
            {
                // Undefined point (e.g. lost positive definiteness): go back to the best iterate with a smaller step.
                step *= 0.5;
                Array.Copy(bestW, w, gCount);
                ridge = bestRidge;
                for (int q = 0; q < gCount; q++) x[q] = Math.Log(Math.Max(w[q], double.Epsilon));
                if (learnRidge) x[gCount] = Math.Log(ridge);
                Array.Clear(m);
                Array.Clear(v);
                value = Objective.Evaluate(problem, w, ridge, grad, out ridgeGrad);
                continue;
            }
            if (sign * value < best)
            {
                best = sign * value;
                bestIteration = history.Count - 1;
                Array.Copy(w, bestW, gCount);
                bestRidge = ridge;
            }
        }
        return new WntkLearningResult(Objective.Name, Objective.Direction, problem.GroupNames, bestW, bestRidge, history.ToArray(), bestIteration);
    }

    /// <summary>
    /// The n × n float64 matrices a built-in objective holds at once during one evaluation (besides the problem's
    /// blocks): leave-one-out 5 (Σ w_g Θ^g + λI, its factor, the inverse H, H·diag(d), the gradient matrix); held-out
    /// 4 at most (the combined kernel, its blocks, the factor and the two gradient blocks); alignment G + 1 (the cached
    /// centred blocks and one being centred). 0 for another objective (its cost is not known here).
    /// </summary>
    internal static long WorkingMatrices(IWntkObjective objective, int groups) => objective switch
    {
        LeaveOneOutRidgeObjective => 5,
        HeldOutRidgeObjective => 4,
        KernelTargetAlignmentObjective => groups + 1L,
        _ => 0,
    };

    private double StartRidge(WntkProblem problem, double[] ones, double[] grad)
    {
        if (Options.InitialRidge is double r) return r;
        if (!Objective.UsesRidge) return 0.0;
        double scale = problem.MeanDiagonal();
        double sign = Objective.Direction == ObjectiveDirection.Minimize ? 1.0 : -1.0;
        double bestRidge = double.NaN, best = double.PositiveInfinity;
        foreach (double rel in Options.RelativeRidgeGrid)
        {
            double ridge = rel * scale;
            double value = Objective.Evaluate(problem, ones, ridge, grad, out _);
            if (double.IsFinite(value) && sign * value < best)
            {
                best = sign * value;
                bestRidge = ridge;
            }
        }
        if (double.IsNaN(bestRidge))
            throw new InvalidOperationException($"WntkLearner: the {Objective.Name} is undefined at unit weights for every ridge in the grid; the kernel may be indefinite — check the blocks or pass WntkLearnerOptions.InitialRidge.");
        return bestRidge;
    }
}
