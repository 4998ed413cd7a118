using Uci;

namespace NtkDsl.Tests.Samples;

/// <summary>
/// The UCI sample's command line (samples/Uci, UciOptions): a number always means that number ("all" is its own
/// state), options given beside --full win over its values and the settings line says where each value came from,
/// every usage error is one line naming the option, the value and what to pass with exit code 1 (no help), and an
/// unknown option is an error, never the data folder. Expected lines and values are written out by hand.
/// </summary>
public sealed class UciCommandLineTests
{
    private static (UciOptions? Options, int ExitCode, string Output, string Errors) Parse(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (options, code) = UciOptions.Parse(args, output, error);
        return (options, code, output.ToString(), error.ToString());
    }

    private static UciOptions Options(params string[] args)
    {
        var (o, code, _, errors) = Parse(args);
        Assert.True(code == 0, errors);
        return o!;
    }

    private static readonly UciSetSize Yacht = new("yacht", 308, 20);

    [Fact]
    public void LargestIntegerIsANumberNotAll()
    {
        // Used to be int.MaxValue, the sentinel of "all": --splits 2147483647 ran every split without a word.
        var o = Options("--splits", "2147483647", "--large-splits", "2147483647", "--max-train", "2147483647", "--coarse-from", "2147483647");
        Assert.Equal((false, 2147483647), (o.Splits.IsAll, o.Splits.Value));
        Assert.Equal((false, 2147483647), (o.LargeSplits.IsAll, o.LargeSplits.Value));
        Assert.Equal((false, 2147483647), (o.MaxTrain.IsAll, o.MaxTrain.Value));
        Assert.Equal((false, 2147483647), (o.CoarseFrom.IsAll, o.CoarseFrom.Value));
        var plan = UciSplitPlan.Make(o, [Yacht]);
        Assert.Empty(plan.Ranges);
        Assert.Equal("--splits 2147483647 asks for splits 0–2147483646, but yacht has 20 splits (0–19); pass --splits 20 (or --splits all: every split from 0 to the last).",
            Assert.Single(plan.Errors));
    }

    [Fact]
    public void AllAndZeroAreAllWhereDocumented()
    {
        var o = Options("--splits", "all", "--large-splits", "ALL", "--max-train", "0", "--coarse-from", "0");
        Assert.True(o.Splits.IsAll && o.LargeSplits.IsAll && o.MaxTrain.IsAll && o.CoarseFrom.IsAll);
        Assert.Equal("all", o.Splits.ToString());
        Assert.Throws<InvalidOperationException>(() => o.Splits.Value);
        Assert.Equal(20, o.Splits.AtMost(20));
        Assert.Equal(7, CountOrAll.Of(7).AtMost(20));
        Assert.Equal(20, CountOrAll.Of(2147483647).AtMost(20));
    }

    [Theory]
    [InlineData(new[] { "--full" }, "all", "all", "all")]
    [InlineData(new[] { "--full", "--splits", "3" }, "3", "all", "all")]
    [InlineData(new[] { "--splits", "3", "--full" }, "3", "all", "all")]
    [InlineData(new[] { "--full", "--max-train", "500" }, "all", "all", "500")]
    [InlineData(new[] { "--full", "--large-splits", "2", "--max-train", "0" }, "all", "2", "all")]
    [InlineData(new string[0], "5", "3", "2000")]
    public void ExplicitOptionsWinOverFull(string[] args, string splits, string largeSplits, string maxTrain)
    {
        // --full used to overwrite --splits/--large-splits/--max-train whatever their order.
        var o = Options(args);
        Assert.Equal((splits, largeSplits, maxTrain), (o.Splits.ToString(), o.LargeSplits.ToString(), o.MaxTrain.ToString()));
    }

    [Fact]
    public void SettingsSayWhereEachValueCameFrom()
    {
        var o = Options("/data/uci", "--full", "--splits", "2", "--datasets", "yacht", "--methods", "ard,ntk", "--ml-rows", "600");
        Assert.Equal("Settings (default unless marked [given] or [--full]): DATA_DIR /data/uci [given]; --full [given]; --splits 2 [given]; "
            + "--large-splits all [--full]; --first-split 0; --max-train all [--full]; --datasets yacht [given]; --methods ntk,ard [given]; "
            + "--wntk-rows 400; --iterations 300; --coarse-from 3000; --ml-rows 600 [given]; --ml-depth-rows 300; --ml-restarts auto; "
            + "--log-warp on; --repeats drop; --ard-objective ml; --output results.", o.Settings.Replace(Path.GetFullPath("/data/uci"), "/data/uci", StringComparison.Ordinal));
        var lines = o.SettingsLines(80);
        Assert.Equal("Settings (default unless marked [given] or [--full]):", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.True(l.Length <= 83, l));
        // The lines hold the same settings as the one-line form.
        Assert.Equal(o.Settings, lines[0] + " " + string.Join(" ", lines.Skip(1).Select(l => l.Trim())));
    }

