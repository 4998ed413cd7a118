using System.Globalization;

namespace Uci;

/// <summary>What the split plan needs to know of one data set: its folder name, row count and number of splits.</summary>
/// <param name="Name">The data set folder's name.</param>
/// <param name="Rows">Rows of data.txt (sets with at least <see cref="UciOptions.LargeRows"/> run --large-splits).</param>
/// <param name="SplitCount">Splits the set has: its splits/train_K.txt files, or 20 generated ones.</param>
public readonly record struct UciSetSize(string Name, int Rows, int SplitCount);

/// <summary>The splits one data set runs: <see cref="First"/> … <see cref="Last"/> of its 0 … SplitCount − 1.</summary>
/// <param name="Name">The data set folder's name.</param>
/// <param name="First">First split to run (0-based).</param>
/// <param name="Count">Splits to run (≥ 1).</param>
/// <param name="SplitCount">Splits the set has.</param>
/// <param name="Line">One line for the console saying which splits run (and why fewer than asked, if so).</param>
public sealed record UciSplitRange(string Name, int First, int Count, int SplitCount, string Line)
{
    /// <summary>The last split to run (0-based).</summary>
    public int Last => First + Count - 1;
}

/// <summary>The split ranges of a run, or the reasons it cannot run as asked (then <see cref="Ranges"/> is empty).</summary>
/// <param name="Ranges">One range per data set, in the order given; empty when there are errors.</param>
/// <param name="Errors">One line per data set whose range the options cannot give; the run must stop before any work.</param>
public sealed record UciSplitPlanResult(IReadOnlyList<UciSplitRange> Ranges, IReadOnlyList<string> Errors);

/// <summary>
/// Which splits each data set runs, decided before any work. A split range that runs past a data set's last split is
/// never cut without a word: a count the user gave (<c>--splits N</c>, <c>--large-splits N</c>) is an error that says
/// how many splits the set has and what to pass, since a silently shorter run makes a partial table look complete
/// (pass <c>all</c> for "to the last split"); a default count is cut, and the set's line says so. A
/// <c>--first-split</c> at or past a set's last split is always an error, and so is a run with no data set at all.
/// </summary>
public static class UciSplitPlan
{
    /// <summary>Plans <paramref name="sets"/> under <paramref name="options"/> (no files are read).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static UciSplitPlanResult Make(UciOptions options, IReadOnlyList<UciSetSize> sets)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Count == 0)
            return new UciSplitPlanResult([], [$"No data sets to run in {options.DataDir}: no folder there has a data.txt and a description. Pass the folder that holds the data set folders (e.g. yacht/, concrete/) as the first argument."]);
        var ranges = new List<UciSplitRange>();
        var errors = new List<string>();
        int first = options.FirstSplit;
        foreach (var set in sets)
        {
            bool large = set.Rows >= UciOptions.LargeRows;
            string option = large ? "--large-splits" : "--splits";
            CountOrAll asked = large ? options.LargeSplits : options.Splits;
            bool given = large ? options.LargeSplitsGiven : options.SplitsGiven;
            string has = set.SplitCount == 1 ? "1 split (0)" : F($"{set.SplitCount} splits (0–{set.SplitCount - 1})");
            if (first >= set.SplitCount)
            {
                errors.Add(F($"--first-split {first}: {set.Name} has {has}; pass --first-split {set.SplitCount - 1} or less."));
                continue;
            }
            int available = set.SplitCount - first;
            int count = asked.AtMost(available);
            string line;
            if (asked.IsAll)
                line = F($"{set.Name}: {Span(first, count)} ({count} of {set.SplitCount}, {option} all).");
            else if (asked.Value <= available)
                line = F($"{set.Name}: {Span(first, count)} ({count} of {set.SplitCount}).");
            else if (given)
            {
                string from = first > 0 ? F($"--first-split {first} ") : "";
                errors.Add(F($"{from}{option} {asked} asks for splits {first}–{(long)first + asked.Value - 1}, but {set.Name} has {has}; ")
                    + F($"pass {option} {available} (or {option} all: every split from {first} to the last)."));
                continue;
            }
            else
                line = F($"{set.Name}: {Span(first, count)} only ({count} of {set.SplitCount}): the default {option} {asked} would run past its last split.");
            ranges.Add(new UciSplitRange(set.Name, first, count, set.SplitCount, line));
        }
        return errors.Count > 0 ? new UciSplitPlanResult([], errors) : new UciSplitPlanResult(ranges, []);
    }

    private static string Span(int first, int count) => count == 1 ? F($"split {first}") : F($"splits {first}–{first + count - 1}");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
