using NtkDsl.Regression;

namespace NtkDsl.Predict;

/// <summary>
/// What <see cref="NngpPredictor"/> and <see cref="NtkGpPredictor"/> share: the checked training kernel
/// (K for the NNGP, Θ for the NTK-GP) plus λI, factored once (Cholesky at t = ∞ when positive definite beyond rounding,
/// otherwise a lazily computed eigenbasis whose null space is dropped), the targets, the time scaling s = η·t with
/// N = n·K (docs/math.md §5, §8), and the posterior mean Kernel(x*, X) Kernel_λ^{-1}(I − e^{−s·Kernel_λ/N}) Y.
/// Not thread-safe to construct concurrently with use; after construction every member is read-only and may be
/// called from several threads.
/// </summary>
public abstract class KernelFlowPredictor
{
    private readonly string _owner;

    private protected KernelFlowPredictor(string owner, Tensor trainKernel, string trainArgument, Tensor yTrain,
        double learningRate, double ridge, double? eigenvalueTolerance, Device? device)
    {
        _owner = owner;
        var la = DeviceLinearAlgebra.Resolve(device, owner);
        double[] k = KernelInput.SquareSymmetric(trainKernel, owner, trainArgument, out int n);
        double[] y = KernelInput.Targets(yTrain, n, owner, nameof(yTrain), out int outputs, out bool vector);
        double tol = PosteriorMath.CheckSettings(learningRate, ridge, eigenvalueTolerance, n, owner);
        VectorTargets = vector;
        Float32Train = trainKernel.DType == DType.Float32;
        TrainSize = n;
        Outputs = outputs;
        LearningRate = learningRate;
        Ridge = ridge;
        EigenvalueTolerance = tol;
        Solver = new TrainingSolver(k, n, y, outputs, ridge, tol, eigenvalueTolerance is null, owner, trainArgument, la);
    }

    private protected TrainingSolver Solver { get; }

    /// <summary>True when the targets were a vector (means are then returned as vectors).</summary>
    private protected bool VectorTargets { get; }

    /// <summary>True when any training kernel was float32 (looser rounding tolerance for variances).</summary>
    private protected bool Float32Train { get; set; }

    /// <summary>Number of training examples n.</summary>
    public int TrainSize { get; }

    /// <summary>Number of outputs K (target columns).</summary>
    public int Outputs { get; }

    /// <summary>N = n·K, the loss normalization (neural-tangents' y_train.size).</summary>
    public int OutputSize => TrainSize * Outputs;

    /// <summary>The learning rate η.</summary>
    public double LearningRate { get; }

    /// <summary>The absolute ridge λ added to the training kernel (the noise variance of the NNGP posterior).</summary>
    public double Ridge { get; }

    /// <summary>The relative eigenvalue tolerance in use.</summary>
    public double EigenvalueTolerance { get; }

    /// <summary>The absolute cutoff: eigenvalues of the training kernel + λI at or below it are treated as exact zeros
    /// (computes the eigendecomposition if it was not needed yet).</summary>
    public double EigenvalueCutoff => Solver.Basis.Cutoff;

    /// <summary>The number of eigen-directions of the training kernel + λI kept, n minus the numerical null space
    /// (computes the eigendecomposition if it was not needed yet).</summary>
    public int Rank => Solver.Basis.Rank;

    /// <summary>Eigenvalues of the training kernel + λI, ascending, with the dropped ones set to 0 (computes the
    /// eigendecomposition if it was not needed yet).</summary>
    public IReadOnlyList<double> Eigenvalues => Solver.Basis.Values;

    /// <summary>
    /// True when t = ∞ is served by a Cholesky factor of the training kernel + λI (positive definite beyond the n·ε
    /// rounding floor, default tolerance) instead of the eigendecomposition: the same formula, O(n³/3) in blocked,
    /// multi-threaded code.
    /// </summary>
    public bool UsesCholeskyAtInfinity => Solver.Cholesky is not null;

    private protected bool AtInfinityByCholesky(double t) => double.IsPositiveInfinity(t) && Solver.Cholesky is not null;

    /// <summary>The mean at time t from the test–train kernel of the training kernel's kind, shape [m, K] (or [m]).</summary>
    private protected Tensor MeanAt(double t, Tensor crossKernel, string argument)
    {
        PosteriorMath.Times([t], _owner);
        double[] kt = KernelInput.CrossKernel(crossKernel, TrainSize, _owner, argument, out int m);
        if (AtInfinityByCholesky(t))
            return PosteriorMath.MeanTensor(DeviceLinearAlgebra.Multiply(Solver.Backend, kt, m, TrainSize, Solver.DualCoefficients, Outputs), m, Outputs, VectorTargets);
        double[] b = DeviceLinearAlgebra.Multiply(Solver.Backend, kt, m, TrainSize, Solver.Basis.Vectors, TrainSize);
        double[] bg = PosteriorMath.ScaleColumns(b, m, TrainSize, Solver.Basis.Gains(LearningRate * t, OutputSize, 1.0));
        return MeanFromScaled(bg, m);
    }

    /// <summary>mean = (B diag g) Vᵀ Y.</summary>
    private protected Tensor MeanFromScaled(double[] bg, int m) =>
        PosteriorMath.MeanTensor(DeviceLinearAlgebra.Multiply(Solver.Backend, bg, m, TrainSize, Solver.EigenTargets, Outputs), m, Outputs, VectorTargets);
}
