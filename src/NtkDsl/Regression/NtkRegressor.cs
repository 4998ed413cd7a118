using System.Globalization;
using NtkDsl.Analytic;
using NtkDsl.Wntk;

namespace NtkDsl.Regression;

/// <summary>
/// Kernel regression with the infinite-width NTK of a ReLU network, for the common job: <see cref="Fit"/> standardizes
/// inputs and target, chooses the depth and the ridge by closed-form leave-one-out error
/// (<see cref="RidgeSelection.LeaveOneOut"/>), optionally learns weighted-NTK group weights
/// (<see cref="WntkLearner"/> on the leave-one-out loss, per layer or per input feature); <see cref="Predict"/> gives
/// the mean and the predictive variance, and <see cref="Score"/> the test RMSE and Gaussian log-likelihood, all in the
/// original target units. One regressor serves any input width (<see cref="AnalyticMlp"/> takes it at run time).
/// </summary>
/// <remarks>
/// <para>Mean: the kernel-ridge / NTK-GP posterior mean μ(x*) = k*ᵀ(K + λI)⁻¹y on standardized data (math.md §5;
/// neural-tangents' <c>gp_inference</c> with the ridge as noise variance).</para>
/// <para>Variance: the GP posterior of the latent function with covariance s²·Θ (Rasmussen &amp; Williams 2006,
/// eqs. 2.25–2.26), v_f = s²·(k** − k*ᵀ(K + λI)⁻¹k*), clamped at 0 against rounding, plus an observation noise
/// τ² = s²·ρ: v_y = v_f + τ². Neither the amplitude s² nor the noise is known from the network, and the ridge λ is
/// chosen for the mean's squared error (often far below the noise), so both are set by leave-one-out likelihood:
/// with A = (K + λI)⁻¹, the leave-one-out residuals are r_i = [Ay]_i/A_ii and the latent leave-one-out variances
/// u_i = 1/A_ii − λ (Rasmussen &amp; Williams §5.4.2, eqs. 5.10–5.12); ρ is the candidate among λ and the relative
/// ridge grid (× mean diagonal) that maximizes Σ_i log N(r_i; 0, s²·(u_i + ρ)), with the closed-form
/// s² = (1/n)·Σ_i r_i²/(u_i + ρ) (Sundararajan &amp; Keerthi 2001 for ρ = λ, the plain GP). Original units: μ·σ_y + m_y
/// and v·σ_y².</para>
/// <para>Single target column. Inputs may be float32 or float64; work is float64.</para>
/// </remarks>
public sealed class NtkRegressor
{
    private const string Owner = nameof(NtkRegressor);
    private readonly Tensor _trainZ;
    private readonly CholeskySolver _solver;
    private readonly double[] _alpha;
    private readonly double[] _featureWeights; // InputFeatureGroups layout; all ones for the plain NTK
    private readonly double[]? _inputScales;    // InputScales: standardized inputs are multiplied by these before the kernel
    private double[]? _sqrtCounts;              // InputScales with merged repeated inputs: √(rows per distinct input); the solver factors C^{1/2}KC^{1/2} + ρI

    private NtkRegressor(NtkRegressorOptions options, Standardizer inputs, Standardizer target, Tensor trainZ, AnalyticMlp network,
        double[] featureWeights, double ridge, double looMse, CholeskySolver solver, double[] alpha, double amplitude, double noiseVariance,
        WntkLearningResult? learning, IReadOnlyDictionary<int, double> depthScores, double[]? inputScales = null)
    {
        _inputScales = inputScales;
        Options = options;
        InputScaler = inputs;
        TargetScaler = target;
        _trainZ = trainZ;
        Network = network;
        _featureWeights = featureWeights;
        Ridge = ridge;
        LeaveOneOutError = looMse;
        _solver = solver;
        _alpha = alpha;
        Amplitude = amplitude;
        NoiseVariance = noiseVariance;
        Learning = learning;
        DepthScores = depthScores;
    }

    /// <summary>The settings used.</summary>
    public NtkRegressorOptions Options { get; }

    /// <summary>The input standardizer fitted on the training rows.</summary>
    public Standardizer InputScaler { get; }

    /// <summary>The target standardizer fitted on the training targets.</summary>
    public Standardizer TargetScaler { get; }

    /// <summary>The chosen network (its depth is <see cref="Depth"/>).</summary>
    public AnalyticMlp Network { get; }

    /// <summary>The chosen number of hidden layers.</summary>
    public int Depth => Network.HiddenLayers.Count;

    /// <summary>
    /// Rows kept in the kernel: the training rows n, or fewer when <see cref="NtkRegressorOptions.RepeatedRows"/>
    /// dropped copies or merged repeated inputs (see <see cref="TrainRows"/>).
    /// </summary>
    public int TrainSize => _trainZ.Rows;

    /// <summary>Training rows given to <see cref="Fit"/>.</summary>
    public int TrainRows { get; private init; }

