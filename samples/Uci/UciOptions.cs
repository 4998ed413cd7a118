using System.CommandLine;
using System.Globalization;
using NtkDsl.Samples;

namespace Uci;

/// <summary>Command-line options of the UCI benchmark (the samples' convention: <see cref="SampleCommandLine"/>).</summary>
public sealed class UciOptions
{
    public string DataDir { get; private set; } = DefaultDataDir();
    public int Splits { get; private set; } = 5;
    public int FirstSplit { get; private set; }
    public int LargeSplits { get; private set; } = 3;

    /// <summary>
    /// Whether <see cref="Splits"/> was given (<c>--splits</c> or <c>--full</c>) rather than defaulted: a given count that
    /// runs past a data set's last split is an error (<see cref="UciSplitPlan"/>), a default one is cut with a line.
    /// </summary>
    public bool SplitsGiven { get; private set; }

    /// <summary>Whether <see cref="LargeSplits"/> was given (<c>--large-splits</c> or <c>--full</c>) rather than defaulted.</summary>
    public bool LargeSplitsGiven { get; private set; }
    public int MaxTrain { get; private set; } = 2000;
    public int WntkRows { get; private set; } = 400;
    public int Iterations { get; private set; } = 300;
    public int CoarseFrom { get; private set; } = 3000;
    public int MlRows { get; private set; } = 1000;
    public NtkDsl.Regression.InputScalesObjective ArdObjective { get; private set; }
    public int? MlRestarts { get; private set; }
    public bool LogWarp { get; private set; } = true;
    public int MlDepthRows { get; private set; } = 300;
    public NtkDsl.Regression.RepeatedTrainingRows Repeats { get; private set; } = NtkDsl.Regression.RepeatedTrainingRows.DropCopies;
    public HashSet<NtkDsl.Regression.NtkRegressorWeights> Methods { get; private set; } = [.. Enum.GetValues<NtkDsl.Regression.NtkRegressorWeights>()];
    public HashSet<string>? Datasets { get; private set; }
    public string OutDir { get; private set; } = "results";

    /// <summary>Data sets with at least this many rows run <see cref="LargeSplits"/> splits.</summary>
    public const int LargeRows = 5000;

    /// <summary>
    /// The fewest training rows --max-train, --wntk-rows and --ml-rows accept: NtkRegressor's leave-one-out and its
    /// WNTK and marginal-likelihood subsets need at least two rows (NtkRegressor.Fit throws below that).
    /// </summary>
    public const int MinTrainRows = 2;

