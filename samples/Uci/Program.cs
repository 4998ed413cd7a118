using System.Diagnostics;
using System.Globalization;
using NtkDsl;
using NtkDsl.IO;
using NtkDsl.Regression;
using Spectre.Console;
using Uci;

// UCI regression with NtkRegressor (issue 15). Usage:
//   dotnet run -c Release --project samples/Uci -- [DATA_DIR] [--full] [--splits N|all] [--first-split K] [--large-splits N|all]
//       [--datasets a,b] [--max-train N|0] [--wntk-rows N] [--iterations N] [--coarse-from N|0] [--output DIR]
//       [--methods ntk,layer,feature,ard] [--ml-rows N] [--ml-depth-rows N] [--ml-restarts N|auto] [--log-warp on|off] [--repeats drop|merge|keep] [--ard-objective ml|loo]
// DATA_DIR holds one folder per data set (data.txt, optional splits/train_K.txt + test_K.txt and dataset.json with
// {"target": column, "features": [...]}); the five shipped UCI sets need no dataset.json. The default run is a quick
// look (5 splits; sets of 5,000+ rows: 3 splits with at most 2,000 training rows); --full is the whole protocol.
// Per split and method the results are written to uci-splits.csv as soon as the split is done.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 220;
var (options, exitCode) = UciOptions.Parse(args);
if (options is null) return exitCode;
if (!Directory.Exists(options.DataDir))
{
    AnsiConsole.MarkupLine($"[yellow]Data folder not found:[/] {Markup.Escape(options.DataDir)}");
    AnsiConsole.WriteLine("Pass the folder holding the data set folders (e.g. yacht/, concrete/) as the first argument (default ../shared/datasets/uci beside the repository).");
    return 1; // the run asked for cannot happen: a failure for scripts, as the samples' command-line convention says
}
var names = options.Datasets?.ToList() ?? UciData.Discover(options.DataDir).ToList();
// Every named data set is checked before the first split runs: an unknown name or a folder without data.txt or a
// description is a one-line error (exit 1), not an exception halfway through a long run.
foreach (string name in names)
{
    try
    {
        UciData.Check(options.DataDir, name);
    }
    catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
    {
        AnsiConsole.MarkupLine(Markup.Escape($"--datasets {name}: {e.Message}"));
        AnsiConsole.MarkupLine(Markup.Escape($"Data sets in {options.DataDir}: {string.Join(", ", UciData.Discover(options.DataDir))}."));
        return 1;
    }
}
// Every data set is read and its split range decided before the first split runs: a range the options cannot give
// (a --first-split or a given --splits N past a set's last split) is a one-line error per set (exit 1), and each set
// prints one line saying which splits will run.
var sets = new List<UciData>();
foreach (string name in names)
{
    try
    {
        sets.Add(UciData.Load(options.DataDir, name));
    }
    catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
    {
        // An unreadable table (TableFormatException names file, line and column) or a dataset.json whose columns do not fit.
        AnsiConsole.MarkupLine(Markup.Escape($"{name}: {e.Message}"));
        return 1;
    }
}
var plan = UciSplitPlan.Make(options, sets.Select(d => new UciSetSize(d.Name, d.Rows, d.SplitCount)).ToList());
foreach (string error in plan.Errors) AnsiConsole.MarkupLine(Markup.Escape(error));
if (plan.Errors.Count > 0) return 1;
foreach (var range in plan.Ranges) AnsiConsole.MarkupLine(Markup.Escape(range.Line));
// Every chosen split is read now (the split files and tables are small) and kept for the run below: a missing
// splits/test_K.txt or an index past the table is one line (exit 1) before any fitting, not an exception after earlier
// splits have run.
var splitData = new Dictionary<(string Name, int Split), (Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY)>();
foreach (var range in plan.Ranges)
{
    var data = sets.First(d => d.Name == range.Name);
    for (int k = range.First; k <= range.Last; k++)
    {
        try
        {
            splitData[(range.Name, k)] = data.Split(k, options.MaxTrain);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            AnsiConsole.MarkupLine(Markup.Escape($"{range.Name}: split {k}: {e.Message}"));
            return 1;
        }
    }
}

