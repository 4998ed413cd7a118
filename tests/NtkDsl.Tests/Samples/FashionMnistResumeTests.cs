using FashionMnist;
using NtkDsl.IO;
using Spectre.Console;

namespace NtkDsl.Tests.Samples;

/// <summary>
/// The restartable parts of the Fashion-MNIST sample: kernels in saved blocks (<see cref="KernelBlocks"/>) against one
/// direct call, blocks read back instead of recomputed, results reused from the journal, and the pooled CNTK/CNN
/// methods end to end on tiny subsets.
/// </summary>
public sealed class FashionMnistResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntkdsl-fmresume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>K(x, x') = (1 + x·x'/d)² with its own loop (a kernel whose blocks can be checked entry by entry).</summary>
    private static Tensor Poly(Tensor x1, Tensor? x2)
    {
        var b = x2 ?? x1;
        int d = x1.Columns;
        var k = new double[x1.Rows * b.Rows];
        for (int i = 0; i < x1.Rows; i++)
            for (int j = 0; j < b.Rows; j++)
            {
                double s = 0;
                for (int c = 0; c < d; c++) s += x1[i, c] * b[j, c];
                k[i * b.Rows + j] = (1 + s / d) * (1 + s / d);
            }
        return Tensor.Wrap(k, x1.Rows, b.Rows);
    }

    [Fact]
    public void BlockedKernelsEqualTheDirectKernelAndAreReadBack()
    {
        var rng = new Random(2);
        int n = KernelBlocks.BlockRows * 2 + 37, m = KernelBlocks.BlockRows + 3, d = 3;
        var x = Tensor.Wrap(Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() - 0.5).ToArray(), n, d);
        var xt = Tensor.Wrap(Enumerable.Range(0, m * d).Select(_ => rng.NextDouble() - 0.5).ToArray(), m, d);
        int calls = 0;
        AnalyticKernel kernel = (a, b, _) => { calls++; return Poly(a, b); };
        var lines = new List<string>();
        var blocks = new KernelBlocks(Path.Combine(_dir, "k"), "poly", lines.Add);
        var fractions = new List<double>();
        var k = blocks.Symmetric(kernel, x, fractions.Add);
        var kt = blocks.Cross(kernel, xt, x, _ => { });
        var direct = Poly(x, null);
        var directT = Poly(xt, x);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(direct[i, j], k[i, j], 12);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(directT[i, j], kt[i, j], 12);
        Assert.Equal(1.0, fractions[^1]);
        Assert.True(calls > 0);
        Assert.Equal(3 + 2, Directory.GetFiles(Path.Combine(_dir, "k"), "*.bin").Length); // 3 train blocks, 2 test blocks

        // A second run reads every block back: no kernel call, the same values.
        calls = 0;
        var again = new KernelBlocks(Path.Combine(_dir, "k"), "poly", lines.Add);
        var k2 = again.Symmetric(kernel, x, _ => { });
        var kt2 = again.Cross(kernel, xt, x, _ => { });
        Assert.Equal(0, calls);
        Assert.Equal(k.ToFlatArray(), k2.ToFlatArray());
        Assert.Equal(kt.ToFlatArray(), kt2.ToFlatArray());
        Assert.Contains(lines, l => l.Contains("read from", StringComparison.Ordinal));
    }

    [Fact]
    public void ABlockOfTheWrongSizeIsRecomputed()
    {
        var x = Tensor.Wrap([0.1, 0.2, 0.3, 0.4], 2, 2);
        string folder = Path.Combine(_dir, "bad");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "poly-train-0-2.bin"), [1, 2, 3]); // truncated
        int calls = 0;
        var k = new KernelBlocks(folder, "poly", null).Symmetric((a, b, _) => { calls++; return Poly(a, b); }, x, _ => { });
        Assert.True(calls > 0);
        Assert.Equal(Poly(x, null)[0, 1], k[0, 1], 12);
    }

    private static (int ExitCode, string Text) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = PlainConsole.Into(writer, 200);
        int code = FashionMnistApp.Run(args, console, writer);
        return (code, writer.ToString());
    }

    [Fact]
    public void PooledMethodsRunAndASecondRunReusesTheirResults()
    {
        if (FashionMnistData.MissingFiles(FashionMnistData.DefaultFolder).Count > 0)
            Assert.Skip($"Fashion-MNIST not found under {FashionMnistData.DefaultFolder} (install it with `sudo apt-get install dataset-fashion-mnist`).");
        string output = Path.Combine(_dir, "pooled");
        string[] args = ["--methods", "cntk-pool,cnn-pool", "--train-sizes", "6", "--test-size", "5", "--epochs", "1", "-o", output];
        var (code, text) = Run(args);
        Assert.True(code == 0, text);
        var table = ResultReader.ReadCsv(Path.Combine(output, "fashion-mnist.csv"));
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal("cntk-pool", table.Get(0, "method_key"));
        Assert.Equal("cnn-pool", table.Get(1, "method_key"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "kernels"), "*.bin"));
        double first = table.GetDouble(0, "accuracy");

        var (code2, text2) = Run(args);
        Assert.True(code2 == 0, text2);
        Assert.Contains("fashion-mnist.results.jsonl", text2, StringComparison.Ordinal);
        var table2 = ResultReader.ReadCsv(Path.Combine(output, "fashion-mnist.csv"));
        Assert.Equal(2, table2.Rows.Count);
        Assert.Equal(first, table2.GetDouble(0, "accuracy"));
    }
}
