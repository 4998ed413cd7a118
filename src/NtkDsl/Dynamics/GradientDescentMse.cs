using System.Globalization;
using NtkDsl.Regression;

namespace NtkDsl.Dynamics;

/// <summary>
/// Closed-form outputs of a linearized network (or any kernel machine) trained by gradient descent on the square
/// loss L = (1/2N) Σ (f − y)², N = n·K = y_train.size, following neural-tangents'
/// <c>neural_tangents.predict.gradient_descent_mse(k_train_train, y_train, learning_rate, diag_reg,
/// diag_reg_absolute_scale=True, trace_axes=(-1,))</c>, so results can be compared number for number
/// (https://github.com/google/neural-tangents, <c>neural_tangents/_src/predict.py</c>).
/// <para>
/// The kernel Θ is the n × n kernel of one output; the K outputs are independent (full kernel Θ ⊗ I_K, neural-tangents'
/// <c>trace_axes=(-1,)</c>). With Θ_λ = Θ + λI and s = η·t (time is measured in steps, as in neural-tangents):
/// train f_t(X) = Y + e^{−sΘ_λ/N}(f₀(X) − Y); test f_t(x*) = f₀(x*) + Θ(x*, X) Θ_λ^{-1}(I − e^{−sΘ_λ/N})(Y − f₀(X)).
/// Both come from one eigendecomposition Θ = V Λ Vᵀ made in the constructor and reused for every time.
/// Eigenvalues of Θ_λ that are negative by rounding are clipped to 0, as neural-tangents does.
/// </para>
/// <para>
/// <b>Rank tolerance and the null space.</b> Eigenvalues of Θ_λ at or below <see cref="RankTolerance"/>·λ_max, with
/// RankTolerance = n·ε (ε = 2^−52; numpy's <c>matrix_rank</c> convention), are treated as exactly 0: rounding cannot
/// tell them from 0 in a matrix of norm λ_max. Their directions contribute exactly nothing to every prediction: on the
/// training set the residual there never moves (e^{−0} = 1), and in the test formula and its discrete-GD variant the
/// gain (1 − e^{−sλ/N})/λ and (1 − (1 − ηλ/N)^k)/λ is 0, not its limit s/N. For any valid kernel that limit multiplies
/// Θ(x*, X)·v = 0 (a null vector v of Θ(X, X) is also annihilated by the cross kernel, since the joint kernel is
/// positive semi-definite), so in exact arithmetic the term is 0 for every t; with rounding, Θ(x*, X)·v ≈ ε and the
/// limit would make the prediction drift like ε·t (43 % at t = 1e15 on a rank-3 kernel). As a consequence every
/// prediction converges to the minimum-norm least-squares fit f₀(x*) + Θ(x*, X) Θ_λ⁺(Y − f₀(X)) (Θ_λ⁺ the
/// pseudo-inverse), which is also what t = +∞ returns for a singular Θ_λ. (neural-tangents divides by |λ| here,
/// which gives NaN at an exact zero.)
/// </para>
/// <para>
/// Ridge: <c>ridge</c> is absolute, Θ_λ = Θ + ridge·I. It equals neural-tangents' <c>diag_reg</c> with
/// <c>diag_reg_absolute_scale=True</c>; with the default <c>diag_reg_absolute_scale=False</c> neural-tangents uses
/// ridge = diag_reg · trace(Θ)/n, which <see cref="RidgeFromDiagReg"/> converts. As in neural-tangents, the ridge
/// enters the training-set dynamics too (the flow is df/dt = −(η/N) Θ_λ (f − Y)); the regularized kernel-ridge fit
/// on the training points is <see cref="PredictTest(double, Tensor, Tensor, Tensor)"/> with kTestTrain = Θ.
/// </para>
/// <para>
/// Warnings: when the learning rate is at or above the discrete-GD stability bound 2N/λ_max(Θ_λ),
/// <see cref="LearningRateExceedsStableBound"/> is true, <see cref="Warning"/> holds the explanation, and the
/// constructor's optional <c>onWarning</c> callback receives it once. The continuous-time predictions are exact for any
/// η; the bound matters for <see cref="PredictTrainSteps(int, Tensor)"/> and for real networks trained with step η.
/// </para>
/// Inputs may be float32 or float64; all work and all results are float64. The eigendecomposition, the t = ∞ Cholesky
/// solve and the products run on the CPU (MathNet, the managed GEMM), or on the <c>device</c> given to the constructor
/// (cuSOLVER and cuBLAS on <c>Device.Cuda</c>), with the same checks on its results.
/// </summary>
public sealed class GradientDescentMse
{
    /// <summary>Eigenvalues of Θ + λI below −IndefiniteTolerance·max|λ_i| are rejected as a clearly indefinite kernel.</summary>
    public const double IndefiniteTolerance = 1e-8;

