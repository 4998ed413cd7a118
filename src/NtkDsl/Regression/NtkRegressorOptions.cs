namespace NtkDsl.Regression;

/// <summary>Which weighted-NTK group weights <see cref="NtkRegressor"/> learns after choosing depth and ridge.</summary>
public enum NtkRegressorWeights
{
    /// <summary>No learning: the plain infinite-width NTK.</summary>
    None,

    /// <summary>One weight per parameter group (each layer's weights and bias), learned by <see cref="Wntk.WntkLearner"/>.</summary>
    PerLayer,

    /// <summary>
    /// Per-layer groups with the first layer's weights split per input feature (automatic relevance determination,
    /// <see cref="Wntk.InputFeatureGroups"/>).
    /// </summary>
    PerInputFeature,

    /// <summary>
    /// Not WNTK weights: per-input-feature prior variances of the first layer's weights (automatic relevance
    /// determination that changes the whole kernel recursion, <see cref="ArdReluKernel"/>), the first layer's bias
    /// variance and the noise, chosen by maximizing the Gaussian-process marginal likelihood of the NTK-GP
    /// (type-II maximum likelihood, L-BFGS with the analytic gradient), at every candidate depth; the depth with the
    /// largest marginal likelihood wins. The ridge is the learned noise ratio and the predictive variance is the
    /// GP's own (amplitude by maximum likelihood), not the leave-one-out calibration.
    /// </summary>
    InputScales,
}

/// <summary>
/// How <see cref="NtkRegressorWeights.InputScales"/> treats training rows with exactly equal inputs. Exact copies of a
/// row (inputs and target; wine-quality-red repeats about 14% of its rows so) make the GP likelihood grow without
/// bound as the noise → 0: the within-group term −½(c − 1)·log(2π·s²ρ) of c equal observations has no scatter to
/// bound it. The learned noise then collapses, and a test row repeating a training row gets an almost zero
/// predictive variance.
/// </summary>
public enum RepeatedTrainingRows
{
    /// <summary>Every row is an observation of its own (the plain GP likelihood).</summary>
    Keep,

    /// <summary>
    /// Exact copies (equal inputs and equal target) count once: one row of each is kept. Repeated inputs with different
    /// targets stay separate rows, so their scatter still informs the noise. Under a continuous noise model equal
    /// targets of genuine replicates have probability 0, so equal records are taken as one record copied.
    /// </summary>
    DropCopies,

    /// <summary>
    /// Rows with equal inputs are merged into one row with their mean target and noise variance ρ/count: the likelihood
    /// of the group means, N(0, s²·(K + ρ·diag(1/count))), whose posterior mean equals that of the rows kept apart
    /// (formula: <see cref="ArdMarginalLikelihood"/>). It discards the within-group scatter, so the noise is learned
    /// from the means alone (on concrete it can then collapse too).
    /// </summary>
    MergeMeans,
}

/// <summary>What <see cref="NtkRegressorWeights.InputScales"/> maximizes.</summary>
public enum InputScalesObjective
{
    /// <summary>The Gaussian-process log marginal likelihood (type-II maximum likelihood, R&amp;W §5.4.1).</summary>
    MarginalLikelihood,

    /// <summary>
    /// The leave-one-out log predictive probability (Sundararajan &amp; Keerthi 2001, R&amp;W §5.4.2), often more
    /// robust than the marginal likelihood when the kernel family is misspecified.
    /// </summary>
    LeaveOneOut,
}

/// <summary>Settings of <see cref="NtkRegressor.Fit"/>. The defaults are the UCI kernel-regression protocol.</summary>
public sealed class NtkRegressorOptions
{
    /// <summary>
    /// The largest accepted depth, 100: the ReLU kernel's correlation of two orthogonal inputs after L hidden layers is
    /// 1 − O(1/L²) (0.9964 at L = 100 with σ_b² = 0, by the arc-cosine recursion of docs/math.md §4), so deeper kernels are nearly
    /// constant, and the fit's cost grows linearly with the depth.
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>Candidate numbers of hidden layers of the ReLU network (default 1–4), each from 1 to <see cref="MaxDepth"/>;
    /// the best by leave-one-out wins.</summary>
    public IReadOnlyList<int> Depths { get; init; } = [1, 2, 3, 4];

