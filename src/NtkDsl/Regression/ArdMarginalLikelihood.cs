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
/// variances σ_w²·e^{φ_f}), log b (first bias variance), log ρ (noise variance relative to the amplitude s²).
/// With A = K + ρI, α = A⁻¹y and the closed-form amplitude s² = yᵀα/n, the profile log likelihood is
/// L = −(n/2)·log(2π·s²) − ½·log|A| − n/2 (R&amp;W eq. 5.8 with s² maximized out). Its derivative along any
/// change dA is ½·tr(W·dA) with W = ααᵀ/s² − A⁻¹ (R&amp;W eq. 5.9; the s² term vanishes at the optimum s²):
/// dA = ∂K/∂φ_f, ∂K/∂log b = b·∂K/∂b (from <see cref="ArdReluKernel"/>) and ∂A/∂log ρ = ρI.
/// <see cref="Evaluate"/> returns L/n and its gradient (per row, so depths and subsets compare).</para>
/// <para>Cost per evaluation: the kernel with derivatives O(n²·(d + depth)), one Cholesky factorization and the
/// inverse, O(n³).</para>
/// </remarks>
internal sealed class ArdMarginalLikelihood
{
    private readonly double[] _x, _y;
    private readonly ArdReluKernel _kernel;

    /// <summary>The problem on standardized rows x (row-major n × d) and targets y (length n).</summary>
    public ArdMarginalLikelihood(double[] x, double[] y, int n, int d, ArdReluKernel kernel)
    {
        _x = x;
        _y = y;
        N = n;
        D = d;
        _kernel = kernel;
    }

    /// <summary>Rows.</summary>
    public int N { get; }

    /// <summary>Input features.</summary>
    public int D { get; }

    /// <summary>d + 2: φ_0 … φ_{d−1}, log b, log ρ.</summary>
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
        double b = Math.Exp(theta[d]), rho = Math.Exp(theta[d + 1]);
        double[]? dp = wantGradient ? new double[(long)n * n] : null;
        double[]? dc = wantGradient ? new double[(long)n * n] : null;
        double[] a = _kernel.Kernel(_x, n, d, theta[..d], b, dp, dc);
        double maxDiag = 0;
        for (int i = 0; i < n; i++)
        {
            a[(long)i * n + i] += rho;
            maxDiag = Math.Max(maxDiag, a[(long)i * n + i]);
        }
        var chol = BlockedCholesky.TryFactor((double[])a.Clone(), n);
        if (chol is null || !(chol.MinPivot > SymmetricEigen.PositivityFloor(n, maxDiag))) return double.NaN;
        double[] l = chol.Factor;
        double logDet = 0;
        for (int i = 0; i < n; i++) logDet += Math.Log(l[(long)i * n + i]);
        logDet *= 2;
        double[] alpha = chol.Solve((double[])_y.Clone(), 1);
        double yAy = 0;
        for (int i = 0; i < n; i++) yAy += _y[i] * alpha[i];
        double s2 = yAy / n;
        if (!(s2 > 0)) return double.NaN;
        double value = (-0.5 * n * Math.Log(2 * Math.PI * s2) - 0.5 * logDet - 0.5 * n) / n;
        if (!wantGradient) return value;

        var identity = new double[(long)n * n];
        for (int i = 0; i < n; i++) identity[(long)i * n + i] = 1.0;
        double[] w = chol.Solve(identity, n); // A⁻¹, then W = ααᵀ/s² − A⁻¹
        KernelInput.SymmetrizeInPlace(w, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) w[(long)i * n + j] = alpha[i] * alpha[j] / s2 - w[(long)i * n + j];
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
            trace += w[(long)i * n + i];
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
            gradient[f] = scale * vf * g;
        }
        gradient[d] = scale * b * (2 * sumP + sumC);
        gradient[d + 1] = scale * rho * trace;
        return value;
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
