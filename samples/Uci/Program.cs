using System.Diagnostics;
using System.Globalization;
using NtkDsl;
using NtkDsl.IO;
using Spectre.Console;
using Uci;

// UCI kernel-regression benchmark (issue 6 item 4). Usage:
//   dotnet run -c Release --project samples/Uci -- [DATA_DIR] [--full] [--splits N|all] [--power-splits N|all]
//       [--datasets a,b] [--max-train N|0] [--wntk-rows N] [--iterations N] [--no-empirical] [--coarse-from N|0] [--output DIR]
// (--help lists them all).
// DATA_DIR defaults to ../shared/datasets/uci relative to the repository root. The default run is a quick look
// (5 splits, power-plant's first 3 with at most 2,000 training rows). The README's protocol is one command:
//   dotnet run -c Release --project samples/Uci -- --full
// (all 20 splits of yacht, concrete, energy and wine-quality-red; power-plant's first 3 splits with all 8,611
// training rows; ridge grids searched coarse-to-fine from 3,000 rows, where each ridge costs one O(n³)
// factorization). Add --no-empirical to skip the finite-width columns (they dominate the time on power-plant).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 220;
var (options, exitCode) = UciOptions.Parse(args);
if (options is null) return exitCode;
if (!Directory.Exists(options.DataDir))
{
    AnsiConsole.MarkupLine($"[yellow]UCI data folder not found:[/] {Markup.Escape(options.DataDir)}");
    AnsiConsole.WriteLine("Pass the folder holding yacht/, concrete/, energy/, wine-quality-red/ and power-plant/ as the first argument (default ../shared/datasets/uci beside the repository). Nothing to do.");
    return 0;
}

var results = new List<DatasetResult>();
var perSplit = new List<IReadOnlyList<object?>>();
var total = Stopwatch.StartNew();
foreach (var spec in UciDataset.All.Where(s => options.Datasets is null || options.Datasets.Contains(s.Name)))
{
    var data = UciDataset.Load(options.DataDir, spec);
    int splits = Math.Min(spec.Name == "power-plant" ? options.PowerSplits : options.Splits, 20);
    var scores = new Dictionary<string, List<double>>();
    for (int k = 0; k < splits; k++)
    {
        var sw = Stopwatch.StartNew();
        var split = data.Split(k, options.MaxTrain);
        var r = UciBenchmark.RunSplit(split, options);
        foreach (var (method, rmse) in r.Rmse)
        {
            if (!scores.TryGetValue(method, out var list)) scores[method] = list = [];
            list.Add(rmse);
            perSplit.Add([spec.Name, k, method, rmse, r.Details.GetValueOrDefault(method, "")]);
        }
        AnsiConsole.MarkupLine(Markup.Escape($"{spec.Name} split {k}: n = {split.TrainX.Rows}, " +
            string.Join(", ", r.Rmse.Select(p => $"{p.Key} {p.Value:F3}")) + $" ({sw.Elapsed.TotalSeconds:F0} s); " + string.Join("; ", r.Details.Select(p => $"{p.Key}: {p.Value}"))));
    }
    results.Add(new DatasetResult(spec, splits, scores));
}

var table = new Spectre.Console.Table().Title($"Test RMSE, mean ± s.e. over splits ({total.Elapsed.TotalMinutes:F1} min)");
table.AddColumns("data", "splits", "analytic NTK", "learned analytic WNTK", $"empirical NTK (w={UciBenchmark.Width})", $"empirical WNTK (w={UciBenchmark.Width})",
    "MC dropout (README)", "independent NTK (README)", "independent WNTK (README)");
foreach (var d in results)
    table.AddRow(d.Spec.Name, d.Splits.ToString(CultureInfo.InvariantCulture), d.Cell(UciBenchmark.AnalyticNtk), d.Cell(UciBenchmark.AnalyticWntk),
        d.Cell(UciBenchmark.EmpiricalNtk), d.Cell(UciBenchmark.EmpiricalWntk), d.Spec.McDropout, d.Spec.IndependentNtk, d.Spec.IndependentWntk);
AnsiConsole.Write(table);

Directory.CreateDirectory(options.OutDir);
var meta = new RunMetadata { Seed = 0, DeviceName = Device.Cpu.Name };
meta.Values["command"] = "samples/Uci " + string.Join(' ', args);
meta.Values["protocol"] = "standardize with training statistics; ReLU NTK parameterization σ_w²=2 σ_b²=0.01; depth 1-4 and ridge by LOO; WNTK weights by Adam on LOO";
meta.Values["max_train"] = options.MaxTrain.ToString(CultureInfo.InvariantCulture);
meta.Values["wntk_rows"] = options.WntkRows.ToString(CultureInfo.InvariantCulture);
string summary = Path.Combine(options.OutDir, "uci-summary.csv");
ResultWriter.WriteCsv(summary, meta, ["dataset", "method", "splits", "mean_rmse", "se_rmse"],
    results.SelectMany(d => d.Scores.Select(s => (IReadOnlyList<object?>)[d.Spec.Name, s.Key, s.Value.Count, Stats.Mean(s.Value), Stats.StdErr(s.Value)])));
string splitsCsv = Path.Combine(options.OutDir, "uci-splits.csv");
ResultWriter.WriteCsv(splitsCsv, meta, ["dataset", "split", "method", "rmse", "details"], perSplit);
AnsiConsole.MarkupLine($"Wrote {Markup.Escape(summary)} and {Markup.Escape(splitsCsv)}.");
return 0;
