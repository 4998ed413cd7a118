using FashionMnist;
using NtkDsl.IO;
using Spectre.Console;

namespace NtkDsl.Tests.Samples;

/// <summary>
/// The Fashion-MNIST sample (samples/FashionMnist): argument handling, the message and exit code when the data are
/// missing or corrupt, preprocessing, targets and accuracy against values computed here, and an end-to-end run on the
/// real data (skipped with a message when the Debian package dataset-fashion-mnist is not installed).
/// </summary>
public sealed class FashionMnistSampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntkdsl-fmnist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (FashionMnistOptions? Options, int ExitCode, string Text) Parse(params string[] args)
    {
        var writer = new StringWriter();
        var (options, code) = FashionMnistOptions.Parse(args, writer, writer);
        return (options, code, writer.ToString());
    }

    private static (int ExitCode, string Text) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = PlainConsole.Into(writer, 200);
        int code = FashionMnistApp.Run(args, console, writer);
        return (code, writer.ToString());
    }

    [Fact]
    public void DefaultsAreTheDocumentedRun()
    {
        var (o, code, _) = Parse();
        Assert.Equal(0, code);
        Assert.NotNull(o);
        Assert.Equal("/usr/share/datasets/fashion-mnist", o.DataDir);
        Assert.Equal([1000, 5000], o.TrainSizes);
        Assert.Equal(10000, o.TestSize);
        Assert.Equal(["mlp-ntk", "mlp"], o.Methods.Select(m => m.Key));
        Assert.Equal(Standardization.Image, o.Standardize);
        Assert.Equal(20, o.Epochs);
        Assert.Equal(0, o.Seed);
        Assert.Equal(Path.Combine("results", "fashion-mnist"), o.OutDir);
    }

    [Fact]
    public void EveryOptionIsParsed()
    {
        var (o, code, _) = Parse("--data", _dir, "--train-sizes", "5000,1000,1000", "--test-size", "500", "--methods", "mlp",
            "--standardize", "pixel", "--epochs", "3", "--seed", "7", "-o", Path.Combine(_dir, "out"));
        Assert.Equal(0, code);
        Assert.NotNull(o);
        Assert.Equal(Path.GetFullPath(_dir), o.DataDir);
        Assert.Equal([1000, 5000], o.TrainSizes); // sorted, duplicates dropped
        Assert.Equal(500, o.TestSize);
        Assert.Equal(["mlp"], o.Methods.Select(m => m.Key));
        Assert.Equal(Standardization.Pixel, o.Standardize);
        Assert.Equal(3, o.Epochs);
        Assert.Equal(7, o.Seed);
        Assert.Equal(Path.Combine(_dir, "out"), o.OutDir);
        Assert.Equal(10000, Parse("--test-size", "all").Options!.TestSize);
        Assert.Equal([200, 300], Parse("--train-sizes", "300", "--train-sizes", "200").Options!.TrainSizes);
    }

    [Theory]
    [InlineData("--train-sizes 0", "integers from 2 to 60000")]
    [InlineData("--train-sizes 1000,x", "not 'x'")]
    [InlineData("--train-sizes 60001", "not '60001'")]
    [InlineData("--test-size 10001", "at most 10000 or 'all', not '10001'")]
    [InlineData("--test-size 0", "positive integer")]
    [InlineData("--methods svm", "unknown method 'svm'")]
    [InlineData("--methods ,", "at least one of")]
    [InlineData("--epochs 0", "--epochs must be an integer ≥ 1")]
    [InlineData("--epochs abc", "abc")] // the shared Count option: a non-integer token is a parse error, not a crash
    [InlineData("--epochs 1.5", "1.5")]
    [InlineData("--standardize channel", "channel")]
    [InlineData("--bogus", "--bogus")]
    public void BadArgumentsExitNonZeroWithTheReason(string args, string expected)
    {
        var (o, code, text) = Parse(args.Split(' '));
        Assert.Null(o);
        Assert.Equal(1, code);
        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpExitsZeroAndNamesTheOptionsAndThePackage()
    {
        var (o, code, text) = Parse("--help");
        Assert.Null(o);
        Assert.Equal(0, code);
        foreach (string s in new[] { "--data", "--train-sizes", "--test-size", "--methods", "--standardize", "--output", "-o", "dataset-fashion-mnist", "mlp-ntk" })
            Assert.Contains(s, text, StringComparison.Ordinal);
        // The default sizes as the option is written (System.CommandLine's own rendering of an array default is "1000|5000"),
        // and no text from before the convolutional methods existed.
        Assert.Contains("[default: 1000,5000]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1000|5000", text, StringComparison.Ordinal);
        Assert.DoesNotContain("once the", text, StringComparison.Ordinal);
        Assert.Contains("the CNTK with global average pooling and trained CNNs (--methods)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDataSaysHowToGetItAndExitsTwo()
    {
        string output = Path.Combine(_dir, "out");
        var (code, text) = Run("--data", _dir, "-o", output);
        Assert.Equal(FashionMnistApp.DataMissingExitCode, code);
        Assert.Equal(2, code);
        Assert.Contains($"Fashion-MNIST not found in {_dir}", text, StringComparison.Ordinal);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", text, StringComparison.Ordinal);
        Assert.Contains("--data FOLDER", text, StringComparison.Ordinal);
        Assert.Contains("zalandoresearch/fashion-mnist", text, StringComparison.Ordinal);
        foreach (string f in FashionMnistData.FileNames) Assert.Contains(f, text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output)); // nothing written
    }

    [Fact]
    public void PartlyMissingDataListsOnlyTheMissingFiles()
    {
        File.WriteAllBytes(Path.Combine(_dir, "train-labels-idx1-ubyte.gz"), []);
        File.WriteAllBytes(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), []);
        Assert.Equal(["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"], FashionMnistData.MissingFiles(_dir));
        var (code, text) = Run("--data", _dir);
        Assert.Equal(2, code);
        Assert.Contains("missing train-images-idx3-ubyte[.gz], t10k-images-idx3-ubyte[.gz].", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptDataNamesTheFileAndExitsTwo()
    {
        // Four well-formed files except the test labels, whose header is little-endian.
        static byte[] Idx(int[] dims, int count)
        {
            var b = new List<byte> { 0, 0, 8, (byte)dims.Length };
            foreach (int d in dims) b.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
            b.AddRange(new byte[count]);
            return b.ToArray();
        }
        File.WriteAllBytes(Path.Combine(_dir, "train-images-idx3-ubyte"), Idx([2, 28, 28], 2 * 784));
        File.WriteAllBytes(Path.Combine(_dir, "train-labels-idx1-ubyte"), Idx([2], 2));
        File.WriteAllBytes(Path.Combine(_dir, "t10k-images-idx3-ubyte"), Idx([2, 28, 28], 2 * 784));
        var bad = Idx([2], 2);
        (bad[0], bad[2]) = (bad[2], bad[0]);
        string badPath = Path.Combine(_dir, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(badPath, bad);
        var (code, text) = Run("--data", _dir, "-o", Path.Combine(_dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains(badPath, text, StringComparison.Ordinal);
        Assert.Contains("magic number", text, StringComparison.Ordinal);

        // Labels outside 0–9 are named too.
        File.WriteAllBytes(badPath, [.. Idx([2], 0), 3, 12]);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnistData.Load(_dir));
        Assert.Contains("label 12 at item 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PerImageStandardizationGivesMeanZeroVarianceOne()
    {
        var x = Tensor.FromArray(new double[,] { { 0, 0.5, 1, 0.25 }, { 0.2, 0.2, 0.2, 0.2 } });
        var z = FashionMnistData.PerImage(x);
        // Row 0 by hand: mean 0.4375, population variance ((0.4375² + 0.0625² + 0.5625² + 0.1875²)/4) = 0.13671875.
        double sd = Math.Sqrt(0.13671875);
        Assert.Equal(-0.4375 / sd, z[0, 0], 14);
        Assert.Equal(0.0625 / sd, z[0, 1], 14);
        Assert.Equal(0.5625 / sd, z[0, 2], 14);
        Assert.Equal(-0.1875 / sd, z[0, 3], 14);
        Assert.All(Enumerable.Range(0, 4), j => Assert.Equal(0.0, z[1, j])); // a constant image maps to 0, not NaN
    }

    [Fact]
    public void PerPixelStandardizationUsesTrainingStatisticsOnly()
    {
        var train = Tensor.FromArray(new double[,] { { 0, 1 }, { 1, 1 }, { 2, 1 } });
        var test = Tensor.FromArray(new double[,] { { 4, 3 } });
        var (ztr, zte) = FashionMnistData.Preprocess(train, test, Standardization.Pixel);
        double sd = Math.Sqrt(2.0 / 3); // column 0 on the training rows: mean 1, population variance 2/3
        Assert.Equal(-1 / sd, ztr[0, 0], 14);
        Assert.Equal((4 - 1) / sd, zte[0, 0], 14);
        Assert.Equal(0.0, ztr[2, 1]); // column 1 is constant on the training rows: it maps to x − 1
        Assert.Equal(2.0, zte[0, 1]);
    }

    [Fact]
    public void TargetsAndAccuracy()
    {
        var y = FashionMnistData.Targets([2, 0]);
        Assert.Equal([2, 10], y.Shape);
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(c == 2 ? 0.9 : -0.1, y[0, c], 15);
            Assert.Equal(c == 0 ? 0.9 : -0.1, y[1, c], 15);
        }
        var scores = new double[3, 10];
        scores[0, 3] = 1; // right (label 3)
        scores[1, 5] = 2; scores[1, 4] = 1; // wrong (label 4)
        scores[2, 7] = -1; // all others 0 > −1: the first maximum is class 0, right for label 0
        scores[2, 0] = 0;
        Assert.Equal(2.0 / 3, FashionMnistData.Accuracy(Tensor.FromArray(scores), [3, 4, 0]), 15);
    }

    [Fact]
    public void TrainingSubsetsAreDistinctSortedAndSeeded()
    {
        var a = FashionMnistData.SampleRows(60000, 1000, seed: 0);
        Assert.Equal(1000, a.Distinct().Count());
        Assert.True(a.SequenceEqual(a.Order()));
        Assert.All(a, r => Assert.InRange(r, 0, 59999));
        Assert.Equal(a, FashionMnistData.SampleRows(60000, 1000, seed: 0));
        Assert.NotEqual(a, FashionMnistData.SampleRows(60000, 1000, seed: 1));
        Assert.Equal(Enumerable.Range(0, 10), FashionMnistData.SampleRows(10, 10, seed: 3)); // all rows
        // Uniform: over 2,000 draws of 1 row in 4, each row appears about 500 times (binomial s.d. ≈ 19.4; 5 s.d.).
        var counts = new int[4];
        for (int s = 0; s < 2000; s++) counts[FashionMnistData.SampleRows(4, 1, s)[0]]++;
        Assert.All(counts, c => Assert.InRange(c, 500 - 97, 500 + 97));
    }

    /// <summary>
    /// The whole sample on the real data at a small size: exit code 0, one CSV row per method, the SVG, and accuracies
    /// well above chance (10%; kernel regression on 200 images reaches about 70%).
    /// </summary>
    [Fact]
    public void RunsEndToEndOnTheRealData()
    {
        if (FashionMnistData.MissingFiles(FashionMnistData.DefaultFolder).Count > 0)
            Assert.Skip($"Fashion-MNIST not found under {FashionMnistData.DefaultFolder} (install it with `sudo apt-get install dataset-fashion-mnist`).");
        string output = Path.Combine(_dir, "out");
        var (code, text) = Run("--train-sizes", "200", "--test-size", "300", "--epochs", "5", "-o", output);
        Assert.True(code == 0, text);
        var table = ResultReader.ReadCsv(Path.Combine(output, "fashion-mnist.csv"));
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal("mlp-ntk", table.Get(0, "method_key"));
        Assert.Equal("mlp", table.Get(1, "method_key"));
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(200, table.GetDouble(r, "train_size"));
            Assert.Equal(300, table.GetDouble(r, "test_size"));
            Assert.InRange(table.GetDouble(r, "accuracy"), 0.4, 1.0);
        }
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(output, "fashion-mnist.svg")), StringComparison.Ordinal);
        Assert.Contains("MLP NTK regression", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RunsTheConvolutionalMethodsOnTinySubsets()
    {
        if (FashionMnistData.MissingFiles(FashionMnistData.DefaultFolder).Count > 0)
            Assert.Skip($"Fashion-MNIST not found under {FashionMnistData.DefaultFolder} (install it with `sudo apt-get install dataset-fashion-mnist`).");
        string output = Path.Combine(_dir, "cnn");
        var (code, text) = Run("--methods", "cntk,cnn", "--train-sizes", "4", "--test-size", "4", "--epochs", "1", "-o", output);
        Assert.True(code == 0, text);
        var table = ResultReader.ReadCsv(Path.Combine(output, "fashion-mnist.csv"));
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal("cntk", table.Get(0, "method_key"));
        Assert.Equal("cnn", table.Get(1, "method_key"));
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(4, table.GetDouble(r, "train_size"));
            Assert.InRange(table.GetDouble(r, "accuracy"), 0.0, 1.0);
        }
        Assert.Contains("CNTK (GAP) regression", text, StringComparison.Ordinal);
    }
}