    [Fact]
    public void DefaultSettingsAreUnmarked()
    {
        string s = Options().Settings["Settings (default unless marked [given] or [--full]):".Length..];
        Assert.DoesNotContain("[given]", s, StringComparison.Ordinal);
        Assert.DoesNotContain("[--full]", s, StringComparison.Ordinal);
        Assert.Contains("; --splits 5; --large-splits 3; --first-split 0; --max-train 2000; --datasets all; --methods ntk,layer,feature,ard; ", s, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--splits abc: not an integer; pass an integer ≥ 1 or all.", "--splits", "abc")]
    [InlineData("--splits 0: below 1; pass an integer ≥ 1 or all.", "--splits", "0")]
    [InlineData("--large-splits 1.5: not an integer; pass an integer ≥ 1 or all.", "--large-splits", "1.5")]
    [InlineData("--first-split x: not an integer; pass an integer ≥ 0.", "--first-split", "x")]
    [InlineData("--first-split -1: below 0; pass an integer ≥ 0.", "--first-split", "-1")]
    [InlineData("--iterations x: not an integer; pass an integer ≥ 1.", "--iterations", "x")]
    [InlineData("--max-train 1: below 2 (leave-one-out needs two training rows); pass an integer ≥ 2, or 0 or all.", "--max-train", "1")]
    [InlineData("--coarse-from -3: below 1; pass an integer ≥ 1, or 0 or all.", "--coarse-from", "-3")]
    [InlineData("--repeats foo: not one of the choices; pass drop, merge or keep.", "--repeats", "foo")]
    [InlineData("--log-warp yes: not one of the choices; pass on or off.", "--log-warp", "yes")]
    [InlineData("--ard-objective ML: not one of the choices; pass ml or loo.", "--ard-objective", "ML")]
    [InlineData("--ml-restarts many: neither auto nor an integer ≥ 0; pass auto or an integer ≥ 0.", "--ml-restarts", "many")]
    [InlineData("--methods ntk,xyz: unknown column 'xyz'; pass ntk, layer, feature or ard (comma-separated).", "--methods", "ntk,xyz")]
    [InlineData("--splits: no value given; pass --splits N|all.", "--splits")]
    [InlineData("--splits 2 3: given 2 times; pass --splits N|all once.", "--splits", "2", "--splits", "3")]
    public void UsageErrorIsOneLineWithoutHelpAndExitCodeOne(string expected, params string[] args)
    {
        // Wrong kinds of value and unknown choices used to print System.CommandLine's message and then the whole help.
        var (o, code, output, errors) = Parse(args);
        Assert.Null(o);
        Assert.Equal(UciExitCodes.Usage, code);
        Assert.Equal(1, UciExitCodes.Usage);
        Assert.Equal("", output);
        Assert.Equal([expected], errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Found by a new-user trial: --version was listed in --help but ran the whole default protocol.</summary>
    [Fact]
    public void VersionPrintsTheVersionAndRunsNothing()
    {
        var (o, code, output, errors) = Parse("--version");
        Assert.Null(o);
        Assert.Equal(0, code);
        Assert.Equal("", errors);
        var version = typeof(UciOptions).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        Assert.Equal(version, output.Trim());
    }

    [Fact]
    public void EveryUsageErrorGetsItsLine()
    {
        var (_, code, _, errors) = Parse("--splits", "0", "--repeats", "x");
        Assert.Equal(UciExitCodes.Usage, code);
        Assert.Equal(["--splits 0: below 1; pass an integer ≥ 1 or all.", "--repeats x: not one of the choices; pass drop, merge or keep."],
            errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void HelpStillPrintsTheHelpWithExitCodeZero(string option)
    {
        var (o, code, output, errors) = Parse(option);
        Assert.Null(o);
        Assert.Equal(UciExitCodes.Done, code);
        Assert.Equal("", errors);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("--max-train <N|all|0>", output, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 done (or --help/--version printed), 1 usage error, 2 data error (a missing or malformed file, too few rows)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus: unknown option (--help lists every option; a data folder whose name starts with '-' is passed as ./--bogus).", "--bogus")]
    [InlineData("--bogus: unknown option (--help lists every option; a data folder whose name starts with '-' is passed as ./--bogus).", "/data/uci", "--bogus")]
    [InlineData("--split: unknown option; did you mean --splits? (--help lists every option; a data folder whose name starts with '-' is passed as ./--split).", "--split", "3")]
    [InlineData("--max-trian: unknown option; did you mean --max-train? (--help lists every option; a data folder whose name starts with '-' is passed as ./--max-trian).", "/data/uci", "--max-trian", "60")]
    [InlineData("-x: unknown option (--help lists every option; a data folder whose name starts with '-' is passed as ./-x).", "-x")]
    public void UnknownOptionIsAnErrorNotTheDataFolder(string expected, params string[] args)
    {
        // "--bogus" used to be read as the data folder ("Data folder not found: …/--bogus").
        var (o, code, output, errors) = Parse(args);
        Assert.Null(o);
        Assert.Equal(UciExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Equal([expected], errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void SecondPositionalArgumentIsAnError()
    {
        var (_, code, _, errors) = Parse("/data/uci", "yacht");
        Assert.Equal(UciExitCodes.Usage, code);
        Assert.Equal("yacht: unexpected argument; only one DATA_DIR is taken, and every option's value follows it (--help lists every option).", errors.Trim());
    }

    [Fact]
    public void FolderStartingWithADashIsTakenWhenWrittenAsAPath()
    {
        Assert.Equal(Path.GetFullPath("./-data"), Options("./-data").DataDir);
        Assert.Equal(Path.GetFullPath("/data/uci"), Options("/data/uci", "--splits", "2").DataDir);
    }
}
