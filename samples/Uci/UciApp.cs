using System.Diagnostics;
using System.Globalization;
using NtkDsl;
using NtkDsl.IO;
using NtkDsl.Regression;
using Spectre.Console;

namespace Uci;

/// <summary>
/// The UCI sample's run (samples/Uci/README.md): options, the checks before any fitting (<see cref="UciPreparation"/>),
/// then per data set and split NtkRegressor's columns, results written per split; exit codes <see cref="UciExitCodes"/>.
/// </summary>
public static class UciApp
{
    /// <summary>
    /// Runs the sample with <paramref name="args"/>, writing to <paramref name="console"/>; the help goes to
    /// <paramref name="output"/> and usage errors to <paramref name="error"/> (default: the process's console streams).
    /// </summary>
    /// <returns><see cref="UciExitCodes.Done"/>, <see cref="UciExitCodes.Usage"/> or <see cref="UciExitCodes.Data"/>.</returns>
    public static int Run(string[] args, IAnsiConsole console, TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var (options, exitCode) = UciOptions.Parse(args, output, error);
        if (options is null) return exitCode;
        // The effective settings first, each marked where it came from, so a table's provenance is visible.
        foreach (string line in options.SettingsLines()) console.WriteLine(line);
        // Everything is read and checked before the first fit: data folder, data sets, split plan, every chosen split's files.
        var run = UciPreparation.Prepare(options);
        foreach (string line in run.Errors) console.WriteLine(line);
        if (run.Errors.Count > 0) return UciExitCodes.Data;
        foreach (string line in run.Lines) console.WriteLine(line);

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
        meta.Values["max_train"] = options.MaxTrain.ToString();
        meta.Values["settings"] = options.Settings;
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
        foreach (var (data, range) in run.Sets.Zip(run.Ranges))
        {
            string name = data.Name;
            int splits = range.Count;
            var scores = methods.ToDictionary(m => m.Name, _ => (Rmse: new List<double>(), Ll: new List<double>()));
            int trainRows = 0;
            for (int k = range.First; k <= range.Last; k++)
            {
                var (xtr, ytr, xte, yte, _) = run.Splits[(name, k)];
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
                        CoarseFrom = options.CoarseFrom.IsAll ? int.MaxValue : options.CoarseFrom.Value, // NtkRegressorOptions: int.MaxValue = never
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
                console.MarkupLine(Markup.Escape($"{name} split {k}: n = {xtr.Rows}; RMSE / LL: {string.Join(", ", line)} ({total.Elapsed.TotalMinutes:F1} min)"));
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
        console.Write(table);
        console.MarkupLine($"Wrote {Markup.Escape(summaryCsv)} and {Markup.Escape(splitsCsv)}.");
        return UciExitCodes.Done;
    }

    private static string RowKey(Tensor x, int i) => string.Join(",", Enumerable.Range(0, x.Columns).Select(j => x[i, j].ToString("R", CultureInfo.InvariantCulture)));

    private static Tensor Pick(Tensor v, int[] rows)
    {
        var a = v.ToFlatArray();
        return Tensor.Wrap(rows.Select(i => a[i]).ToArray(), rows.Length);
    }
}
