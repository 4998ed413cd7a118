using System.Globalization;
using NtkDsl;
using NtkDsl.IO;

namespace Uci;

/// <summary>One split's raw (unstandardized) training and test rows.</summary>
/// <param name="TrainX">Training inputs, n × d (at most --max-train rows).</param>
/// <param name="TrainY">Training targets, n.</param>
/// <param name="TestX">Test inputs, m × d.</param>
/// <param name="TestY">Test targets, m.</param>
/// <param name="TrainRowsAvailable">The split's training rows before --max-train (≥ n).</param>
public sealed record UciSplitData(Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY, int TrainRowsAvailable);

/// <summary>
/// What a run needs, all read and checked before any fitting (<see cref="UciPreparation.Prepare"/>): the data sets,
/// the split ranges, every chosen split's rows, and the lines that say what will run; or, when the data cannot give
/// the run asked for, the error lines (then nothing else is set and the run must stop with <see cref="UciExitCodes.Data"/>).
/// </summary>
public sealed class UciPrepared
{
    internal UciPrepared(IReadOnlyList<string> errors, IReadOnlyList<string> lines, IReadOnlyList<UciData> sets,
        IReadOnlyList<UciSplitRange> ranges, IReadOnlyDictionary<(string Name, int Split), UciSplitData> splits)
    {
        Errors = errors;
        Lines = lines;
        Sets = sets;
        Ranges = ranges;
        Splits = splits;
    }

    /// <summary>One line per problem; non-empty means nothing may run.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The lines to print before the run: which splits each set runs, and any training-row subset.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The data sets, in run order.</summary>
    public IReadOnlyList<UciData> Sets { get; }

    /// <summary>The split range of each set, in the order of <see cref="Sets"/>.</summary>
    public IReadOnlyList<UciSplitRange> Ranges { get; }

    /// <summary>Every chosen split's rows, by set name and split number.</summary>
    public IReadOnlyDictionary<(string Name, int Split), UciSplitData> Splits { get; }

    internal static UciPrepared Failed(params string[] errors) =>
        new(errors, [], [], [], new Dictionary<(string, int), UciSplitData>());
}

/// <summary>
/// The checks every run makes before its first fit, in order: the data folder exists; every named data set has a
/// data.txt and a description; every data.txt (and dataset.json) reads; the split plan fits every set
/// (<see cref="UciSplitPlan"/>); and every chosen split's files exist and hold valid row indices. The first stage that
/// fails gives the error lines (one per set or file, naming the set, the split, the file and the line), so a long run
/// never stops halfway on a bad file.
/// </summary>
public static class UciPreparation
{
    /// <summary>Reads and checks everything <paramref name="options"/> asks for (see the class summary).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static UciPrepared Prepare(UciOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(options.DataDir))
            return UciPrepared.Failed($"Data folder not found: {options.DataDir}. Pass the folder holding the data set folders (e.g. yacht/, concrete/) as the first argument (default ../shared/datasets/uci beside the repository).");
        var names = options.Datasets?.ToList() ?? UciData.Discover(options.DataDir).ToList();
        foreach (string name in names)
        {
            try
            {
                UciData.Check(options.DataDir, name);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
            {
                var found = UciData.Discover(options.DataDir).ToList();
                return UciPrepared.Failed($"--datasets {name}: {e.Message}", found.Count == 0
                    ? $"No data sets in {options.DataDir} (a data set is a folder with data.txt and {UciDescription.FileName})."
                    : $"Data sets in {options.DataDir}: {string.Join(", ", found)}.");
            }
        }
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
                return UciPrepared.Failed($"{name}: {e.Message}");
            }
        }
        var plan = UciSplitPlan.Make(options, sets.Select(d => new UciSetSize(d.Name, d.Rows, d.SplitCount)).ToList());
        if (plan.Errors.Count > 0) return UciPrepared.Failed([.. plan.Errors]);
        var lines = plan.Ranges.Select(r => r.Line).ToList();
        var splits = new Dictionary<(string Name, int Split), UciSplitData>();
        var errors = new List<string>();
        foreach (var (data, range) in sets.Zip(plan.Ranges))
        {
            var cut = new List<(int Split, int From)>();
            for (int k = range.First; k <= range.Last; k++)
            {
                try
                {
                    var split = data.Split(k, options.MaxTrain);
                    splits[(data.Name, k)] = split;
                    if (split.TrainX.Rows < split.TrainRowsAvailable) cut.Add((k, split.TrainRowsAvailable));
                }
                catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
                {
                    // TableFormatException's message starts with the file, line and column; FileNotFoundException names the file.
                    errors.Add(F($"{data.Name}: split {k}: {e.Message}"));
                }
            }
            if (cut.Count > 0)
            {
                int[] from = cut.Select(c => c.From).Distinct().ToArray();
                string of = from.Length == 1 ? F($"{from[0]}") : F($"{from.Min()}–{from.Max()}");
                lines.Add(F($"{data.Name}: {options.MaxTrain} of {of} training rows in {cut.Count} of {range.Count} splits (--max-train {options.MaxTrain}: a random subset of exactly that many, seeded by the split number; test rows are all kept)."));
            }
        }
        return errors.Count > 0 ? UciPrepared.Failed([.. errors]) : new UciPrepared([], lines, sets, plan.Ranges, splits);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
