using Spectre.Console;
using Uci;

namespace NtkDsl.Tests.Samples;

/// <summary>
/// The UCI sample's checks before any fitting (UciPreparation) and --max-train's exact subset, on a small data set
/// written here: row i of data.txt is "i, i², target", so every training row read back names its data.txt row, and
/// the expected rows, files and lines are known by construction.
/// </summary>
public sealed class UciPreparationTests : IDisposable
{
    private const int Rows = 40;
    private readonly string _root = Directory.CreateTempSubdirectory("ntkdsl-uci-").FullName;

    public UciPreparationTests()
    {
        string dir = Path.Combine(_root, "toy");
        Directory.CreateDirectory(Path.Combine(dir, "splits"));
        File.WriteAllLines(Path.Combine(dir, "data.txt"), Enumerable.Range(0, Rows).Select(i => FormattableString.Invariant($"{i} {i * i} {Math.Sin(i)}")));
        File.WriteAllText(Path.Combine(dir, "dataset.json"), """{"target": 2}""");
        // Three splits: test rows 10k … 10k + 9 (mod 40), the other 30 rows for training.
        for (int k = 0; k < 3; k++)
        {
            var test = Enumerable.Range(10 * k, 10).Select(i => i % Rows).ToArray();
            File.WriteAllLines(SplitFile("train", k), Enumerable.Range(0, Rows).Except(test).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            File.WriteAllLines(SplitFile("test", k), test.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string SplitFile(string kind, int k) => Path.Combine(_root, "toy", "splits", FormattableString.Invariant($"{kind}_{k}.txt"));

    private UciOptions Options(params string[] args)
    {
        var (o, code) = UciOptions.Parse([_root, "--datasets", "toy", .. args], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        return o!;
    }

    private static int[] RowsOf(Tensor x) => Enumerable.Range(0, x.Rows).Select(i => (int)x[i, 0]).ToArray();

    private (int ExitCode, string Text) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = PlainConsole.Into(writer, 400);
        int code = UciApp.Run([_root, "--datasets", "toy", "-o", Path.Combine(_root, "out"), .. args], console, writer, writer);
        return (code, writer.ToString());
    }

    [Fact]
    public void EveryChosenSplitIsReadWithTheRowsOfItsFiles()
    {
        var run = UciPreparation.Prepare(Options("--splits", "3"));
        Assert.Empty(run.Errors);
        Assert.Equal(["toy: splits 0–2 (3 of 3)."], run.Lines);
        for (int k = 0; k < 3; k++)
        {
            var split = run.Splits[("toy", k)];
            var test = Enumerable.Range(10 * k, 10).Select(i => i % Rows).Order().ToArray();
            Assert.Equal(test, RowsOf(split.TestX).Order());
            Assert.Equal(Enumerable.Range(0, Rows).Except(test), RowsOf(split.TrainX));
            Assert.Equal(30, split.TrainRowsAvailable);
            // The target column is column 2 of data.txt.
            Assert.Equal(Math.Sin(RowsOf(split.TrainX)[5]), split.TrainY.ToFlatArray()[5], 12);
        }
    }

    [Fact]
    public void MissingTestFileIsOneLineNamingSetSplitAndFileAndNothingRuns()
    {
        File.Delete(SplitFile("test", 1));
        var run = UciPreparation.Prepare(Options("--splits", "3"));
        Assert.Empty(run.Splits);
        Assert.Empty(run.Ranges);
        Assert.Equal([$"toy: split 1: {SplitFile("test", 1)} is missing; a data set with split files needs splits/train_K.txt and splits/test_K.txt for every split K it runs."], run.Errors);
        // A run that does not reach split 1 is not stopped by it.
        Assert.Empty(UciPreparation.Prepare(Options("--splits", "1")).Errors);
    }

    [Fact]
    public void IndexPastTheTableIsOneLineNamingSetSplitFileAndLine()
    {
        var lines = File.ReadAllLines(SplitFile("train", 2));
        lines[3] = "40";
        File.WriteAllLines(SplitFile("train", 2), lines);
        var run = UciPreparation.Prepare(Options("--splits", "3"));
        Assert.Empty(run.Splits);
        Assert.Equal([$"toy: split 2: {SplitFile("train", 2)}: line 4, column 1: index 40 is out of range; the table has 40 rows (valid indices 0..39)."], run.Errors);
    }

    [Fact]
    public void NonIntegerLineIsOneLineNamingSetSplitFileAndLine()
    {
        File.AppendAllText(SplitFile("test", 0), "12.5\n");
        var run = UciPreparation.Prepare(Options("--splits", "2"));
        Assert.Empty(run.Splits);
        Assert.Equal([$"toy: split 0: {SplitFile("test", 0)}: line 11, column 1: '12.5' is not an integer; an index file holds one non-negative integer per line."], run.Errors);
    }

    [Fact]
    public void EveryBadSplitFileIsListed()
    {
        File.Delete(SplitFile("test", 0));
        File.WriteAllText(SplitFile("train", 2), "x\n");
        var run = UciPreparation.Prepare(Options("--splits", "all"));
        Assert.Equal(2, run.Errors.Count);
        Assert.StartsWith("toy: split 0: ", run.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"toy: split 2: {SplitFile("train", 2)}: line 1, column 1: 'x' is not an integer", run.Errors[1], StringComparison.Ordinal);
    }

    /// <summary>
    /// Found by a new-user trial: an empty, one-row or comment-only train file, or an empty test file, passed the checks
    /// and crashed at the fit (exit 134) after earlier splits had been fitted and written.
    /// </summary>
    [Theory]
    [InlineData("train", "", "0 training rows; the methods need at least 2 (leave-one-out)")]
    [InlineData("train", "5\n", "1 training row; the methods need at least 2 (leave-one-out)")]
    [InlineData("train", "# no rows yet\n", "0 training rows; the methods need at least 2 (leave-one-out)")]
    [InlineData("test", "", "no test rows: list at least 1 row index.")]
    public void TooFewTrainingRowsOrNoTestRowsStopTheRunBeforeAnyFitting(string kind, string content, string problem)
    {
        File.WriteAllText(SplitFile(kind, 1), content);
        var (code, text) = Run("--splits", "2", "--methods", "ntk");
        Assert.Equal(UciExitCodes.Data, code);
        Assert.Contains($"toy: split 1: {SplitFile(kind, 1)}: {problem}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("toy split 0", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public void AFolderWithNoUsableSetSaysSoInsteadOfAnEmptyList()
    {
        // The second new-user trial saw "Data sets in /tmp/…: ." for a folder whose only set lacked dataset.json.
        string root = Path.Combine(_root, "bare");
        Directory.CreateDirectory(Path.Combine(root, "y"));
        File.WriteAllText(Path.Combine(root, "y", "data.txt"), "1 2\n3 4\n");
        var (o, code) = UciOptions.Parse([root, "--datasets", "y"], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        var run = UciPreparation.Prepare(o!);
        Assert.Equal(2, run.Errors.Count);
        Assert.StartsWith("--datasets y: ", run.Errors[0], StringComparison.Ordinal);
        Assert.Equal($"No data sets in {root} (a data set is a folder with data.txt and dataset.json).", run.Errors[1]);
    }

    [Fact]
    public void BadSplitFileStopsTheRunBeforeAnyFittingWithExitCodeTwo()
    {
        // Split 0 is fine, split 1 is broken: split 0 must not be fitted (no result line, no results folder).
        File.WriteAllText(SplitFile("train", 1), "0\n1\nabc\n");
        var (code, text) = Run("--splits", "2", "--methods", "ntk");
        Assert.Equal(UciExitCodes.Data, code);
        Assert.Equal(2, UciExitCodes.Data);
        Assert.Contains($"toy: split 1: {SplitFile("train", 1)}: line 3, column 1: 'abc' is not an integer", text, StringComparison.Ordinal);
        Assert.DoesNotContain("toy split 0", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public void MaxTrainKeepsExactlyThatManyRowsAndSaysSo()
    {
        // The trial: --max-train 60 gave 56 rows (one of ⌈277/60⌉ = 5 folds). Here 30 training rows, --max-train 17.
        var run = UciPreparation.Prepare(Options("--splits", "3", "--max-train", "17"));
        Assert.Empty(run.Errors);
        for (int k = 0; k < 3; k++)
        {
            var split = run.Splits[("toy", k)];
            int[] rows = RowsOf(split.TrainX);
            Assert.Equal(17, rows.Length);
            Assert.Equal(rows.Order(), rows);
            Assert.Equal(17, rows.Distinct().Count());
            var test = Enumerable.Range(10 * k, 10).Select(i => i % Rows);
            Assert.Empty(rows.Intersect(test));
            Assert.Equal(10, split.TestX.Rows);
            Assert.Equal(30, split.TrainRowsAvailable);
        }
        Assert.Equal("toy: 17 of 30 training rows in 3 of 3 splits (--max-train 17: a random subset of exactly that many, seeded by the split number; test rows are all kept).", run.Lines[^1]);
        // A limit at or above the split's training rows keeps them all and adds no line.
        var all = UciPreparation.Prepare(Options("--splits", "1", "--max-train", "30"));
        Assert.Equal(30, all.Splits[("toy", 0)].TrainX.Rows);
        Assert.Equal(["toy: split 0 (1 of 3)."], all.Lines);
    }

    [Fact]
    public void TrainingSubsetIsExactDeterministicAndUnbiased()
    {
        int[] train = Enumerable.Range(0, 100).Select(i => 3 * i + 1).ToArray();
        Assert.Same(train, UciData.TrainingSubset(train, CountOrAll.All, 0));
        Assert.Same(train, UciData.TrainingSubset(train, CountOrAll.Of(100), 0));
        Assert.Equal(UciData.TrainingSubset(train, CountOrAll.Of(30), 4), UciData.TrainingSubset(train, CountOrAll.Of(30), 4));
        Assert.NotEqual(UciData.TrainingSubset(train, CountOrAll.Of(30), 4), UciData.TrainingSubset(train, CountOrAll.Of(30), 5));
        // Over 400 seeds each row should be kept with probability 1/2: the count of a row is Binomial(400, 1/2),
        // mean 200, s.d. 10; 150 … 250 is 5 s.d. (a prefix- or parity-biased subset keeps some rows always or never).
        var counts = new int[100];
        for (int seed = 0; seed < 400; seed++)
        {
            int[] kept = UciData.TrainingSubset(train, CountOrAll.Of(50), seed);
            Assert.Equal(50, kept.Length);
            Assert.Equal(50, kept.Distinct().Count());
            Assert.All(kept, r => Assert.Contains(r, train));
            foreach (int r in kept) counts[(r - 1) / 3]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 150, 250));
    }

    [Fact]
    public void RunPrintsItsSettingsFirstAndFitsExactlyMaxTrainRows()
    {
        var (code, text) = Run("--splits", "1", "--methods", "ntk", "--max-train", "20");
        Assert.True(code == 0, text);
        string[] lines = text.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal("Settings (default unless marked [given] or [--full]):", lines[0]);
        // The settings lines (wrapped for the console) hold every setting, marked where it came from.
        string settings = string.Join(" ", lines.Skip(1).TakeWhile(l => l.StartsWith("DATA_DIR", StringComparison.Ordinal) || l.StartsWith("--", StringComparison.Ordinal)));
        Assert.Contains("--splits 1 [given]; --large-splits 3; --first-split 0; --max-train 20 [given]; --datasets toy [given]; --methods ntk [given];", settings, StringComparison.Ordinal);
        Assert.EndsWith("--output " + Path.Combine(_root, "out") + " [given].", settings, StringComparison.Ordinal);
        Assert.Contains("toy: split 0 (1 of 3).", lines);
        Assert.Contains("toy: 20 of 30 training rows in 1 of 1 splits (--max-train 20: a random subset of exactly that many, seeded by the split number; test rows are all kept).", lines);
        Assert.Contains(lines, l => l.StartsWith("toy split 0: n = 20; RMSE / LL: NTK ", StringComparison.Ordinal));
        Assert.Contains("# settings: Settings (default unless marked", File.ReadAllText(Path.Combine(_root, "out", "uci-splits.csv")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"features": [0, 1]}""", "the required field \"target\" (0-based target column) is missing; write e.g. ")]
    [InlineData("""{"targets": 2}""", "unknown field \"targets\"; the fields are target, features, header, delimiter, reference_rmse, reference_ll (target required).")]
    [InlineData("""[2]""", "expected a JSON object, e.g. ")]
    [InlineData("""{"target": "last"}""", "field \"target\" must be an integer (0-based column); write e.g. ")]
    [InlineData("""{"target": 2, "features": [0, "x"]}""", "field \"features\" must be an array of integers (0-based columns); write e.g. ")]
    [InlineData("""{"target": 2,""", "not valid JSON (")]
    // Found by the second new-user trial: these named the reader's TableReadOptions properties (or no file at all).
    [InlineData("""{"target": 60}""", "field \"target\": column 60 does not exist; ")]
    [InlineData("""{"target": 1, "features": [0, 7]}""", "field \"features\": column 7 does not exist; ")]
    [InlineData("""{"target": 2, "features": [2]}""", "field \"target\" and \"features\": Column 2 of ")]
    [InlineData("""{"target": 2, "delimiter": "pipe"}""", "field \"delimiter\" is 'pipe'; use whitespace, comma, semicolon or tab.")]
    public void BadDatasetJsonIsOneLineWithExitCodeTwoBeforeAnyFitting(string json, string problem)
    {
        // A dataset.json without "target" (or with a typo for it) used to read the target from column 0 silently.
        string file = Path.Combine(_root, "toy", "dataset.json");
        File.WriteAllText(file, json);
        var run = UciPreparation.Prepare(Options());
        string error = Assert.Single(run.Errors);
        // Without --datasets the set is found all the same (a bad dataset.json used to throw from the search) and reported.
        var (all, _) = UciOptions.Parse([_root], new StringWriter(), new StringWriter());
        Assert.Equal([error], UciPreparation.Prepare(all!).Errors);
        Assert.StartsWith($"toy: {file}: {problem}", error, StringComparison.Ordinal);
        var (code, text) = Run("--methods", "ntk");
        Assert.Equal(UciExitCodes.Data, code);
        Assert.Contains(error, text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public void NegativeTargetCountsFromTheEnd()
    {
        // Column −1 of "i i² sin(i)" is sin(i), the same target as column 2; the features are i and i².
        File.WriteAllText(Path.Combine(_root, "toy", "dataset.json"), """{"target": -1, "header": false, "delimiter": "whitespace", "reference_rmse": 1.5}""");
        var run = UciPreparation.Prepare(Options("--splits", "1"));
        Assert.Empty(run.Errors);
        var split = run.Splits[("toy", 0)];
        Assert.Equal(2, split.TrainX.Columns);
        int[] rows = RowsOf(split.TrainX);
        Assert.Equal(rows.Select(r => Math.Sin(r)), split.TrainY.ToFlatArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(1.5, run.Sets[0].Description.ReferenceRmse);
    }
}
