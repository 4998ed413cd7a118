using NtkDsl.Regression;

namespace NtkDsl.Predict;

/// <summary>
/// The NTK-GP: the distribution of the outputs of an infinite ensemble of infinitely wide networks, each initialized
/// at random (outputs f₀ ~ GP(0, K), K the NNGP) and trained, linearized, by gradient flow on the square loss to time t
/// (Lee et al. 2019, "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent", §2.3,
/// the case of training all layers; neural-tangents' <c>predict.gradient_descent_mse_ensemble(get="ntk", compute_cov=True)</c> and, at
/// t = ∞, <c>predict.gp_inference(get="ntk")</c>; the same formulas and conventions, written from the paper and checked
/// against dense references, not run against neural-tangents itself). Formulas and conventions: docs/math.md §8.
/// <para>
/// With Θ_λ = Θ(X, X) + λI = V Λ Vᵀ, s = η·t, N = y_train.size = n·K and A_t = Θ_λ^{-1}(I − e^{−sΘ_λ/N})
/// (the same dynamics and time scaling as <see cref="Dynamics.GradientDescentMse"/>, whose test prediction with f₀ = 0
/// is this mean):
/// mean μ(x*) = Θ(x*, X) A_t Y,
/// covariance Σ(x*, x*') = K(x*, x*') + Θ(x*, X) A_t K(X, X) A_t Θ(X, x*') − Θ(x*, X) A_t K(X, x*') − K(x*, X) A_t Θ(X, x*').
/// t = 0 gives the prior N(0, K(x*, x*)); t = ∞ uses A_∞ = Θ_λ^{-1}. The ridge λ enters the dynamics only (the flow is
/// df/dt = −(η/N) Θ_λ (f − Y)); K(X, X) in the covariance is the NNGP without the ridge, as in neural-tangents.
/// Any kernel the library computes can be used: analytic (<c>AnalyticNtk</c>/<c>AnalyticNngp</c>), empirical
/// (<c>Ntk</c>, the readout blocks or <see cref="MonteCarloKernel"/> for the NNGP) or weighted (<c>Wntk</c>, the
/// ensemble trained with per-group learning rates).
/// </para>
/// <para>
/// Singular kernels: eigenvalues of Θ_λ at or below <see cref="KernelFlowPredictor.EigenvalueCutoff"/> (default n·ε·λ_max, as SciPy's
/// <c>pinvh</c>) are treated as exact zeros and their directions dropped from A_t at every t, so a rank-deficient
/// Θ gives bounded, t-independent contributions from its null space (none at all when Θ is positive semi-definite
/// jointly over train and test points, since Θ(x*, X) is then orthogonal to that null space). Eigenvalues below
/// −1e-8·max|λ| are rejected as a clearly indefinite kernel.
/// </para>
/// Inputs may be float32 or float64; all work and all results are float64. At t = ∞ a blocked Cholesky factor of Θ_λ
/// serves when Θ_λ is positive definite beyond rounding (<see cref="KernelFlowPredictor.UsesCholeskyAtInfinity"/>); finite times, singular
/// kernels and a user tolerance use the eigendecomposition (MathNet, made once and reused; O(n³) and, measured on a
/// loaded 2-core machine, about 13 s at n = 1000 and 130 s at n = 2000). Given a <c>device</c> (<c>Device.Cuda</c>), the
/// factorizations run in cuSOLVER (potrf/potrs, syevd) and the products in cuBLAS, with the same checks on their results.
/// </summary>
public sealed class NtkGpPredictor : KernelFlowPredictor
{
    private const string Owner = nameof(NtkGpPredictor);
    private readonly double[]? _nngp; // K(X, X), n × n, no ridge

