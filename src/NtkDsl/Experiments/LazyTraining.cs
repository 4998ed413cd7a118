using NtkDsl.Regression;
using NtkDsl.Training;

namespace NtkDsl.Experiments;

/// <summary>
/// The lazy-training experiment of math.md §6 (Chizat, Oyallon, Bach 2019; Boix-Adsera, Littwin 2023): for each output
/// scale α, train the α-scaled centred network α·(f(x; w) − f(x; w0)) and its linearization around the same w0 on the
/// square loss, both by the same method (<see cref="LazyIntegrator"/>), and record over time the distance between
/// their outputs on training and test points, the weight movement against √(τR0)/α and the kernel drift. Then fit the
/// slope of log error against log α at each horizon (lazy training predicts −1).
/// <para>
/// Time τ is in the units of <see cref="LazyBounds"/>: the trainer's learning rate is η = N·dt for a step dt in τ, and
/// Θ0 = Dh·Dhᵀ is the full empirical NTK over all N = rows·K training outputs.
/// </para>
/// </summary>
/// <remarks>Thread safety: stateless; a run trains clones of the model it is given and only reads the original, so concurrent runs on one model are safe as long as nobody writes it meanwhile.</remarks>
public static class LazyTraining
{
    /// <summary>Runs the experiment. <paramref name="model"/> is the network at w0; it is cloned, never modified.</summary>
    /// <param name="model">The network at its initial parameters w0.</param>
    /// <param name="xTrain">Training inputs, n × d.</param>
    /// <param name="yTrain">Targets y*, n × K.</param>
    /// <param name="xTest">Optional test inputs, m × d.</param>
    /// <param name="options">Grid and integrator (defaults when null).</param>
    /// <param name="progress">Optional progress reports (one per recorded point).</param>
    /// <param name="cancellationToken">Cancels between steps.</param>
    public static LazyTrainingResult Run(INtkModel model, Tensor xTrain, Tensor yTrain, Tensor? xTest = null,
        LazyTrainingOptions? options = null, IProgress<LazyTrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LazyTrainingOptions();
        options.Validate();
        var info = model.Info;
        InputChecks.Features(xTrain, info.Inputs, xTrain?.DType ?? DType.Float64, info.Name, nameof(xTrain));
        InputChecks.Shape(yTrain, info.Name, nameof(yTrain), xTrain!.Rows, info.Outputs);
        if (xTest is not null) InputChecks.Features(xTest, info.Inputs, xTest.DType, info.Name, nameof(xTest));
        var y = yTrain.ToFlatArray();
        foreach (double v in y)
            if (!double.IsFinite(v)) throw new ArgumentException("yTrain holds a non-finite target; targets must be finite.", nameof(yTrain));

        int count = y.Length;
        var theta0 = FullKernel(model, xTrain);
        var eigen = SymmetricEigen.Of(theta0, count);
        double lambdaMax = eigen.Max;
        if (!(lambdaMax > 0)) throw new ArgumentException($"The NTK of {info.Name} on the training set is zero: no parameter moves the outputs, so nothing can be trained.", nameof(model));
        double r0 = 0.5 * y.Sum(v => v * v);
        bool gd = options.Integrator == LazyIntegrator.GradientDescent;
        double dt = gd ? options.StepFraction / lambdaMax : double.NaN;

        var (times, steps) = RecordGrid(options, dt);
        var horizonIndex = options.Horizons.Select(h => NearestIndex(times, h)).ToArray();
        var driftAt = new HashSet<int>(options.KernelDrift ? horizonIndex : []);
        double theta0Norm = Math.Sqrt(theta0.Sum(v => v * v));
        var f0Train = model.Forward(xTrain).ToFlatArray();
        var f0Test = xTest is null ? null : model.Forward(xTest).ToFlatArray();

        bool closedForm = gd && !options.LinearizationInWeightSpace;
        var closed = closedForm ? ClosedFormLinear(model, xTrain, xTest, y, eigen, dt, steps) : null;
        long total = (closedForm ? 1L : 2L) * options.Alphas.Count * times.Length, done = 0;
        var runs = new List<LazyRun>();
        foreach (double alpha in options.Alphas)
        {
            var net = model.Clone();
            var netTrace = Trajectory(net, $"network α = {alpha:G4}", includeDrift: true);
            var linTrace = closed ?? Trajectory(new LinearizedModel(model.Clone()), $"linearization α = {alpha:G4}", includeDrift: false);
            var points = new LazyCurvePoint[times.Length];
            for (int i = 0; i < times.Length; i++)
            {
                var a = netTrace[i];
                var b = linTrace[i];
                points[i] = new LazyCurvePoint(times[i], gd ? steps[i] : -1, Distance(a.Train, b.Train),
                    a.Test is null ? double.NaN : Distance(a.Test, b.Test!), a.Movement,
                    LazyBounds.MovementBound(times[i], r0, alpha), Risk(a.Train, y), Risk(b.Train, y), a.Drift);
            }
            runs.Add(new LazyRun(alpha, points));

            Snapshot[] Trajectory(IDifferentiableModel m, string stage, bool includeDrift)
            {
                var snaps = new Snapshot[times.Length];
                int next = 0;
                void Capture(double movement)
                {
                    int i = next++;
                    var train = Scaled(m.Forward(xTrain).ToFlatArray(), f0Train, alpha);
                    var test = xTest is null ? null : Scaled(m.Forward(xTest).ToFlatArray(), f0Test!, alpha);
                    double drift = double.NaN;
                    if (includeDrift && driftAt.Contains(i))
                        drift = RelativeDistance(FullKernel((INtkModel)m, xTrain), theta0, theta0Norm);
                    snaps[i] = new Snapshot(train, test, movement, drift);
                    progress?.Report(new LazyTrainingProgress(stage, ++done, total));
                }
                if (gd)
                {
                    var trainer = new Trainer(new TrainerOptions
                    {
                        LearningRate = count * dt,
                        OutputScale = alpha,
                        Centered = true,
                        CheckStability = false,
                    });
                    trainer.Train(m, xTrain, yTrain, steps, p => Capture(p.Distance), cancellationToken);
                }
                else
                {
                    var w0 = m.GetParameters();
                    var objective = new SquareLossObjective(m, xTrain, yTrain, alpha, centered: true);
                    var ws = GradientFlow.Integrate(GradientFlow.Field(objective, count), w0, times,
                        options.FlowRelativeTolerance, options.FlowAbsoluteTolerance, cancellationToken);
                    foreach (var w in ws)
                    {
                        m.SetParameters(w);
                        double d2 = 0;
                        for (int p = 0; p < w.Length; p++) d2 += (w[p] - w0[p]) * (w[p] - w0[p]);
                        Capture(Math.Sqrt(d2));
                    }
                }
                return snaps;
            }
        }

        var slopes = new List<LazySlopeFit>();
        for (int h = 0; h < options.Horizons.Count; h++)
        {
            int i = horizonIndex[h];
            var trainErr = runs.Select(r => r.Points[i].TrainError).ToArray();
            var testErr = runs.Select(r => r.Points[i].TestError).ToArray();
            var fit = LogLogFit.Fit(options.Alphas, trainErr);
            var testFit = LogLogFit.Fit(options.Alphas, testErr);
            var scaled = runs.Select(r => r.Alpha * r.Points[i].TrainError).ToArray();
            slopes.Add(new LazySlopeFit(options.Horizons[h], times[i], fit.Slope, fit.Intercept, fit.R2, testFit.Slope,
                scaled.Max() / scaled.Min(), runs.Select(r => r.Points[i].KernelDrift).ToArray()));
        }
        return new LazyTrainingResult(options, count, r0, lambdaMax, dt, runs, slopes);
    }