    /// <summary>The ridge λ (absolute, in the units of the kernel of standardized inputs and targets).</summary>
    public double Ridge { get; }

    /// <summary>The leave-one-out mean squared error of the final kernel and ridge, in standardized target units.</summary>
    public double LeaveOneOutError { get; }

    /// <summary>
    /// Per candidate depth, the best leave-one-out mean squared error of the plain NTK (standardized units); for
    /// <see cref="NtkRegressorWeights.InputScales"/> the negative log marginal likelihood per row at that depth's
    /// optimum on the depth-screening subset. Lower is better in both.
    /// </summary>
    public IReadOnlyDictionary<int, double> DepthScores { get; }

    /// <summary>
    /// The kernel amplitude s² (the latent function's prior variance is s²·Θ) chosen by leave-one-out likelihood or, for
    /// <see cref="NtkRegressorWeights.InputScales"/>, by marginal likelihood (see remarks); in standardized target units,
    /// where the training targets have variance 1. <c>ToString</c> prints it as "s²".
    /// </summary>
    public double Amplitude { get; }

    /// <summary>
    /// The noise variance τ² of the predictive distribution in standardized target units (the training targets have
    /// variance 1): in the target's own units the noise variance is τ²·var(y_train), with var(y_train) the population
    /// variance (mean squared deviation over the n training targets, <c>TargetScaler.Scale[0]²</c>), and
    /// <c>Predict(x).Variance − Predict(x).LatentVariance</c> equals τ²·var(y_train) for every row (see remarks).
    /// <c>ToString</c> prints it as "τ²".
    /// </summary>
    public double NoiseVariance { get; }

    /// <summary>The WNTK learning result, or null when <see cref="NtkRegressorOptions.Weights"/> is None.</summary>
    public WntkLearningResult? Learning { get; }

    /// <summary>
    /// The group weights of the kernel used, in <see cref="InputFeatureGroups.GroupNames"/> order (all 1 for the
    /// plain NTK; per-layer weights are expanded so every input feature has the first layer's weight).
    /// </summary>
    public IReadOnlyList<double> KernelWeights => _featureWeights;

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: the multipliers e^{φ_f/2} applied to each standardized input feature
    /// (the square roots of the learned first-layer variances over σ_w²; a feature near 0 is irrelevant); null otherwise.
    /// </summary>
    public IReadOnlyList<double>? InputScales => _inputScales;

