using NtkDsl.Kernels;
using NtkDsl.Regression;

namespace NtkDsl.Wntk;

/// <summary>
/// Closed-form leave-one-out kernel-ridge loss L(w, λ) = (1/(nK)) Σ_{i,c} r_ic², r_ic = [H y_c]_i / H_ii with
/// H = (Θ_w + λI)^{-1} — the exact mean squared error of refitting without each row in turn.
/// </summary>
/// <remarks>
/// Gradient (derivation): with α = H·Y, dα = −H·dA·α and dH_ii = −(H·dA·H)_ii for dA = Σ_g dw_g Θ^g + dλ·I, so
/// dr_ic = [−(H dA α)_ic + r_ic (H dA H)_ii]/H_ii. Writing u_ic = r_ic/H_ii and d_i = Σ_c u_ic r_ic,
/// dL = (2/(nK))·⟨G, dA⟩ with G = H·diag(d)·H − (H·u)·αᵀ. Hence ∂L/∂w_g = (2/(nK))·⟨G, Θ^g⟩ and
/// ∂L/∂λ = (2/(nK))·tr G. One Cholesky inverse and one n × n product per evaluation.
/// <para>Thread safety: holds no state between evaluations; safe to share.</para>
/// </remarks>
public sealed class LeaveOneOutRidgeObjective : IWntkObjective
{
    /// <inheritdoc />
    public string Name => "leave-one-out kernel-ridge loss";

    /// <inheritdoc />
    public ObjectiveDirection Direction => ObjectiveDirection.Minimize;

    /// <inheritdoc />
    public bool UsesRidge => true;

    /// <inheritdoc />
    public double Evaluate(WntkProblem problem, ReadOnlySpan<double> weights, double ridge, Span<double> weightGradient, out double ridgeGradient)
    {
        ArgumentNullException.ThrowIfNull(problem);
        WntkChecks.Point(problem, weights, ridge, weightGradient);
        int n = problem.Size, k = problem.Outputs;
        ridgeGradient = double.NaN;
        double[]? h = SpdInverse.Of(problem.Combine(weights, ridge), n);
        if (h is null) return double.NaN;
        double[] alpha = DenseMath.Multiply(h, n, n, problem.Targets, k);
        var u = new double[n * k];
        var d = new double[n];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            double hii = h[i * n + i];
            for (int c = 0; c < k; c++)
            {
                double r = alpha[i * k + c] / hii;
                loss += r * r;
                u[i * k + c] = r / hii;
                d[i] += u[i * k + c] * r;
            }
        }
        double scale = 2.0 / ((double)n * k);
        loss /= (double)n * k;
        // G = H diag(d) H − (H u) αᵀ
        var hd = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) hd[i * n + j] = h[i * n + j] * d[j];
        double[] hu = DenseMath.Multiply(h, n, n, u, k);
        var g = new double[n * n];
        Blas.Gemm(Transpose.No, Transpose.No, n, n, n, 1.0, hd, n, h, n, 0.0, g, n);
        Blas.Gemm(Transpose.No, Transpose.Yes, n, n, k, -1.0, hu, k, alpha, k, 1.0, g, n);
        for (int b = 0; b < problem.GroupCount; b++) weightGradient[b] = scale * SpdInverse.Dot(g, problem.Blocks[b]);
        double tr = 0;
        for (int i = 0; i < n; i++) tr += g[i * n + i];
        ridgeGradient = scale * tr;
        return loss;
    }
}
