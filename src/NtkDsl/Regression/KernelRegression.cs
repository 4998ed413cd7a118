using System.Globalization;

namespace NtkDsl.Regression;

/// <summary>
/// Kernel (ridge) regression with any precomputed kernel: the dual coefficients α = (K + λI)^{-1} Y are found by a
/// Cholesky solve, and predictions are f(x*) = K(x*, X) α. This is the t = ∞ limit of
/// <see cref="Dynamics.GradientDescentMse"/> started from f₀ = 0 and the mean of neural-tangents'
/// <c>neural_tangents.predict.gp_inference</c> with <c>diag_reg_absolute_scale=True</c>.
/// Each target column is fitted independently with the same kernel. Inputs may be float32 or float64; all work and
/// all results are float64.
/// </summary>
/// <remarks>Thread safety: not modified after it is fitted; concurrent predictions only read it.</remarks>
public sealed class KernelRegression
{
    private const string Owner = nameof(KernelRegression);
    private readonly double[] _alpha;
    private readonly ILinearAlgebraBackend? _la; // null: the managed CPU code

    private KernelRegression(int n, int outputs, bool vector, double ridge, double[] alpha, RidgeSearchResult? selection,
        ILinearAlgebraBackend? la = null)
    {
        _la = la;
        TrainSize = n;
        Outputs = outputs;
        VectorTargets = vector;
        Ridge = ridge;
        _alpha = alpha;
        Selection = selection;
    }

    /// <summary>Number of training examples n.</summary>
    public int TrainSize { get; }

    /// <summary>Number of target columns K.</summary>
    public int Outputs { get; }

    /// <summary>True when the targets were a length-n vector; predictions are then length-m vectors.</summary>
    public bool VectorTargets { get; }

    /// <summary>The ridge λ added to the kernel diagonal (absolute units).</summary>
    public double Ridge { get; }

    /// <summary>The ridge search that chose <see cref="Ridge"/>, or null when the ridge was given.</summary>
    public RidgeSearchResult? Selection { get; }

    /// <summary>The dual coefficients α = (K + λI)^{-1} Y, n × K (or length n for vector targets), float64.</summary>
    public Tensor DualCoefficients => VectorTargets ? Tensor.FromArray(_alpha, TrainSize) : Tensor.FromArray(_alpha, TrainSize, Outputs);

    /// <summary>
    /// Fits α = (K + λI)^{-1} Y by Cholesky.
    /// </summary>
    /// <param name="kTrain">n × n symmetric kernel of the training set.</param>
    /// <param name="yTrain">n × K targets (or a length-n vector).</param>
    /// <param name="ridge">λ ≥ 0, added as λ·I.</param>
    /// <param name="device">Where the Cholesky factor and solve (cuSOLVER potrf/potrs on <c>Device.Cuda</c>) and later
    /// <see cref="Predict"/> products run; null or <see cref="Device.Cpu"/> for the managed CPU code. The device's factor
    /// is held to the same positive-definiteness checks.</param>
    /// <exception cref="KernelNotPositiveDefiniteException">K + λI is not positive definite; the exception's
    /// <see cref="KernelNotPositiveDefiniteException.SuggestedRidge"/> gives the smallest ridge that works.</exception>
    /// <exception cref="Memory.NotEnoughMemoryException">The copy of the kernel and its Cholesky factor (2·n² float64) do not fit in memory.</exception>
    /// <exception cref="NotSupportedException">A non-CPU device without a linear-algebra backend.</exception>
    public static KernelRegression Fit(Tensor kTrain, Tensor yTrain, double ridge, Device? device = null)
    {
        KernelInput.Ridge(ridge, Owner);
        var la = DeviceLinearAlgebra.Resolve(device, Owner);
        EnsureFit(kTrain, yTrain, Owner + ".Fit");
        double[] k = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        double[] y = KernelInput.Targets(yTrain, n, Owner, nameof(yTrain), out int outputs, out bool vector);
        return FitCore(k, n, y, outputs, vector, ridge, null, la);
    }