    /// <summary>
    /// Candidate ridges relative to the mean diagonal of the training kernel (default 1e-6 … 3 in half-decades).
    /// In standardized target units the ridge is also the noise variance relative to the kernel's amplitude.
    /// </summary>
    public IReadOnlyList<double> RelativeRidges { get; init; } = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3];

    /// <summary>σ_w² of every layer (default 2, the ReLU He scale).</summary>
    public double WeightVariance { get; init; } = 2.0;

    /// <summary>σ_b² of every layer (default 0.01).</summary>
    public double BiasVariance { get; init; } = 0.01;

    /// <summary>Which WNTK weights to learn (default <see cref="NtkRegressorWeights.None"/>).</summary>
    public NtkRegressorWeights Weights { get; init; } = NtkRegressorWeights.None;

    /// <summary>At most this many training rows (a deterministic subset) are used to learn the WNTK weights (default 400).</summary>
    public int WntkRows { get; init; } = 400;

    /// <summary>Adam iterations of the WNTK learner (default 300).</summary>
    public int WntkIterations { get; init; } = 300;

    /// <summary>Adam step size in log space of the WNTK learner (default 0.1).</summary>
    public double WntkStepSize { get; init; } = 0.1;

    /// <summary>
    /// From this many training rows on, ridge grids are searched coarse-to-fine (every other grid point, then the two
    /// neighbours of the best), since each ridge then costs one O(n³) factorization (default 3000).
    /// </summary>
    public int CoarseFrom { get; init; } = 3000;

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: at most this many training rows (a deterministic subset) are used
    /// to maximize the marginal likelihood (default 1000; each evaluation costs O(rows³)). The final fit uses every row.
    /// </summary>
    public int MarginalLikelihoodRows { get; init; } = 1000;

    /// <summary><see cref="NtkRegressorWeights.InputScales"/>: the objective maximized (default the marginal likelihood).</summary>
    public InputScalesObjective InputScalesObjective { get; init; } = InputScalesObjective.MarginalLikelihood;

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/> with more than one depth, when the training set has more rows than
    /// <see cref="MarginalLikelihoodRows"/> (the likelihood is maximized on a subset anyway): every depth is first
    /// fitted on a subset of this many rows (default 300), and only the best depth is refitted on the
    /// <see cref="MarginalLikelihoodRows"/> subset, warm-started from its screening optimum; when that optimum switched
    /// a feature off (scale under 1% of the largest, which a warm start cannot undo), the depth is also fitted on those
    /// rows from the default start and the larger marginal likelihood wins (samples/Uci/RESULTS.md). When every training row
    /// fits into <see cref="MarginalLikelihoodRows"/>, every depth is fitted on every row (a 300-row subset chose a
    /// worse depth and mode on UCI concrete, samples/Uci/RESULTS.md).
    /// </summary>
    public int MarginalLikelihoodDepthRows { get; init; } = 300;

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: what to do with training rows that repeat (default
    /// <see cref="RepeatedTrainingRows.DropCopies"/>; see <see cref="RepeatedTrainingRows"/>).
    /// </summary>
    public RepeatedTrainingRows RepeatedRows { get; init; } = RepeatedTrainingRows.DropCopies;

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: extra L-BFGS runs per depth on the depth-screening rows, each
    /// started with every log feature variance drawn from N(0, 1) (seeded by <see cref="Seed"/>); the largest marginal
    /// likelihood over all starts and depths wins. The likelihood of the ARD kernel has several local optima on some
    /// data sets (UCI yacht: 2 restarts moved splits to better optima; on concrete, energy and power-plant they found
    /// the same optima, samples/Uci/RESULTS.md). Each restart costs as much as the first run, so the default (null) is
    /// automatic, scaled by the n rows kept: ⌊1000/n⌋ − 1 restarts, between 0 and 9 (yacht's 277 rows: 2; above 500
    /// rows: none). 0 turns them off.
    /// </summary>
    public int? MarginalLikelihoodRestarts { get; init; }

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: consider log x_f instead of x_f for every input feature whose
    /// training values are all &gt; 0 and whose skewness exceeds <see cref="LogWarpMinSkewness"/> (e.g. an age in days);
    /// after the depth is chosen, each candidate, most skewed first, is warped when the refitted marginal likelihood on
    /// the same rows is larger (default true). The chosen features are <see cref="NtkRegressor.LogInputs"/>.
    /// </summary>
    public bool LogWarpInputs { get; init; } = true;

    /// <summary>The skewness g₁ = m₃/m₂^{3/2} above which a positive feature is a log-warp candidate (default 1).</summary>
    public double LogWarpMinSkewness { get; init; } = 1.0;

    /// <summary><see cref="NtkRegressorWeights.InputScales"/>: L-BFGS iterations per fit (default 100).</summary>
    public int MarginalLikelihoodIterations { get; init; } = 100;

    /// <summary>Seed of the deterministic subset of rows used for WNTK learning (default 0).</summary>
    public long Seed { get; init; }
}
