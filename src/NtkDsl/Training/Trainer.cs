using System.Globalization;

namespace NtkDsl.Training;

/// <summary>One recorded point of a training run.</summary>
/// <param name="Step">Steps taken so far.</param>
/// <param name="Time">Training time t = step·η (gradient-flow time of the same run).</param>
/// <param name="Loss">Full-batch loss F(w) at this point.</param>
/// <param name="Distance">‖w − w0‖.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct TrainingPoint(int Step, double Time, double Loss, double Distance);

/// <summary>What a training run returns.</summary>
/// <remarks>Thread safety: not modified after the trainer returns it; safe to read from any thread.</remarks>
public sealed class TrainingResult
{
    internal TrainingResult(List<TrainingPoint> history, List<string> warnings, double maxStableLearningRate)
    {
        History = history;
        Warnings = warnings;
        MaxStableLearningRate = maxStableLearningRate;
    }

    /// <summary>Recorded points, the first at step 0.</summary>
    public IReadOnlyList<TrainingPoint> History { get; }

    /// <summary>Warnings raised during the run.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// The estimated stability bound 2N(1 + μ)/λ_max for the first batch: λ_max the largest eigenvalue of its training
    /// kernel J·D·Jᵀ (D the group learning rates), N = rows·outputs, μ the heavy-ball momentum (2N/λ_max without
    /// momentum, as <c>Dynamics.GradientDescentMse.MaxLearningRate</c>); NaN when not checked.
    /// </summary>
    public double MaxStableLearningRate { get; }
}

/// <summary>
/// Thrown by <see cref="Trainer"/> when the loss, the gradient or the updated parameters become non-finite. Before it
/// is thrown the model is restored to the last parameters whose loss and gradient were finite
/// (<see cref="RestoredStep"/>; step 0 is the start), so the model never keeps overflowed parameters.
/// </summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message) : base(message) { }

    /// <summary>Creates the exception with the step that diverged and the step whose parameters the model holds again.</summary>
    public TrainingDivergedException(string message, int step, int restoredStep, double restoredLoss) : base(message)
    {
        Step = step;
        RestoredStep = restoredStep;
        RestoredLoss = restoredLoss;
    }

    /// <summary>The step at which a non-finite value appeared (−1 when not from a step-wise trainer).</summary>
    public int Step { get; } = -1;

    /// <summary>
    /// The step whose parameters the model holds after the exception: the last one with a finite loss and gradient
    /// (0: the starting parameters); −1 when nothing was restored (e.g. <see cref="GradientFlow"/>).
    /// </summary>
    public int RestoredStep { get; } = -1;

    /// <summary>The loss at the restored parameters (NaN when unknown; the batch loss for mini-batch SGD).</summary>
    public double RestoredLoss { get; } = double.NaN;
}

