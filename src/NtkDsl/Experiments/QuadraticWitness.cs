using NtkDsl.Regression;
using NtkDsl.Training;

namespace NtkDsl.Experiments;

/// <summary>One (α, T) cell of the quadratic witness.</summary>
/// <param name="Alpha">Output scale α.</param>
/// <param name="Horizon">T.</param>
/// <param name="SupError">sup_{τ≤T} ‖α h(w(τ)) − α h̄(w̄(τ))‖ over the recording grid.</param>
/// <param name="Kappa">κ = (T/α)·Lip(Dh)·√R0.</param>
/// <param name="Bound">min(c·κ·√R0, √(8R0)) (<see cref="LazyBounds.KappaBound"/>).</param>
/// <param name="Movement">‖w(T) − w0‖.</param>
/// <param name="MovementBound">√(T R0)/α.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct WitnessPoint(double Alpha, double Horizon, double SupError, double Kappa, double Bound,
    double Movement, double MovementBound)
{
    /// <summary>SupError/(κ√R0): the measured constant of the linear-in-κ law.</summary>
    public double ErrorOverKappa(double r0) => SupError / (Kappa * Math.Sqrt(r0));
}

/// <summary>
/// The quadratic witness of math.md §6 (issue 5 item 5): h_i(w) = (J0 w)_i + ½ wᵀ B_i w with w0 = 0 and
/// B_i = c_i·Q, Q = diag(q). Then Dh(w) = J0 + c (Q w)ᵀ, so Dh(w) − Dh(w') = c (Q(w − w'))ᵀ is rank one with operator
/// norm ‖c‖·‖Q(w − w')‖, and Lip(Dh) = ‖c‖·max|q_j| exactly (attained along the largest |q_j|). The scaled gradient flow
/// dw/dτ = −(1/α) Dh(w)ᵀ(α h(w) − y*) is integrated by RK45 with tight tolerances; the linearized flow is solved
/// exactly, y(τ) = y* − e^{−τΘ0} y* with Θ0 = J0 J0ᵀ (h(w0) = 0), from one eigendecomposition.
/// </summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class QuadraticWitness
{
    private readonly double[] _j0;
    private readonly double[] _c;
    private readonly double[] _q;
    private readonly double[] _y;

    /// <summary>A random witness: J0 entries N(0, 1/P), y* entries N(0, 1), ‖c‖ = 1 and max|q| = <paramref name="lipschitz"/>.</summary>
    /// <param name="outputs">n, the number of outputs (training points).</param>
    /// <param name="parameters">P.</param>
    /// <param name="lipschitz">Lip(Dh) ≥ 0; 0 makes the model linear (error 0).</param>
    /// <param name="seed">Random seed.</param>
    public QuadraticWitness(int outputs, int parameters, double lipschitz, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters, 1);
        if (!(lipschitz >= 0) || double.IsInfinity(lipschitz))
            throw new ArgumentOutOfRangeException(nameof(lipschitz), lipschitz, "Lip(Dh) must be finite and ≥ 0.");
        Outputs = outputs;
        Parameters = parameters;
        Lipschitz = lipschitz;
        var rng = new NormalSampler(seed);
        _j0 = new double[outputs * parameters];
        rng.FillNormal(_j0, 1 / Math.Sqrt(parameters));
        _y = new double[outputs];
        rng.FillNormal(_y, 1.0);
        _c = new double[outputs];
        rng.FillNormal(_c, 1.0);
        double cn = Math.Sqrt(_c.Sum(v => v * v));
        for (int i = 0; i < outputs; i++) _c[i] /= cn;
        _q = new double[parameters];
        rng.FillNormal(_q, 1.0);
        double qmax = _q.Max(Math.Abs);
        for (int j = 0; j < parameters; j++) _q[j] *= lipschitz / qmax;
    }

    /// <summary>n.</summary>
    public int Outputs { get; }

    /// <summary>P.</summary>
    public int Parameters { get; }

    /// <summary>Lip(Dh), exact by construction.</summary>
    public double Lipschitz { get; }

    /// <summary>The targets y*.</summary>
    public IReadOnlyList<double> Target => _y;

    /// <summary>R0 = ½‖α h(0) − y*‖² = ½‖y*‖².</summary>
    public double R0 => 0.5 * _y.Sum(v => v * v);

    /// <summary>h(w) = J0 w + ½ c (wᵀ Q w).</summary>
    public double[] Evaluate(ReadOnlySpan<double> w)
    {
        CheckLength(w.Length);
        double quad = 0;
        for (int j = 0; j < Parameters; j++) quad += _q[j] * w[j] * w[j];
        var h = new double[Outputs];
        for (int i = 0; i < Outputs; i++)
        {
            double s = 0;
            for (int j = 0; j < Parameters; j++) s += _j0[i * Parameters + j] * w[j];
            h[i] = s + 0.5 * _c[i] * quad;
        }
        return h;
    }

    /// <summary>Dh(w) = J0 + c (Q w)ᵀ, row-major n × P.</summary>
    public double[] Jacobian(ReadOnlySpan<double> w)
    {
        CheckLength(w.Length);
        var d = (double[])_j0.Clone();
        for (int i = 0; i < Outputs; i++)
            for (int j = 0; j < Parameters; j++) d[i * Parameters + j] += _c[i] * _q[j] * w[j];
        return d;
    }

    /// <summary>
    /// Integrates both flows for every α up to the largest horizon, recording on a uniform grid of
    /// <paramref name="gridPoints"/> times per horizon span, and reports the sup error up to each horizon with κ and
    /// the bound.
    /// </summary>
    public IReadOnlyList<WitnessPoint> Run(IReadOnlyList<double> alphas, IReadOnlyList<double> horizons, int gridPoints = 200,
        double relativeTolerance = 1e-11, double absoluteTolerance = 1e-13, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alphas);
        ArgumentNullException.ThrowIfNull(horizons);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridPoints, 2);
        if (horizons.Count == 0 || horizons.Any(h => !(h > 0) || double.IsInfinity(h)))
            throw new ArgumentException("Horizons must be finite and > 0.", nameof(horizons));
        if (alphas.Count == 0 || alphas.Any(a => !(a > 0) || double.IsInfinity(a)))
            throw new ArgumentException("Output scales α must be finite and > 0.", nameof(alphas));
        double tMax = horizons.Max();
        var times = Enumerable.Range(0, gridPoints + 1).Select(i => tMax * i / gridPoints).Union(horizons).Order().ToArray();
        var linear = LinearOutputs(times);
        var result = new List<WitnessPoint>();
        foreach (double alpha in alphas)
        {
            Func<double[], double[]> field = w =>
            {
                var h = Evaluate(w);
                var r = new double[Outputs];
                for (int i = 0; i < Outputs; i++) r[i] = alpha * h[i] - _y[i];
                // −(1/α) Dh(w)ᵀ r = −(1/α)(J0ᵀ r + (Q w)(cᵀ r))
                double cr = 0;
                for (int i = 0; i < Outputs; i++) cr += _c[i] * r[i];
                var g = new double[Parameters];
                for (int i = 0; i < Outputs; i++)
                    for (int j = 0; j < Parameters; j++) g[j] += _j0[i * Parameters + j] * r[i];
                for (int j = 0; j < Parameters; j++) g[j] = -(g[j] + _q[j] * w[j] * cr) / alpha;
                return g;
            };
            var ws = GradientFlow.Integrate(field, new double[Parameters], times, relativeTolerance, absoluteTolerance, cancellationToken);
            var err = new double[times.Length];
            for (int k = 0; k < times.Length; k++)
            {
                var h = Evaluate(ws[k]);
                double s = 0;
                for (int i = 0; i < Outputs; i++) s += (alpha * h[i] - linear[k][i]) * (alpha * h[i] - linear[k][i]);
                err[k] = Math.Sqrt(s);
            }
            foreach (double horizon in horizons)
            {
                int kT = Array.IndexOf(times, horizon);
                double sup = 0;
                for (int k = 0; k <= kT; k++) sup = Math.Max(sup, err[k]);
                double movement = Math.Sqrt(ws[kT].Sum(v => v * v));
                double kappa = LazyBounds.Kappa(horizon, alpha, Lipschitz, R0);
                result.Add(new WitnessPoint(alpha, horizon, sup, kappa, LazyBounds.KappaBound(kappa, R0), movement,
                    LazyBounds.MovementBound(horizon, R0, alpha)));
            }
        }
        return result;
    }

    /// <summary>The linearized flow's outputs α h̄(w̄(τ)) = y* − e^{−τΘ0} y*, exactly.</summary>
    public double[][] LinearOutputs(IReadOnlyList<double> times)
    {
        ArgumentNullException.ThrowIfNull(times);
        int n = Outputs, p = Parameters;
        var theta = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < p; k++) s += _j0[i * p + k] * _j0[j * p + k];
                theta[i * n + j] = theta[j * n + i] = s;
            }
        var eig = SymmetricEigen.Of(theta, n);
        var coeff = new double[n]; // Vᵀ y*
        for (int a = 0; a < n; a++)
            for (int i = 0; i < n; i++) coeff[a] += eig.Vectors[i * n + a] * _y[i];
        var result = new double[times.Count][];
        for (int t = 0; t < times.Count; t++)
        {
            var y = (double[])_y.Clone();
            for (int a = 0; a < n; a++)
            {
                double decay = Math.Exp(-times[t] * Math.Max(eig.Values[a], 0)) * coeff[a];
                for (int i = 0; i < n; i++) y[i] -= eig.Vectors[i * n + a] * decay;
            }
            result[t] = y;
        }
        return result;
    }

    private void CheckLength(int length)
    {
        if (length != Parameters)
            throw new ArgumentException($"The witness has {Parameters} parameters but {length} values were given.");
    }
}
