using NtkDsl.Regression;

namespace NtkDsl.Predict;

/// <summary>
/// Posterior mean and covariance of a Gaussian process with kernel K (the NNGP of an infinitely wide Bayesian network,
/// or any other kernel): at t = ∞ exact GP regression with noise variance λ = ridge, at finite t the ensemble of
/// networks whose readout layer alone is trained by gradient flow on the square loss (Lee et al. 2019, "Wide Neural
/// Networks of Any Depth Evolve as Linear Models Under Gradient Descent", §2.3, the case of training the readout layer only; neural-tangents'
/// <c>predict.gp_inference(get="nngp")</c> and <c>predict.gradient_descent_mse_ensemble(get="nngp")</c>; the same formulas
/// and conventions, written from the paper and checked against dense references, not run against neural-tangents itself).
/// Formulas and conventions: docs/math.md §8.
/// <para>
/// With K_λ = K(X, X) + λI = V Λ Vᵀ, s = η·t and N = y_train.size = n·K (the 1/(2N) loss normalization of
/// <see cref="Dynamics.GradientDescentMse"/>):
/// mean μ(x*) = K(x*, X) K_λ^{-1}(I − e^{−sK_λ/N}) Y,
/// covariance Σ(x*, x*') = K(x*, x*') − K(x*, X) K_λ^{-1}(I − e^{−2sK_λ/N}) K(X, x*').
/// t = 0 gives the prior N(0, K(x*, x*)); t = ∞ gives K(x*, X) K_λ^{-1} Y and K** − K*X K_λ^{-1} K X*, the GP posterior
/// of the latent function (no noise is added to the test covariance). At finite t with λ &gt; 0 the formula is the
/// readout-only flow started from initial training outputs that carry N(0, λ) noise, neural-tangents' convention. Passing the NTK as K gives neural-tangents'
/// <c>"ntkgp"</c> posterior (He, Lakshminarayanan, Teh 2020) at t = ∞.
/// </para>
/// <para>
/// Singular kernels: eigenvalues of K_λ at or below <see cref="KernelFlowPredictor.EigenvalueCutoff"/> (default n·ε·λ_max, as SciPy's
/// <c>pinvh</c>) are treated as exact zeros and their directions dropped, so K_λ^{-1} is the pseudo-inverse: for a
/// kernel that is positive semi-definite jointly over train and test points, K(x*, X) is orthogonal to the null space,
/// which therefore contributes nothing. Eigenvalues below −1e-8·max|λ| are rejected as a clearly indefinite kernel.
/// </para>
/// Inputs may be float32 or float64; all work and all results are float64. At t = ∞ a blocked Cholesky factor of K_λ
/// serves when K_λ is positive definite beyond rounding (<see cref="KernelFlowPredictor.UsesCholeskyAtInfinity"/>); finite times, singular
/// kernels and a user tolerance use the eigendecomposition (MathNet, made once and reused; O(n³) and, measured on a
/// loaded 2-core machine, about 13 s at n = 1000 and 130 s at n = 2000). Given a <c>device</c> (<c>Device.Cuda</c>), the
/// factorizations run in cuSOLVER (potrf/potrs, syevd) and the products in cuBLAS, with the same checks on their results.
/// </summary>
public sealed class NngpPredictor : KernelFlowPredictor
{
    private const string Owner = nameof(NngpPredictor);

    /// <summary>Checks the inputs and factors K(X, X) + λI (Cholesky, or the eigendecomposition when it is singular).</summary>
    /// <param name="kTrainTrain">K(X, X), the n × n symmetric training kernel (one output's kernel; the K outputs share it).</param>
    /// <param name="yTrain">Y, the n × K targets (or a length-n vector).</param>
    /// <param name="learningRate">η &gt; 0; time t is in steps and the flow runs for s = η·t.</param>
    /// <param name="ridge">λ ≥ 0, the noise variance, added as λ·I (neural-tangents' <c>diag_reg</c> with
    /// <c>diag_reg_absolute_scale=True</c>; <see cref="Dynamics.GradientDescentMse.RidgeFromDiagReg"/> converts the relative form).</param>
    /// <param name="eigenvalueTolerance">Relative cutoff: eigenvalues of K + λI at or below tolerance·λ_max are treated as 0.
    /// Null gives n·ε. Must be in [0, 1).</param>
    /// <exception cref="ArgumentException">A kernel that is not square, symmetric, finite or positive semi-definite up
    /// to rounding; targets whose row count differs from the kernel's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">learningRate ≤ 0, ridge &lt; 0, a tolerance outside [0, 1), or a
    /// non-finite value.</exception>
    /// <param name="device">Where the factorization (cuSOLVER potrf or syevd on <c>Device.Cuda</c>) and the products of
    /// every prediction run; null or <see cref="Device.Cpu"/> for the managed CPU code. The same checks run on the
    /// device's results. A non-CPU device without a linear-algebra backend is a <see cref="NotSupportedException"/>.</param>
    public NngpPredictor(Tensor kTrainTrain, Tensor yTrain, double learningRate = 1.0, double ridge = 0.0, double? eigenvalueTolerance = null,
        Device? device = null)
        : base(Owner, kTrainTrain, nameof(kTrainTrain), yTrain, learningRate, ridge, eigenvalueTolerance, device)
    {
    }

