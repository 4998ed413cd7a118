namespace NtkDsl.Training;

/// <summary>Settings of <see cref="Trainer"/>.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between trainers and threads. <see cref="Warning"/> is invoked on the training thread.</remarks>
public sealed class TrainerOptions
{
    /// <summary>Base learning rate η (default 1.0).</summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>
    /// Per-group learning-rate multipliers w_g (each layer's weights and biases): parameter p moves with η·w_g — the
    /// diagonal preconditioner whose linearization is the weighted NTK (math.md §3). Null means all 1. A group with rate 0
    /// is frozen; rates of 0 for every group of the model are rejected with an <see cref="ArgumentException"/> by
    /// <see cref="Trainer"/> (the run would change nothing).
    /// </summary>
    public GroupWeights? GroupLearningRates { get; init; }

    /// <summary>Heavy-ball momentum μ in [0, 1) (default 0: plain gradient descent).</summary>
    public double Momentum { get; init; }

    /// <summary>
    /// Mini-batch size (≥ 1); null (default) is full-batch gradient descent. A batch at least as large as the number of
    /// training rows N is the full batch: every step uses all N rows, exactly as with null (no rows are repeated).
    /// </summary>
    public int? BatchSize { get; init; }

    /// <summary>
    /// Output scale α of lazy training: the trained function is α·h(x). Null (default) takes the model's declared
    /// <c>[NtkModel(OutputScale = …)]</c>, which defaults to 1.
    /// </summary>
    public double? OutputScale { get; init; }

    /// <summary>
    /// Centre the model: h(x) = f(x; w) − f(x; w0), so the trained function starts at 0. Null (default) takes the
    /// model's declared <c>[NtkModel(Centered = …)]</c>, which defaults to false.
    /// </summary>
    public bool? Centered { get; init; }

    /// <summary>Seed of the mini-batch shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Check the step size against the stability bound 2N(1 + μ)/λ_max (2N/λ_max without momentum; λ_max of the first
    /// batch's training kernel J·D·Jᵀ, N = rows·outputs, computed by Lanczos with JVP/VJP; see
    /// <see cref="SquareLossObjective.MaxCurvature"/>) before training, and warn when η exceeds it (default true).
    /// </summary>
    public bool CheckStability { get; init; } = true;

    /// <summary>Receives warnings (the result's <see cref="TrainingResult.Warnings"/> holds them as well).</summary>
    public Action<string>? Warning { get; init; }
}
