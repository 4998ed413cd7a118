using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NtkDsl;
using NtkDsl.Dynamics;
using NtkDsl.Experiments;
using NtkDsl.IO;
using NtkDsl.Predict;
using NtkDsl.Samples;
using Spectre.Console;
using UncertaintySample;
using Table = Spectre.Console.Table;

// Predictions with uncertainty (docs/math.md §8): the NTK-GP (an infinite ensemble of infinitely wide networks trained
// by gradient flow, Lee et al. 2019) at several training times and at t = ∞, the NNGP posterior (Bayesian inference
// with observation noise), a finite ensemble of real width-1024 networks trained on their own empirical NTK, and the
// Monte Carlo kernel against the analytic one.
var output = SampleCommandLine.Output(Path.Combine("results", "uncertainty"));
var seeds = SampleCommandLine.Count("--seeds", "Networks in the finite ensemble (and seeds of the Monte Carlo kernel)", 100, minimum: 2);
var noise = new Option<double>("--noise") { Description = "Standard deviation of the observation noise in the data and in the NNGP posterior", DefaultValueFactory = _ => 0.05 };
var root = new RootCommand("NtkDsl predictions with uncertainty: NTK-GP, NNGP posterior, finite ensembles, Monte Carlo kernels") { output, seeds, noise };
root.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(seeds), parse.GetValue(noise)));
return root.Parse(args).Invoke();

