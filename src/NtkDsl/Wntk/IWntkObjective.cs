namespace NtkDsl.Wntk;

/// <summary>Whether a <see cref="IWntkObjective"/> is a loss (minimized) or a score (maximized).</summary>
public enum ObjectiveDirection
{
    /// <summary>Smaller is better (a validation loss).</summary>
    Minimize,

    /// <summary>Larger is better (an alignment).</summary>
    Maximize,
}

/// <summary>
/// An objective for learning the group weights of a weighted NTK Θ_w = Σ_g w_g Θ^g: its value at (w, λ) and the
/// analytic gradient with respect to w and the ridge λ. Implementations: <see cref="KernelTargetAlignmentObjective"/>,
/// <see cref="LeaveOneOutRidgeObjective"/>, <see cref="HeldOutRidgeObjective"/>.
/// </summary>
/// <remarks>Thread safety: <see cref="WntkLearner"/> calls an objective from one thread at a time; share an implementation between concurrent learners only if it keeps no state between calls.</remarks>
public interface IWntkObjective
{
    /// <summary>A short name that says which objective ran (shown in results).</summary>
    string Name { get; }

    /// <summary>Whether the value is minimized or maximized.</summary>
    ObjectiveDirection Direction { get; }

    /// <summary>Whether the value depends on the ridge λ (if not, the learner leaves λ unchanged).</summary>
    bool UsesRidge { get; }

    /// <summary>
    /// The objective at weights <paramref name="weights"/> (w_g ≥ 0, in block order) and ridge λ ≥ 0, with its
    /// gradient ∂/∂w_g written to <paramref name="weightGradient"/> and ∂/∂λ to <paramref name="ridgeGradient"/>.
    /// Returns NaN when the value is undefined at this point (e.g. Θ_w + λI not positive definite).
    /// </summary>
    double Evaluate(WntkProblem problem, ReadOnlySpan<double> weights, double ridge, Span<double> weightGradient, out double ridgeGradient);
}