/// <summary>
/// Gradient descent, mini-batch SGD and heavy-ball momentum on the square loss with per-group learning rates, output
/// scale α and centring. With g(x) = α·h(x) and h = f or f − f(w0) (centred), the loss is
/// F(w) = (1/α²)·(1/2N)·Σ (g − y)², N = (rows in the batch)·K — neural-tangents' normalization for α = 1 — whose
/// gradient (1/(αN))·Jᵀ(g − y) is one VJP. In function space g follows dg/dt = −(η/N)·Θ_w·(g − y) for every α
/// (math.md §5–6).
/// </summary>
/// <remarks>Thread safety: a trainer holds only its (immutable) options, so one instance may run on several threads at once on different models. A run holds its model exclusively: another run, <c>SetParameters</c> or any other call on the same model from another thread throws <see cref="ConcurrentModelAccessException"/>. Callbacks (<c>onRecord</c>, <see cref="TrainerOptions.Warning"/>) run on the training thread.</remarks>
public sealed class Trainer
{
    /// <summary>A trainer with <paramref name="options"/>.</summary>
    public Trainer(TrainerOptions? options = null)
    {
        Options = options ?? new TrainerOptions();
        if (!double.IsFinite(Options.LearningRate) || Options.LearningRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), Options.LearningRate, "The learning rate must be finite and > 0.");
        if (!(Options.Momentum >= 0 && Options.Momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(options), Options.Momentum, "Momentum must lie in [0, 1).");
        if (Options.OutputScale is double scale && (!double.IsFinite(scale) || scale == 0))
            throw new ArgumentOutOfRangeException(nameof(options), Options.OutputScale, "The output scale α must be finite and non-zero.");
        if (Options.GroupLearningRates is { Default: 0 } rates && rates.Values.Values.All(r => r == 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"TrainerOptions.GroupLearningRates ({rates}) is 0 for every parameter group, so training would change nothing. Give at least one group a rate > 0 (a 0 for some groups freezes just those, e.g. new GroupWeights(1.0).Layer(\"Hidden\", 0.0)), or leave GroupLearningRates null for rate 1 everywhere."),
                nameof(options));
        if (Options.BatchSize is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), Options.BatchSize, "The batch size must be ≥ 1 (or null for full batch).");
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// Trains <paramref name="model"/> in place for <paramref name="steps"/> steps on (x, y), recording every
    /// <paramref name="recordEvery"/> steps and after the last one. <paramref name="onRecord"/> sees each recorded
    /// point; while it runs, the model holds the parameters of that point (read them with
    /// <see cref="IDifferentiableModel.GetParameters"/> or evaluate the model directly).
    /// </summary>
    public TrainingResult Train(IDifferentiableModel model, Tensor x, Tensor y, int steps, int recordEvery = 1,
        Action<TrainingPoint>? onRecord = null, CancellationToken cancellationToken = default)
    {
        if (steps < 0)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "The number of training steps must be ≥ 0 (0 records the initial point only).");
        if (recordEvery < 1)
            throw new ArgumentOutOfRangeException(nameof(recordEvery), recordEvery, "recordEvery must be ≥ 1: record every k-th step (1 records every step; the last step is always recorded).");
        return TrainCore(model, x, y, steps, s => s % recordEvery == 0 || s == steps, onRecord, cancellationToken);
    }

    /// <summary>
    /// Trains <paramref name="model"/> in place up to the last of <paramref name="recordSteps"/> (ascending,
    /// non-negative step counts), recording exactly at those steps (step 0 is the initial point). While
    /// <paramref name="onRecord"/> runs, the model holds the parameters of that point.
    /// </summary>
    public TrainingResult Train(IDifferentiableModel model, Tensor x, Tensor y, IReadOnlyList<int> recordSteps,
        Action<TrainingPoint>? onRecord = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recordSteps);
        if (recordSteps.Count == 0) throw new ArgumentException("Give at least one step count to record.", nameof(recordSteps));
        for (int i = 0; i < recordSteps.Count; i++)
            if (recordSteps[i] < 0 || (i > 0 && recordSteps[i] <= recordSteps[i - 1]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Record steps must be non-negative and strictly ascending; entry {i} is {recordSteps[i]}."), nameof(recordSteps));
        var set = new HashSet<int>(recordSteps);
        return TrainCore(model, x, y, recordSteps[^1], set.Contains, onRecord, cancellationToken);
    }

    private TrainingResult TrainCore(IDifferentiableModel model, Tensor x, Tensor y, int steps, Func<int, bool> record,
        Action<TrainingPoint>? onRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The run alternates SetParameters with computations: other threads must not use the model meanwhile.
        using var exclusive = ModelAccessGuard.Exclusive(model, "Trainer.Train");
        var info = model.Info;
        InputChecks.Features(x, info.Inputs, x?.DType ?? DType.Float64, info.Name, nameof(x));
        InputChecks.Shape(y, info.Name, nameof(y), x!.Rows, info.Outputs);
        var warnings = new List<string>();
        var w0 = model.GetParameters();
        var objective = new SquareLossObjective(model, x, y, Options.OutputScale ?? info.OutputScale, Options.Centered ?? info.Centered);
        var precond = Options.GroupLearningRates?.PerParameter(info) ?? Enumerable.Repeat(1.0, info.ParameterCount).ToArray();
        // Rates of zero for some groups freeze them; zero for every group would make the whole run a silent no-op.
        if (Array.TrueForAll(precond, r => r == 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{info.Name}: TrainerOptions.GroupLearningRates ({Options.GroupLearningRates}) gives every parameter group of the model a learning rate of 0, so training would change nothing. Give at least one group a rate > 0 (e.g. new GroupWeights(1.0).Layer(\"{info.Layers[0].Name}\", 0.0) freezes only that layer), or leave GroupLearningRates null for rate 1 everywhere."),
                nameof(model));
        double eta = Options.LearningRate;
        int n = x.Rows;
        int batch = Math.Min(Options.BatchSize ?? n, n);

        double bound = double.NaN;
        if (Options.CheckStability)
        {
            var firstBatch = batch == n ? objective : objective.Subset(Enumerable.Range(0, batch).ToArray());
            // Heavy ball v ← μ·v + g, w ← w − η·v on a quadratic with curvature λ is stable iff 0 < η·λ < 2(1 + μ)
            // (the roots of z² − (1 + μ − ηλ)·z + μ lie inside the unit circle; Polyak 1964); μ = 0 is plain GD's 2/λ.
            bound = 2.0 * (1 + Options.Momentum) / firstBatch.MaxCurvature(precond, w0, maxSteps: 80);
            model.SetParameters(w0);
            if (eta > bound)
                Warn(warnings, string.Create(CultureInfo.InvariantCulture,
                    $"Learning rate {eta:G4} exceeds the stability bound {BoundFormula(Options.Momentum)} ≈ {bound:G4} (λ_max the largest eigenvalue of the training kernel J·D·Jᵀ of the first batch, D the group learning rates, N = rows·outputs = {firstBatch.Count}); gradient descent will likely diverge (see Dynamics.GradientDescentMse.MaxLearningRate)."));
        }

        var history = new List<TrainingPoint>();
        var w = (double[])w0.Clone();
        var velocity = new double[w.Length];
        var rng = new NormalSampler(Options.Seed);
        int[] order = Enumerable.Range(0, n).ToArray();
        int cursor = n;
        // The last parameters whose loss and gradient were finite: what the model holds again after divergence.
        var good = (double[])w0.Clone();
        int goodStep = 0;
        double goodLoss = double.NaN;
        if (record(0)) Record(0);
        for (int step = 1; step <= steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SquareLossObjective batchObjective = objective;
            if (batch < n)
            {
                if (cursor + batch > n)
                {
                    Shuffle(order, rng);
                    cursor = 0;
                }
                batchObjective = objective.Subset(order.AsSpan(cursor, batch).ToArray());
                cursor += batch;
            }
            double loss;
            double[] grad;
            try { (loss, grad) = batchObjective.LossAndGradient(w); }
            catch (NonFiniteResultException) { throw Diverged(double.PositiveInfinity, step - 1); } // overflow inside the forward/backward pass
            // The loss and gradient here belong to the parameters after step − 1.
            if (!double.IsFinite(loss) || !AllFinite(grad)) throw Diverged(loss, step - 1);
            MarkGood(step - 1, loss);
            for (int i = 0; i < w.Length; i++)
            {
                velocity[i] = Options.Momentum * velocity[i] + precond[i] * grad[i];
                w[i] -= eta * velocity[i];
            }
            // Overflow in the update itself (finite gradient, infinite step) is divergence too, not a bad argument.
            if (!AllFinite(w)) throw Diverged(double.PositiveInfinity, step);
            if (record(step)) Record(step);
        }
        model.SetParameters(w);
        return new TrainingResult(history, warnings, bound);

        void Record(int step)
        {
            double loss;
            try { loss = objective.Loss(w); }
            catch (NonFiniteResultException) { throw Diverged(double.PositiveInfinity, step); }
            if (!double.IsFinite(loss)) throw Diverged(loss, step);
            MarkGood(step, loss);
            double dist = 0;
            for (int i = 0; i < w.Length; i++) dist += (w[i] - w0[i]) * (w[i] - w0[i]);
            var point = new TrainingPoint(step, step * eta, loss, Math.Sqrt(dist));
            history.Add(point);
            model.SetParameters(w);
            onRecord?.Invoke(point);
        }

        void MarkGood(int step, double loss)
        {
            if (step == goodStep && !double.IsNaN(goodLoss)) return;
            Array.Copy(w, good, w.Length);
            goodStep = step;
            goodLoss = loss;
        }

        // Restores the last finite parameters on the model, then explains what happened and what to do.
        TrainingDivergedException Diverged(double loss, int step)
        {
            model.SetParameters(good);
            string restored = goodStep == 0
                ? "The model holds its starting parameters again (step 0)."
                : string.Create(CultureInfo.InvariantCulture,
                    $"The model holds the parameters of step {goodStep} again, the last with a finite loss ({goodLoss:G6}); call SetParameters with the starting parameters (or reload a checkpoint) to start over.");
            string message = step == 0
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{info.Name}: the loss is {loss} at the starting parameters (step 0), before any update, so the learning rate is not the cause. Check the parameters (largest |w| = {MaxAbs(w0):G4}), the inputs x and the targets y; re-create the model or load a checkpoint if its parameters overflowed. {restored}")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{info.Name}: the loss became {loss} at step {step} with learning rate {eta:G4}. Lower the learning rate below the stability bound 2N/λ_max of the training kernel: Dynamics.GradientDescentMse.MaxLearningRate({(Options.GroupLearningRates is null ? "model.Ntk(x)" : "model.Wntk(x, null, GroupLearningRates)")}, K){(Options.Momentum > 0 ? string.Create(CultureInfo.InvariantCulture, $", times 1 + μ = {1 + Options.Momentum:G4} with momentum") : "")}{(double.IsNaN(bound) ? "" : $" (estimated here as {bound:G4})")}. {restored}");
            return new TrainingDivergedException(message, step, goodStep, goodLoss);
        }
    }

    /// <summary>How the warning writes the bound: 2N/λ_max of J·D·Jᵀ, or 2N(1 + μ)/λ_max with heavy-ball momentum μ.</summary>
    private static string BoundFormula(double momentum) =>
        momentum > 0 ? string.Create(CultureInfo.InvariantCulture, $"2N(1 + μ)/λ_max with momentum μ = {momentum:G4}") : "2N/λ_max";

    private static double MaxAbs(double[] v)
    {
        double m = 0;
        foreach (double a in v) m = Math.Max(m, Math.Abs(a));
        return m;
    }

    private static bool AllFinite(double[] v)
    {
        foreach (double a in v)
            if (!double.IsFinite(a)) return false;
        return true;
    }

    private void Warn(List<string> warnings, string message)
    {
        warnings.Add(message);
        Options.Warning?.Invoke(message);
    }

    private static void Shuffle(int[] a, NormalSampler rng)
    {
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (a[i], a[j]) = (a[j], a[i]);
        }
    }
}