    /// <summary><see cref="NtkRegressorWeights.InputScales"/>: marginal-likelihood evaluations spent (all depths); 0 otherwise.</summary>
    public int MarginalLikelihoodEvaluations { get; private init; }

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: the extra starts per depth used (the option's value, or the
    /// automatic ⌊1000/n⌋ − 1 in [0, 9] when it is null); 0 otherwise.
    /// </summary>
    public int MarginalLikelihoodRestartsUsed { get; private init; }

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: the input features (0-based) used as log x_f, chosen by marginal
    /// likelihood among the strictly positive skewed ones (<see cref="NtkRegressorOptions.LogWarpInputs"/>); empty
    /// otherwise. <see cref="InputScaler"/> standardizes the warped inputs, and <see cref="Predict"/> warps new rows the
    /// same way (their values in these features must be &gt; 0).
    /// </summary>
    public IReadOnlyList<int> LogInputs { get; private init; } = [];

    /// <summary>
    /// Fits the regressor.
    /// </summary>
    /// <param name="x">n × d training inputs (n ≥ 2), finite.</param>
    /// <param name="y">n training targets: a length-n vector or an n × 1 matrix, finite.</param>
    /// <param name="options">Settings (defaults when null).</param>
    /// <exception cref="ArgumentException">Bad shapes, non-finite values, an empty depth or ridge grid, or more than one target column.</exception>
    /// <exception cref="KernelNotPositiveDefiniteException">No ridge in the grid makes the kernel positive definite.</exception>
    public static NtkRegressor Fit(Tensor x, Tensor y, NtkRegressorOptions? options = null)
    {
        var o = options ?? new NtkRegressorOptions();
        CheckOptions(o);
        if (x is null) throw new ArgumentNullException(nameof(x), $"{Owner}: x is null; pass the n × d training inputs.");
        if (x.Rank != 2) throw new ArgumentException($"{Owner}: x must be an n × d matrix, got shape [{KernelInput.ShapeText(x)}].", nameof(x));
        int n = x.Rows, d = x.Columns;
        if (n < 2) throw new ArgumentException($"{Owner}: at least 2 training rows are needed for leave-one-out, got {n}.", nameof(x));
        InputChecks.Finite(x, Owner, nameof(x));
        var yt = TargetMatrix(y, n, nameof(y));
        // x and y are checked once above; the standardizers do not scan them again.
        var inputs = Standardizer.FitChecked(x);
        var target = Standardizer.FitChecked(yt);
        var z = inputs.TransformChecked(x);
        var t = target.TransformChecked(yt);
        bool coarse = n >= o.CoarseFrom;
        if (o.Weights == NtkRegressorWeights.InputScales) return FitInputScales(x, z, t, inputs, target, o);

        // Depth and ridge by leave-one-out on the plain NTK.
        var scores = new SortedDictionary<int, double>();
        AnalyticMlp? bestNet = null;
        Tensor? bestKernel = null;
        Choice? best = null;
        foreach (int depth in o.Depths.Distinct())
        {
            var net = AnalyticMlp.Relu(d, depth, o.WeightVariance, o.BiasVariance);
            var k = net.Ntk(z);
            var choice = Search(k, t, Grid(k, o.RelativeRidges), coarse);
            scores[depth] = choice.Score;
            if (best is null || choice.Score < best.Score) { best = choice; bestNet = net; bestKernel = k; }
        }
        var network = bestNet!;
        var kernel = bestKernel!;
        double[] weights = Enumerable.Repeat(1.0, d + network.GroupCount - 1).ToArray();
        WntkLearningResult? learning = null;
        if (o.Weights != NtkRegressorWeights.None)
        {
            learning = Learn(network, z, t, best!.Ridge, o);
            weights = o.Weights == NtkRegressorWeights.PerInputFeature
                ? learning.Weights.ToArray()
                : InputFeatureGroups.FromLayerWeights(network, learning.Weights.ToArray());
            kernel = InputFeatureGroups.Wntk(network, z, null, weights);
            var search = Search(kernel, t, Grid(kernel, o.RelativeRidges), coarse);
            var learned = ScoreAt(kernel, t, learning.Ridge);
            best = learned.Score < search.Score ? learned : search;
        }

        double[] k2 = KernelInput.SquareSymmetric(kernel, Owner, "kernel", out _);
        var solver = CholeskySolver.Factor(k2, n, best!.Ridge, Owner);
        double[] alpha = solver.Solve(t.ToFlatArray(), 1);
        double[] inv = solver.InverseDiagonal();
        var residuals = new double[n];
        var latent = new double[n];
        double loo = 0;
        for (int i = 0; i < n; i++)
        {
            residuals[i] = alpha[i] / inv[i];
            latent[i] = Math.Max(1.0 / inv[i] - best.Ridge, 0.0);
            loo += residuals[i] * residuals[i];
        }
        var candidates = new[] { best.Ridge }.Concat(Grid(kernel, o.RelativeRidges)).ToArray();
        var (amplitude, noiseRatio) = CalibrateVariance(residuals, latent, candidates);
        return new NtkRegressor(o, inputs, target, z, network, weights, best.Ridge, loo / n, solver, alpha, amplitude, amplitude * noiseRatio, learning, scores)
        {
            TrainRows = n,
        };
    }

    /// <summary>
    /// <see cref="NtkRegressorWeights.InputScales"/>: per depth, type-II maximum likelihood of the ARD kernel on a row
    /// subset (<see cref="ArdMarginalLikelihood"/>), started from unit scales, the given first bias variance and the
    /// best noise ratio of the relative ridge grid; the depth with the largest likelihood per row wins; then the GP on
    /// all rows with the learned scales, ridge ρ and amplitude s² = yᵀ(K + ρI)⁻¹y/n (marginal likelihood) or
    /// (1/n)·Σ_i α_i²/[(K + ρI)⁻¹]_ii (leave-one-out), each the objective's own optimum.
    /// </summary>
    private static NtkRegressor FitInputScales(Tensor x, Tensor z, Tensor t, Standardizer inputs, Standardizer target, NtkRegressorOptions o)
    {
        int d = z.Columns;
        // Log-warp candidates (strictly positive, skewed features): their standardized logs are appended as extra
        // columns, so dropping copies and every row subset below are shared by all warps (log is one-to-one).
        int[] candidates = o.LogWarpInputs ? InputWarping.Candidates(x, o.LogWarpMinSkewness) : [];
        Tensor za = z;
        Standardizer? loggedScaler = null; // fitted on x with every candidate logged; the final standardizer picks its warped columns
        if (candidates.Length > 0)
        {
            var logged = InputWarping.Log(x, candidates, Owner, nameof(x));
            loggedScaler = Standardizer.FitChecked(logged);
            za = AppendColumns(z, loggedScaler.TransformChecked(logged), candidates);
        }
        // Repeated rows (see RepeatedTrainingRows): copies dropped, or one row per distinct input with the mean target and noise weight 1/count.
        var (zau, tu, counts) = o.RepeatedRows switch
        {
            RepeatedTrainingRows.MergeMeans => RepeatedInputs.Merge(za, t),
            RepeatedTrainingRows.DropCopies => Dropped(RepeatedInputs.DropCopies(za, t)),
            _ => (za, t, null),
        };
        var warp = new bool[d];
        var zu = Warped(zau, d, candidates, warp);
        int n = zu.Rows;
        double[]? noiseWeights = counts?.Select(c => 1.0 / c).ToArray();
        int[] depths = o.Depths.Distinct().ToArray();
        int[] rows = Subset(n, o.MarginalLikelihoodRows, o.Seed);
        // Depth screening on a smaller subset when there is a choice and the likelihood is maximized on a subset of
        // the rows anyway (each evaluation is O(rows³)); when every row fits into MarginalLikelihoodRows, every depth is
        // fitted on every row, so the depth is not chosen by the accidents of one small subset.
        int[] screenRows = depths.Length > 1 && n > o.MarginalLikelihoodRows && rows.Length > o.MarginalLikelihoodDepthRows
            ? Subset(n, o.MarginalLikelihoodDepthRows, o.Seed + 1) : rows;
        int restarts = o.MarginalLikelihoodRestarts ?? AutomaticRestarts(n);
        var scores = new SortedDictionary<int, double>();
        double[]? bestTheta = null;
        int bestDepth = 0;
        double bestValue = double.NegativeInfinity;
        int evaluations = 0;
        var sampler = new NormalSampler(o.Seed + 2);
        foreach (int depth in depths)
        {
            double depthValue = double.NegativeInfinity;
            for (int restart = 0; restart <= restarts; restart++)
            {
                // Restarts: the default start with every log feature scale moved by an independent N(0, 1) draw.
                double[]? jitter = restart == 0 ? null : Enumerable.Range(0, d).Select(_ => sampler.NextNormal()).ToArray();
                var (theta, value, count) = MaximizeMarginalLikelihood(zu, tu, noiseWeights, screenRows, depth, null, o, jitter);
                evaluations += count;
                if (theta is null) continue;
                depthValue = Math.Max(depthValue, value);
                if (value > bestValue) { bestValue = value; bestTheta = theta; bestDepth = depth; }
            }
            if (double.IsFinite(depthValue)) scores[depth] = -depthValue;
        }
        if (bestTheta is null)
            throw new KernelNotPositiveDefiniteException($"{Owner}: the kernel plus noise is not positive definite at unit input scales for any depth and relative ridge in RelativeRidges; add larger ridges (e.g. 1e-2, 1).");
        double rowsValue = bestValue;
        if (!ReferenceEquals(screenRows, rows))
        {
            bool switchedOff = SwitchesFeaturesOff(bestTheta, d);
            var (theta, value, count) = MaximizeMarginalLikelihood(zu, tu, noiseWeights, rows, bestDepth, bestTheta, o);
            evaluations += count;
            rowsValue = value;
            if (theta is not null) bestTheta = theta;
            // A screening optimum that switched features off cannot switch them back on when warm-started (the
            // gradient in φ_f carries the factor e^{φ_f}), although the larger row set may want them: then the chosen
            // depth is also fitted on these rows from the default start, and the larger marginal likelihood on the
            // same rows wins.
            if (switchedOff)
            {
                var (cold, coldValue, coldCount) = MaximizeMarginalLikelihood(zu, tu, noiseWeights, rows, bestDepth, null, o);
                evaluations += coldCount;
                if (cold is not null && coldValue > rowsValue)
                {
                    bestTheta = cold;
                    rowsValue = coldValue;
                }
            }
        }
        // Log warps, most skewed candidate first: kept when the refitted optimum (warm-started from the current one)
        // has a larger marginal likelihood on the same rows; the targets are the same, so the likelihoods compare.
        foreach (int f in candidates)
        {
            if (!double.IsFinite(rowsValue)) break;
            warp[f] = true;
            var (theta, value, count) = MaximizeMarginalLikelihood(Warped(zau, d, candidates, warp), tu, noiseWeights, rows, bestDepth, bestTheta, o);
            evaluations += count;
            if (theta is not null && value > rowsValue)
            {
                bestTheta = theta;
                rowsValue = value;
            }
            else
            {
                warp[f] = false;
            }
        }
        int[] logInputs = Enumerable.Range(0, d).Where(f => warp[f]).ToArray();
        if (logInputs.Length > 0)
        {
            zu = Warped(zau, d, candidates, warp);
            inputs = Standardizer.Pick(inputs, loggedScaler!, warp);
        }
        var bestKernel = new ArdReluKernel(bestDepth, o.WeightVariance, o.BiasVariance);
        double[] scales = ArdReluKernel.Scales(bestTheta.AsSpan(0, d));
        double firstBias = Math.Exp(bestTheta[d]);
        var network = bestKernel.Network(d, firstBias);
        var zs = ScaleColumns(zu, scales);
        double[] k2 = KernelInput.SquareSymmetric(network.Ntk(zs), Owner, "kernel", out _);
        double meanDiag = 0;
        for (int i = 0; i < n; i++) meanDiag += k2[(long)i * n + i] / n;
        double ridge = Math.Exp(bestTheta[d + 1]) * meanDiag;
        // K + ρ·diag(1/c) = C^{-1/2}·(C^{1/2} K C^{1/2} + ρI)·C^{-1/2}: factor the bracket, so the solver keeps a plain ridge.
        double[]? sqrtCounts = counts?.Select(c => Math.Sqrt(c)).ToArray();
        double[] y = tu.ToFlatArray();
        if (sqrtCounts is not null)
        {
            for (int i = 0; i < n; i++)
            {
                y[i] *= sqrtCounts[i];
                for (int j = 0; j < n; j++) k2[(long)i * n + j] *= sqrtCounts[i] * sqrtCounts[j];
            }
        }
        var solver = CholeskySolver.Factor(k2, n, ridge, Owner);
        double[] alpha = solver.Solve((double[])y.Clone(), 1);
        double[] inv = solver.InverseDiagonal();
        double loo = 0, yAy = 0, looAmplitude = 0;
        for (int i = 0; i < n; i++)
        {
            // In the original system α_i = √c_i·α'_i and [A⁻¹]_ii = c_i·[A'⁻¹]_ii.
            double r = alpha[i] / inv[i] / (sqrtCounts?[i] ?? 1.0);
            loo += r * r;
            yAy += y[i] * alpha[i];
            looAmplitude += alpha[i] * alpha[i] / inv[i] / n;
        }
        // The amplitude that maximizes the objective at the learned kernel and noise, now on all rows.
        double amplitude = o.InputScalesObjective == InputScalesObjective.LeaveOneOut ? looAmplitude : yAy / n;
        double[] ones = Enumerable.Repeat(1.0, d + network.GroupCount - 1).ToArray();
        return new NtkRegressor(o, inputs, target, zs, network, ones, ridge, loo / n, solver, alpha, amplitude, amplitude * ridge, null, scores, scales)
        {
            MarginalLikelihoodEvaluations = evaluations,
            MarginalLikelihoodRestartsUsed = restarts,
            LogInputs = logInputs,
            _sqrtCounts = sqrtCounts,
            TrainRows = z.Rows,
        };
    }

    private static (Tensor, Tensor, int[]?) Dropped((Tensor X, Tensor Y) kept) => (kept.X, kept.Y, null);

    /// <summary>
    /// Below this ratio of a feature's first-layer variance e^{φ_f} to the largest one, a feature counts as switched off
    /// (its scale e^{φ_f/2} is under 1% of the largest): it adds under 10⁻⁴ of the largest feature's share to the first
    /// layer's pre-activation variance, and the likelihood's gradient in φ_f carries the same factor.
    /// </summary>
    internal const double SwitchedOffVarianceRatio = 1e-4;

    /// <summary>
    /// Whether the log feature variances θ[0..d) hold a feature switched off: e^{φ_f − max φ} &lt;
    /// <see cref="SwitchedOffVarianceRatio"/>.
    /// </summary>
    internal static bool SwitchesFeaturesOff(double[] theta, int d)
    {
        double max = double.NegativeInfinity;
        for (int f = 0; f < d; f++) max = Math.Max(max, theta[f]);
        for (int f = 0; f < d; f++)
            if (theta[f] - max < Math.Log(SwitchedOffVarianceRatio)) return true;
        return false;
    }

    /// <summary>
    /// The automatic number of extra marginal-likelihood starts per depth for n rows: ⌊1000/n⌋ − 1, between 0 and 9
    /// (UCI yacht, n = 277: 2; above 500 rows: 0), so the restarts cost at most about as much as one fit on 1000 rows.
    /// </summary>
    internal static int AutomaticRestarts(int n) => Math.Clamp(1000 / Math.Max(n, 1) - 1, 0, 9);

    /// <summary>[z | the columns <paramref name="candidates"/> of <paramref name="logged"/>]: n × (d + c).</summary>
    private static Tensor AppendColumns(Tensor z, Tensor logged, int[] candidates)
    {
        int n = z.Rows, d = z.Columns, c = candidates.Length;
        double[] a = z.ToFlatArray(), l = logged.ToFlatArray();
        var r = new double[n * (d + c)];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(a, i * d, r, i * (d + c), d);
            for (int q = 0; q < c; q++) r[i * (d + c) + d + q] = l[i * d + candidates[q]];
        }
        return Tensor.Wrap(r, n, d + c);
    }

