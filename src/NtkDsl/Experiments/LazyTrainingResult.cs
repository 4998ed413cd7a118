namespace NtkDsl.Experiments;

/// <summary>One recorded time of one α.</summary>
/// <param name="Time">τ (units of <see cref="LazyBounds"/>).</param>
/// <param name="Step">Gradient-descent steps taken (−1 in gradient-flow mode).</param>
/// <param name="TrainError">‖α h(w(τ)) − α h̄(w̄(τ))‖ over every training output.</param>
/// <param name="TestError">The same over every test output (NaN without test points).</param>
/// <param name="Movement">‖w(τ) − w0‖ of the network.</param>
/// <param name="MovementBound">√(τ R0)/α.</param>
/// <param name="Risk">R(α h(w(τ))) of the network (½‖·‖², not divided by N).</param>
/// <param name="LinearRisk">R of the linearization.</param>
/// <param name="KernelDrift">‖Θ_τ − Θ_0‖_F/‖Θ_0‖_F of the network, NaN where not computed.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct LazyCurvePoint(double Time, int Step, double TrainError, double TestError, double Movement,
    double MovementBound, double Risk, double LinearRisk, double KernelDrift);

/// <summary>The curves of one output scale α.</summary>
/// <param name="Alpha">α.</param>
/// <param name="Points">Recorded points, the first at τ = 0.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record LazyRun(double Alpha, IReadOnlyList<LazyCurvePoint> Points)
{
    /// <summary>max over τ &gt; 0 of ‖w(τ) − w0‖ / (√(τR0)/α); the movement bound holds iff this is ≤ 1.</summary>
    public double MaxMovementRatio => Points.Where(p => p.Time > 0 && p.MovementBound > 0).Select(p => p.Movement / p.MovementBound).DefaultIfEmpty(0).Max();

    /// <summary>The training error at the point nearest <paramref name="time"/>.</summary>
    public LazyCurvePoint At(double time) => Points.MinBy(p => Math.Abs(p.Time - time));
}

/// <summary>A least-squares fit of log(error) = slope·log(α) + intercept at one horizon.</summary>
/// <param name="Horizon">T as requested.</param>
/// <param name="Time">The recorded τ used (the nearest gradient-descent step in that mode).</param>
/// <param name="TrainSlope">Slope for the training error (−1 is the lazy-training law).</param>
/// <param name="TrainIntercept">Intercept for the training error.</param>
/// <param name="TrainR2">Coefficient of determination of the training fit.</param>
/// <param name="TestSlope">Slope for the test error (NaN without test points).</param>
/// <param name="CollapseRatio">max_α(α·error)/min_α(α·error) at T: 1 when α·error is the same curve for every α.</param>
/// <param name="KernelDrift">Kernel drift at T for each α, in <see cref="LazyTrainingResult.Alphas"/> order.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record LazySlopeFit(double Horizon, double Time, double TrainSlope, double TrainIntercept, double TrainR2,
    double TestSlope, double CollapseRatio, IReadOnlyList<double> KernelDrift);

/// <summary>Progress of <see cref="LazyTraining.Run"/>.</summary>
/// <param name="Stage">What is running (e.g. "network α = 4").</param>
/// <param name="Done">Recorded points finished.</param>
/// <param name="Total">Recorded points in all.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct LazyTrainingProgress(string Stage, long Done, long Total)
{
    /// <summary>Fraction finished in [0, 1].</summary>
    public double Fraction => Total == 0 ? 1.0 : (double)Done / Total;
}

/// <summary>Everything a lazy-training experiment measured.</summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class LazyTrainingResult
{
    internal LazyTrainingResult(LazyTrainingOptions options, int outputCount, double r0, double lambdaMax, double step,
        IReadOnlyList<LazyRun> runs, IReadOnlyList<LazySlopeFit> slopes)
    {
        Integrator = options.Integrator;
        Alphas = options.Alphas.ToArray();
        Horizons = options.Horizons.ToArray();
        OutputCount = outputCount;
        R0 = r0;
        LambdaMax = lambdaMax;
        Step = step;
        Runs = runs;
        Slopes = slopes;
    }

    /// <summary>How both models were trained.</summary>
    public LazyIntegrator Integrator { get; }

    /// <summary>The output scales, ascending.</summary>
    public IReadOnlyList<double> Alphas { get; }

    /// <summary>The horizons, ascending.</summary>
    public IReadOnlyList<double> Horizons { get; }

    /// <summary>N = rows·K of the training set.</summary>
    public int OutputCount { get; }

    /// <summary>R0 = ½‖α h(w0) − y*‖² = ½‖y*‖² (the model is centred).</summary>
    public double R0 { get; }

    /// <summary>√(8 R0), the cap on the training error.</summary>
    public double ErrorCap => LazyBounds.ErrorCap(R0);

    /// <summary>λ_max of the training NTK Θ0 = Dh·Dhᵀ (all N outputs) at w0.</summary>
    public double LambdaMax { get; }

    /// <summary>Gradient-descent step dt in τ units (the trainer's learning rate is N·dt); NaN in gradient-flow mode.</summary>
    public double Step { get; }

    /// <summary>One run per α, in <see cref="Alphas"/> order.</summary>
    public IReadOnlyList<LazyRun> Runs { get; }

    /// <summary>One slope fit per horizon.</summary>
    public IReadOnlyList<LazySlopeFit> Slopes { get; }

    /// <summary>max over runs of <see cref="LazyRun.MaxMovementRatio"/>.</summary>
    public double MaxMovementRatio => Runs.Max(r => r.MaxMovementRatio);

    /// <summary>max over runs and times of TrainError/√(8R0).</summary>
    public double MaxErrorCapRatio => Runs.SelectMany(r => r.Points).Max(p => p.TrainError) / ErrorCap;

    /// <summary>Whether ‖w(τ) − w0‖ ≤ √(τR0)/α held at every recorded time of every run.</summary>
    public bool MovementBoundHolds => MaxMovementRatio <= 1.0;

    /// <summary>Whether the training error stayed ≤ √(8R0) at every recorded time of every run.</summary>
    public bool ErrorCapHolds => MaxErrorCapRatio <= 1.0;
}