    /// <summary>
    /// The linearization's α-scaled centred outputs after each step count of gradient descent with step dt (τ units),
    /// in function space: they do not depend on α (math.md §6).
    /// </summary>
    private static Snapshot[] ClosedFormLinear(INtkModel model, Tensor xTrain, Tensor? xTest, double[] y, SymmetricEigen eigen, double dt, int[] steps)
    {
        int n = y.Length;
        var v = eigen.Vectors;
        var vty = new double[n];
        for (int a = 0; a < n; a++)
            for (int i = 0; i < n; i++) vty[a] += v[i * n + a] * y[i];
        double[]? cross = null;
        int m = 0;
        if (xTest is not null)
        {
            var full = model.Ntk(xTest, xTrain, NtkMode.Full);
            int k = model.Info.Outputs;
            m = xTest.Rows * k;
            cross = new double[m * n];
            for (int i = 0; i < xTest.Rows; i++)
                for (int j = 0; j < xTrain.Rows; j++)
                    for (int c = 0; c < k; c++)
                        for (int d = 0; d < k; d++)
                            cross[(i * k + c) * n + j * k + d] = full[i, j, c, d];
        }
        var snaps = new Snapshot[steps.Length];
        for (int s = 0; s < steps.Length; s++)
        {
            int k = steps[s];
            var train = (double[])y.Clone();
            var u = new double[n]; // V diag(S_k) Vᵀ y*, S_k = Σ_{j<k} dt (1 − dt λ)^j
            for (int a = 0; a < n; a++)
            {
                double lambda = eigen.Values[a], q = 1 - dt * lambda;
                double decay = Math.Pow(q, k);
                double sum = Math.Abs(dt * lambda) < 1e-12 ? k * dt : (1 - decay) / lambda;
                for (int i = 0; i < n; i++)
                {
                    train[i] -= v[i * n + a] * decay * vty[a];
                    u[i] += v[i * n + a] * sum * vty[a];
                }
            }
            double[]? test = null;
            if (cross is not null)
            {
                test = new double[m];
                for (int i = 0; i < m; i++)
                {
                    double acc = 0;
                    for (int j = 0; j < n; j++) acc += cross[i * n + j] * u[j];
                    test[i] = acc;
                }
            }
            snaps[s] = new Snapshot(train, test, double.NaN, double.NaN);
        }
        return snaps;
    }