    /// <summary>
    /// Chooses the ridge from <paramref name="ridges"/> by closed-form leave-one-out error
    /// (<see cref="RidgeSelection.LeaveOneOut"/>) and fits with it; <see cref="Selection"/> holds the scores.
    /// </summary>
    /// <param name="kTrain">n × n symmetric kernel of the training set.</param>
    /// <param name="yTrain">n × K targets (or a length-n vector).</param>
    /// <param name="ridges">The candidate ridges λ ≥ 0.</param>
    /// <param name="device">Where the search (<see cref="RidgeSelection.LeaveOneOut"/>'s device path), the fit and
    /// later predictions run; null or <see cref="Device.Cpu"/> for the managed CPU code.</param>
    public static KernelRegression FitLeaveOneOut(Tensor kTrain, Tensor yTrain, IReadOnlyList<double> ridges, Device? device = null)
    {
        EnsureFit(kTrain, yTrain, Owner + ".FitLeaveOneOut");
        var la = DeviceLinearAlgebra.Resolve(device, Owner);
        var search = RidgeSelection.LeaveOneOut(kTrain, yTrain, ridges, device);
        double[] k = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        double[] y = KernelInput.Targets(yTrain, n, Owner, nameof(yTrain), out int outputs, out bool vector);
        return FitCore(k, n, y, outputs, vector, search.BestRidge, search, la);
    }

    /// <summary>
    /// Chooses the ridge from <paramref name="ridges"/> by k-fold cross-validation with deterministic folds
    /// (<see cref="RidgeSelection.KFold"/>) and fits with it on all rows; <see cref="Selection"/> holds the scores.
    /// </summary>
    /// <param name="kTrain">n × n symmetric kernel of the training set.</param>
    /// <param name="yTrain">n × K targets (or a length-n vector).</param>
    /// <param name="ridges">The candidate ridges λ ≥ 0.</param>
    /// <param name="folds">Number of folds, 2 to n.</param>
    /// <param name="seed">Seed of the row shuffle.</param>
    /// <param name="device">Where the search, the fit and later predictions run; null or <see cref="Device.Cpu"/> for
    /// the managed CPU code.</param>
    public static KernelRegression FitKFold(Tensor kTrain, Tensor yTrain, IReadOnlyList<double> ridges, int folds = 5, long seed = 0, Device? device = null)
    {
        EnsureFit(kTrain, yTrain, Owner + ".FitKFold");
        var la = DeviceLinearAlgebra.Resolve(device, Owner);
        var search = RidgeSelection.KFold(kTrain, yTrain, ridges, folds, seed, device);
        double[] k = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        double[] y = KernelInput.Targets(yTrain, n, Owner, nameof(yTrain), out int outputs, out bool vector);
        return FitCore(k, n, y, outputs, vector, search.BestRidge, search, la);
    }

    /// <summary>
    /// Predictions K(x*, X) α for m new points: m × K (or length m for vector targets), float64; on the device the fit
    /// was given (cuBLAS DGEMM), else on the CPU.
    /// </summary>
    /// <param name="kTestTrain">m × n kernel between the new points (rows) and the training points (columns).</param>
    /// <exception cref="Memory.NotEnoughMemoryException">The float64 copy of the m × n kernel and the m × K predictions do not fit in memory.</exception>
    public Tensor Predict(Tensor kTestTrain)
    {
        if (kTestTrain is { Rank: 2 })
            RegressionMemory.Ensure(RegressionMemory.Multiply(kTestTrain.Shape[0], (long)TrainSize + Outputs), Owner + ".Predict", string.Create(CultureInfo.InvariantCulture,
                $"the float64 copy of the {kTestTrain.Shape[0]} × {TrainSize} test-train kernel and the predictions"));
        double[] kt = KernelInput.CrossKernel(kTestTrain, TrainSize, Owner, nameof(kTestTrain), out int m);
        double[] f = DeviceLinearAlgebra.Multiply(_la, kt, m, TrainSize, _alpha, Outputs);
        return VectorTargets ? Tensor.Wrap(f, m) : Tensor.Wrap(f, m, Outputs);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"KernelRegression(n = {TrainSize}, outputs = {Outputs}, ridge = {Ridge:G6}{(Selection is null ? "" : ", chosen by " + Selection.Method)})");

    /// <summary>The fit's working set: the float64 copy of K and its Cholesky factor (2·n²), the targets' copy and α (2·n·K).</summary>
    private static void EnsureFit(Tensor? kTrain, Tensor? yTrain, string operation) =>
        RegressionMemory.EnsureSquare(kTrain, 2, 2L * (yTrain is { Rank: 2 } ? yTrain.Shape[1] : 1), operation,
            "the float64 copy of the training kernel and its Cholesky factor, with the targets and coefficients");

    private static KernelRegression FitCore(double[] k, int n, double[] y, int outputs, bool vector, double ridge, RidgeSearchResult? selection,
        ILinearAlgebraBackend? la)
    {
        var solver = la is null ? CholeskySolver.Factor(k, n, ridge, Owner) : CholeskySolver.Factor(k, n, ridge, Owner, la);
        return new KernelRegression(n, outputs, vector, ridge, solver.Solve(y, outputs), selection, la);
    }
}