static int Run(string folder, int seedCount, double noiseSd)
{
    var sw = Stopwatch.StartNew();
    string F(double v, string f = "F3") => v.ToString(f, CultureInfo.InvariantCulture);

    // Data: two clusters of training inputs with a gap between them, y = sin(2x) + noise; a test grid beyond both ends.
    double[] xs = [-2.0, -1.7, -1.4, -1.1, -0.8, 0.8, 1.1, 1.4, 1.7, 2.0];
    var sampler = new NormalSampler(7);
    var eps = new double[xs.Length];
    sampler.FillNormal(eps, noiseSd);
    double[] ys = xs.Select((x, i) => Math.Sin(2 * x) + eps[i]).ToArray();
    double[] grid = Enumerable.Range(0, 61).Select(i => -3.0 + 0.1 * i).ToArray();
    int n = xs.Length, m = grid.Length;
    var xTrain = Tensor.FromArray(xs, n, 1);
    var yTrain = Tensor.FromArray(ys, n);
    var xTest = Tensor.FromArray(grid, m, 1);

    // Infinite width: analytic kernels of the architecture.
    var ntkTest = ToyNet.AnalyticNtk(xTest, xTrain);
    var nngpTest = ToyNet.AnalyticNngp(xTest, xTrain);
    var nngpDiag = ToyNet.AnalyticNngpDiagonal(xTest);
    var ntkGp = new NtkGpPredictor(ToyNet.AnalyticNtk(xTrain), ToyNet.AnalyticNngp(xTrain), yTrain);
    double unit = n / ntkGp.Eigenvalues[^1]; // N/λ_max: the time the fastest mode needs to relax (η = 1)
    double[] times = [unit, 10 * unit, 100 * unit, double.PositiveInfinity];
    var ntk = ntkGp.Predict(times, ntkTest, nngpTest, nngpDiag);
    var bayes = new NngpPredictor(ToyNet.AnalyticNngp(xTrain), yTrain, ridge: noiseSd * noiseSd).Posterior(nngpTest, nngpDiag);
    AnsiConsole.MarkupLine($"[bold]Predictions with uncertainty[/]: {Markup.Escape(ToyNet.Info.ToString())}");
    AnsiConsole.MarkupLine($"n = {n} training points (y = sin 2x + N(0, {F(noiseSd, "G3")}²)), {m} test points on [[−3, 3]]; η = 1, N/λ_max = {F(unit, "G4")} steps, NTK rank {ntkGp.Rank}/{n}");

    // A finite ensemble: each network trained (linearized, closed form, GradientDescentMse) on its own empirical NTK to
    // the same times, and the Monte Carlo kernel over the same seeds.
    var joint = Tensor.FromArray(xs.Concat(grid).ToArray(), n + m, 1);
    var sum = new double[times.Length, m];
    var sumSq = new double[times.Length, m];
    MonteCarloKernelEstimate mc = null!;
    AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
        .Start(ctx =>
        {
            var task = ctx.AddTask($"{seedCount} trained networks");
            for (int s = 0; s < seedCount; s++)
            {
                var model = new ToyNet(s);
                var theta = model.Ntk(joint).ToArray();
                var f0 = model.Forward(joint).ToFlatArray();
                var kTrain = new double[n, n];
                var kTest = new double[m, n];
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) kTrain[i, j] = theta[i, j];
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) kTest[i, j] = theta[n + i, j];
                var f = new GradientDescentMse(Tensor.FromArray(kTrain), yTrain).PredictTest(times,
                    Tensor.FromArray(f0.AsSpan(0, n), n), Tensor.FromArray(f0.AsSpan(n, m), m), Tensor.FromArray(kTest));
                for (int k = 0; k < times.Length; k++)
                    for (int i = 0; i < m; i++)
                    {
                        double v = f[k, i];
                        sum[k, i] += v;
                        sumSq[k, i] += v * v;
                    }
                task.Value = 100.0 * (s + 1) / seedCount;
            }
            var mcTask = ctx.AddTask("Monte Carlo kernel");
            mc = MonteCarloKernel.Estimate(s => new ToyNet(s), xTrain, samples: seedCount,
                progress: new SyncProgress(p => mcTask.Value = 100 * p.Fraction));
        });
    var ensMean = new double[times.Length][];
    var ensSd = new double[times.Length][];
    for (int k = 0; k < times.Length; k++)
    {
        ensMean[k] = Enumerable.Range(0, m).Select(i => sum[k, i] / seedCount).ToArray();
        ensSd[k] = Enumerable.Range(0, m).Select(i => Math.Sqrt(Math.Max(0, (sumSq[k, i] - seedCount * ensMean[k][i] * ensMean[k][i]) / (seedCount - 1)))).ToArray();
    }

    string Label(double t) => double.IsPositiveInfinity(t) ? "t = ∞" : $"t = {F(t / unit, "G3")}·N/λ_max";
    int[] shown = [1, times.Length - 1];
    var table = new Table().Title("Mean ± 2σ at selected inputs (training inputs lie in [[−2, −0.8]] ∪ [[0.8, 2]])").AddColumn("x");
    foreach (int k in shown) table.AddColumn($"NTK-GP {Label(times[k])}").AddColumn($"{seedCount} networks {Label(times[k])}");
    table.AddColumn($"NNGP posterior, noise {F(noiseSd, "G3")}");
    string Cell(double mean, double sd) => $"{F(mean, "F3")} ± {F(2 * sd, "F3")}";
    foreach (int i in new[] { 0, 10, 20, 30, 40, 50, 60 })
    {
        var row = new List<string> { F(grid[i], "F1") };
        foreach (int k in shown)
        {
            row.Add(Cell(ntk[k].Mean.GetFlat(i), Math.Sqrt(ntk[k].Variance.GetFlat(i))));
            row.Add(Cell(ensMean[k][i], ensSd[k][i]));
        }
        row.Add(Cell(bayes.Mean.GetFlat(i), Math.Sqrt(bayes.Variance.GetFlat(i))));
        table.AddRow(row.ToArray());
    }
    AnsiConsole.Write(table);

    // Agreement of the finite ensemble with the NTK-GP, in Monte Carlo standard errors of the ensemble mean (inputs
    // where the NTK-GP variance is below 1e-8 of the prior, i.e. training inputs at late times, are skipped).
    var lambdas = ntkGp.Eigenvalues;
    AnsiConsole.MarkupLine($"Finite ensemble ({seedCount} networks of width 1024) vs NTK-GP; λ_min/λ_max of the NTK = {F(lambdas[0] / lambdas[^1], "0.0e0")}:");
    double worstFinite = 0;
    for (int k = 0; k < times.Length; k++)
    {
        var idx = Enumerable.Range(0, m).Where(i => ntk[k].Variance.GetFlat(i) > 1e-8 * nngpDiag.GetFlat(i)).ToArray();
        double z = idx.Max(i => Math.Abs(ensMean[k][i] - ntk[k].Mean.GetFlat(i)) / Math.Sqrt(ntk[k].Variance.GetFlat(i) / seedCount));
        double ratio = idx.Average(i => ensSd[k][i] / Math.Sqrt(ntk[k].Variance.GetFlat(i)));
        if (times[k] <= 10 * unit) worstFinite = Math.Max(worstFinite, z);
        AnsiConsole.MarkupLine($"  {Label(times[k])}: largest mean deviation {F(z, "F2")} standard errors over {idx.Length} inputs; mean ratio of standard deviations {F(ratio, "F3")} (1 ± {F(1 / Math.Sqrt(2.0 * (seedCount - 1)), "F3")} from sampling alone)");
    }
    AnsiConsole.MarkupLine("  Expected: agreement while every mode fitted so far has an eigenvalue well above the O(λ_max/√width) fluctuation of each network's own NTK, i.e. t ≲ √width·N/λ_max = 32·N/λ_max (checked up to 10·N/λ_max). Later, and at t = ∞, each network inverts its own kernel along eigenvalues smaller than that fluctuation, so a finite-width ensemble spreads wider than the NTK-GP: matching the infinite-width t = ∞ roughly needs width ≫ (λ_max/λ_min)².");
    var analyticNtk = ToyNet.AnalyticNtk(xTrain);
    var analyticNngp = ToyNet.AnalyticNngp(xTrain);
    double zNtk = 0, zNngp = 0;
    for (long i = 0; i < analyticNtk.Length; i++)
    {
        zNtk = Math.Max(zNtk, Math.Abs(mc.Ntk.GetFlat(i) - analyticNtk.GetFlat(i)) / mc.NtkStandardError.GetFlat(i));
        zNngp = Math.Max(zNngp, Math.Abs(mc.Nngp.GetFlat(i) - analyticNngp.GetFlat(i)) / mc.NngpStandardError.GetFlat(i));
    }
    AnsiConsole.MarkupLine($"Monte Carlo kernel over {seedCount} seeds vs analytic: NTK within {F(zNtk, "F2")} SE, NNGP within {F(zNngp, "F2")} SE (largest over the {n}×{n} entries)");

    // Files: one CSV row per test input, and a plot of the t = ∞ NTK-GP band, the NNGP band and the ensemble mean.
    Directory.CreateDirectory(folder);
    var metadata = RunMetadata.For(ToyNet.Info);
    metadata.Values["seeds"] = seedCount.ToString(CultureInfo.InvariantCulture);
    metadata.Values["noise_sd"] = F(noiseSd, "R");
    var columns = new List<string> { "x" };
    for (int k = 0; k < times.Length; k++) columns.AddRange([$"ntkgp_mean_{k}", $"ntkgp_sd_{k}"]);
    for (int k = 0; k < times.Length; k++) columns.AddRange([$"ensemble_mean_{k}", $"ensemble_sd_{k}"]);
    columns.AddRange(["nngp_mean", "nngp_sd"]);
    var rows = Enumerable.Range(0, m).Select(i =>
    {
        var r = new List<double> { grid[i] };
        foreach (var p in ntk) r.AddRange([p.Mean.GetFlat(i), Math.Sqrt(p.Variance.GetFlat(i))]);
        for (int k = 0; k < times.Length; k++) r.AddRange([ensMean[k][i], ensSd[k][i]]);
        r.AddRange([bayes.Mean.GetFlat(i), Math.Sqrt(bayes.Variance.GetFlat(i))]);
        return (IReadOnlyList<double>)r;
    });
    metadata.Values["times_in_steps"] = string.Join(" ", times.Select(t => F(t, "R")));
    string csv = Path.Combine(folder, "predictions.csv");
    ResultWriter.WriteCsv(csv, metadata, columns, rows);
    double Sd(GaussianPrediction p, int i) => Math.Sqrt(p.Variance.GetFlat(i));
    var inf = ntk[^1];
    var plot = new SvgLinePlot { Title = "NTK-GP (t = ∞) and NNGP posterior: mean ± 2σ", XLabel = "x", YLabel = "f(x)" }
        .Add("NTK-GP mean", grid, grid.Select((_, i) => inf.Mean.GetFlat(i)).ToArray())
        .Add("NTK-GP +2σ", grid, grid.Select((_, i) => inf.Mean.GetFlat(i) + 2 * Sd(inf, i)).ToArray())
        .Add("NTK-GP −2σ", grid, grid.Select((_, i) => inf.Mean.GetFlat(i) - 2 * Sd(inf, i)).ToArray())
        .Add($"{seedCount} networks", grid, ensMean[^1])
        .Add("NNGP mean", grid, grid.Select((_, i) => bayes.Mean.GetFlat(i)).ToArray())
        .Add("NNGP ±2σ (upper)", grid, grid.Select((_, i) => bayes.Mean.GetFlat(i) + 2 * Sd(bayes, i)).ToArray())
        .Add("NNGP ±2σ (lower)", grid, grid.Select((_, i) => bayes.Mean.GetFlat(i) - 2 * Sd(bayes, i)).ToArray())
        .Add("sin 2x", grid, grid.Select(x => Math.Sin(2 * x)).ToArray());
    string svg = Path.Combine(folder, "predictions.svg");
    plot.Save(svg);
    AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(Path.GetFullPath(csv))}[/] and [blue]{Markup.Escape(Path.GetFullPath(svg))}[/] in {F(sw.Elapsed.TotalSeconds, "F1")} s");
    // 5 standard errors: a deviation that large at finite t is a bug, not chance (t = ∞ is reported, not checked).
    return worstFinite < 5 && zNtk < 5 && zNngp < 5 ? 0 : 1;
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
{
    public void Report(NtkProgress value) => report(value);
}
