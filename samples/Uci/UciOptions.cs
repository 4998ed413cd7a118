using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using NtkDsl.Regression;
using NtkDsl.Samples;

namespace Uci;

/// <summary>
/// Command-line options of the UCI benchmark (the samples' convention: <see cref="SampleCommandLine"/>; every option,
/// default and range is listed in samples/Uci/README.md). Explicit options win over <c>--full</c>'s values, and
/// <see cref="Settings"/> says where each value came from.
/// </summary>
public sealed class UciOptions
{
    private readonly List<(string Name, string Value, string Source)> _settings = [];

    /// <summary>The folder of data set folders (absolute).</summary>
    public string DataDir { get; private set; } = DefaultDataDir();

    /// <summary>Splits per data set of fewer than <see cref="LargeRows"/> rows (<c>--splits</c>, default 5).</summary>
    public CountOrAll Splits { get; private set; } = CountOrAll.Of(5);

    /// <summary>First split to run, 0-based (<c>--first-split</c>).</summary>
    public int FirstSplit { get; private set; }

    /// <summary>Splits per data set of at least <see cref="LargeRows"/> rows (<c>--large-splits</c>, default 3).</summary>
    public CountOrAll LargeSplits { get; private set; } = CountOrAll.Of(3);

    /// <summary>
    /// Whether <see cref="Splits"/> was given (<c>--splits</c> or <c>--full</c>) rather than defaulted: a given count that
    /// runs past a data set's last split is an error (<see cref="UciSplitPlan"/>), a default one is cut with a line.
    /// </summary>
    public bool SplitsGiven { get; private set; }

    /// <summary>Whether <see cref="LargeSplits"/> was given (<c>--large-splits</c> or <c>--full</c>) rather than defaulted.</summary>
    public bool LargeSplitsGiven { get; private set; }

    /// <summary>Training rows per split at most (<c>--max-train</c>, default 2000): a split with more uses exactly this many (<see cref="UciData.Split"/>).</summary>
    public CountOrAll MaxTrain { get; private set; } = CountOrAll.Of(2000);

    /// <summary>Whether <c>--full</c> was given (it sets <see cref="Splits"/>, <see cref="LargeSplits"/> and <see cref="MaxTrain"/> to all unless they are given).</summary>
    public bool Full { get; private set; }

    public int WntkRows { get; private set; } = 400;
    public int Iterations { get; private set; } = 300;

    /// <summary>From this many training rows ridge grids are searched coarse-to-fine; all: never.</summary>
    public CountOrAll CoarseFrom { get; private set; } = CountOrAll.Of(3000);
    public int MlRows { get; private set; } = 1000;
    public InputScalesObjective ArdObjective { get; private set; }
    public int? MlRestarts { get; private set; }
    public bool LogWarp { get; private set; } = true;
    public int MlDepthRows { get; private set; } = 300;
    public RepeatedTrainingRows Repeats { get; private set; } = RepeatedTrainingRows.DropCopies;
    public HashSet<NtkRegressorWeights> Methods { get; private set; } = [.. Enum.GetValues<NtkRegressorWeights>()];

    /// <summary>The data set folder names given with <c>--datasets</c>, in order and without repeats; null: every set found.</summary>
    public IReadOnlyList<string>? Datasets { get; private set; }
    public string OutDir { get; private set; } = "results";

    /// <summary>Data sets with at least this many rows run <see cref="LargeSplits"/> splits.</summary>
    public const int LargeRows = 5000;

    /// <summary>
    /// The fewest training rows --max-train, --wntk-rows and --ml-rows accept: NtkRegressor's leave-one-out and its
    /// WNTK and marginal-likelihood subsets need at least two rows (NtkRegressor.Fit throws below that).
    /// </summary>
    public const int MinTrainRows = 2;

    /// <summary>
    /// Every setting of the run as <c>--option value</c>, each marked <c>[given]</c> (on the command line) or
    /// <c>[--full]</c> (set by --full), unmarked when it is the default; one line for the run's first output and its
    /// CSV files, so a table's provenance is visible.
    /// </summary>
    public string Settings => SettingsHeader + " " + string.Join("; ", SettingItems) + ".";

