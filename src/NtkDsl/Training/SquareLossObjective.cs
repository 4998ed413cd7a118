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
    /// the Hessian seen by gradient descent), by power iteration with VJP/JVP at <paramref name="w"/>; GD with step η
    /// on the linearized model is stable iff η &lt; 2/λ_max.
    /// </summary>
    public double MaxCurvature(double[] precondition, double[] w, int iterations)
    {
        ArgumentNullException.ThrowIfNull(precondition);
        _model.SetParameters(w);
        int n = _y.Length;
        var v = new double[n];
        var rng = new NormalSampler(12345);
        rng.FillNormal(v, 1.0);
        double lambda = 0;
        for (int it = 0; it < iterations; it++)
        {
            double norm = Math.Sqrt(v.Sum(a => a * a));
            if (norm == 0) return 0;
            for (int i = 0; i < n; i++) v[i] /= norm;
            var cot = Tensor.Wrap((double[])v.Clone(), _x.Rows, _model.Info.Outputs);
            if (_x.DType == DType.Float32) cot = cot.To(DType.Float32);
            var jt = _model.Vjp(_x, cot).ToFlatArray();
            for (int p = 0; p < jt.Length; p++) jt[p] *= precondition[p];
            var t = Tensor.Wrap(jt, jt.Length);
            if (_x.DType == DType.Float32) t = t.To(DType.Float32);
            var jv = _model.Jvp(_x, t).ToFlatArray();
            double dot = 0;
            for (int i = 0; i < n; i++)
            {
                jv[i] *= _alpha * _alpha / (n * _alpha * _alpha); // α cancels: the function-space operator is (1/N)·J·D·Jᵀ
                dot += jv[i] * v[i];
            }
            lambda = dot;
            v = jv;
        }
        return lambda;
    }
}