    /// <summary>neural-tangents' <c>max_learning_rate</c> adds this to λ_max to avoid dividing by zero.</summary>
    private const double MaxLearningRateEps = 1e-12;

    private const string Owner = nameof(GradientDescentMse);
    private readonly double[] _kernel;
    private readonly double[] _y;
    private readonly SymmetricEigen _eigen;
    private readonly double[] _evals;
    private readonly bool _vector;
    private readonly ILinearAlgebraBackend? _la; // null: the managed CPU code
    private CholeskySolver? _cholesky;

    /// <summary>Prepares the predictor: checks the inputs and eigendecomposes the training kernel once.</summary>
    /// <param name="kTrain">Θ, the n × n symmetric kernel of the training set (one output's kernel).</param>
    /// <param name="yTrain">Y, the n × K targets (or a length-n vector for one output).</param>
    /// <param name="learningRate">η &gt; 0; time t is in steps, the flow runs for s = η·t.</param>
    /// <param name="ridge">λ ≥ 0 added as λ·I (neural-tangents' diag_reg with diag_reg_absolute_scale=True).</param>
    /// <param name="onWarning">Optional callback, called once with <see cref="Warning"/> when η is at or above
    /// <see cref="MaxStableLearningRate"/>.</param>
    /// <param name="device">Where the eigendecomposition (cuSOLVER syevd on <c>Device.Cuda</c>), the t = ∞ Cholesky solve
    /// and the prediction products run; null or <see cref="Device.Cpu"/> for the managed CPU code. The same checks run on
    /// the device's results, so bad input raises the same exceptions.</param>
    /// <exception cref="NotSupportedException">A non-CPU device without a linear-algebra backend.</exception>
    public GradientDescentMse(Tensor kTrain, Tensor yTrain, double learningRate = 1.0, double ridge = 0.0, Action<string>? onWarning = null,
        Device? device = null)
    {
        if (!double.IsFinite(learningRate) || learningRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"{Owner}: learningRate must be a finite number > 0.");
        KernelInput.Ridge(ridge, Owner);
        _la = DeviceLinearAlgebra.Resolve(device, Owner);
        _kernel = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        _y = KernelInput.Targets(yTrain, n, Owner, nameof(yTrain), out int outputs, out _vector);
        TrainSize = n;
        Outputs = outputs;
        LearningRate = learningRate;
        Ridge = ridge;

        Memory.MemoryBudget.EnsureArray(4L * n * n, 8, Owner, $"the eigendecomposition of the {n} × {n} training kernel (about 4·n² float64 values)",
            "Use fewer training rows, or Regression.KernelRegression (one Cholesky factor) when only the t → ∞ predictor is needed.");
        _eigen = SymmetricEigen.Of(_kernel, n, _la);
        double maxAbs = _eigen.MaxAbs + ridge;
        _evals = new double[n];
        double floor = SymmetricEigen.PositivityFloor(n, maxAbs);
        for (int j = 0; j < n; j++)
        {
            double v = _eigen.Values[j] + ridge;
            if (v < -IndefiniteTolerance * maxAbs)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{Owner}: {nameof(kTrain)} + ridge·I has eigenvalue {v:G6} (largest {_eigen.Max + ridge:G6}), below −{IndefiniteTolerance:E0}·max|λ|: the kernel is clearly indefinite, not positive semi-definite up to rounding. Check how the kernel was computed, or add ridge ≥ {_eigen.SmallestSafeRidge():G6}."), nameof(kTrain));
            if (v < 0) ClippedEigenvalues++;
            _evals[j] = v > floor ? v : 0.0;
        }
        MaxStableLearningRate = 2.0 * OutputSize / (_evals[^1] + MaxLearningRateEps);
        if (learningRate >= MaxStableLearningRate)
        {
            Warning = string.Create(CultureInfo.InvariantCulture,
                $"{Owner}: learningRate = {learningRate:G6} is at or above the stability bound 2N/λ_max = {MaxStableLearningRate:G6} (N = {OutputSize}, λ_max = {_evals[^1]:G6}): discrete gradient descent with this step diverges along the top eigenvector, so PredictTrainSteps/PredictTestSteps grow without bound (the continuous-time PredictTrain/PredictTest are unaffected). Use a learning rate below {MaxStableLearningRate:G6}.");
            onWarning?.Invoke(Warning);
        }
    }