    /// <summary>
    /// Parses <paramref name="args"/>. Options is null when nothing is to run: after <c>--help</c> (exit code 0) or a
    /// bad argument (System.CommandLine has printed the error; non-zero exit code). Help and errors go to
    /// <paramref name="output"/> and <paramref name="error"/> (default: the console).
    /// </summary>
    public static (UciOptions? Options, int ExitCode) Parse(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var defaults = new UciOptions();
        var dataDir = new Argument<string?>("DATA_DIR")
        {
            Description = "Folder of data set folders (each: data.txt, optional splits/ and dataset.json; the five UCI sets need no dataset.json). Default ../shared/datasets/uci beside the repository",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var full = new Option<bool>("--full") { Description = "The dropout-uncertainty experiments' protocol: every split (20) of every data set, power-plant too, with all training rows" };
        var splits = SampleCommandLine.CountOrAll("--splits", "Splits per data set", defaults.Splits);
        var firstSplit = SampleCommandLine.Count("--first-split", "Start at this split (0-based); --splits and --large-splits then count from it, so a partial protocol can be completed (a given count past a data set's last split is an error: pass all to run to the last split)", 0, minimum: 0);
        var largeSplits = SampleCommandLine.CountOrAll("--large-splits", "Splits of data sets with at least 5,000 rows (power-plant)", defaults.LargeSplits);
        var datasets = new Option<string?>("--datasets") { Description = "Comma-separated data set folder names, e.g. yacht,concrete (default: every folder with data.txt and a description)", HelpName = "a,b" };
        var maxTrain = SampleCommandLine.CountOrAll("--max-train", "Training rows per split at most, at least 2 (0 or all: every row)", defaults.MaxTrain, zeroMeansAll: true);
        maxTrain.Validators.Add(r =>
        {
            // Read from the token: CountOrAll has already reported one that is not a count (reading the value would then
            // throw), and 0 and all mean every row.
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 && v < MinTrainRows)
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"--max-train must be at least {MinTrainRows} (leave-one-out needs two training rows), or 0 or all for every row; got {v}."));
        });
        var wntkRows = SampleCommandLine.Count("--wntk-rows", "Training rows used to learn the WNTK weights (at least 2)", defaults.WntkRows, minimum: MinTrainRows);
        var iterations = SampleCommandLine.Count("--iterations", "Adam iterations of the WNTK learner", defaults.Iterations);
        var coarseFrom = SampleCommandLine.CountOrAll("--coarse-from", "From this many training rows, ridge grids are searched coarse-to-fine (0 or all: never)", defaults.CoarseFrom, zeroMeansAll: true);
        var mlRows = SampleCommandLine.Count("--ml-rows", "Training rows used to maximize the marginal likelihood of the NTK-GP ARD column (at least 2)", defaults.MlRows, minimum: MinTrainRows);
        var mlRestarts = new Option<string>("--ml-restarts") { Description = "NTK-GP ARD: extra marginal-likelihood optimizations per depth from random feature scales (the best wins); auto: ⌊1000/n⌋ − 1 in [0, 9] for n training rows", DefaultValueFactory = _ => "auto", HelpName = "N|auto" };
        mlRestarts.Validators.Add(r =>
        {
            string v = r.GetValueOrDefault<string>() ?? "auto";
            if (v != "auto" && !(int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) && k >= 0))
                r.AddError($"--ml-restarts must be auto or an integer ≥ 0, got '{v}'.");
        });
        var logWarp = new Option<string>("--log-warp") { Description = "NTK-GP ARD: try log x for strictly positive skewed features (skewness > 1), kept when the marginal likelihood rises", DefaultValueFactory = _ => "on", HelpName = "on|off" };
        logWarp.AcceptOnlyFromAmong("on", "off");
        var mlDepthRows = SampleCommandLine.Count("--ml-depth-rows", "NTK-GP ARD: every depth is screened on this many training rows, then the best is refitted on --ml-rows rows (screening on at least --ml-rows rows: no separate screening)", defaults.MlDepthRows, minimum: 2);
        var repeats = new Option<string>("--repeats") { Description = "NTK-GP ARD, training rows that repeat: drop (exact copies of a row count once), merge (rows with equal inputs: mean target, noise / count) or keep", DefaultValueFactory = _ => "drop", HelpName = "drop|merge|keep" };
        repeats.AcceptOnlyFromAmong("drop", "merge", "keep");
        var methods = new Option<string?>("--methods") { Description = "Comma-separated columns: ntk, layer (WNTK per layer), feature (WNTK per feature), ard (NTK-GP with per-feature input scales by marginal likelihood); default all", HelpName = "a,b" };
        var ardObjective = new Option<string>("--ard-objective") { Description = "What the NTK-GP ARD column maximizes: ml (marginal likelihood) or loo (leave-one-out log predictive)", DefaultValueFactory = _ => "ml", HelpName = "ml|loo" };
        ardObjective.AcceptOnlyFromAmong("ml", "loo");
        var outDir = SampleCommandLine.Output(defaults.OutDir);
        var root = new RootCommand("UCI regression with NtkRegressor: infinite-width NTK and learned WNTK (per layer, per input feature), depth and ridge by leave-one-out, test RMSE and log-likelihood")
        {
            dataDir, full, splits, firstSplit, largeSplits, datasets, maxTrain, wntkRows, iterations, coarseFrom, mlRows, mlRestarts, logWarp, mlDepthRows, repeats, methods, ardObjective, outDir,
        };
        UciOptions? parsed = null;
        root.SetAction(p =>
        {
            var o = new UciOptions
            {
                Splits = p.GetValue(splits),
                SplitsGiven = p.GetResult(splits) is { Implicit: false },
                FirstSplit = p.GetValue(firstSplit),
                LargeSplits = p.GetValue(largeSplits),
                LargeSplitsGiven = p.GetResult(largeSplits) is { Implicit: false },
                MaxTrain = p.GetValue(maxTrain),
                WntkRows = p.GetValue(wntkRows),
                Iterations = p.GetValue(iterations),
                CoarseFrom = p.GetValue(coarseFrom),
                MlRows = p.GetValue(mlRows),
                MlRestarts = p.GetValue(mlRestarts) is string r && r != "auto" ? int.Parse(r, CultureInfo.InvariantCulture) : null,
                LogWarp = p.GetValue(logWarp) != "off",
                MlDepthRows = p.GetValue(mlDepthRows),
                Repeats = p.GetValue(repeats) switch
                {
                    "merge" => NtkDsl.Regression.RepeatedTrainingRows.MergeMeans,
                    "keep" => NtkDsl.Regression.RepeatedTrainingRows.Keep,
                    _ => NtkDsl.Regression.RepeatedTrainingRows.DropCopies,
                },
                ArdObjective = p.GetValue(ardObjective) == "loo" ? NtkDsl.Regression.InputScalesObjective.LeaveOneOut : NtkDsl.Regression.InputScalesObjective.MarginalLikelihood,
                OutDir = p.GetValue(outDir)!,
            };
            if (p.GetValue(full))
            {
                o.Splits = int.MaxValue;
                o.LargeSplits = int.MaxValue;
                o.SplitsGiven = true;
                o.LargeSplitsGiven = true;
                o.MaxTrain = int.MaxValue;
            }
            if (p.GetValue(dataDir) is string dir) o.DataDir = Path.GetFullPath(dir);
            if (p.GetValue(datasets) is string list)
                o.Datasets = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            if (p.GetValue(methods) is string m)
            {
                o.Methods = [];
                foreach (string name in m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    NtkDsl.Regression.NtkRegressorWeights? w = name.ToLowerInvariant() switch
                    {
                        "ntk" => NtkDsl.Regression.NtkRegressorWeights.None,
                        "layer" => NtkDsl.Regression.NtkRegressorWeights.PerLayer,
                        "feature" => NtkDsl.Regression.NtkRegressorWeights.PerInputFeature,
                        "ard" => NtkDsl.Regression.NtkRegressorWeights.InputScales,
                        _ => null,
                    };
                    if (w is null)
                    {
                        (error ?? Console.Error).WriteLine($"--methods: unknown column '{name}'; use ntk, layer, feature or ard.");
                        return 1;
                    }
                    o.Methods.Add(w.Value);
                }
                if (o.Methods.Count == 0)
                {
                    (error ?? Console.Error).WriteLine("--methods: give at least one column: ntk, layer, feature or ard (comma-separated).");
                    return 1;
                }
            }
            if (o.Datasets is { Count: 0 })
            {
                (error ?? Console.Error).WriteLine("--datasets: give at least one data set folder name, e.g. yacht,concrete (or leave the option out for every set found).");
                return 1;
            }
            parsed = o;
            return 0;
        });
        var config = new InvocationConfiguration();
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        int exitCode = root.Parse(args).Invoke(config);
        return (exitCode == 0 ? parsed : null, exitCode);
    }

    private static string DefaultDataDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtkDsl.sln"))) return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets", "uci"));
        return Path.GetFullPath(Path.Combine("..", "shared", "datasets", "uci"));
    }
}
