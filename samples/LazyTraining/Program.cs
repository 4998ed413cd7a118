using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LazyTrainingSample;
using NtkDsl;
using NtkDsl.Experiments;
using NtkDsl.IO;
using NtkDsl.Samples;
using Spectre.Console;
using Table = Spectre.Console.Table;

// Lazy training (math.md §6): the α-scaled centred network against its linearization, both trained by the same
// gradient descent from the same w0; error against α and time, weight movement against √(τR0)/α, kernel drift, and
// the quadratic witness against the κ-bound.
var output = SampleCommandLine.Output(Path.Combine("results", "lazy-training"));
var full = new Option<bool>("--full") { Description = "Publication-size grid: width 1024, n = 64, α = 1 … 256, τ up to 100 (slow)" };
var seed = new Option<int>("--seed") { Description = "Seed of the network and the data", HelpName = "N", DefaultValueFactory = _ => 0 };
var flow = new Option<bool>("--flow") { Description = "Integrate both gradient flows with RK45 instead of discrete gradient descent" };
var root = new RootCommand("NtkDsl lazy-training experiment (Chizat et al. 2019; Boix-Adsera & Littwin 2023)") { output, full, seed, flow };
root.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(full), parse.GetValue(seed), parse.GetValue(flow)));
return root.Parse(args).Invoke();