    /// <summary>Number of training examples n.</summary>
    public int TrainSize { get; }

    /// <summary>Number of outputs K (target columns).</summary>
    public int Outputs { get; }

    /// <summary>N = n·K, the loss normalization (neural-tangents' y_train.size).</summary>
    public int OutputSize => TrainSize * Outputs;

    /// <summary>The learning rate η.</summary>
    public double LearningRate { get; }

    /// <summary>The absolute ridge λ.</summary>
    public double Ridge { get; }

    /// <summary>Eigenvalues of Θ + λI, ascending, with those at or below <see cref="RankTolerance"/>·max|λ_i| (negative
    /// ones included) set to exactly 0.</summary>
    public IReadOnlyList<double> Eigenvalues => _evals;

    /// <summary>
    /// n·ε (ε = 2^−52): eigenvalues of Θ + λI at or below this fraction of max|λ_i| are treated as exactly 0 — their
    /// directions contribute nothing to any prediction (see the class remarks).
    /// </summary>
    public double RankTolerance => TrainSize * 2.220446049250313e-16;

    /// <summary>Number of eigenvalues of Θ + λI above the rank tolerance (the numerical rank).</summary>
    public int Rank => _evals.Count(v => v > 0);

    /// <summary>How many eigenvalues of Θ + λI were negative by rounding and clipped to 0.</summary>
    public int ClippedEigenvalues { get; }

    /// <summary>
    /// 2N/(λ_max(Θ + λI) + 1e-12): discrete gradient descent with step η converges iff η is below this
    /// (neural-tangents' <c>max_learning_rate</c> applied to Θ + λI with y_train_size = N).
    /// </summary>
    public double MaxStableLearningRate { get; }

    /// <summary>True when <see cref="LearningRate"/> ≥ <see cref="MaxStableLearningRate"/>.</summary>
    public bool LearningRateExceedsStableBound => Warning is not null;

    /// <summary>The learning-rate warning, or null when η is below the stability bound.</summary>
    public string? Warning { get; }

