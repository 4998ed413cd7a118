namespace NtkDsl.Wntk;

/// <summary>Settings of <see cref="WntkLearner"/> (Adam on log w and, for ridge objectives, log λ).</summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class WntkLearnerOptions
{
    /// <summary>Number of Adam steps (default 100).</summary>
    public int Iterations { get; init; } = 100;

    /// <summary>Adam step size in log space (default 0.05: each weight changes by at most about 5% per step).</summary>
    public double StepSize { get; init; } = 0.05;

    /// <summary>Adam's first-moment decay β1 (default 0.9).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's second-moment decay β2 (default 0.999).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>
    /// The starting ridge λ (absolute). Null (default): the best of <see cref="RelativeRidgeGrid"/> × mean diagonal of
    /// the unit-weight kernel, scored by the objective at unit weights (for objectives that use the ridge), else 0.
    /// </summary>
    public double? InitialRidge { get; init; }

    /// <summary>Relative ridge candidates for the starting ridge (default 1e-6 … 1e1 by decades).</summary>
    public IReadOnlyList<double> RelativeRidgeGrid { get; init; } = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

    /// <summary>Whether the ridge is learned along with the weights when the objective uses it (default true).</summary>
    public bool LearnRidge { get; init; } = true;

    /// <summary>Stop early when the log-space gradient norm falls below this (default 1e-10).</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>Optional callback after every evaluated iterate: (iteration, objective value).</summary>
    public Action<int, double>? Progress { get; init; }
}
