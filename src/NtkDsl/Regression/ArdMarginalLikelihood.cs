using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using NtkDsl.Kernels;

namespace NtkDsl.Regression;

/// <summary>
/// The Gaussian-process log marginal likelihood of standardized targets under the ARD ReLU kernel of
/// <see cref="ArdReluKernel"/>, with the amplitude profiled out, its gradient, and its maximization (type-II maximum
/// likelihood; Rasmussen &amp; Williams 2006, §5.4.1).
/// </summary>
/// <remarks>
/// <para>Model: y ~ N(0, s²·(K_φ,b + ρI)). Parameters (all in log space): φ_0 … φ_{d−1} (per-feature first-layer
/// variances σ_w²·e^{φ_f}), log b (first bias variance), ψ with ρ = e^ψ·mean_i K_ii (the noise variance relative to
/// the amplitude s² and to the kernel's mean diagonal: the ReLU kernel is nearly homogeneous in the input scales, so
/// an absolute ρ would let the optimizer drift along that flat direction towards a vanishing relative noise and an
/// unfactorable kernel; the relative ρ follows the kernel's scale, and ∂ρ/∂φ_f, ∂ρ/∂b enter the gradient).
/// With A = K + ρI, α = A⁻¹y and the closed-form amplitude s² = yᵀα/n, the profile log likelihood is
/// L = −(n/2)·log(2π·s²) − ½·log|A| − n/2 (R&amp;W eq. 5.8 with s² maximized out). Its derivative along any
/// change dA is ½·tr(W·dA) with W = ααᵀ/s² − A⁻¹ (R&amp;W eq. 5.9; the s² term vanishes at the optimum s²):
/// dA = ∂K/∂φ_f + e^ψ·(∂ mean_i K_ii/∂φ_f)·I, likewise for log b (from <see cref="ArdReluKernel"/>), and ∂A/∂ψ = ρI.
/// <see cref="Evaluate"/> returns L/n and its gradient (per row, so depths and subsets compare).</para>
/// <para>Leave-one-out variant (Sundararajan &amp; Keerthi 2001; R&amp;W §5.4.2): with H = A⁻¹ the leave-one-out
/// predictive of row i is N(y_i − α_i/H_ii, s²/H_ii) (R&amp;W eqs. 5.10–5.12), and
/// L_LOO = Σ_i log N(y_i; ·) = −(n/2)·log(2π·s²) + ½·Σ_i log H_ii − n/2 at its best amplitude
/// s² = (1/n)·Σ_i α_i²/H_ii. Derivation of the gradient: dα = −H·dA·α, dH_ii = −(H·dA·H)_ii, so with
/// c_i = 1/(2H_ii) + α_i²/(2s²H_ii²) and u_i = α_i/(s²H_ii), dL_LOO = Σ_i [c_i·dH_ii − u_i·dα_i]
/// = ⟨G, dA⟩ with G = −H·diag(c)·H + ½(H·u·αᵀ + α·uᵀ·H) (the s² terms cancel at the optimal s²). G takes the
/// place of ½·W above.</para>
/// <para>Per-row noise weights (<c>noiseWeights</c>, w): A = K + ρ·diag(w), so ∂A/∂ψ = ρ·diag(w) and the noise's
/// share of ∂A/∂φ_f is e^ψ·(∂ mean_i K_ii/∂φ_f)·diag(w); every trace term above becomes Σ_i W_ii·w_i. Used for
/// repeated inputs: c_i observations at one input with mean ȳ_i have ȳ_i = f(x_i) + mean noise of variance s²ρ/c_i,
/// so the group means are distributed N(0, s²·(K + ρ·diag(1/c))) (the marginal likelihood of the means; the full
/// likelihood adds the within-group scatter term, which alone drives ρ → 0 when the repeats are exact copies).</para>
/// <para>Cost per evaluation: the kernel with derivatives O(n²·(d + depth)), one Cholesky factorization and the
/// inverse, O(n³).</para>
/// </remarks>
internal sealed class ArdMarginalLikelihood
{
    private readonly double[] _x, _y;
    private readonly double[]? _noiseWeights;
    private readonly ArdReluKernel _kernel;

    /// <summary>
    /// The problem on standardized rows x (row-major n × d) and targets y (length n). <paramref name="noiseWeights"/>
    /// (length n, positive; null for all ones) multiplies the noise of each row: A = K + ρ·diag(w). With w_i = 1/c_i and
    /// y_i the mean of c_i observations at one input this is the likelihood of the group means (see remarks).
    /// </summary>
    public ArdMarginalLikelihood(double[] x, double[] y, int n, int d, ArdReluKernel kernel, bool leaveOneOut = false, double[]? noiseWeights = null)
    {
        if (noiseWeights is not null && (noiseWeights.Length != n || noiseWeights.Any(w => !(w > 0) || !double.IsFinite(w))))
            throw new ArgumentException($"ArdMarginalLikelihood: noiseWeights must hold {n} finite positive numbers.", nameof(noiseWeights));
        _noiseWeights = noiseWeights;
        LeaveOneOut = leaveOneOut;
        _x = x;
        _y = y;
        N = n;
        D = d;
        _kernel = kernel;
    }

