namespace NtkDsl.Training;

/// <summary>
/// F(w) = (1/α²)·(1/2N)·‖α·h(x; w) − y‖² with h = f or f − f(·; w0) (centred), N = rows·K, and its gradient by one VJP.
/// </summary>
/// <remarks>Thread safety: not thread-safe: evaluating it sets parameters on its model, so it needs that model alone (a conflicting call throws <see cref="ConcurrentModelAccessException"/>); use one objective per model clone to evaluate in parallel.</remarks>
public sealed class SquareLossObjective
{
    private readonly IDifferentiableModel _model;
    private readonly Tensor _x;
    private readonly double[] _y;
    private readonly double[]? _f0;
    private readonly double _alpha;

    /// <summary>The objective of <paramref name="model"/> on (x, y); when centred, f(x; w0) is taken at the current parameters.</summary>
    public SquareLossObjective(IDifferentiableModel model, Tensor x, Tensor y, double alpha, bool centered)
        : this(model, x, y.ToFlatArray(), alpha, centered ? model?.Forward(x).ToFlatArray() : null)
    {
    }

    private SquareLossObjective(IDifferentiableModel model, Tensor x, double[] y, double alpha, double[]? f0)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _x = x;
        _y = y;
        _alpha = alpha;
        _f0 = f0;
    }

    /// <summary>N = rows·K, the loss normalization.</summary>
    public int Count => _y.Length;

    /// <summary>The same objective restricted to some rows (mini-batches).</summary>
    public SquareLossObjective Subset(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int k = _model.Info.Outputs, d = _x.Columns;
        var xs = new double[rows.Length * d];
        var ys = new double[rows.Length * k];
        var f0 = _f0 is null ? null : new double[rows.Length * k];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int j = 0; j < d; j++) xs[r * d + j] = _x.GetFlat((long)rows[r] * d + j);
            Array.Copy(_y, rows[r] * k, ys, r * k, k);
            if (f0 is not null) Array.Copy(_f0!, rows[r] * k, f0, r * k, k);
        }
        var xt = _x.DType == DType.Float64 ? Tensor.Wrap(xs, rows.Length, d) : Tensor.Wrap(xs, rows.Length, d).To(DType.Float32);
        return new SquareLossObjective(_model, xt, ys, _alpha, f0);
    }

    /// <summary>The outputs α·h(x; w) at parameters <paramref name="w"/> (sets them on the model).</summary>
    public double[] Outputs(ReadOnlySpan<double> w)
    {
        _model.SetParameters(w);
        var f = _model.Forward(_x).ToFlatArray();
        for (int i = 0; i < f.Length; i++) f[i] = _alpha * (f[i] - (_f0?[i] ?? 0.0));
        return f;
    }

    /// <summary>F(w).</summary>
    public double Loss(ReadOnlySpan<double> w)
    {
        var g = Outputs(w);
        double s = 0;
        for (int i = 0; i < g.Length; i++) s += (g[i] - _y[i]) * (g[i] - _y[i]);
        return s / (2.0 * _alpha * _alpha * g.Length);
    }

    /// <summary>F(w) and ∇F(w) = (1/(αN))·J(x; w)ᵀ(α·h − y).</summary>
    public (double Loss, double[] Gradient) LossAndGradient(ReadOnlySpan<double> w)
    {
        var g = Outputs(w);
        double s = 0;
        var u = new double[g.Length];
        for (int i = 0; i < g.Length; i++)
        {
            double r = g[i] - _y[i];
            s += r * r;
            u[i] = r / (_alpha * g.Length);
        }
        var cot = Tensor.Wrap(u, _x.Rows, _model.Info.Outputs);
        if (_x.DType == DType.Float32) cot = cot.To(DType.Float32);
        var grad = _model.Vjp(_x, cot).ToFlatArray();
        return (s / (2.0 * _alpha * _alpha * g.Length), grad);
    }

    /// <summary>
    /// λ_max of the preconditioned curvature operator v ↦ (1/N)·J·D·Jᵀ·v in function space (the Gauss–Newton part of
    /// the Hessian seen by gradient descent; α cancels), at <paramref name="w"/>; GD with step η on the linearized model
    /// is stable iff η &lt; 2/λ_max. Computed by the Lanczos method with full reorthogonalization (one VJP and one JVP
    /// per step; the largest eigenvalue of the tridiagonal matrix, by MathNet.Numerics): it stops when that value changes
    /// by less than 1e-10 relative, when the Krylov space is exhausted (then it is exact), or after
    /// <paramref name="maxSteps"/> steps. Like any Ritz value it can only be at or below λ_max, but its error falls like
    /// exp(−4k·√gap) rather than the power method's (λ₂/λ₁)^(2k), so close top eigenvalues no longer leave it several
    /// tenths of a percent low (Golub &amp; Van Loan, Matrix Computations, §10.1).
    /// </summary>
    /// <returns>λ_max (≥ 0; 0 when the operator is zero).</returns>
    public double MaxCurvature(double[] precondition, double[] w, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(precondition);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        _model.SetParameters(w);
        int n = _y.Length;
        int steps = Math.Min(maxSteps, n);
        var basis = new List<double[]>(steps);
        var diagonal = new List<double>(steps);
        var offDiagonal = new List<double>(steps);
        var v = new double[n];
        new NormalSampler(12345).FillNormal(v, 1.0);
        if (!Normalize(v)) return 0;
        double theta = 0;
        for (int j = 0; j < steps; j++)
        {
            basis.Add(v);
            var u = Apply(v, precondition, n);
            diagonal.Add(NtkDsl.Wntk.SpdInverse.Dot(u, v));
            // Full reorthogonalization against the whole basis, twice (classical Gram–Schmidt loses orthogonality once).
            for (int pass = 0; pass < 2; pass++)
                foreach (var q in basis)
                {
                    double c = NtkDsl.Wntk.SpdInverse.Dot(u, q);
                    for (int i = 0; i < n; i++) u[i] -= c * q[i];
                }
            double previous = theta;
            theta = LargestEigenvalue(diagonal, offDiagonal);
            double beta = Math.Sqrt(NtkDsl.Wntk.SpdInverse.Dot(u, u));
            bool exhausted = beta <= 1e-12 * Math.Max(Math.Abs(theta), double.Epsilon);
            if (exhausted || j + 1 == steps || j > 0 && Math.Abs(theta - previous) <= 1e-10 * Math.Abs(theta)) break;
            offDiagonal.Add(beta);
            for (int i = 0; i < n; i++) u[i] /= beta;
            v = u;
        }
        return Math.Max(theta, 0);
    }

    /// <summary>(1/N)·J·D·Jᵀ·v by one VJP and one JVP at the current parameters.</summary>
    private double[] Apply(double[] v, double[] precondition, int n)
    {
        var cot = Tensor.Wrap((double[])v.Clone(), _x.Rows, _model.Info.Outputs);
        if (_x.DType == DType.Float32) cot = cot.To(DType.Float32);
        var jt = _model.Vjp(_x, cot).ToFlatArray();
        for (int p = 0; p < jt.Length; p++) jt[p] *= precondition[p];
        var t = Tensor.Wrap(jt, jt.Length);
        if (_x.DType == DType.Float32) t = t.To(DType.Float32);
        var jv = _model.Jvp(_x, t).ToFlatArray();
        for (int i = 0; i < n; i++) jv[i] /= n;
        return jv;
    }

    private static bool Normalize(double[] v)
    {
        double norm = Math.Sqrt(NtkDsl.Wntk.SpdInverse.Dot(v, v));
        if (norm == 0) return false;
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
        return true;
    }

    /// <summary>The largest eigenvalue of the symmetric tridiagonal matrix with this diagonal and off-diagonal.</summary>
    private static double LargestEigenvalue(List<double> diagonal, List<double> offDiagonal)
    {
        int m = diagonal.Count;
        if (m == 1) return diagonal[0];
        var t = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(m, m);
        for (int i = 0; i < m; i++)
        {
            t[i, i] = diagonal[i];
            if (i + 1 < m) t[i, i + 1] = t[i + 1, i] = offDiagonal[i];
        }
        return t.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Max(e => e.Real);
    }
}