    /// <summary>
    /// <see cref="Settings"/> for the console: the header, then the settings in lines of at most about
    /// <paramref name="width"/> characters (one setting is never split).
    /// </summary>
    public IReadOnlyList<string> SettingsLines(int width = 110)
    {
        var lines = new List<string> { SettingsHeader };
        string current = "";
        foreach (string item in SettingItems)
        {
            if (current.Length > 0 && current.Length + item.Length + 2 > width)
            {
                lines.Add("  " + current + ";");
                current = "";
            }
            current = current.Length == 0 ? item : current + "; " + item;
        }
        if (current.Length > 0) lines.Add("  " + current + ".");
        return lines;
    }

    private const string SettingsHeader = "Settings (default unless marked [given] or [--full]):";

    private IEnumerable<string> SettingItems => _settings.Select(s =>
        (s.Value.Length == 0 ? s.Name : $"{s.Name} {s.Value}") + (s.Source.Length > 0 ? " " + s.Source : ""));

    /// <summary>
    /// Parses <paramref name="args"/>. Options is null when nothing is to run: after <c>--help</c> (exit code
    /// <see cref="UciExitCodes.Done"/>, the usage printed to <paramref name="output"/>) or a usage error (exit code
    /// <see cref="UciExitCodes.Usage"/>; one line per error on <paramref name="error"/>, each naming the option, the
    /// value and what to pass, without the help). Both writers default to the console.
    /// </summary>
    public static (UciOptions? Options, int ExitCode) Parse(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var defaults = new UciOptions();
        var dataDir = new Argument<string?>("DATA_DIR")
        {
            Description = "Folder of data set folders (each: data.txt, optional splits/ and dataset.json; the five UCI sets need no dataset.json). Default ../shared/datasets/uci beside the repository",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var full = new Option<bool>("--full") { Description = "The dropout-uncertainty experiments' protocol: --splits all --large-splits all --max-train all (every split of every data set with all training rows); any of the three given explicitly wins" };
        var splits = UciOptionKinds.CountOrAll("--splits", "Splits per data set (a given count past a data set's last split is an error; all: to the last split)", defaults.Splits, minimum: 1);
        var firstSplit = UciOptionKinds.Count("--first-split", "Start at this split (0-based); --splits and --large-splits then count from it, so a partial protocol can be completed", 0, minimum: 0);
        var largeSplits = UciOptionKinds.CountOrAll("--large-splits", "Splits of data sets with at least 5,000 rows (power-plant)", defaults.LargeSplits, minimum: 1);
        var datasets = new Option<IReadOnlyList<string>?>("--datasets") { Description = "Comma-separated data set folder names, e.g. yacht,concrete (default: every folder with data.txt and a description)", HelpName = "a,b" };
        datasets.CustomParser = r => List(r, "--datasets", "a data set folder name, e.g. yacht,concrete (or leave the option out for every set found)", s => s);
        var maxTrain = UciOptionKinds.CountOrAll("--max-train", "Training rows per split at most, at least 2: a split with more uses exactly this many, a random subset drawn with the split number as seed (0 or all: every row)", defaults.MaxTrain, minimum: MinTrainRows, zeroMeansAll: true, why: " (leave-one-out needs two training rows)");
        var wntkRows = UciOptionKinds.Count("--wntk-rows", "Training rows used to learn the WNTK weights (at least 2)", defaults.WntkRows, minimum: MinTrainRows);
        var iterations = UciOptionKinds.Count("--iterations", "Adam iterations of the WNTK learner", defaults.Iterations, minimum: 1);
        var coarseFrom = UciOptionKinds.CountOrAll("--coarse-from", "From this many training rows, ridge grids are searched coarse-to-fine (0 or all: never)", defaults.CoarseFrom, minimum: 1, zeroMeansAll: true);
        var mlRows = UciOptionKinds.Count("--ml-rows", "Training rows used to maximize the marginal likelihood of the NTK-GP ARD column (at least 2)", defaults.MlRows, minimum: MinTrainRows);
        var mlRestarts = new Option<int?>("--ml-restarts") { Description = "NTK-GP ARD: extra marginal-likelihood optimizations per depth from random feature scales (the best wins); auto: ⌊1000/n⌋ − 1 in [0, 9] for n training rows", HelpName = "N|auto" };
        mlRestarts.CustomParser = r =>
        {
            string v = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (v == "auto") return null;
            if (int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int k) && k >= 0) return k;
            r.AddError(UciOptionKinds.Problem("--ml-restarts", v, "neither auto nor an integer ≥ 0", "auto or an integer ≥ 0"));
            return null;
        };
        var logWarp = UciOptionKinds.Choice("--log-warp", "NTK-GP ARD: try log x for strictly positive skewed features (skewness > 1), kept when the marginal likelihood rises", "on", "off");
        var mlDepthRows = UciOptionKinds.Count("--ml-depth-rows", "NTK-GP ARD: every depth is screened on this many training rows, then the best is refitted on --ml-rows rows (screening on at least --ml-rows rows: no separate screening)", defaults.MlDepthRows, minimum: 2);
        var repeats = UciOptionKinds.Choice("--repeats", "NTK-GP ARD, training rows that repeat: drop (exact copies of a row count once), merge (rows with equal inputs: mean target, noise / count) or keep", "drop", "merge", "keep");
        var methods = new Option<HashSet<NtkRegressorWeights>?>("--methods") { Description = "Comma-separated columns: ntk, layer (WNTK per layer), feature (WNTK per feature), ard (NTK-GP with per-feature input scales by marginal likelihood); default all", HelpName = "a,b" };
        methods.CustomParser = r =>
        {
            var names = List(r, "--methods", "ntk, layer, feature or ard (comma-separated)", s => s);
            if (names is null) return null;
            var set = new HashSet<NtkRegressorWeights>();
            foreach (string name in names)
            {
                NtkRegressorWeights? w = MethodOf(name);
                if (w is null)
                {
                    r.AddError(UciOptionKinds.Problem("--methods", r.Tokens[^1].Value, $"unknown column '{name}'", "ntk, layer, feature or ard (comma-separated)"));
                    return null;
                }
                set.Add(w.Value);
            }
            return set;
        };
        var ardObjective = UciOptionKinds.Choice("--ard-objective", "What the NTK-GP ARD column maximizes: ml (marginal likelihood) or loo (leave-one-out log predictive)", "ml", "loo");
        var outDir = SampleCommandLine.Output(defaults.OutDir);
        var root = new RootCommand("UCI regression with NtkRegressor: infinite-width NTK and learned WNTK (per layer, per input feature), depth and ridge by leave-one-out, test RMSE and log-likelihood. Exit codes: 0 done (or --help/--version printed), 1 usage error, 2 data error (a missing or malformed file, too few rows)")
        {
            dataDir, full, splits, firstSplit, largeSplits, datasets, maxTrain, wntkRows, iterations, coarseFrom, mlRows, mlRestarts, logWarp, mlDepthRows, repeats, methods, ardObjective, outDir,
        };
        var config = new InvocationConfiguration();
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        var p = root.Parse(args);
        if (p.Action is HelpAction) return (null, p.Invoke(config));
        // --version alone prints the version (System.CommandLine's own action); it was listed in --help but ran the protocol.
        if (p.Errors.Count == 0 && root.Options.OfType<VersionOption>().FirstOrDefault() is { } version && p.GetResult(version) is not null)
            return (null, p.Invoke(config));

        var errors = UsageErrors(p, root, dataDir, args);
        if (errors.Count > 0)
        {
            foreach (string line in errors) (error ?? Console.Error).WriteLine(line);
            return (null, UciExitCodes.Usage);
        }

        var o = new UciOptions();
        bool isFull = p.GetValue(full);
        string Source(Option option, bool fromFull = false) => Given(p, option) ? "[given]" : fromFull && isFull ? "[--full]" : "";
        CountOrAll FullOr(Option<CountOrAll> option) => !Given(p, option) && isFull ? CountOrAll.All : p.GetValue(option);
        o.Full = isFull;
        if (p.GetValue(dataDir) is string dir) o.DataDir = Path.GetFullPath(dir);
        o.Splits = FullOr(splits);
        o.SplitsGiven = Given(p, splits) || isFull;
        o.LargeSplits = FullOr(largeSplits);
        o.LargeSplitsGiven = Given(p, largeSplits) || isFull;
        o.MaxTrain = FullOr(maxTrain);
        o.FirstSplit = p.GetValue(firstSplit);
        o.Datasets = p.GetValue(datasets);
        o.WntkRows = p.GetValue(wntkRows);
        o.Iterations = p.GetValue(iterations);
        o.CoarseFrom = p.GetValue(coarseFrom);
        o.MlRows = p.GetValue(mlRows);
        o.MlRestarts = p.GetValue(mlRestarts);
        o.LogWarp = p.GetValue(logWarp) == "on";
        o.MlDepthRows = p.GetValue(mlDepthRows);
        o.Repeats = p.GetValue(repeats) switch
        {
            "merge" => RepeatedTrainingRows.MergeMeans,
            "keep" => RepeatedTrainingRows.Keep,
            _ => RepeatedTrainingRows.DropCopies,
        };
        o.ArdObjective = p.GetValue(ardObjective) == "loo" ? InputScalesObjective.LeaveOneOut : InputScalesObjective.MarginalLikelihood;
        if (p.GetValue(methods) is { } m) o.Methods = m;
        o.OutDir = p.GetValue(outDir)!;

        o._settings.Add(("DATA_DIR", o.DataDir, p.GetValue(dataDir) is null ? "" : "[given]"));
        if (isFull) o._settings.Add(("--full", "", "[given]"));
        o._settings.Add(("--splits", o.Splits.ToString(), Source(splits, fromFull: true)));
        o._settings.Add(("--large-splits", o.LargeSplits.ToString(), Source(largeSplits, fromFull: true)));
        o._settings.Add(("--first-split", o.FirstSplit.ToString(CultureInfo.InvariantCulture), Source(firstSplit)));
        o._settings.Add(("--max-train", o.MaxTrain.ToString(), Source(maxTrain, fromFull: true)));
        o._settings.Add(("--datasets", o.Datasets is null ? "all" : string.Join(',', o.Datasets), Source(datasets)));
        o._settings.Add(("--methods", string.Join(',', Enum.GetValues<NtkRegressorWeights>().Where(o.Methods.Contains).Select(MethodName)), Source(methods)));
        o._settings.Add(("--wntk-rows", o.WntkRows.ToString(CultureInfo.InvariantCulture), Source(wntkRows)));
        o._settings.Add(("--iterations", o.Iterations.ToString(CultureInfo.InvariantCulture), Source(iterations)));
        o._settings.Add(("--coarse-from", o.CoarseFrom.ToString(), Source(coarseFrom)));
        o._settings.Add(("--ml-rows", o.MlRows.ToString(CultureInfo.InvariantCulture), Source(mlRows)));
        o._settings.Add(("--ml-depth-rows", o.MlDepthRows.ToString(CultureInfo.InvariantCulture), Source(mlDepthRows)));
        o._settings.Add(("--ml-restarts", o.MlRestarts?.ToString(CultureInfo.InvariantCulture) ?? "auto", Source(mlRestarts)));
        o._settings.Add(("--log-warp", p.GetValue(logWarp)!, Source(logWarp)));
        o._settings.Add(("--repeats", p.GetValue(repeats)!, Source(repeats)));
        o._settings.Add(("--ard-objective", p.GetValue(ardObjective)!, Source(ardObjective)));
        o._settings.Add(("--output", o.OutDir, Source(outDir)));
        return (o, UciExitCodes.Done);
    }

