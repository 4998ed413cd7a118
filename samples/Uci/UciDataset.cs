using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NtkDsl;
using NtkDsl.IO;
using NtkDsl.Regression;

namespace Uci;

/// <summary>
/// How to read one data set folder: which columns are features, which is the target, and optional reference figures
/// to print beside ours. Read from <c>dataset.json</c> in the folder (see <see cref="FileName"/>); the five shipped
/// UCI sets have built-in descriptions, used when their folder has no such file.
/// </summary>
public sealed record UciDescription
{
    /// <summary>The description file's name inside a data set folder.</summary>
    public const string FileName = "dataset.json";

    /// <summary>0-based target column of data.txt (negative: from the end); required in dataset.json.</summary>
    [JsonPropertyName("target")] public int Target { get; init; }

    /// <summary>0-based feature columns (default: every column but the target).</summary>
    [JsonPropertyName("features")] public int[]? Features { get; init; }

    /// <summary>Whether data.txt starts with a header line (default: no).</summary>
    [JsonPropertyName("header")] public bool Header { get; init; }

    /// <summary>"whitespace" (default), "comma", "semicolon" or "tab".</summary>
    [JsonPropertyName("delimiter")] public string Delimiter { get; init; } = "whitespace";

    /// <summary>Optional reference test RMSE to print beside ours.</summary>
    [JsonPropertyName("reference_rmse")] public double? ReferenceRmse { get; init; }

    /// <summary>Optional reference test log-likelihood to print beside ours.</summary>
    [JsonPropertyName("reference_ll")] public double? ReferenceLl { get; init; }

    /// <summary>
    /// The five shipped sets (README of the shared UCI folder), with the one-hidden-layer MC-dropout figures of
    /// Gal &amp; Ghahramani (2016), grid-search table of the dropout-uncertainty experiments' README (RMSE / LL).
    /// </summary>
    public static IReadOnlyDictionary<string, UciDescription> BuiltIn { get; } = new Dictionary<string, UciDescription>(StringComparer.Ordinal)
    {
        ["yacht"] = new() { Target = 6, ReferenceRmse = 0.67, ReferenceLl = -1.25 },
        ["concrete"] = new() { Target = 8, ReferenceRmse = 4.82, ReferenceLl = -2.93 },
        ["energy"] = new() { Target = 8, Features = [0, 1, 2, 3, 4, 5, 6, 7], ReferenceRmse = 0.54, ReferenceLl = -1.21 },
        ["wine-quality-red"] = new() { Target = 11, ReferenceRmse = 0.62, ReferenceLl = -0.93 },
        ["power-plant"] = new() { Target = 4, ReferenceRmse = 4.01, ReferenceLl = -2.80 },
    };

    /// <summary>The description of <paramref name="dir"/>: its dataset.json, else the built-in one for its name, else null.</summary>
    public static UciDescription? For(string dir)
    {
        string file = Path.Combine(dir, FileName);
        if (File.Exists(file)) return Read(file);
        return BuiltIn.GetValueOrDefault(Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)));
    }

    /// <summary>The fields dataset.json may hold (<see cref="Target"/> is required), as written in the file.</summary>
    public static IReadOnlyList<string> Fields { get; } = ["target", "features", "header", "delimiter", "reference_rmse", "reference_ll"];

    private const string Example = "{\"target\": 8, \"features\": [0, 1, 2], \"header\": false, \"delimiter\": \"whitespace\"}";

    /// <summary>
    /// Reads a dataset.json: a JSON object with a "target" and no field outside <see cref="Fields"/> (a typo such as
    /// "targets" would otherwise be ignored and the target silently default to column 0).
    /// </summary>
    /// <exception cref="InvalidDataException">Not a JSON object, "target" missing, an unknown field, or a value of the wrong type (names the file and the field).</exception>
    private static UciDescription Read(string file)
    {
        string text = File.ReadAllText(file);
        try
        {
            using (var doc = JsonDocument.Parse(text))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{file}: expected a JSON object, e.g. {Example}.");
                foreach (var property in doc.RootElement.EnumerateObject())
                    if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                        throw new InvalidDataException($"{file}: unknown field \"{property.Name}\"; the fields are {string.Join(", ", Fields)} (target required).");
                if (!doc.RootElement.TryGetProperty("target", out _))
                    throw new InvalidDataException($"{file}: the required field \"target\" (0-based target column) is missing; write e.g. {Example}.");
            }
            return JsonSerializer.Deserialize<UciDescription>(text)!;
        }
        catch (JsonException e)
        {
            if (e.Path is { Length: > 2 } path && path[2..].Split('[')[0] is var field && Fields.Contains(field, StringComparer.Ordinal))
            {
                string kind = field switch
                {
                    "target" => "an integer (0-based column)",
                    "features" => "an array of integers (0-based columns)",
                    "header" => "true or false",
                    "delimiter" => "\"whitespace\", \"comma\", \"semicolon\" or \"tab\"",
                    _ => "a number",
                };
                throw new InvalidDataException($"{file}: field \"{field}\" must be {kind}; write e.g. {Example}.", e);
            }
            throw new InvalidDataException($"{file}: not valid JSON ({e.Message}); write e.g. {Example}.", e);
        }
    }

    public TableDelimiter ParsedDelimiter => Delimiter.ToLowerInvariant() switch
    {
        "whitespace" => TableDelimiter.Whitespace,
        "comma" => TableDelimiter.Comma,
        "semicolon" => TableDelimiter.Semicolon,
        "tab" => TableDelimiter.Tab,
        _ => throw new InvalidDataException($"field \"delimiter\" is '{Delimiter}'; use whitespace, comma, semicolon or tab."),
    };
}