    /// <summary>
    /// neural-tangents' <c>max_learning_rate(ntk_train_train, y_train_size=n·outputs)</c> for full-batch GD without
    /// momentum: 2N/(λ_max + 1e-12), N = n·outputs, for the n × n kernel of one output. Discrete gradient descent on
    /// L = (1/2N) Σ (f − y)² with step η converges iff η &lt; this bound.
    /// </summary>
    /// <param name="kernel">The n × n symmetric training kernel Θ.</param>
    /// <param name="outputs">K, the number of outputs sharing Θ (Θ ⊗ I_K).</param>
    /// <param name="device">Where the eigendecomposition runs (cuSOLVER syevd on <c>Device.Cuda</c>); null or
    /// <see cref="Device.Cpu"/> for the managed CPU code.</param>
    public static double MaxLearningRate(Tensor kernel, int outputs = 1, Device? device = null)
    {
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, $"{Owner}: outputs must be ≥ 1 (the number of target columns K).");
        var la = DeviceLinearAlgebra.Resolve(device, Owner);
        double[] k = KernelInput.SquareSymmetric(kernel, Owner, nameof(kernel), out int n);
        var eigen = SymmetricEigen.Of(k, n, la);
        if (eigen.Max < 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Owner}: {nameof(kernel)} is negative definite (largest eigenvalue {eigen.Max:G6}); a training kernel must be positive semi-definite."), nameof(kernel));
        return 2.0 * n * outputs / (eigen.Max + MaxLearningRateEps);
    }

    /// <summary>
    /// Converts neural-tangents' (diag_reg, diag_reg_absolute_scale) to this class's absolute ridge:
    /// diag_reg itself when absolute, else diag_reg · trace(Θ)/n.
    /// </summary>
    public static double RidgeFromDiagReg(Tensor kTrain, double diagReg, bool diagRegAbsoluteScale = false)
    {
        KernelInput.Ridge(diagReg, Owner, nameof(diagReg));
        double[] k = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        if (diagRegAbsoluteScale) return diagReg;
        double trace = 0;
        for (int i = 0; i < n; i++) trace += k[i * n + i];
        return diagReg * trace / n;
    }

    /// <summary>Training-set outputs after time t (steps; s = η·t): Y + e^{−sΘ_λ/N}(f₀ − Y). t = +∞ gives the limit
    /// (Y, plus the part of f₀ − Y in the null space of Θ_λ, which never moves).</summary>
    /// <param name="t">Time in steps, ≥ 0, may be +∞.</param>
    /// <param name="f0Train">f₀(X), the outputs at t = 0, shaped like the targets.</param>
    public Tensor PredictTrain(double t, Tensor f0Train) => Squeeze(PredictTrain([t], f0Train));

    /// <summary>Training-set outputs at several times: shape [T, n] or [T, n, K] (neural-tangents' leading time axis).</summary>
    public Tensor PredictTrain(IReadOnlyList<double> times, Tensor f0Train)
    {
        double[] ts = Times(times);
        double[] r = Residual(f0Train);
        return Stack(ts.Length, TrainSize, (i, dest) => TrainAt(r, j => ContinuousDecay(ts[i], j), dest));
    }

    /// <summary>
    /// Test-point outputs after time t: f₀(x*) + Θ(x*, X) Θ_λ^{-1}(I − e^{−sΘ_λ/N})(Y − f₀(X)), with eigenvalues below
    /// the rank tolerance contributing nothing. t = +∞ uses a Cholesky solve of Θ_λ when it is positive definite and
    /// otherwise the pseudo-inverse (the minimum-norm least-squares fit, the limit of large t).
    /// </summary>
    /// <param name="t">Time in steps, ≥ 0, may be +∞.</param>
    /// <param name="f0Train">f₀(X), shaped like the targets.</param>
    /// <param name="f0Test">f₀(x*), m × K (or length m for vector targets).</param>
    /// <param name="kTestTrain">Θ(x*, X), m × n.</param>
    public Tensor PredictTest(double t, Tensor f0Train, Tensor f0Test, Tensor kTestTrain) =>
        Squeeze(PredictTest([t], f0Train, f0Test, kTestTrain));

    /// <summary>Test-point outputs at several times: shape [T, m] or [T, m, K].</summary>
    public Tensor PredictTest(IReadOnlyList<double> times, Tensor f0Train, Tensor f0Test, Tensor kTestTrain)
    {
        double[] ts = Times(times);
        double[] r = Residual(f0Train);
        var (a, kt, f0t, m) = TestInputs(f0Test, kTestTrain);
        return Stack(ts.Length, m, (i, dest) =>
        {
            if (double.IsPositiveInfinity(ts[i])) TestAtInfinity(a, kt, m, f0t, r, f0Train, dest);
            else TestAt(a, m, f0t, r, j => ContinuousGain(ts[i], j), dest);
        });
    }

    /// <summary>Training-set outputs after k discrete GD steps f ← f − (η/N)Θ_λ(f − Y): Y + (I − ηΘ_λ/N)^k (f₀ − Y).</summary>
    /// <param name="steps">k ≥ 0.</param>
    /// <param name="f0Train">f₀(X), shaped like the targets.</param>
    public Tensor PredictTrainSteps(int steps, Tensor f0Train) => Squeeze(PredictTrainSteps([steps], f0Train));

    /// <summary>Training-set outputs after several step counts: shape [T, n] or [T, n, K].</summary>
    public Tensor PredictTrainSteps(IReadOnlyList<int> steps, Tensor f0Train)
    {
        int[] ks = Steps(steps);
        double[] r = Residual(f0Train);
        return Stack(ks.Length, TrainSize, (i, dest) => TrainAt(r, j => AccurateMath.PowOneMinus(StepFactor(j), ks[i]), dest), discrete: true);
    }

    /// <summary>
    /// Test-point outputs after k discrete GD steps, f*_{k+1} = f*_k − (η/N)Θ(x*, X)(f_k − Y):
    /// f₀(x*) + Θ(x*, X) Θ_λ^{-1}(I − (I − ηΘ_λ/N)^k)(Y − f₀(X)); eigenvalues below the rank tolerance contribute nothing.
    /// </summary>
    public Tensor PredictTestSteps(int steps, Tensor f0Train, Tensor f0Test, Tensor kTestTrain) =>
        Squeeze(PredictTestSteps([steps], f0Train, f0Test, kTestTrain));

    /// <summary>Test-point outputs after several step counts: shape [T, m] or [T, m, K].</summary>
    public Tensor PredictTestSteps(IReadOnlyList<int> steps, Tensor f0Train, Tensor f0Test, Tensor kTestTrain)
    {
        int[] ks = Steps(steps);
        double[] r = Residual(f0Train);
        var (a, _, f0t, m) = TestInputs(f0Test, kTestTrain);
        return Stack(ks.Length, m, (i, dest) => TestAt(a, m, f0t, r, j =>
            _evals[j] > 0 ? AccurateMath.OneMinusPowOneMinus(StepFactor(j), ks[i]) / _evals[j] : 0.0, dest), discrete: true);
    }

    private double StepFactor(int j) => LearningRate * _evals[j] / OutputSize;

    private double ContinuousDecay(double t, int j)
    {
        if (_evals[j] == 0) return 1.0;
        return double.IsPositiveInfinity(t) ? 0.0 : Math.Exp(-LearningRate * t * _evals[j] / OutputSize);
    }

    private double ContinuousGain(double t, int j)
    {
        // Null-space directions (λ = 0 after the rank tolerance) contribute nothing: see the class remarks.
        return _evals[j] > 0 ? -AccurateMath.Expm1(-LearningRate * t * _evals[j] / OutputSize) / _evals[j] : 0.0;
    }

    /// <summary>r = Vᵀ(f₀ − Y), n × K.</summary>
    private double[] Residual(Tensor? f0Train)
    {
        double[] f0 = KernelInput.Exact(f0Train, TargetShape(TrainSize), Owner, nameof(f0Train), "the outputs at initialization on the training set (shaped like yTrain)");
        for (int i = 0; i < f0.Length; i++) f0[i] -= _y[i];
        return DeviceLinearAlgebra.MultiplyTransposed(_la, _eigen.Vectors, TrainSize, TrainSize, f0, Outputs);
    }

    private (double[] A, double[] K, double[] F0, int M) TestInputs(Tensor? f0Test, Tensor? kTestTrain)
    {
        double[] kt = KernelInput.CrossKernel(kTestTrain, TrainSize, Owner, nameof(kTestTrain), out int m);
        double[] f0t = KernelInput.Exact(f0Test, TargetShape(m), Owner, nameof(f0Test), "the outputs at initialization on the test points (one row per row of kTestTrain)");
        double[] a = DeviceLinearAlgebra.Multiply(_la, kt, m, TrainSize, _eigen.Vectors, TrainSize);
        return (a, kt, f0t, m);
    }

    /// <summary>dest = Y + V diag(decay) r.</summary>
    private void TrainAt(double[] r, Func<int, double> decay, Span<double> dest)
    {
        int n = TrainSize, k = Outputs;
        var w = new double[n * k];
        for (int j = 0; j < n; j++)
        {
            double d = decay(j);
            for (int c = 0; c < k; c++) w[j * k + c] = d * r[j * k + c];
        }
        double[] f = DeviceLinearAlgebra.Multiply(_la, _eigen.Vectors, n, n, w, k);
        for (int i = 0; i < f.Length; i++) dest[i] = _y[i] + f[i];
    }

    /// <summary>dest = f₀(x*) − A diag(gain) r with A = Θ(x*, X) V.</summary>
    private void TestAt(double[] a, int m, double[] f0t, double[] r, Func<int, double> gain, Span<double> dest)
    {
        int n = TrainSize, k = Outputs;
        var w = new double[n * k];
        for (int j = 0; j < n; j++)
        {
            double g = gain(j);
            for (int c = 0; c < k; c++) w[j * k + c] = g * r[j * k + c];
        }
        double[] f = DeviceLinearAlgebra.Multiply(_la, a, m, n, w, k);
        for (int i = 0; i < f.Length; i++) dest[i] = f0t[i] - f[i];
    }

    /// <summary>dest = f₀(x*) + Θ(x*, X) Θ_λ^{-1}(Y − f₀(X)) by Cholesky, or with the pseudo-inverse Θ_λ⁺ (from the
    /// eigendecomposition, eigenvalues below the rank tolerance dropped) when Θ_λ is singular.</summary>
    private void TestAtInfinity(double[] a, double[] kt, int m, double[] f0t, double[] r, Tensor f0Train, Span<double> dest)
    {
        if (_evals[0] == 0.0) // the smallest eigenvalue at or below the rank floor: exactly !IsPositiveDefinite(Ridge)
        {
            TestAt(a, m, f0t, r, j => _evals[j] > 0 ? 1.0 / _evals[j] : 0.0, dest);
            return;
        }
        _cholesky ??= _la is null
            ? CholeskySolver.Factor(_kernel, TrainSize, Ridge, Owner, _eigen)
            : CholeskySolver.TryFactor(_kernel, TrainSize, Ridge, _la) ?? throw CholeskySolver.NotPositiveDefinite(Owner, Ridge, _eigen);
        double[] rhs = f0Train.ToFlatArray();
        for (int i = 0; i < rhs.Length; i++) rhs[i] = _y[i] - rhs[i];
        double[] alpha = _cholesky.Solve(rhs, Outputs);
        double[] f = DeviceLinearAlgebra.Multiply(_la, kt, m, TrainSize, alpha, Outputs);
        for (int i = 0; i < f.Length; i++) dest[i] = f0t[i] + f[i];
    }

    private string UnstableRateAdvice => string.Create(CultureInfo.InvariantCulture,
        $"The cause is the learning rate, not the inputs: learningRate = {LearningRate:G6} is at or above the stability bound 2N/λ_max = {MaxStableLearningRate:G6} (see Warning), so each discrete step multiplies the top-eigenvector component by |1 − η·λ_max/N| > 1. Lower the learning rate below {MaxStableLearningRate:G6} (GradientDescentMse.MaxLearningRate(kTrain, outputs)), or use the continuous-time PredictTrain/PredictTest, which are exact for any η.");

    private int[] TargetShape(int rows) => _vector ? [rows] : [rows, Outputs];

    // discrete: the discrete-step predictions, which grow without bound when η is at or above the stability bound.
    private Tensor Stack(int count, int rows, Action<int, Span<double>> fill, bool discrete = false)
    {
        int block = rows * Outputs;
        var data = new double[count * block];
        for (int i = 0; i < count; i++)
        {
            fill(i, data.AsSpan(i * block, block));
            // Finite inputs can still overflow (e.g. f₀ − Y beyond 1.8e308): an exception naming the time index, never NaN.
            // Discrete steps with η above the bound overflow because of η: then the message names η and the bound, not the inputs.
            string stage = string.Create(CultureInfo.InvariantCulture, $"{Owner}: the prediction for time/step index {i}");
            var values = data.AsSpan(i * block, block);
            int bad = FiniteChecks.IndexOfNonFinite<double>(values);
            if (bad < 0) continue;
            if (discrete && LearningRateExceedsStableBound)
                throw new NonFiniteResultException(stage, bad / Outputs, Outputs > 1 ? bad % Outputs : -1, values[bad], UnstableRateAdvice);
            FiniteChecks.Block<double>(values, Outputs, stage);
        }
        return _vector ? Tensor.Wrap(data, count, rows) : Tensor.Wrap(data, count, rows, Outputs);
    }

    private static Tensor Squeeze(Tensor stacked)
    {
        var shape = stacked.Shape[1..].ToArray();
        return stacked.Reshape(shape);
    }

    private static double[] Times(IReadOnlyList<double>? times)
    {
        if (times is null || times.Count == 0) throw new ArgumentException($"{Owner}: the list of times is empty; pass at least one time t ≥ 0.", nameof(times));
        var ts = times.ToArray();
        foreach (double t in ts)
            if (double.IsNaN(t) || t < 0)
                throw new ArgumentOutOfRangeException(nameof(times), t, $"{Owner}: time t must be ≥ 0 (double.PositiveInfinity for the end of training), got {t.ToString(CultureInfo.InvariantCulture)}.");
        return ts;
    }

    private static int[] Steps(IReadOnlyList<int>? steps)
    {
        if (steps is null || steps.Count == 0) throw new ArgumentException($"{Owner}: the list of step counts is empty; pass at least one k ≥ 0.", nameof(steps));
        var ks = steps.ToArray();
        foreach (int k in ks)
            if (k < 0) throw new ArgumentOutOfRangeException(nameof(steps), k, $"{Owner}: the number of gradient-descent steps must be ≥ 0, got {k}.");
        return ks;
    }
}
