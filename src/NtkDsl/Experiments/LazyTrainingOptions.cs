namespace NtkDsl.Experiments;

/// <summary>How <see cref="LazyTraining"/> trains the network and its linearization (always both the same way).</summary>
public enum LazyIntegrator
{
    /// <summary>
    /// Discrete full-batch gradient descent with the same step for both: the linearization follows exactly
    /// f_k = y* + (I − dt·Θ0)^k (f_0 − y*), so the comparison has no integrator floor.
    /// </summary>
    GradientDescent = 0,

    /// <summary>Both gradient flows integrated by Dormand–Prince RK45 with error control (<see cref="Training.GradientFlow"/>).</summary>
    GradientFlow = 1,
}

/// <summary>Settings of a lazy-training experiment. Times are in the units of <see cref="LazyBounds"/> (τ = k·η/N).</summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class LazyTrainingOptions
{
    /// <summary>Output scales α (each &gt; 0); default 1, 2, 4, …, 64.</summary>
    public IReadOnlyList<double> Alphas { get; init; } = [1, 2, 4, 8, 16, 32, 64];

    /// <summary>Horizons T at which slopes, bounds and kernel drift are reported (each &gt; 0); default 0.5 … 50.</summary>
    public IReadOnlyList<double> Horizons { get; init; } = [0.5, 1, 2, 5, 10, 20, 50];

    /// <summary>Extra log-spaced recording times per decade between T_min/10 and T_max (default 6).</summary>
    public int PointsPerDecade { get; init; } = 6;

    /// <summary>Gradient-descent step dt = StepFraction/λ_max(Θ0) in τ units, in (0, 0.3] (default 0.2; see
    /// <see cref="LazyBounds.MovementBound"/> for why 0.3).</summary>
    public double StepFraction { get; init; } = 0.2;

    /// <summary>Discrete gradient descent (default) or gradient flow.</summary>
    public LazyIntegrator Integrator { get; init; } = LazyIntegrator.GradientDescent;

    /// <summary>Relative tolerance of the RK45 integration (gradient-flow mode; default 1e-9).</summary>
    public double FlowRelativeTolerance { get; init; } = 1e-9;

    /// <summary>Absolute tolerance of the RK45 integration (gradient-flow mode; default 1e-12).</summary>
    public double FlowAbsoluteTolerance { get; init; } = 1e-12;

    /// <summary>
    /// Gradient-descent mode only: train the linearization in weight space with <see cref="Training.Trainer"/> on a
    /// <see cref="Training.LinearizedModel"/> (true), or evaluate the identical recursion in function space,
    /// g_k = y* − V(I − dt·Λ)^k Vᵀ y* on training points and g*_k = Θ0(x*, X)·V·diag((1 − (1 − dt·λ)^k)/λ)·Vᵀ y* on
    /// test points, from one eigendecomposition Θ0 = VΛVᵀ (false, the default: the same numbers up to rounding,
    /// at a fraction of the cost). Gradient-flow mode always integrates the linearized model in weight space.
    /// </summary>
    public bool LinearizationInWeightSpace { get; init; }

    /// <summary>Compute the kernel drift ‖Θ_t − Θ_0‖_F/‖Θ_0‖_F of the network at every horizon (default true).</summary>
    public bool KernelDrift { get; init; } = true;

    internal void Validate()
    {
        Check(Alphas, nameof(Alphas));
        Check(Horizons, nameof(Horizons));
        if (PointsPerDecade < 0) throw new ArgumentOutOfRangeException(nameof(PointsPerDecade), PointsPerDecade, "PointsPerDecade must be ≥ 0.");
        if (!(StepFraction > 0 && StepFraction <= 0.3))
            throw new ArgumentOutOfRangeException(nameof(StepFraction), StepFraction, "StepFraction must lie in (0, 0.3]: larger steps break the discrete movement bound (and above 2 gradient descent diverges).");
        if (!(FlowRelativeTolerance > 0) || !(FlowAbsoluteTolerance > 0))
            throw new ArgumentOutOfRangeException(nameof(FlowRelativeTolerance), "The RK45 tolerances must be > 0.");
    }

    private static void Check(IReadOnlyList<double> values, string name)
    {
        if (values is null || values.Count == 0) throw new ArgumentException($"{name} needs at least one value.", name);
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]) || values[i] <= 0 || (i > 0 && values[i] <= values[i - 1]))
                throw new ArgumentException($"{name} must be finite, > 0 and strictly ascending; entry {i} is {values[i]}.", name);
    }
}