    /// <summary>Checks the inputs and factors Θ(X, X) + λI (Cholesky, or the eigendecomposition when it is singular).</summary>
    /// <param name="ntkTrainTrain">Θ(X, X), the n × n symmetric NTK of the training set (one output's kernel).</param>
    /// <param name="nngpTrainTrain">K(X, X), the n × n NNGP of the training set; needed for the covariance only (null
    /// for mean-only predictions).</param>
    /// <param name="yTrain">Y, the n × K targets (or a length-n vector).</param>
    /// <param name="learningRate">η &gt; 0; time t is in steps and the flow runs for s = η·t.</param>
    /// <param name="ridge">λ ≥ 0 added to Θ(X, X) as λ·I (neural-tangents' <c>diag_reg</c> with
    /// <c>diag_reg_absolute_scale=True</c>; <see cref="Dynamics.GradientDescentMse.RidgeFromDiagReg"/> converts the relative
    /// form, computed from Θ).</param>
    /// <param name="eigenvalueTolerance">Relative cutoff: eigenvalues of Θ + λI at or below tolerance·λ_max are treated
    /// as 0. Null gives n·ε. Must be in [0, 1).</param>
    /// <param name="device">Where the factorization (cuSOLVER potrf or syevd on <c>Device.Cuda</c>) and the products of
    /// every prediction run; null or <see cref="Device.Cpu"/> for the managed CPU code. The same checks run on the
    /// device's results. A non-CPU device without a linear-algebra backend is a <see cref="NotSupportedException"/>.</param>
    /// <exception cref="ArgumentException">A kernel that is not square, symmetric, finite or (Θ) positive
    /// semi-definite up to rounding; kernels of different sizes; targets whose row count differs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">learningRate ≤ 0, ridge &lt; 0, a tolerance outside [0, 1), or a
    /// non-finite value.</exception>
    public NtkGpPredictor(Tensor ntkTrainTrain, Tensor? nngpTrainTrain, Tensor yTrain, double learningRate = 1.0, double ridge = 0.0,
        double? eigenvalueTolerance = null, Device? device = null)
        : base(Owner, ntkTrainTrain, nameof(ntkTrainTrain), yTrain, learningRate, ridge, eigenvalueTolerance, device)
    {
        if (nngpTrainTrain is null) return;
        _nngp = KernelInput.SquareSymmetric(nngpTrainTrain, Owner, nameof(nngpTrainTrain), out int nk);
        if (nk != TrainSize)
            throw new ArgumentException($"{Owner}: {nameof(nngpTrainTrain)} is {nk} × {nk} but {nameof(ntkTrainTrain)} is {TrainSize} × {TrainSize}; both must be kernels of the same training set.", nameof(nngpTrainTrain));
        Float32Train |= nngpTrainTrain.DType == DType.Float32;
    }

    /// <summary>The ensemble mean at time t: Θ(x*, X) Θ_λ^{-1}(I − e^{−sΘ_λ/N}) Y, shape [m, K] (or [m]).</summary>
    /// <param name="t">Time in steps, ≥ 0; +∞ for the end of training.</param>
    /// <param name="ntkTestTrain">Θ(x*, X), m × n.</param>
    public Tensor PredictMean(double t, Tensor ntkTestTrain) => MeanAt(t, ntkTestTrain, nameof(ntkTestTrain));

    /// <summary>The ensemble mean and covariance at time t (see the class summary for the formulas).</summary>
    /// <param name="t">Time in steps, ≥ 0; +∞ for the end of training.</param>
    /// <param name="ntkTestTrain">Θ(x*, X), m × n.</param>
    /// <param name="nngpTestTrain">K(x*, X), m × n.</param>
    /// <param name="nngpTestTest">K(x*, x*): m × m for the full covariance, or its diagonal (length m) for the
    /// marginal variances only.</param>
    /// <exception cref="InvalidOperationException">The predictor was built without <c>nngpTrainTrain</c>.</exception>
    /// <exception cref="ArgumentException">Shapes that do not fit; non-finite entries; a posterior variance negative
    /// beyond rounding (the kernels are not jointly positive semi-definite), with its value and scale.</exception>
    public GaussianPrediction Predict(double t, Tensor ntkTestTrain, Tensor nngpTestTrain, Tensor nngpTestTest) =>
        Predict([t], ntkTestTrain, nngpTestTrain, nngpTestTest)[0];

