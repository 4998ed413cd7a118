namespace NtkDsl.Wntk;

/// <summary>
/// Centred kernel–target alignment (Cortes, Mohri, Rostamizadeh 2012), maximized:
/// A(w) = ⟨K_c, Y_c Y_cᵀ⟩ / (‖K_c‖_F·‖Y_c Y_cᵀ‖_F), K_c = C·Θ_w·C, C = I − 11ᵀ/n, Y_c = C·Y.
/// It does not depend on the ridge, and it is invariant to scaling w.
/// </summary>
/// <remarks>
/// Θ_w is linear in w, so with a_g = ⟨Θ^g_c, Y_c Y_cᵀ⟩ and M_gh = ⟨Θ^g_c, Θ^h_c⟩ (computed once per problem),
/// A(w) = aᵀw / (√(wᵀMw)·‖Y_c Y_cᵀ‖_F) and ∇A = (a − A·‖Y_c Y_cᵀ‖_F·M·w/√(wᵀMw)) / (√(wᵀMw)·‖Y_c Y_cᵀ‖_F).
/// <para>Thread safety: not thread-safe: it caches the last problem's matrices between evaluations; use one instance per concurrent learner.</para>
/// </remarks>
public sealed class KernelTargetAlignmentObjective : IWntkObjective
{
    private WntkProblem? _cached;
    private double[] _a = [];
    private double[,] _m = new double[0, 0];
    private double _yNorm;

    /// <inheritdoc />
    public string Name => "centred kernel-target alignment";

    /// <inheritdoc />
    public ObjectiveDirection Direction => ObjectiveDirection.Maximize;

    /// <inheritdoc />
    public bool UsesRidge => false;

    /// <inheritdoc />
    public double Evaluate(WntkProblem problem, ReadOnlySpan<double> weights, double ridge, Span<double> weightGradient, out double ridgeGradient)
    {
        ArgumentNullException.ThrowIfNull(problem);
        WntkChecks.Point(problem, weights, ridge, weightGradient);
        Prepare(problem);
        int gCount = problem.GroupCount;
        ridgeGradient = 0;
        double aw = 0, wmw = 0;
        var mw = new double[gCount];
        for (int g = 0; g < gCount; g++)
        {
            aw += _a[g] * weights[g];
            for (int h = 0; h < gCount; h++) mw[g] += _m[g, h] * weights[h];
            wmw += weights[g] * mw[g];
        }
        if (wmw <= 0 || _yNorm == 0)
        {
            weightGradient.Clear();
            return 0;
        }
        double norm = Math.Sqrt(wmw) * _yNorm;
        double value = aw / norm;
        for (int g = 0; g < gCount; g++) weightGradient[g] = (_a[g] - value * _yNorm * mw[g] / Math.Sqrt(wmw)) / norm;
        return value;
    }

    private void Prepare(WntkProblem problem)
    {
        if (ReferenceEquals(problem, _cached)) return;
        int n = problem.Size, k = problem.Outputs, gCount = problem.GroupCount;
        var yc = (double[])problem.Targets.Clone();
        for (int c = 0; c < k; c++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += yc[i * k + c];
            mean /= n;
            for (int i = 0; i < n; i++) yc[i * k + c] -= mean;
        }
        var centred = problem.Blocks.Select(b => Centre(b, n)).ToArray();
        var a = new double[gCount];
        for (int g = 0; g < gCount; g++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double yy = 0;
                    for (int c = 0; c < k; c++) yy += yc[i * k + c] * yc[j * k + c];
                    a[g] += centred[g][i * n + j] * yy;
                }
        var m = new double[gCount, gCount];
        for (int g = 0; g < gCount; g++)
            for (int h = 0; h <= g; h++) m[g, h] = m[h, g] = SpdInverse.Dot(centred[g], centred[h]);
        double ySq = 0; // ‖Y_c Y_cᵀ‖_F² = ‖Y_cᵀ Y_c‖_F²
        for (int c1 = 0; c1 < k; c1++)
            for (int c2 = 0; c2 < k; c2++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += yc[i * k + c1] * yc[i * k + c2];
                ySq += s * s;
            }
        _a = a;
        _m = m;
        _yNorm = Math.Sqrt(ySq);
        _cached = problem;
    }

    private static double[] Centre(double[] b, int n)
    {
        var row = new double[n];
        double all = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) row[i] += b[i * n + j];
            all += row[i];
            row[i] /= n;
        }
        all /= (double)n * n;
        var c = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) c[i * n + j] = b[i * n + j] - row[i] - row[j] + all; // symmetric: column mean = row mean
        return c;
    }
}