// The three kernels, each fitted by NtkRegressor: the NTK (depth and ridge by leave-one-out), then the learned WNTK
// per layer and per input feature at the NTK's depth (weights by Adam on the leave-one-out loss of a row subset).
(string Name, NtkRegressorWeights Weights)[] allMethods =
[
    ("NTK", NtkRegressorWeights.None), ("WNTK per layer", NtkRegressorWeights.PerLayer), ("WNTK per feature", NtkRegressorWeights.PerInputFeature),
    ("NTK-GP ARD", NtkRegressorWeights.InputScales),
];
var methods = allMethods.Where(m => options.Methods.Contains(m.Weights)).ToArray();

Directory.CreateDirectory(options.OutDir);
var meta = new RunMetadata { Seed = 0, DeviceName = Device.Cpu.Name };
meta.Values["command"] = "samples/Uci " + string.Join(' ', args);
meta.Values["protocol"] = "NtkRegressor: standardize with training statistics; ReLU NTK σ_w²=2 σ_b²=0.01; depth 1-4 and ridge by LOO; WNTK weights by Adam on LOO; variance: GP posterior with amplitude by LOO likelihood; NTK-GP ARD: per-feature input scales, first bias variance and noise by marginal likelihood (depth 1-4 screened on 300 rows when n > ml_rows, else on all rows; restarts ⌊1000/n⌋−1; log warps of positive skewed features by marginal likelihood), exact copies of training rows counted once";
meta.Values["first_split"] = options.FirstSplit.ToString(CultureInfo.InvariantCulture);
meta.Values["max_train"] = options.MaxTrain.ToString(CultureInfo.InvariantCulture);
meta.Values["wntk_rows"] = options.WntkRows.ToString(CultureInfo.InvariantCulture);
meta.Values["ml_rows"] = options.MlRows.ToString(CultureInfo.InvariantCulture);
meta.Values["ml_depth_rows"] = options.MlDepthRows.ToString(CultureInfo.InvariantCulture);
meta.Values["ml_restarts"] = options.MlRestarts?.ToString(CultureInfo.InvariantCulture) ?? "auto";
meta.Values["log_warp"] = options.LogWarp ? "on" : "off";
meta.Values["repeats"] = options.Repeats.ToString();
string splitsCsv = Path.Combine(options.OutDir, "uci-splits.csv");
string summaryCsv = Path.Combine(options.OutDir, "uci-summary.csv");
string[] splitColumns = ["dataset", "split", "train_rows", "method", "rmse", "log_likelihood", "depth", "ridge", "seconds", "weights", "test_rows_repeating_a_training_input", "rmse_other_rows", "ll_other_rows"];
var perSplit = new List<IReadOnlyList<object?>>();
var results = new List<(UciData Data, int Splits, int TrainRows, Dictionary<string, (List<double> Rmse, List<double> Ll)> Scores)>();
var total = Stopwatch.StartNew();
foreach (var (data, range) in sets.Zip(plan.Ranges))
{
    string name = data.Name;
    int splits = range.Count;
    var scores = methods.ToDictionary(m => m.Name, _ => (Rmse: new List<double>(), Ll: new List<double>()));
    int trainRows = 0;
    for (int k = range.First; k <= range.Last; k++)
    {
        var (xtr, ytr, xte, yte) = splitData[(name, k)];
        trainRows = xtr.Rows;
        var line = new List<string>();
        // Test rows whose inputs repeat a training row exactly (wine-quality-red has many): a GP with a small noise
        // predicts them almost exactly with a small variance, so the scores on the other rows are reported beside.
        var trainKeys = Enumerable.Range(0, xtr.Rows).Select(i => RowKey(xtr, i)).ToHashSet();
        int[] otherRows = Enumerable.Range(0, xte.Rows).Where(i => !trainKeys.Contains(RowKey(xte, i))).ToArray();
        int depth = 0;
        foreach (var (method, weights) in methods)
        {
            var sw = Stopwatch.StartNew();
            var reg = NtkRegressor.Fit(xtr, ytr, new NtkRegressorOptions
            {
                Depths = depth == 0 || weights == NtkRegressorWeights.InputScales ? [1, 2, 3, 4] : [depth],
                Weights = weights,
                WntkRows = options.WntkRows,
                WntkIterations = options.Iterations,
                CoarseFrom = options.CoarseFrom,
                MarginalLikelihoodRows = options.MlRows,
                InputScalesObjective = options.ArdObjective,
                MarginalLikelihoodRestarts = options.MlRestarts,
                LogWarpInputs = options.LogWarp,
                MarginalLikelihoodDepthRows = options.MlDepthRows,
                RepeatedRows = options.Repeats,
            });
            if (weights != NtkRegressorWeights.InputScales) depth = reg.Depth;
            var prediction = reg.Predict(xte);
            var score = NtkRegressor.ScoreOf(prediction, yte.ToFlatArray());
            var other = NtkRegressor.ScoreOf(new NtkPrediction(Pick(prediction.Mean, otherRows), Pick(prediction.Variance, otherRows),
                Pick(prediction.LatentVariance, otherRows)), otherRows.Select(i => yte.ToFlatArray()[i]).ToArray());
            scores[method].Rmse.Add(score.Rmse);
            scores[method].Ll.Add(score.LogLikelihood);
            string w = weights switch
            {
                NtkRegressorWeights.None => "",
                NtkRegressorWeights.InputScales => "scales " + string.Join(" ", reg.InputScales!.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)))
                    + " b1 " + reg.Network.HiddenLayers[0].BiasVariance.ToString("G3", CultureInfo.InvariantCulture)
                    + " noise " + reg.NoiseVariance.ToString("G3", CultureInfo.InvariantCulture) + " evals " + reg.MarginalLikelihoodEvaluations
                    + " rows " + reg.TrainSize + " restarts " + reg.MarginalLikelihoodRestartsUsed
                    + (reg.LogInputs.Count > 0 ? " log " + string.Join("+", reg.LogInputs) : ""),
                _ => string.Join(" ", reg.Learning!.Weights.Select(v => v.ToString("G3", CultureInfo.InvariantCulture))),
            };
            perSplit.Add([name, k, xtr.Rows, method, score.Rmse, score.LogLikelihood, reg.Depth, reg.Ridge, sw.Elapsed.TotalSeconds, w,
                xte.Rows - otherRows.Length, other.Rmse, other.LogLikelihood]);
            line.Add($"{method} {Stats.Value(score.Rmse)} / {Stats.Value(score.LogLikelihood)} (depth {reg.Depth})");
        }
        // Rewritten (atomically) after every split, so a run stopped by a timeout keeps every finished split.
        ResultWriter.WriteCsv(splitsCsv, meta, splitColumns, perSplit);
        AnsiConsole.MarkupLine(Markup.Escape($"{name} split {k}: n = {xtr.Rows}; RMSE / LL: {string.Join(", ", line)} ({total.Elapsed.TotalMinutes:F1} min)"));
    }
    results.Add((data, splits, trainRows, scores));
    ResultWriter.WriteCsv(summaryCsv, meta, ["dataset", "method", "splits", "mean_rmse", "se_rmse", "mean_ll", "se_ll"],
        results.SelectMany(d => d.Scores.Select(s => (IReadOnlyList<object?>)[d.Data.Name, s.Key, s.Value.Rmse.Count,
            Stats.Mean(s.Value.Rmse), Stats.StdErr(s.Value.Rmse), Stats.Mean(s.Value.Ll), Stats.StdErr(s.Value.Ll)])));
}