    /// <summary>
    /// Whether the objective is the leave-one-out log predictive probability instead of the marginal likelihood
    /// (see remarks).
    /// </summary>
    public bool LeaveOneOut { get; }

    /// <summary>The profiled amplitude s² at the last evaluated point.</summary>
    public double Amplitude { get; private set; }

    /// <summary>Rows.</summary>
    public int N { get; }

    /// <summary>Input features.</summary>
    public int D { get; }

    /// <summary>d + 2: φ_0 … φ_{d−1}, log b, ψ (log of the noise relative to the mean diagonal).</summary>
    public int ParameterCount => D + 2;

    /// <summary>Evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>
    /// L/n at <paramref name="theta"/> (see remarks) and, when <paramref name="gradient"/> is not empty, its gradient
    /// in θ; NaN when K + ρI is not positive definite to working precision.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        Evaluations++;
        int n = N, d = D;
        bool wantGradient = gradient.Length > 0;
        double b = Math.Exp(theta[d]), relative = Math.Exp(theta[d + 1]);
        double[]? dp = wantGradient ? new double[(long)n * n] : null;
        double[]? dc = wantGradient ? new double[(long)n * n] : null;
        double[] a = _kernel.Kernel(_x, n, d, theta[..d], b, dp, dc);
        double meanDiag = 0;
        for (int i = 0; i < n; i++) meanDiag += a[(long)i * n + i] / n;
        double rho = relative * meanDiag;
        double maxDiag = 0;
        for (int i = 0; i < n; i++)
        {
            a[(long)i * n + i] += rho * NoiseWeight(i);
            maxDiag = Math.Max(maxDiag, a[(long)i * n + i]);
        }
        var chol = BlockedCholesky.TryFactor((double[])a.Clone(), n);
        if (chol is null || !(chol.MinPivot > SymmetricEigen.PositivityFloor(n, maxDiag))) return double.NaN;
        double[] l = chol.Factor;
        double logDet = 0;
        for (int i = 0; i < n; i++) logDet += Math.Log(l[(long)i * n + i]);
        logDet *= 2;
        double[] alpha = chol.Solve((double[])_y.Clone(), 1);
        double[] w;
        double value;
        if (LeaveOneOut)
        {
            double[] hDiag = chol.InverseDiagonal();
            double s2 = 0, logH = 0;
            for (int i = 0; i < n; i++)
            {
                s2 += alpha[i] * alpha[i] / hDiag[i] / n;
                logH += Math.Log(hDiag[i]);
            }
            if (!(s2 > 0)) return double.NaN;
            Amplitude = s2;
            value = (-0.5 * n * Math.Log(2 * Math.PI * s2) + 0.5 * logH - 0.5 * n) / n;
            if (!wantGradient) return value;
            double[] h = Inverse(chol, n);
            var hc = new double[(long)n * n];
            var u = new double[n];
            for (int i = 0; i < n; i++)
            {
                double ci = 0.5 / hDiag[i] + alpha[i] * alpha[i] / (2 * s2 * hDiag[i] * hDiag[i]);
                u[i] = alpha[i] / (s2 * hDiag[i]);
                for (int j = 0; j < n; j++) hc[(long)j * n + i] = h[(long)j * n + i] * ci; // H·diag(c)
            }
            w = new double[(long)n * n];
            Blas.Gemm(Transpose.No, Transpose.No, n, n, n, -2.0, hc, n, h, n, 0.0, w, n); // W = 2G
            double[] hu = DenseMath.Multiply(h, n, n, u, 1);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) w[(long)i * n + j] += hu[i] * alpha[j] + alpha[i] * hu[j];
            KernelInput.SymmetrizeInPlace(w, n);
        }
        else
        {
            double yAy = 0;
            for (int i = 0; i < n; i++) yAy += _y[i] * alpha[i];
            double s2 = yAy / n;
            if (!(s2 > 0)) return double.NaN;
            Amplitude = s2;
            value = (-0.5 * n * Math.Log(2 * Math.PI * s2) - 0.5 * logDet - 0.5 * n) / n;
            if (!wantGradient) return value;
            w = Inverse(chol, n); // A⁻¹, then W = ααᵀ/s² − A⁻¹
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) w[(long)i * n + j] = alpha[i] * alpha[j] / s2 - w[(long)i * n + j];
        }
        // Per feature f: Σ_ij W_ij (K_p x_if² + K_r x_jf² + K_c x_if x_jf) = 2 Σ_i x_if² Σ_j W_ij K_p,ij + Σ_i x_if (M x_f)_i, M = W∘K_c.
        var rowP = new double[n];
        var m = new double[(long)n * n];
        double sumP = 0, sumC = 0, trace = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++)
            {
                long ij = (long)i * n + j;
                s += w[ij] * dp![ij];
                m[ij] = w[ij] * dc![ij];
                sumC += m[ij];
            }
            rowP[i] = s;
            sumP += s;
            trace += w[(long)i * n + i] * NoiseWeight(i);
        }
        var mx = new double[(long)n * d];
        Blas.Gemm(Transpose.No, Transpose.No, n, d, n, 1.0, m, n, _x, d, 0.0, mx, d);
        double scale = 0.5 / n;
        for (int f = 0; f < d; f++)
        {
            double g = 0;
            for (int i = 0; i < n; i++)
            {
                double xi = _x[i * d + f];
                g += 2 * xi * xi * rowP[i] + xi * mx[i * d + f];
            }
            double vf = _kernel.WeightVariance * Math.Exp(theta[f]) / d;
            // The noise ρ = e^ψ·mean_i K_ii moves with φ_f through the diagonal: ∂K_ii/∂φ_f = (v_f/d)·x_if²·(K_p + K_r + K_c)_ii.
            double diag = 0;
            for (int i = 0; i < n; i++)
            {
                long ii = (long)i * n + i;
                diag += _x[i * d + f] * _x[i * d + f] * (2 * dp![ii] + dc![ii]);
            }
            gradient[f] = scale * vf * (g + relative * trace * diag / n);
        }
        double diagB = 0;
        for (int i = 0; i < n; i++) diagB += 2 * dp![(long)i * n + i] + dc![(long)i * n + i];
        gradient[d] = scale * b * (2 * sumP + sumC + relative * trace * diagB / n);
        gradient[d + 1] = scale * rho * trace;
        return value;
    }

    private double NoiseWeight(int i) => _noiseWeights is null ? 1.0 : _noiseWeights[i];

    private static double[] Inverse(BlockedCholesky chol, int n)
    {
        var identity = new double[(long)n * n];
        for (int i = 0; i < n; i++) identity[(long)i * n + i] = 1.0;
        double[] h = chol.Solve(identity, n);
        KernelInput.SymmetrizeInPlace(h, n);
        return h;
    }

    /// <summary>
    /// Maximizes L/n from <paramref name="start"/> by L-BFGS (MathNet.Numerics) on −L/n; returns the best point seen
    /// (never worse than the start) and its value. Parameters are kept in [−<paramref name="bound"/>, <paramref name="bound"/>]
    /// by a quadratic wall outside it (a bounded search without a constrained optimizer).
    /// </summary>
    public (double[] Theta, double Value) Maximize(double[] start, int maxIterations, double bound = 18.0)
    {
        double[] bestTheta = (double[])start.Clone();
        double bestValue = Evaluate(start, []);
        if (!double.IsFinite(bestValue)) return (bestTheta, bestValue);
        var gradient = new double[ParameterCount];
        var objective = ObjectiveFunction.Gradient(v =>
        {
            double[] theta = v.ToArray();
            double value = Evaluate(theta, gradient);
            if (!double.IsFinite(value)) return (1e6, Vector<double>.Build.Dense(ParameterCount));
            if (value > bestValue && theta.All(t => Math.Abs(t) <= bound))
            {
                bestValue = value;
                bestTheta = theta;
            }
            double f = -value;
            var g = Vector<double>.Build.Dense(ParameterCount, q => -gradient[q]);
            for (int q = 0; q < ParameterCount; q++)
            {
                double over = Math.Abs(theta[q]) - bound;
                if (over > 0)
                {
                    f += over * over;
                    g[q] += 2 * over * Math.Sign(theta[q]);
                }
            }
            return (f, g);
        });
        try
        {
            var minimizer = new LimitedMemoryBfgsMinimizer(1e-5, 1e-6, 1e-9, 10, maxIterations);
            minimizer.FindMinimum(objective, Vector<double>.Build.DenseOfArray(start));
        }
        catch (Exception e) when (e is MaximumIterationsException or EvaluationException or ArithmeticException or InnerOptimizationException)
        {
            // The best point seen so far stands (line-search failure or iteration limit).
        }
        return (bestTheta, bestValue);
    }
}
