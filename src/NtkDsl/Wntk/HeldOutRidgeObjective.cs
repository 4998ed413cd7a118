using System.Globalization;
using NtkDsl.Kernels;
using NtkDsl.Regression;

namespace NtkDsl.Wntk;

/// <summary>
/// Held-out kernel-ridge loss: fit on the rows not in the validation set with Θ_w + λI and score the validation rows,
/// L(w, λ) = (1/(mK)) Σ (y_v − Θ_w[v, t]·α)², α = (Θ_w[t, t] + λI)^{-1} y_t.
/// </summary>
/// <remarks>
/// Gradient (derivation): with e = y_v − Θ_w[v, t]·α, H = (Θ_w[t, t] + λI)^{-1} and β = H·Θ_w[v, t]ᵀ·e,
/// de = −dΘ[v, t]·α + Θ_w[v, t]·H·dA·α, so ∂L/∂w_g = (2/(mK))·(⟨Θ^g[t, t], β·αᵀ⟩ − ⟨Θ^g[v, t], e·αᵀ⟩) and
/// ∂L/∂λ = (2/(mK))·⟨β, α⟩.
/// <para>Thread safety: holds only its validation split; concurrent evaluations allocate their own buffers.</para>
/// </remarks>
public sealed class HeldOutRidgeObjective : IWntkObjective
{
    private readonly int[] _validation;

    /// <summary>Uses the given rows (0-based, distinct, at least one, not all) as the validation set.</summary>
    public HeldOutRidgeObjective(IReadOnlyList<int> validationRows)
    {
        ArgumentNullException.ThrowIfNull(validationRows);
        _validation = validationRows.Distinct().Order().ToArray();
        if (_validation.Length == 0) throw new ArgumentException("HeldOutRidgeObjective: the validation set is empty; pass at least one row index.", nameof(validationRows));
        if (_validation[0] < 0) throw new ArgumentOutOfRangeException(nameof(validationRows), _validation[0], "HeldOutRidgeObjective: row indices must be ≥ 0.");
    }

    /// <summary>A validation set of round(fraction·n) rows drawn deterministically from <paramref name="seed"/>.</summary>
    public static HeldOutRidgeObjective Random(int rows, double fraction = 0.2, long seed = 0)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must lie in (0, 1).");
        int m = Math.Clamp((int)Math.Round(fraction * rows), 1, rows - 1);
        var folds = RidgeSelection.FoldIndices(rows, Math.Max(2, (int)Math.Round(rows / (double)m)), seed);
        return new HeldOutRidgeObjective(folds[0]);
    }

    /// <summary>The validation rows, ascending.</summary>
    public IReadOnlyList<int> ValidationRows => _validation;

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"held-out kernel-ridge loss ({_validation.Length} validation rows)");

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
        if (_validation[^1] >= n || _validation.Length >= n)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"HeldOutRidgeObjective: the validation rows must be a proper subset of the {n} training rows (largest index {_validation[^1]}, count {_validation.Length})."), nameof(problem));
        int[] v = _validation, t = Enumerable.Range(0, n).Except(v).ToArray();
        int m = v.Length, nt = t.Length;
        double[] full = problem.Combine(weights, 0.0);
        double[] ktt = DenseMath.Submatrix(full, n, t, t);
        for (int i = 0; i < nt; i++) ktt[i * nt + i] += ridge;
        double[] kvt = DenseMath.Submatrix(full, n, v, t);
        int[] cols = Enumerable.Range(0, k).ToArray();
        double[] yt = DenseMath.Submatrix(problem.Targets, k, t, cols), yv = DenseMath.Submatrix(problem.Targets, k, v, cols);
        ridgeGradient = double.NaN;
        double[]? h = SpdInverse.Of(ktt, nt);
        if (h is null) return double.NaN;
        double[] alpha = DenseMath.Multiply(h, nt, nt, yt, k);
        double[] pred = DenseMath.Multiply(kvt, m, nt, alpha, k);
        var e = new double[m * k];
        double loss = 0;
        for (int i = 0; i < e.Length; i++)
        {
            e[i] = yv[i] - pred[i];
            loss += e[i] * e[i];
        }
        double scale = 2.0 / ((double)m * k);
        loss /= (double)m * k;
        double[] beta = DenseMath.Multiply(h, nt, nt, DenseMath.MultiplyTransposed(kvt, m, nt, e, k), k);
        var pt = new double[nt * nt];
        Blas.Gemm(Transpose.No, Transpose.Yes, nt, nt, k, 1.0, beta, k, alpha, k, 0.0, pt, nt);
        var pv = new double[m * nt];
        Blas.Gemm(Transpose.No, Transpose.Yes, m, nt, k, 1.0, e, k, alpha, k, 0.0, pv, nt);
        for (int g = 0; g < problem.GroupCount; g++)
        {
            double[] b = problem.Blocks[g];
            weightGradient[g] = scale * (SpdInverse.Dot(DenseMath.Submatrix(b, n, t, t), pt) - SpdInverse.Dot(DenseMath.Submatrix(b, n, v, t), pv));
        }
        ridgeGradient = scale * SpdInverse.Dot(beta, alpha);
        return loss;
    }
}