var table = new Spectre.Console.Table().Title($"Test RMSE and log-likelihood, mean ± s.e. over splits ({total.Elapsed.TotalMinutes:F1} min)");
table.AddColumn("data");
table.AddColumn("splits (train rows)");
foreach (var (method, _) in methods) { table.AddColumn($"{method} RMSE"); table.AddColumn($"{method} LL"); }
table.AddColumn("MC dropout RMSE / LL (published)");
foreach (var (data, splits, trainRows, scores) in results)
{
    var cells = new List<string> { data.Name, $"{splits} ({trainRows})" };
    foreach (var (method, _) in methods) { cells.Add(Stats.MeanSe(scores[method].Rmse)); cells.Add(Stats.MeanSe(scores[method].Ll)); }
    var d = data.Description;
    cells.Add(d.ReferenceRmse is double r ? $"{Stats.Value(r)} / {(d.ReferenceLl is double l ? Stats.Value(l) : "–")}" : "–");
    table.AddRow(cells.Select(Markup.Escape).ToArray());
}
AnsiConsole.Write(table);
AnsiConsole.MarkupLine($"Wrote {Markup.Escape(summaryCsv)} and {Markup.Escape(splitsCsv)}.");
return 0;

static string RowKey(Tensor x, int i) => string.Join(",", Enumerable.Range(0, x.Columns).Select(j => x[i, j].ToString("R", CultureInfo.InvariantCulture)));

static Tensor Pick(Tensor v, int[] rows)
{
    var a = v.ToFlatArray();
    return Tensor.Wrap(rows.Select(i => a[i]).ToArray(), rows.Length);
}