    /// <summary>The ensemble mean and covariance at several times, one <see cref="GaussianPrediction"/> per time, in order.</summary>
    public IReadOnlyList<GaussianPrediction> Predict(IReadOnlyList<double> times, Tensor ntkTestTrain, Tensor nngpTestTrain, Tensor nngpTestTest)
    {
        double[] ts = PosteriorMath.Times(times, Owner);
        if (_nngp is null)
            throw new InvalidOperationException($"{Owner}: the covariance needs the NNGP of the training set; pass nngpTrainTrain to the constructor (or call PredictMean for the mean alone).");
        int n = TrainSize;
        double[] theta = KernelInput.CrossKernel(ntkTestTrain, n, Owner, nameof(ntkTestTrain), out int m);
        double[] kt = KernelInput.CrossKernel(nngpTestTrain, n, Owner, nameof(nngpTestTrain), out int mk);
        if (mk != m)
            throw new ArgumentException($"{Owner}: {nameof(nngpTestTrain)} has {mk} rows but {nameof(ntkTestTrain)} has {m}; both must be kernels of the same test points against the training points.", nameof(nngpTestTrain));
        double[] ktt = PosteriorMath.TestTest(nngpTestTest, m, Owner, nameof(nngpTestTest), out bool full);
        double tol = PosteriorMath.Tolerance(Float32Train, ntkTestTrain, nngpTestTrain, nngpTestTest);
        double[]? b = null;
        var results = new GaussianPrediction[ts.Length];
        for (int i = 0; i < ts.Length; i++)
        {
            Tensor mean;
            double[] tm; // T = Θ*X A_t, m × n
            if (AtInfinityByCholesky(ts[i]))
            {
                tm = Solver.RightSolve(theta, m);
                mean = PosteriorMath.MeanTensor(DeviceLinearAlgebra.Multiply(Solver.Backend, tm, m, n, Solver.Y, Outputs), m, Outputs, VectorTargets);
            }
            else
            {
                b ??= DeviceLinearAlgebra.Multiply(Solver.Backend, theta, m, n, Solver.Basis.Vectors, n);
                double[] bg = PosteriorMath.ScaleColumns(b, m, n, Solver.Basis.Gains(LearningRate * ts[i], OutputSize, 1.0));
                mean = MeanFromScaled(bg, m);
                tm = DeviceLinearAlgebra.MultiplyByTranspose(Solver.Backend, bg, m, n, Solver.Basis.Vectors, n);
            }
            double[] u = DeviceLinearAlgebra.Multiply(Solver.Backend, tm, m, n, _nngp, n);                         // U = T K(X, X)
            var variance = new double[m];
            var scale = new double[m];
            double[]? cov = null;
            if (full)
            {
                double[] c = DeviceLinearAlgebra.MultiplyByTranspose(Solver.Backend, tm, m, n, kt, m); // T K(X, x*)
                double[] q = DeviceLinearAlgebra.MultiplyByTranspose(Solver.Backend, u, m, n, tm, m);  // T K Tᵀ
                cov = new double[m * m];
                for (int r = 0; r < m; r++)
                    for (int s = 0; s < m; s++)
                        cov[r * m + s] = ktt[r * m + s] + q[r * m + s] - c[r * m + s] - c[s * m + r];
                for (int r = 0; r < m; r++)
                {
                    variance[r] = cov[r * m + r];
                    scale[r] = Math.Abs(ktt[r * m + r]) + Math.Abs(q[r * m + r]) + 2 * Math.Abs(c[r * m + r]);
                }
            }
            else
            {
                double[] c = PosteriorMath.RowDots(tm, kt, m, n);
                double[] q = PosteriorMath.RowDots(u, tm, m, n);
                for (int r = 0; r < m; r++)
                {
                    variance[r] = ktt[r] + q[r] - 2 * c[r];
                    scale[r] = Math.Abs(ktt[r]) + Math.Abs(q[r]) + 2 * Math.Abs(c[r]);
                }
            }
            results[i] = PosteriorMath.Finish(ts[i], mean, cov, variance, scale, m, tol, Owner, nameof(nngpTestTest));
        }
        return results;
    }

    /// <summary>The ensemble at the end of training (t = ∞, A_∞ = Θ_λ^{-1}).</summary>
    public GaussianPrediction Posterior(Tensor ntkTestTrain, Tensor nngpTestTrain, Tensor nngpTestTest) =>
        Predict(double.PositiveInfinity, ntkTestTrain, nngpTestTrain, nngpTestTest);
}