    /// <summary>The --methods name of a column: ntk, layer, feature or ard.</summary>
    public static string MethodName(NtkRegressorWeights w) => w switch
    {
        NtkRegressorWeights.None => "ntk",
        NtkRegressorWeights.PerLayer => "layer",
        NtkRegressorWeights.PerInputFeature => "feature",
        _ => "ard",
    };

    private static NtkRegressorWeights? MethodOf(string name) =>
        Enum.GetValues<NtkRegressorWeights>().Where(w => MethodName(w) == name.ToLowerInvariant()).Select(w => (NtkRegressorWeights?)w).FirstOrDefault();

    private static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>A comma-separated list (blanks trimmed, empty items and repeats dropped); an empty one is an error.</summary>
    private static List<string>? List(ArgumentResult r, string name, string fix, Func<string, string> item)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item).Distinct(StringComparer.Ordinal).ToList();
        if (items.Count > 0) return items;
        r.AddError(UciOptionKinds.Problem(name, text, "give at least one", fix));
        return null;
    }

    /// <summary>
    /// Every usage error as one line: the options' own lines (<see cref="UciOptionKinds"/>), an argument starting with '-'
    /// that is no option (it would otherwise be taken as the data folder), a second positional argument, and
    /// System.CommandLine's remaining errors (e.g. a missing value) rewritten as <c>OPTION: problem; pass OPTION VALUE.</c>
    /// </summary>
    private static List<string> UsageErrors(ParseResult p, RootCommand root, Argument<string?> dataDir, string[] args)
    {
        var names = root.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
        var lines = new List<string>();
        string Unknown(string token)
        {
            string? near = UciOptionKinds.Nearest(token, names);
            return $"{token}: unknown option{(near is null ? "" : $"; did you mean {near}?")} (--help lists every option; a data folder whose name starts with '-' is passed as ./{token}).";
        }
        // The data folder argument swallows the first unknown option ("--bogus" would be read as a folder name).
        if (p.GetResult(dataDir)?.Tokens is [var folder] && folder.Value.StartsWith('-') && folder.Value.Length > 1
            && !(Array.IndexOf(args, "--") is int dd && dd >= 0 && dd < Array.IndexOf(args, folder.Value)))
            lines.Add(Unknown(folder.Value));
        foreach (string token in p.UnmatchedTokens.Where(t => t.StartsWith('-') && t.Length > 1)) lines.Add(Unknown(token));
        // A word after an unknown option is most likely its value: the unknown option's line says enough.
        if (lines.Count == 0)
            foreach (string token in p.UnmatchedTokens)
                lines.Add($"{token}: unexpected argument; only one DATA_DIR is taken, and every option's value follows it (--help lists every option).");
        foreach (var e in p.Errors)
        {
            if (e.SymbolResult is CommandResult && p.UnmatchedTokens.Count > 0) continue; // "Unrecognized command or argument": listed above
            var option = e.SymbolResult switch
            {
                OptionResult r => r.Option,
                ArgumentResult { Parent: OptionResult r } => r.Option,
                _ => null,
            };
            string line = option is null || e.Message.StartsWith(option.Name, StringComparison.Ordinal) ? e.Message
                : e.SymbolResult is OptionResult { Tokens.Count: 0 } ? $"{option.Name}: no value given; pass {option.Name} {option.HelpName ?? "VALUE"}."
                : e.SymbolResult is OptionResult { Tokens.Count: > 1 } repeated && option.Arity.MaximumNumberOfValues == 1
                    ? $"{option.Name} {string.Join(" ", repeated.Tokens.Select(t => t.Value))}: given {repeated.Tokens.Count} times; pass {option.Name} {option.HelpName ?? "VALUE"} once."
                : $"{option.Name}: {e.Message.TrimEnd('.')}; pass {option.Name} {option.HelpName ?? "VALUE"}.";
            if (!lines.Contains(line)) lines.Add(line);
        }
        return lines;
    }

    private static string DefaultDataDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtkDsl.sln"))) return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets", "uci"));
        return Path.GetFullPath(Path.Combine("..", "shared", "datasets", "uci"));
    }
}