/// <summary>A loaded data set folder: data.txt read per its description, and its splits.</summary>
public sealed class UciData
{
    private readonly Table _table;
    private readonly string _dir;

    private UciData(string name, UciDescription description, Table table, string dir)
    {
        Name = name;
        Description = description;
        _table = table;
        _dir = dir;
    }

    public string Name { get; }

    public UciDescription Description { get; }

    public int Rows => _table.Rows;

    /// <summary>Whether the folder has splits/train_K.txt and splits/test_K.txt files.</summary>
    public bool HasSplitFiles => File.Exists(Path.Combine(_dir, "splits", "train_0.txt"));

    /// <summary>
    /// The data set folders under <paramref name="root"/> that have a data.txt and a description: the five shipped
    /// sets first in their usual order, then the others alphabetically.
    /// </summary>
    public static IReadOnlyList<string> Discover(string root)
    {
        var known = UciDescription.BuiltIn.Keys.ToList();
        return Directory.GetDirectories(root)
            // A dataset.json is not read here: a bad one is reported by Check/Load with its set's name, not thrown from here.
            .Where(d => File.Exists(Path.Combine(d, "data.txt"))
                && (File.Exists(Path.Combine(d, UciDescription.FileName)) || UciDescription.BuiltIn.ContainsKey(Path.GetFileName(d))))
            .Select(Path.GetFileName).OfType<string>()
            .OrderBy(n => known.IndexOf(n) is int i && i >= 0 ? i : int.MaxValue).ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Throws what <see cref="Load"/> would for a missing data.txt or description, without reading the data.</summary>
    /// <exception cref="FileNotFoundException">No data.txt in the folder (or no such folder).</exception>
    /// <exception cref="InvalidDataException">No description (dataset.json, or a built-in one for the five UCI sets).</exception>
    /// <remarks>A dataset.json is only looked for here; reading it (and reporting a bad one) is <see cref="Load"/>'s.</remarks>
    public static void Check(string root, string name)
    {
        string dir = Path.Combine(root, name);
        if (!File.Exists(Path.Combine(dir, "data.txt")))
            throw new FileNotFoundException($"No data.txt in {dir}; a data set folder holds data.txt (one example per line) and optionally splits/ and {UciDescription.FileName}.");
        if (!File.Exists(Path.Combine(dir, UciDescription.FileName)) && !UciDescription.BuiltIn.ContainsKey(name))
            throw new InvalidDataException(NoDescription(dir));
    }

    private static string NoDescription(string dir) =>
        $"{dir} has no {UciDescription.FileName}; write one, e.g. {{\"target\": 8}} (0-based target column; features default to every other column).";

    private static UciDescription Describe(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "data.txt")))
            throw new FileNotFoundException($"No data.txt in {dir}; a data set folder holds data.txt (one example per line) and optionally splits/ and {UciDescription.FileName}.");
        return UciDescription.For(dir) ?? throw new InvalidDataException(NoDescription(dir));
    }

    public static UciData Load(string root, string name)
    {
        string dir = Path.Combine(root, name);
        var description = Describe(dir);
        string json = Path.Combine(dir, UciDescription.FileName);
        TableDelimiter delimiter;
        try
        {
            delimiter = description.ParsedDelimiter;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{json}: {e.Message}", e);
        }
        Table table;
        try
        {
            table = TableReader.Read(Path.Combine(dir, "data.txt"), new TableReadOptions
            {
                Delimiter = delimiter,
                HasHeader = description.Header,
                TargetColumn = description.Target,
                FeatureColumns = description.Features,
            });
        }
        catch (ArgumentException e) when (e.ParamName is nameof(TableReadOptions.TargetColumn) or nameof(TableReadOptions.FeatureColumns) or "options")
        {
            // The reader names its own options (TargetColumn, FeatureColumns); the user wrote dataset.json's fields.
            string field = e.ParamName switch
            {
                nameof(TableReadOptions.TargetColumn) => "target",
                nameof(TableReadOptions.FeatureColumns) => "features",
                _ => "target\" and \"features",
            };
            string reason = e.Message;
            int param = reason.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
            if (param >= 0) reason = reason[..param];
            if (reason.StartsWith(e.ParamName + ": ", StringComparison.Ordinal)) reason = reason[(e.ParamName!.Length + 2)..];
            reason = reason.Replace("leave it out of FeatureColumns", "leave it out of \"features\"", StringComparison.Ordinal);
            throw new InvalidDataException($"{json}: field \"{field}\": {reason}", e);
        }
        return new UciData(name, description, table, dir);
    }

    /// <summary>
    /// Split k: from splits/train_k.txt and test_k.txt when the folder has them, else a deterministic 90/10 split
    /// (seed k). Raw (unstandardized) values. A split with more than <paramref name="maxTrain"/> training rows keeps
    /// exactly that many (<see cref="TrainingSubset"/>); the test rows are never cut.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has split files but not splits/train_k.txt or splits/test_k.txt.</exception>
    /// <exception cref="TableFormatException">A split file's line is not one integer in [0, <see cref="Rows"/>) (names file, line and column).</exception>
    /// <exception cref="InvalidDataException">The split has fewer than 2 training rows or no test row (names the file).</exception>
    public UciSplitData Split(int k, CountOrAll maxTrain)
    {
        int[] train, test;
        if (HasSplitFiles)
        {
            train = ReadSplitFile(string.Create(CultureInfo.InvariantCulture, $"train_{k}.txt"));
            test = ReadSplitFile(string.Create(CultureInfo.InvariantCulture, $"test_{k}.txt"));
        }
        else
        {
            test = RidgeSelection.FoldIndices(_table.Rows, 10, k)[0].ToArray();
            train = Enumerable.Range(0, _table.Rows).Except(test).ToArray();
        }
        // NtkRegressor needs 2 training rows (leave-one-out) and a score needs 1 test row: say so here, before any fitting.
        string Source(string kind) => HasSplitFiles
            ? Path.Combine(_dir, "splits", string.Create(CultureInfo.InvariantCulture, $"{kind}_{k}.txt"))
            : string.Create(CultureInfo.InvariantCulture, $"the generated 90/10 split {k} of {Rows} rows");
        if (train.Length < 2)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{Source("train")}: {train.Length} training row{(train.Length == 1 ? "" : "s")}; the methods need at least 2 (leave-one-out): list at least 2 row indices."));
        if (test.Length == 0)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{Source("test")}: no test rows: list at least 1 row index."));
        int available = train.Length;
        train = TrainingSubset(train, maxTrain, k);
        return new UciSplitData(Take(_table.Features, train), Take(_table.Targets!, train), Take(_table.Features, test), Take(_table.Targets!, test), available);
    }

    /// <summary>
    /// The training rows a split keeps under <c>--max-train</c>: all of <paramref name="train"/> when it has at most
    /// <paramref name="maxTrain"/> rows, else exactly <paramref name="maxTrain"/> of them, the first of a Fisher–Yates
    /// shuffle seeded with the split number <paramref name="seed"/> (<see cref="NormalSampler"/>), in ascending order.
    /// Every method of a split sees the same rows.
    /// </summary>
    public static int[] TrainingSubset(int[] train, CountOrAll maxTrain, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        int keep = maxTrain.AtMost(train.Length);
        if (keep == train.Length) return train;
        var order = (int[])train.Clone();
        var rng = new NormalSampler(seed);
        for (int i = 0; i < keep; i++)
        {
            int j = i + (int)(rng.NextUInt64() % (ulong)(order.Length - i));
            (order[i], order[j]) = (order[j], order[i]);
        }
        var kept = order[..keep];
        Array.Sort(kept);
        return kept;
    }

    private int[] ReadSplitFile(string file)
    {
        string path = Path.Combine(_dir, "splits", file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing; a data set with split files needs splits/train_K.txt and splits/test_K.txt for every split K it runs.", path);
        return TableReader.ReadIndices(path, _table.Rows);
    }

    /// <summary>Number of split files (train_K.txt) in the folder, or 20 generated splits when there are none.</summary>
    public int SplitCount => HasSplitFiles ? Directory.GetFiles(Path.Combine(_dir, "splits"), "train_*.txt").Length : 20;

    private static Tensor Take(Tensor t, int[] rows)
    {
        int c = t.Columns;
        var d = new double[rows.Length * c];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < c; j++) d[i * c + j] = t[rows[i], j];
        return Tensor.Wrap(d, rows.Length, c);
    }
}