static int Run(string folder, bool full, int seed, bool flow)
{
    var sw = Stopwatch.StartNew();
    int n = full ? 64 : 32, m = full ? 128 : 64;
    INtkModel model = full ? new LazyNet1024(seed) : new LazyNet256(seed);
    var options = new LazyTrainingOptions
    {
        Alphas = full ? [1, 2, 4, 8, 16, 32, 64, 128, 256] : [1, 2, 4, 8, 16, 32, 64],
        Horizons = full ? [0.5, 1, 2, 5, 10, 20, 50, 100] : [0.5, 1, 2, 5, 10, 20],
        PointsPerDecade = full ? 10 : 6,
        Integrator = flow ? LazyIntegrator.GradientFlow : LazyIntegrator.GradientDescent,
    };
    var (x, y) = Data(n, seed + 1, model.Info.Inputs);
    var (xTest, _) = Data(m, seed + 2, model.Info.Inputs);
    AnsiConsole.MarkupLine($"[bold]Lazy training[/]: {Markup.Escape(model.Info.ToString())}");
    AnsiConsole.MarkupLine($"n = {n} training points, {m} test points, target sin(x·v); α ∈ {{{string.Join(", ", options.Alphas)}}}; {options.Integrator}");

    LazyTrainingResult result = null!;
    IReadOnlyList<WitnessPoint> witnessPoints = null!;
    var witness = new QuadraticWitness(outputs: 16, parameters: 40, lipschitz: 1.0, seed: seed + 3);
    double[] witnessAlphas = full ? [1, 2, 4, 8, 16, 32, 64, 128, 256] : [1, 2, 4, 8, 16, 32, 64];
    double[] witnessHorizons = [0.5, 1, 2, 5, 10];
    AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
        .Start(ctx =>
        {
            var task = ctx.AddTask("network and linearization");
            result = LazyTraining.Run(model, x, y, xTest, options, new Progress<LazyTrainingProgress>(p =>
            {
                task.Description = Markup.Escape(p.Stage);
                task.Value = 100 * p.Fraction;
            }));
            task.Value = 100;
            var wtask = ctx.AddTask("quadratic witness");
            witnessPoints = witness.Run(witnessAlphas, witnessHorizons);
            wtask.Value = 100;
        });

    AnsiConsole.MarkupLine($"R0 = ½‖y*‖² = {result.R0:G4}, √(8R0) = {result.ErrorCap:G4}, λ_max(Θ0) = {result.LambdaMax:G4}, dt = {result.Step:G4} (τ units; trainer η = N·dt)");
    string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
    var table = new Table().Title("Training error ‖αh − αh̄‖ at τ = T").AddColumn("α");
    foreach (var s in result.Slopes) table.AddColumn($"T = {F(s.Time, "G3")}");
    foreach (var r in result.Runs)
        table.AddRow(new[] { F(r.Alpha, "G4") }.Concat(result.Slopes.Select(s => F(r.At(s.Time).TrainError, "0.00e0"))).ToArray());
    AnsiConsole.Write(table);
    var slopes = new Table().Title("Fits over α at each horizon").AddColumns("T", "slope (train)", "slope (test)", "R²", "max/min of α·error", $"drift α={F(result.Alphas[0], "G4")}", $"drift α={F(result.Alphas[^1], "G4")}");
    foreach (var s in result.Slopes)
        slopes.AddRow(F(s.Time, "G3"), F(s.TrainSlope, "F3"), F(s.TestSlope, "F3"), F(s.TrainR2, "F4"), F(s.CollapseRatio, "F3"), F(s.KernelDrift[0], "0.00e0"), F(s.KernelDrift[^1], "0.00e0"));
    AnsiConsole.Write(slopes);
    string ok(bool b) => b ? "[green]holds[/]" : "[red]VIOLATED[/]";
    AnsiConsole.MarkupLine($"Movement bound ‖w(τ) − w0‖ ≤ √(τR0)/α: {ok(result.MovementBoundHolds)}, max ratio {result.MaxMovementRatio:F3} (per α: {string.Join(", ", result.Runs.Select(r => r.MaxMovementRatio.ToString("F3", CultureInfo.InvariantCulture)))})");
    AnsiConsole.MarkupLine($"Cap ‖αh − αh̄‖ ≤ √(8R0): {ok(result.ErrorCapHolds)}, max error/cap {result.MaxErrorCapRatio:P2}");

    var wt = new Table().Title($"Quadratic witness: n = {witness.Outputs}, P = {witness.Parameters}, Lip(Dh) = {witness.Lipschitz:G3}, R0 = {witness.R0:G4}; bound min({LazyBounds.KappaConstant:F3}·κ√R0, √(8R0))")
        .AddColumns("α", "T", "sup error", "κ", "bound", "error/(κ√R0)");
    foreach (var p in witnessPoints.Where(p => p.Horizon is 1 or 10))
        wt.AddRow(p.Alpha.ToString("G4", CultureInfo.InvariantCulture), p.Horizon.ToString("G3", CultureInfo.InvariantCulture),
            p.SupError.ToString("0.000e0", CultureInfo.InvariantCulture), p.Kappa.ToString("0.000e0", CultureInfo.InvariantCulture),
            p.Bound.ToString("0.000e0", CultureInfo.InvariantCulture), p.ErrorOverKappa(witness.R0).ToString("F3", CultureInfo.InvariantCulture));
    AnsiConsole.Write(wt);
    bool witnessOk = witnessPoints.All(p => p.SupError <= p.Bound && p.Movement <= p.MovementBound);
    foreach (double t in witnessHorizons)
    {
        var fit = LogLogFit.Fit(witnessAlphas.Where(a => a >= 4).ToArray(), witnessPoints.Where(p => p.Horizon == t && p.Alpha >= 4).Select(p => p.SupError).ToArray());
        AnsiConsole.MarkupLine($"witness T = {t:G3}: slope of log error vs log α (α ≥ 4) {fit.Slope:F3}");
    }
    AnsiConsole.MarkupLine($"Witness error ≤ κ-bound and movement ≤ √(T R0)/α everywhere: {ok(witnessOk)}");

    var metadata = RunMetadata.For(model.Info, seed);
    metadata.Values["grid"] = full ? "full" : "default";
    var files = LazyTrainingReport.Write(folder, metadata, result, witness, witnessPoints);
    AnsiConsole.MarkupLine($"Wrote {files.Count} files to [blue]{Markup.Escape(Path.GetFullPath(folder))}[/] in {sw.Elapsed.TotalSeconds:F1} s");
    return result.MovementBoundHolds && result.ErrorCapHolds && witnessOk ? 0 : 1;
}

static (Tensor X, Tensor Y) Data(int rows, int seed, int d)
{
    var s = new NormalSampler(seed);
    var x = new double[rows * d];
    s.FillNormal(x, 1.0);
    var v = new double[d];
    new NormalSampler(12345).FillNormal(v, 1.0 / Math.Sqrt(d));
    var y = new double[rows];
    for (int i = 0; i < rows; i++)
    {
        double dot = 0;
        for (int j = 0; j < d; j++) dot += x[i * d + j] * v[j];
        y[i] = Math.Sin(dot);
    }
    return (Tensor.FromArray(x, rows, d), Tensor.FromArray(y, rows, 1));
}
