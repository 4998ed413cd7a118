using Uci;

namespace NtkDsl.Tests.Samples;

/// <summary>
/// The UCI sample (samples/Uci): its numeric options' limits (one error line, non-zero exit code, nothing run) and the
/// split plan decided before any work, against ranges worked out by hand in each test. The command line's other checks
/// are in UciCommandLineTests; the reading of data and split files before any fitting in UciPreparationTests.
/// </summary>
public sealed class UciSampleTests
{
    private static (UciOptions? Options, int ExitCode, string Errors) Parse(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (options, code) = UciOptions.Parse(args, output, error);
        return (options, code, error.ToString());
    }

    private static UciOptions Options(params string[] args)
    {
        var (o, code, errors) = Parse(args);
        Assert.True(code == 0, errors);
        return o!;
    }

    private static readonly UciSetSize Yacht = new("yacht", 308, 20);
    private static readonly UciSetSize PowerPlant = new("power-plant", 9568, 20);

    [Theory]
    [InlineData("--splits", "0")]
    [InlineData("--splits", "-1")]
    [InlineData("--large-splits", "0")]
    [InlineData("--first-split", "-1")]
    [InlineData("--max-train", "1")]
    [InlineData("--max-train", "-2")]
    [InlineData("--ml-rows", "1")]
    [InlineData("--ml-rows", "0")]
    [InlineData("--wntk-rows", "1")]
    [InlineData("--ml-depth-rows", "1")]
    [InlineData("--iterations", "0")]
    [InlineData("--ml-restarts", "-1")]
    public void OutOfRangeNumberIsOneErrorLineAndFailure(string option, string value)
    {
        var (o, code, errors) = Parse(option, value);
        Assert.Null(o);
        Assert.NotEqual(0, code);
        string[] lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines);
        Assert.StartsWith(option, lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--methods", ",")]
    [InlineData("--datasets", " , ")]
    public void EmptyListIsOneErrorLineAndFailure(string option, string value)
    {
        // Used to run nothing and print an empty table, then "Wrote …" for files never written.
        var (o, code, errors) = Parse(option, value);
        Assert.Null(o);
        Assert.NotEqual(0, code);
        string line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith(option + " " + (value.Contains(' ', StringComparison.Ordinal) ? $"'{value}'" : value) + ": give at least one; pass ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void NoDataSetIsAnError()
    {
        var o = Options("/nowhere/uci");
        var plan = UciSplitPlan.Make(o, []);
        Assert.Empty(plan.Ranges);
        Assert.StartsWith("No data sets to run in " + Path.GetFullPath("/nowhere/uci") + ": ", Assert.Single(plan.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void RowOptionsAcceptTwoRowsAndMaxTrainZeroMeansEveryRow()
    {
        // NtkRegressor.Fit needs ≥ 2 training rows, WntkRows ≥ 2 and MarginalLikelihoodRows ≥ 2: 2 is the smallest valid value.
        var o = Options("--max-train", "2", "--ml-rows", "2", "--wntk-rows", "2");
        Assert.Equal((CountOrAll.Of(2), 2, 2), (o.MaxTrain, o.MlRows, o.WntkRows));
        Assert.True(Options("--max-train", "0").MaxTrain.IsAll);
        Assert.True(Options("--max-train", "all").MaxTrain.IsAll);
    }

    [Fact]
    public void SplitCountsRememberWhetherTheyWereGiven()
    {
        var defaults = Options();
        Assert.Equal((CountOrAll.Of(5), false, CountOrAll.Of(3), false), (defaults.Splits, defaults.SplitsGiven, defaults.LargeSplits, defaults.LargeSplitsGiven));
        var given = Options("--splits", "3");
        Assert.Equal((CountOrAll.Of(3), true, false), (given.Splits, given.SplitsGiven, given.LargeSplitsGiven));
        var full = Options("--full");
        Assert.Equal((CountOrAll.All, true, CountOrAll.All, true), (full.Splits, full.SplitsGiven, full.LargeSplits, full.LargeSplitsGiven));
    }

    [Fact]
    public void GivenRangePastTheLastSplitIsAnErrorNamingTheSplitsAndTheFix()
    {
        // The new-user trial: --first-split 19 --splits 3 on a 20-split set ran split 19 alone without a word.
        var plan = UciSplitPlan.Make(Options("--first-split", "19", "--splits", "3"), [Yacht]);
        Assert.Empty(plan.Ranges);
        string error = Assert.Single(plan.Errors);
        Assert.Equal("--first-split 19 --splits 3 asks for splits 19–21, but yacht has 20 splits (0–19); pass --splits 1 (or --splits all: every split from 19 to the last).", error);
    }

    [Fact]
    public void EverySetWhoseGivenRangeDoesNotFitIsListedAndNothingRuns()
    {
        // A custom set with 10 split files beside yacht's 20: --splits 12 fits yacht (0–11) but not the custom set.
        var custom = new UciSetSize("custom", 120, 10);
        var plan = UciSplitPlan.Make(Options("--splits", "12"), [Yacht, custom, new UciSetSize("tiny", 50, 4)]);
        Assert.Empty(plan.Ranges);
        Assert.Equal(2, plan.Errors.Count);
        Assert.StartsWith("--splits 12 asks for splits 0–11, but custom has 10 splits (0–9); pass --splits 10 ", plan.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith("--splits 12 asks for splits 0–11, but tiny has 4 splits (0–3); pass --splits 4 ", plan.Errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AllRunsToEachSetsLastSplitAndSaysSo()
    {
        var custom = new UciSetSize("custom", 120, 10);
        var plan = UciSplitPlan.Make(Options("--first-split", "5", "--splits", "all"), [Yacht, custom]);
        Assert.Empty(plan.Errors);
        Assert.Equal([("yacht", 5, 15, 19), ("custom", 5, 5, 9)], plan.Ranges.Select(r => (r.Name, r.First, r.Count, r.Last)));
        Assert.Equal("yacht: splits 5–19 (15 of 20, --splits all).", plan.Ranges[0].Line);
        Assert.Equal("custom: splits 5–9 (5 of 10, --splits all).", plan.Ranges[1].Line);
    }

    [Fact]
    public void DefaultCountIsCutToTheLastSplitWithALine()
    {
        // Default --splits 5 from split 18 of 20: splits 18 and 19; a set with 3 split files runs 0–2 by default.
        var fromEighteen = UciSplitPlan.Make(Options("--first-split", "18"), [Yacht]);
        var range = Assert.Single(fromEighteen.Ranges);
        Assert.Equal((18, 2, 19), (range.First, range.Count, range.Last));
        Assert.Equal("yacht: splits 18–19 only (2 of 20): the default --splits 5 would run past its last split.", range.Line);

        var three = Assert.Single(UciSplitPlan.Make(Options(), [new UciSetSize("three", 100, 3)]).Ranges);
        Assert.Equal((0, 3), (three.First, three.Count));
        Assert.Contains("only (3 of 3)", three.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void FittingRangeRunsExactlyWhatWasAsked()
    {
        var plan = UciSplitPlan.Make(Options("--first-split", "17", "--splits", "3"), [Yacht]);
        var range = Assert.Single(plan.Ranges);
        Assert.Equal((17, 3, 19), (range.First, range.Count, range.Last));
        Assert.Equal("yacht: splits 17–19 (3 of 20).", range.Line);
        Assert.Equal("yacht: split 19 (1 of 20).", Assert.Single(UciSplitPlan.Make(Options("--first-split", "19", "--splits", "1"), [Yacht]).Ranges).Line);
    }

    [Fact]
    public void LargeSetsUseLargeSplits()
    {
        // power-plant (9,568 rows ≥ 5,000) counts --large-splits (default 3), whatever --splits says.
        var plan = UciSplitPlan.Make(Options("--splits", "20"), [Yacht, PowerPlant]);
        Assert.Equal([20, 3], plan.Ranges.Select(r => r.Count));
        string error = Assert.Single(UciSplitPlan.Make(Options("--first-split", "10", "--large-splits", "12"), [Yacht, PowerPlant]).Errors);
        Assert.Equal("--first-split 10 --large-splits 12 asks for splits 10–21, but power-plant has 20 splits (0–19); pass --large-splits 10 (or --large-splits all: every split from 10 to the last).", error);
    }

    [Fact]
    public void FirstSplitPastTheLastIsAnErrorEvenWithAll()
    {
        var plan = UciSplitPlan.Make(Options("--first-split", "20", "--splits", "all"), [Yacht, new UciSetSize("one", 40, 1)]);
        Assert.Empty(plan.Ranges);
        Assert.Equal(["--first-split 20: yacht has 20 splits (0–19); pass --first-split 19 or less.",
            "--first-split 20: one has 1 split (0); pass --first-split 0 or less."], plan.Errors);
    }
}