    /// <summary>
    /// The n × d inputs of one warp from the n × (d + c) matrix of <see cref="AppendColumns"/>: column f is the
    /// standardized log column of candidate f when <paramref name="warp"/>[f], else the standardized raw column.
    /// </summary>
    private static Tensor Warped(Tensor za, int d, int[] candidates, bool[] warp)
    {
        if (za.Columns == d) return za;
        int n = za.Rows, w = za.Columns;
        var source = Enumerable.Range(0, d).ToArray();
        for (int q = 0; q < candidates.Length; q++)
            if (warp[candidates[q]]) source[candidates[q]] = d + q;
        double[] a = za.ToFlatArray();
        var r = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < d; f++) r[i * d + f] = a[i * w + source[f]];
        return Tensor.Wrap(r, n, d);
    }

    private static int[] Subset(int n, int size, long seed) => n <= size ? Enumerable.Range(0, n).ToArray()
        : RidgeSelection.FoldIndices(n, (int)Math.Ceiling(n / (double)size), seed)[0].ToArray();

    /// <summary>
    /// Type-II maximum likelihood at one depth on the given rows, from <paramref name="start"/> or else from unit scales,
    /// the configured first bias variance and the best noise ratio of the relative ridge grid. Theta is null when no
    /// start is positive definite.
    /// </summary>
    private static (double[]? Theta, double Value, int Evaluations) MaximizeMarginalLikelihood(Tensor z, Tensor t, double[]? noiseWeights, int[] rows, int depth, double[]? start, NtkRegressorOptions o, double[]? jitter = null)
    {
        int d = z.Columns, m = rows.Length;
        double[] xs = Rows(z, rows).ToFlatArray(), ys = Rows(t, rows).ToFlatArray();
        var kernel = new ArdReluKernel(depth, o.WeightVariance, o.BiasVariance);
        var ml = new ArdMarginalLikelihood(xs, ys, m, d, kernel, o.InputScalesObjective == InputScalesObjective.LeaveOneOut,
            noiseWeights is null ? null : rows.Select(i => noiseWeights[i]).ToArray());
        if (start is null)
        {
            start = new double[d + 2];
            if (jitter is not null) Array.Copy(jitter, start, d);
            start[d] = Math.Log(o.BiasVariance);
            double startValue = double.NegativeInfinity;
            foreach (double rel in o.RelativeRidges.Where(r => r > 0))
            {
                var trial = (double[])start.Clone();
                trial[d + 1] = Math.Log(rel);
                double v = ml.Evaluate(trial, []);
                if (v > startValue) { startValue = v; start = trial; }
            }
            if (!double.IsFinite(startValue)) return (null, double.NegativeInfinity, ml.Evaluations);
        }
        var (theta, value) = ml.Maximize(start, o.MarginalLikelihoodIterations);
        return double.IsFinite(value) ? (theta, value, ml.Evaluations) : (null, value, ml.Evaluations);
    }

    private static Tensor ScaleColumns(Tensor z, double[] scales)
    {
        int n = z.Rows, d = z.Columns;
        var a = z.ToFlatArray();
        var r = new double[a.Length];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < d; f++) r[i * d + f] = a[i * d + f] * scales[f];
        return Tensor.Wrap(r, n, d);
    }

    /// <summary>
    /// The amplitude s² and noise ratio ρ maximizing Σ_i log N(r_i; 0, s²·(u_i + ρ)) over ρ ∈ <paramref name="noiseRatios"/>
    /// (first best wins), with s²(ρ) = (1/n)·Σ_i r_i²/(u_i + ρ) in closed form. Ratios that leave some u_i + ρ = 0 are skipped.
    /// </summary>
    internal static (double Amplitude, double NoiseRatio) CalibrateVariance(double[] residuals, double[] latent, double[] noiseRatios)
    {
        int n = residuals.Length;
        double bestLl = double.NegativeInfinity, bestS2 = double.NaN, bestRho = double.NaN;
        foreach (double rho in noiseRatios)
        {
            double s2 = 0, logSum = 0;
            bool ok = true;
            for (int i = 0; i < n; i++)
            {
                double v = latent[i] + rho;
                if (!(v > 0)) { ok = false; break; }
                s2 += residuals[i] * residuals[i] / v / n;
                logSum += Math.Log(v);
            }
            if (!ok || !(s2 > 0)) continue;
            double ll = -0.5 * n * Math.Log(2 * Math.PI * s2) - 0.5 * logSum - 0.5 * n;
            if (ll > bestLl) { bestLl = ll; bestS2 = s2; bestRho = rho; }
        }
        if (double.IsNaN(bestS2))
            throw new InvalidOperationException($"{Owner}: every leave-one-out residual is zero (the targets are reproduced exactly), so no predictive variance can be calibrated; check that the target is not constant or an exact copy of a feature.");
        return (bestS2, bestRho);
    }

    /// <summary>
    /// Predictive mean and variance at m new points, in the original target units (see remarks for the formulas).
    /// </summary>
    /// <param name="x">m × d inputs (raw, as given to <see cref="Fit"/>), finite.</param>
    public NtkPrediction Predict(Tensor x)
    {
        if (x is null) throw new ArgumentNullException(nameof(x), $"{Owner}: x is null; pass the m × {Network.InputDimension} new inputs.");
        if (x.Rank != 2 || x.Columns != Network.InputDimension)
            throw new ArgumentException($"{Owner}: x must be an m × {Network.InputDimension} matrix (the training inputs' width), got shape [{KernelInput.ShapeText(x)}].", nameof(x));
        if (x.Rows == 0) throw new ArgumentException($"{Owner}: x has 0 rows; pass at least one input row to predict.", nameof(x));
        InputChecks.Finite(x, Owner, nameof(x));
        if (LogInputs.Count > 0) x = InputWarping.Log(x, LogInputs, Owner, nameof(x));
        var z = InputScaler.TransformChecked(x); // finite: checked above (and the log of a value > 0 is finite)
        if (_inputScales is not null) z = ScaleColumns(z, _inputScales);
        int m = z.Rows, n = TrainSize;
        double[] cross = InputFeatureGroups.Wntk(Network, z, _trainZ, _featureWeights).ToFlatArray(); // m × n
        double[] prior = InputFeatureGroups.WntkDiagonal(Network, z, _featureWeights);
        var mean = new double[m];
        var latent = new double[m];
        var variance = new double[m];
        double my = TargetScaler.Mean[0], sy = TargetScaler.Scale[0];
        const int chunk = 256;
        for (int c0 = 0; c0 < m; c0 += chunk)
        {
            int cols = Math.Min(chunk, m - c0);
            var rhs = new double[n * cols]; // K*ᵀ for this chunk of test points, n × cols
            for (int j = 0; j < cols; j++)
                for (int i = 0; i < n; i++) rhs[i * cols + j] = cross[(long)(c0 + j) * n + i] * (_sqrtCounts?[i] ?? 1.0);
            double[] sol = _solver.Solve(rhs, cols);
            for (int j = 0; j < cols; j++)
            {
                double quad = 0, mu = 0;
                for (int i = 0; i < n; i++)
                {
                    quad += rhs[i * cols + j] * sol[i * cols + j];
                    mu += rhs[i * cols + j] * _alpha[i];
                }
                double vf = Amplitude * Math.Max(prior[c0 + j] - quad, 0.0);
                mean[c0 + j] = mu * sy + my;
                latent[c0 + j] = vf * sy * sy;
                variance[c0 + j] = (vf + NoiseVariance) * sy * sy;
            }
        }
        return new NtkPrediction(Tensor.Wrap(mean, m), Tensor.Wrap(variance, m), Tensor.Wrap(latent, m));
    }

    /// <summary>Test RMSE and average Gaussian log-likelihood in the original target units.</summary>
    /// <param name="x">m × d test inputs.</param>
    /// <param name="y">m test targets (a vector or an m × 1 matrix).</param>
    public NtkRegressionScore Score(Tensor x, Tensor y)
    {
        var p = Predict(x);
        int m = p.Mean.Rows;
        double[] truth = TargetMatrix(y, m, nameof(y)).ToFlatArray();
        return ScoreOf(p, truth);
    }

    /// <summary>RMSE and average Gaussian log-likelihood of predictions against targets (original units).</summary>
    public static NtkRegressionScore ScoreOf(NtkPrediction prediction, ReadOnlySpan<double> targets)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        int m = prediction.Mean.Rows;
        if (targets.Length != m)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Owner}: {targets.Length} targets for {m} predictions."), nameof(targets));
        var mu = prediction.Mean.AsSpan();
        var v = prediction.Variance.AsSpan();
        double sse = 0, ll = 0;
        for (int j = 0; j < m; j++)
        {
            double e = targets[j] - mu[j];
            sse += e * e;
            ll += -0.5 * Math.Log(2 * Math.PI * v[j]) - e * e / (2 * v[j]);
        }
        return new NtkRegressionScore(Math.Sqrt(sse / m), ll / m, m);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"NtkRegressor(depth {Depth}, λ {Ridge:G3}, s² {Amplitude:G3}, τ² {NoiseVariance:G3}, LOO {LeaveOneOutError:G4}, weights {Options.Weights})");

    private sealed record Choice(double Ridge, double Score);

    private static WntkLearningResult Learn(AnalyticMlp network, Tensor z, Tensor t, double ridge, NtkRegressorOptions o)
    {
        int n = z.Rows;
        int[] rows = n <= o.WntkRows ? Enumerable.Range(0, n).ToArray()
            : RidgeSelection.FoldIndices(n, (int)Math.Ceiling(n / (double)o.WntkRows), o.Seed)[0].ToArray();
        var zs = Rows(z, rows);
        var ts = Rows(t, rows);
        var kernels = o.Weights == NtkRegressorWeights.PerInputFeature ? InputFeatureGroups.Kernels(network, zs) : network.Kernels(zs);
        var problem = WntkProblem.FromAnalytic(kernels, ts);
        var learner = new WntkLearner(new LeaveOneOutRidgeObjective(),
            new WntkLearnerOptions { Iterations = o.WntkIterations, StepSize = o.WntkStepSize, InitialRidge = ridge });
        return learner.Learn(problem);
    }

    private static Choice Search(Tensor k, Tensor y, double[] grid, bool coarse)
    {
        if (!coarse || grid.Length < 3) return Full(k, y, grid);
        var first = Full(k, y, grid.Where((_, i) => i % 2 == 0).ToArray());
        int at = Array.IndexOf(grid, first.Ridge);
        double[] neighbours = new[] { at - 1, at + 1 }.Where(i => i >= 0 && i < grid.Length).Select(i => grid[i]).ToArray();
        if (neighbours.Length == 0) return first;
        var fine = Full(k, y, neighbours);
        return fine.Score < first.Score ? fine : first;
    }

    private static Choice Full(Tensor k, Tensor y, double[] grid)
    {
        var r = RidgeSelection.LeaveOneOut(k, y, grid);
        return new Choice(r.BestRidge, r.BestScore);
    }

    private static Choice ScoreAt(Tensor k, Tensor y, double ridge)
    {
        try
        {
            return Full(k, y, [ridge]);
        }
        catch (KernelNotPositiveDefiniteException)
        {
            return new Choice(ridge, double.PositiveInfinity);
        }
    }

    private static double[] Grid(Tensor k, IReadOnlyList<double> relative)
    {
        double mean = 0;
        for (int i = 0; i < k.Rows; i++) mean += k[i, i];
        mean /= k.Rows;
        return relative.Select(r => r * mean).ToArray();
    }

    private static Tensor TargetMatrix(Tensor? y, int rows, string argument)
    {
        if (y is null) throw new ArgumentNullException(argument, $"{Owner}: {argument} is null; pass {rows} targets.");
        if (y.Rank == 1) y = y.Reshape(y.Rows, 1);
        if (y.Rank != 2 || y.Columns != 1)
            throw new ArgumentException($"{Owner}: {argument} must be a length-{rows} vector or a {rows} × 1 matrix (one target column; fit one regressor per column), got shape [{KernelInput.ShapeText(y)}].", argument);
        if (y.Rows != rows)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Owner}: {argument} has {y.Rows} rows but x has {rows}; give one target per input row."), argument);
        InputChecks.Finite(y, Owner, argument);
        return y;
    }

    private static void CheckOptions(NtkRegressorOptions o)
    {
        if (o.Depths is null || o.Depths.Count == 0 || o.Depths.Any(v => v is < 1 or > NtkRegressorOptions.MaxDepth))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Owner}: Depths must list at least one number of hidden layers from 1 to {NtkRegressorOptions.MaxDepth}, e.g. [1, 2, 3, 4]{(o.Depths is null || o.Depths.Count == 0 ? "" : $"; got [{string.Join(", ", o.Depths)}]")}. Deeper ReLU kernels are nearly constant (two orthogonal inputs already have correlation 0.996 after 100 layers) and cost time linear in the depth."), "options");
        if (o.RelativeRidges is null || o.RelativeRidges.Count == 0 || o.RelativeRidges.Any(r => !double.IsFinite(r) || r < 0))
            throw new ArgumentException($"{Owner}: RelativeRidges must list at least one finite ridge ≥ 0 (relative to the kernel's mean diagonal), e.g. 1e-4, 1e-2, 1.", "options");
        if (!Enum.IsDefined(o.RepeatedRows))
            throw new ArgumentException($"{Owner}: unknown RepeatedRows value {o.RepeatedRows}; use Keep, DropCopies or MergeMeans.", "options");
        if (!Enum.IsDefined(o.Weights))
            throw new ArgumentException($"{Owner}: unknown Weights value {o.Weights}; use None, PerLayer, PerInputFeature or InputScales.", "options");
        if (o.MarginalLikelihoodDepthRows < 2) throw new ArgumentException($"{Owner}: MarginalLikelihoodDepthRows must be ≥ 2, got {o.MarginalLikelihoodDepthRows}.", "options");
        if (o.MarginalLikelihoodRows < 2) throw new ArgumentException($"{Owner}: MarginalLikelihoodRows must be ≥ 2, got {o.MarginalLikelihoodRows}.", "options");
        if (o.MarginalLikelihoodRestarts < 0) throw new ArgumentException($"{Owner}: MarginalLikelihoodRestarts must be ≥ 0 (or null: automatic), got {o.MarginalLikelihoodRestarts}.", "options");
        if (double.IsNaN(o.LogWarpMinSkewness)) throw new ArgumentException($"{Owner}: LogWarpMinSkewness is NaN; use a number such as 1 (or LogWarpInputs = false to turn the warps off).", "options");
        if (o.MarginalLikelihoodIterations < 0) throw new ArgumentException($"{Owner}: MarginalLikelihoodIterations must be ≥ 0, got {o.MarginalLikelihoodIterations}.", "options");
        if (o.WntkRows < 2) throw new ArgumentException($"{Owner}: WntkRows must be ≥ 2, got {o.WntkRows}.", "options");
    }

    private static Tensor Rows(Tensor t, int[] rows)
    {
        int c = t.Columns;
        var d = new double[rows.Length * c];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < c; j++) d[i * c + j] = t[rows[i], j];
        return Tensor.Wrap(d, rows.Length, c);
    }
}