    private sealed record Snapshot(double[] Train, double[]? Test, double Movement, double Drift);

    /// <summary>Recording times: 0, log-spaced points from T_min/10 to T_max and every horizon; in gradient-descent
    /// mode rounded to whole steps (each at least one) and deduplicated.</summary>
    private static (double[] Times, int[] Steps) RecordGrid(LazyTrainingOptions o, double dt)
    {
        var raw = new List<double> { 0 };
        raw.AddRange(o.Horizons);
        double lo = o.Horizons[0] / 10, hi = o.Horizons[^1];
        if (o.PointsPerDecade > 0)
        {
            int count = (int)Math.Ceiling(Math.Log10(hi / lo) * o.PointsPerDecade);
            for (int i = 0; i <= count; i++) raw.Add(lo * Math.Pow(hi / lo, (double)i / count));
        }
        if (double.IsNaN(dt))
        {
            var t = raw.Distinct().Order().ToArray();
            return (t, new int[t.Length]);
        }
        var steps = raw.Select(t => t == 0 ? 0 : Math.Max(1, (int)Math.Round(t / dt))).Distinct().Order().ToArray();
        return (steps.Select(k => k * dt).ToArray(), steps);
    }

    private static int NearestIndex(double[] times, double t)
    {
        int best = 0;
        for (int i = 1; i < times.Length; i++)
            if (Math.Abs(times[i] - t) < Math.Abs(times[best] - t)) best = i;
        return best;
    }

    /// <summary>The full empirical NTK over all N = rows·K outputs as a row-major N × N matrix, index i·K + c.</summary>
    internal static double[] FullKernel(INtkModel model, Tensor x)
    {
        int n = x.Rows, k = model.Info.Outputs, size = n * k;
        var full = model.Ntk(x, null, NtkMode.Full);
        var m = new double[size * size];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int c = 0; c < k; c++)
                    for (int d = 0; d < k; d++)
                        m[(i * k + c) * size + j * k + d] = full[i, j, c, d];
        return m;
    }

    private static double[] Scaled(double[] f, double[] f0, double alpha)
    {
        for (int i = 0; i < f.Length; i++) f[i] = alpha * (f[i] - f0[i]);
        return f;
    }

    private static double Distance(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(s);
    }

    private static double RelativeDistance(double[] a, double[] b, double bNorm) => Distance(a, b) / bNorm;

    private static double Risk(double[] g, double[] y) => 0.5 * Distance(g, y) * Distance(g, y);
}
