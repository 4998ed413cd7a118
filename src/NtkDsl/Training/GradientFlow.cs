namespace NtkDsl.Training;

/// <summary>Statistics of an adaptive integration.</summary>
/// <param name="Accepted">Accepted steps.</param>
/// <param name="Rejected">Rejected steps.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct IntegrationStats(int Accepted, int Rejected);

/// <summary>
/// Continuous-time gradient flow dw/dt = −D·∇F(w) integrated with the Dormand–Prince 5(4) pair and step-size
/// control (relative and absolute tolerances on w), hitting every requested output time exactly. Hand-written: no
/// served package integrates a user-supplied vector field at this size without copying through its own types.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread. The vector field you pass is called on the calling thread only.</remarks>
public static class GradientFlow
{
    private static readonly double[] C = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1];
    private static readonly double[][] A =
    [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ];
    private static readonly double[] B5 = [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0];
    private static readonly double[] B4 = [5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40];

    /// <summary>
    /// Integrates dw/dt = <paramref name="field"/>(w) from w0 at t = 0 and returns w at every time in
    /// <paramref name="times"/> (non-negative, ascending).
    /// </summary>
    public static double[][] Integrate(Func<double[], double[]> field, double[] w0, IReadOnlyList<double> times,
        double relativeTolerance = 1e-8, double absoluteTolerance = 1e-10, CancellationToken cancellationToken = default)
        => Integrate(field, w0, times, out _, relativeTolerance, absoluteTolerance, cancellationToken);

    /// <summary>As <see cref="Integrate(Func{double[], double[]}, double[], IReadOnlyList{double}, double, double, CancellationToken)"/>, reporting step counts.</summary>
    public static double[][] Integrate(Func<double[], double[]> field, double[] w0, IReadOnlyList<double> times, out IntegrationStats stats,
        double relativeTolerance = 1e-8, double absoluteTolerance = 1e-10, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(w0);
        ArgumentNullException.ThrowIfNull(times);
        for (int i = 0; i < times.Count; i++)
            if (!(times[i] >= 0) || double.IsInfinity(times[i]) || (i > 0 && times[i] < times[i - 1]))
                throw new ArgumentException("Output times must be finite, non-negative and ascending.", nameof(times));
        int n = w0.Length;
        var w = (double[])w0.Clone();
        var result = new double[times.Count][];
        double t = 0, h = 1e-3;
        var k = new double[7][];
        var tmp = new double[n];
        int accepted = 0, rejected = 0;
        int next = 0;
        while (next < times.Count && times[next] == 0) result[next++] = (double[])w.Clone();
        var f0 = field(w);
        while (next < times.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double target = times[next];
            // Clamp the step to land on the output time, but remember the controller's proposal so that hitting an
            // output time does not shrink the following steps.
            double proposal = h;
            bool clamped = h >= target - t;
            if (clamped) h = target - t;
            k[0] = f0;
            for (int s = 1; s < 7; s++)
            {
                for (int i = 0; i < n; i++)
                {
                    double acc = w[i];
                    for (int j = 0; j < s; j++) acc += h * A[s][j] * k[j][i];
                    tmp[i] = acc;
                }
                k[s] = field((double[])tmp.Clone());
            }
            double err = 0;
            var w5 = new double[n];
            for (int i = 0; i < n; i++)
            {
                double y5 = w[i], y4 = w[i];
                for (int s = 0; s < 7; s++)
                {
                    y5 += h * B5[s] * k[s][i];
                    y4 += h * B4[s] * k[s][i];
                }
                w5[i] = y5;
                double scale = absoluteTolerance + relativeTolerance * Math.Max(Math.Abs(w[i]), Math.Abs(y5));
                double e = (y5 - y4) / scale;
                err += e * e;
            }
            err = Math.Sqrt(err / Math.Max(1, n));
            // A non-finite trial (too long a step into a region where the field blows up) is rejected and retried
            // with a shorter step; a field that is non-finite everywhere nearby ends in the underflow error below.
            if (!double.IsFinite(err)) err = double.PositiveInfinity;
            if (err <= 1.0)
            {
                t += h;
                w = w5;
                f0 = k[6]; // FSAL: the last stage is the field at the new point
                accepted++;
                if (Math.Abs(t - target) <= 1e-12 * Math.Max(1, target))
                {
                    t = target;
                    while (next < times.Count && times[next] == target) result[next++] = (double[])w.Clone();
                }
            }
            else
            {
                rejected++;
            }
            double factor = err == 0 ? 5 : Math.Clamp(0.9 * Math.Pow(err, -0.2), 0.2, 5);
            h = clamped && err <= 1.0 ? Math.Max(h * factor, proposal) : h * factor;
            if (h < 1e-14 * Math.Max(1, t))
                throw new TrainingDivergedException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Gradient flow step size underflowed at t = {t:G6}: the field is not finite there or the flow is too stiff for the tolerances (relative {relativeTolerance:G3}, absolute {absoluteTolerance:G3}); lower the learning rate or loosen the tolerances."));
        }
        stats = new IntegrationStats(accepted, rejected);
        return result;
    }

    /// <summary>The preconditioned gradient-flow field −η·D·∇F(w) of an objective.</summary>
    public static Func<double[], double[]> Field(SquareLossObjective objective, double learningRate, double[]? precondition = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return w =>
        {
            double[] g;
            // An overflowing trial stage is a rejected step for the adaptive integrator (NaN error), not a failure.
            try { (_, g) = objective.LossAndGradient(w); }
            catch (NonFiniteResultException) { g = new double[w.Length]; Array.Fill(g, double.NaN); return g; }
            for (int i = 0; i < g.Length; i++) g[i] = -learningRate * (precondition?[i] ?? 1.0) * g[i];
            return g;
        };
    }
}