    /// <summary>The posterior mean at time t: K(x*, X) K_λ^{-1}(I − e^{−sK_λ/N}) Y, shape [m, K] (or [m]).</summary>
    /// <param name="t">Time in steps, ≥ 0; +∞ for the GP posterior mean.</param>
    /// <param name="kTestTrain">K(x*, X), m × n.</param>
    public Tensor PredictMean(double t, Tensor kTestTrain) => MeanAt(t, kTestTrain, nameof(kTestTrain));

    /// <summary>
    /// The posterior at time t: mean (see <see cref="PredictMean"/>) and covariance
    /// K(x*, x*') − K(x*, X) K_λ^{-1}(I − e^{−2sK_λ/N}) K(X, x*').
    /// </summary>
    /// <param name="t">Time in steps, ≥ 0; +∞ for the GP posterior.</param>
    /// <param name="kTestTrain">K(x*, X), m × n.</param>
    /// <param name="kTestTest">K(x*, x*): m × m for the full covariance, or its diagonal (length m) for the marginal
    /// variances only (cheaper: O(m·n²) instead of O(m²·n) extra).</param>
    /// <exception cref="ArgumentException">Shapes that do not fit; non-finite entries; a posterior variance negative
    /// beyond rounding (the kernels are not jointly positive semi-definite), with its value and scale.</exception>
    public GaussianPrediction Predict(double t, Tensor kTestTrain, Tensor kTestTest) => Predict([t], kTestTrain, kTestTest)[0];

    /// <summary>The posterior at several times, one <see cref="GaussianPrediction"/> per time, in order.</summary>
    public IReadOnlyList<GaussianPrediction> Predict(IReadOnlyList<double> times, Tensor kTestTrain, Tensor kTestTest)
    {
        double[] ts = PosteriorMath.Times(times, Owner);
        double[] kt = KernelInput.CrossKernel(kTestTrain, TrainSize, Owner, nameof(kTestTrain), out int m);
        double[] ktt = PosteriorMath.TestTest(kTestTest, m, Owner, nameof(kTestTest), out bool full);
        double tol = PosteriorMath.Tolerance(Float32Train, kTestTrain, kTestTest);
        int n = TrainSize;
        double[]? b = null;
        var results = new GaussianPrediction[ts.Length];
        for (int i = 0; i < ts.Length; i++)
        {
            Tensor mean;
            double[] left, right; // the correction is left·rightᵀ (m × m)
            if (AtInfinityByCholesky(ts[i]))
            {
                left = Solver.RightSolve(kt, m); // K*X K_λ^{-1}
                right = kt;
                mean = PosteriorMath.MeanTensor(DeviceLinearAlgebra.Multiply(Solver.Backend, left, m, n, Solver.Y, Outputs), m, Outputs, VectorTargets);
            }
            else
            {
                b ??= DeviceLinearAlgebra.Multiply(Solver.Backend, kt, m, n, Solver.Basis.Vectors, n);
                mean = MeanFromScaled(PosteriorMath.ScaleColumns(b, m, n, Solver.Basis.Gains(LearningRate * ts[i], OutputSize, 1.0)), m);
                left = PosteriorMath.ScaleColumns(b, m, n, Solver.Basis.Gains(LearningRate * ts[i], OutputSize, 2.0));
                right = b;
            }
            var variance = new double[m];
            var scale = new double[m];
            double[]? cov = null;
            if (full)
            {
                double[] q = DeviceLinearAlgebra.MultiplyByTranspose(Solver.Backend, left, m, n, right, m);
                cov = new double[m * m];
                for (int j = 0; j < cov.Length; j++) cov[j] = ktt[j] - q[j];
                for (int r = 0; r < m; r++)
                {
                    variance[r] = cov[r * m + r];
                    scale[r] = Math.Abs(ktt[r * m + r]) + Math.Abs(q[r * m + r]);
                }
            }
            else
            {
                double[] q = PosteriorMath.RowDots(left, right, m, n);
                for (int r = 0; r < m; r++)
                {
                    variance[r] = ktt[r] - q[r];
                    scale[r] = Math.Abs(ktt[r]) + Math.Abs(q[r]);
                }
            }
            results[i] = PosteriorMath.Finish(ts[i], mean, cov, variance, scale, m, tol, Owner, nameof(kTestTest));
        }
        return results;
    }

    /// <summary>The GP posterior (t = ∞): mean K*X K_λ^{-1} Y, covariance K** − K*X K_λ^{-1} K X*.</summary>
    public GaussianPrediction Posterior(Tensor kTestTrain, Tensor kTestTest) => Predict(double.PositiveInfinity, kTestTrain, kTestTest);
}
