using NtkDsl.IO;
using NtkDsl.Memory;
using NtkDsl.Tests.IO;
using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Streaming;

/// <summary>
/// Issue 15: kernels given as a function of (rows, columns) — the static analytic kernels, or any other — streamed
/// row block by row block; cancellation and failures leave no file; the automatic block size follows the memory limit.
/// </summary>
public sealed class KernelStreamFunctionTests
{
    private static Tensor X1 => Zoo.RandomInputs(14, 3, 41);

    private static Tensor X2 => Zoo.RandomInputs(6, 3, 42);

    public static TheoryData<string, bool, int?> AnalyticCases()
    {
        var data = new TheoryData<string, bool, int?>();
        foreach (string kernel in new[] { "ntk", "nngp", "wntk" })
            foreach (bool symmetric in new[] { true, false })
                foreach (int? rows in new int?[] { 3, 14, null })
                    data.Add(kernel, symmetric, rows);
        return data;
    }

    private static readonly GroupWeights Weights = new GroupWeights(1.0).Weights("Hidden", 0.3).Bias("Readout", 2.5);

    private static Tensor Analytic(string kernel, Tensor a, Tensor? b, CancellationToken ct) => kernel switch
    {
        "ntk" => ReluNtk.AnalyticNtk(a, b, cancellationToken: ct),
        "nngp" => ReluNtk.AnalyticNngp(a, b, cancellationToken: ct),
        _ => ReluNtk.AnalyticWntk(a, b, Weights, cancellationToken: ct),
    };

    [Theory]
    [MemberData(nameof(AnalyticCases))]
    public void AnalyticKernelFileEqualsTheInMemoryKernel(string kernel, bool symmetric, int? blockRows)
    {
        using var dir = new TempDir();
        var x2 = symmetric ? null : X2;
        var expected = Analytic(kernel, X1, x2, default);
        var progress = new ProgressLog();
        var header = KernelStream.ToNpy(dir.File("a.npy"), X1, x2, (r, c, ct) => Analytic(kernel, r, c, ct),
            new KernelStreamOptions { BlockRows = blockRows, Progress = progress });
        Assert.Equal(new long[] { 14, symmetric ? 14 : 6 }, header.Shape.ToArray());
        StreamAssert.Close(expected, StreamAssert.ReadChecked(dir.File("a.npy"), 14, symmetric ? 14 : 6));
        Assert.Equal(14, progress.Reports[^1].Done);
        Assert.Equal(["a.npy"], dir.Files());
    }

    [Fact]
    public void TwoArgumentFunctionAndRowBlocksGiveTheSameKernel()
    {
        var expected = ReluNtk.AnalyticNtk(X1, X2);
        var blocks = KernelStream.RowBlocks(X1, X2, (Func<Tensor, Tensor, Tensor>)((r, c) => ReluNtk.AnalyticNtk(r, c)), blockRows: 4).ToList();
        Assert.Equal([0, 4, 8, 12], blocks.Select(b => b.RowStart));
        Assert.Equal([4, 4, 4, 2], blocks.Select(b => b.RowCount));
        StreamAssert.Close(expected, Tensor.FromArray(blocks.SelectMany(b => b.Values.AsSpan().ToArray()).ToArray(), 14, 6));
    }

    [Fact]
    public void CancellationMidwayLeavesNoFileAndKeepsThePreviousOne()
    {
        using var dir = new TempDir();
        string path = dir.File("k.npy");
        NpyFile.Write(path, Tensor.FromArray(new double[,] { { 42 } }));
        byte[] before = File.ReadAllBytes(path);
        using var cts = new CancellationTokenSource();
        var progress = new ProgressLog(p => { if (p.Done >= 6) cts.Cancel(); });
        int calls = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => KernelStream.ToNpy(path, X1, null, (r, c, ct) =>
        {
            calls++;
            return ReluNtk.AnalyticNtk(r, c, cancellationToken: ct);
        }, new KernelStreamOptions { BlockRows = 3, Progress = progress }, cts.Token));
        Assert.Equal(2, calls); // Cancelled after the second block; the third never started.
        Assert.Equal(["k.npy"], dir.Files());
        Assert.Equal(before, File.ReadAllBytes(path));

        // Cancelled per group: none of the group files appears.
        using var cts2 = new CancellationTokenSource();
        var model = new ReluNtk(1);
        Assert.ThrowsAny<OperationCanceledException>(() => KernelStream.NtkPerGroupToNpy(model, dir.File("g.npy"), X1, null, NtkMode.Trace,
            new KernelStreamOptions { BlockRows = 5, Progress = new ProgressLog(_ => cts2.Cancel()) }, cts2.Token));
        Assert.Equal(["k.npy"], dir.Files());

        // A token cancelled before the start: nothing is computed.
        Assert.ThrowsAny<OperationCanceledException>(() => KernelStream.NtkToNpy(model, dir.File("n.npy"), X1, cancellationToken: cts2.Token));
        Assert.Equal(["k.npy"], dir.Files());
    }

    [Fact]
    public void AFailingBlockLeavesNoFile()
    {
        using var dir = new TempDir();
        int calls = 0;
        var e = Assert.Throws<InvalidOperationException>(() => KernelStream.ToNpy(dir.File("k.npy"), X1, null, (r, c) =>
        {
            if (++calls == 3) throw new InvalidOperationException("boom");
            return ReluNtk.AnalyticNtk(r, c);
        }, new KernelStreamOptions { BlockRows = 4 }));
        Assert.Equal("boom", e.Message);
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void BlocksOfTheWrongShapeAreRejected()
    {
        using var dir = new TempDir();
        var rows = Assert.Throws<InvalidOperationException>(() => KernelStream.ToNpy(dir.File("k.npy"), X1, null,
            (r, c) => ReluNtk.AnalyticNtk(r.SliceRows(0, 1), c), new KernelStreamOptions { BlockRows = 4 }));
        Assert.Contains("returned 1 rows for the 4 rows [0, 4)", rows.Message, StringComparison.Ordinal);
        int calls = 0;
        var shape = Assert.Throws<InvalidOperationException>(() => KernelStream.ToNpy(dir.File("k.npy"), X1, null,
            (r, c) => ++calls == 1 ? ReluNtk.AnalyticNtk(r, c) : ReluNtk.AnalyticNtk(r, c.SliceRows(0, 5)), new KernelStreamOptions { BlockRows = 4 }));
        Assert.Contains("every block must have the same shape after its rows", shape.Message, StringComparison.Ordinal);
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void AutomaticBlockSizeFollowsTheAvailableMemory()
    {
        // A one-row probe block of 14 float64 columns shows 14 · 8 bytes per row; a block may use MemoryFraction of the
        // available memory for DelegateWorkingCopies arrays of its size. With room for exactly 4 rows the blocks are
        // 1 (the probe), then 4, 4, 4, 1.
        long perRow = 14L * 8 * KernelStream.DelegateWorkingCopies;
        long limit = (long)Math.Ceiling(4 * perRow / KernelStream.MemoryFraction);
        List<KernelRowBlock> blocks;
        using (MemoryBudget.LimitForTesting(limit))
            blocks = KernelStream.RowBlocks(X1, null, (Func<Tensor, Tensor, Tensor>)((r, c) => ReluNtk.AnalyticNtk(r, c))).ToList();
        Assert.Equal([1, 4, 4, 4, 1], blocks.Select(b => b.RowCount));
        Assert.Equal([0, 1, 5, 9, 13], blocks.Select(b => b.RowStart));

        // Plenty of memory: the probe, then everything else at once.
        var two = KernelStream.RowBlocks(X1, null, (Func<Tensor, Tensor, Tensor>)((r, c) => ReluNtk.AnalyticNtk(r, c))).ToList();
        Assert.Equal([1, 13], two.Select(b => b.RowCount));
    }

    [Fact]
    public void AutomaticBlocksKeepTheirResultUnderTheCap()
    {
        // 2²⁰ float64 values a row are 8 MiB: 512 MiB hold 64 rows, however much memory is free.
        Assert.Equal(64, KernelStream.ChooseBlockRows(1, 1 << 20, 10_000));
        Assert.Equal(10, KernelStream.ChooseBlockRows(1, 1 << 20, 10));
        // Memory smaller than the cap decides: 8 MiB a row of working set, 40 MiB available → half of it, 2 rows.
        using (MemoryBudget.LimitForTesting(40L << 20))
            Assert.Equal(2, KernelStream.ChooseBlockRows(8L << 20, 1, 10_000));
        // Too little for one row: still one row (the kernel's own memory check then reports the shortage).
        using (MemoryBudget.LimitForTesting(1000))
            Assert.Equal(1, KernelStream.ChooseBlockRows(8L << 20, 1, 10_000));
    }

    [Fact]
    public void ModelStreamsUnderALimitWhereTheInMemoryKernelDoesNotFit()
    {
        using var dir = new TempDir();
        var model = new ErfTanhNtk(2);
        var x = Zoo.RandomInputs(300, 4, 9);
        var expected = model.Ntk(x, null, NtkMode.Full);
        // Half of what the whole Full kernel needs at once: Ntk(x) must refuse, the stream must fit blocks under it.
        long limit = ErfTanhNtk.Cost.Ntk(300, null, NtkMode.Full).Bytes / 2;
        var progress = new ProgressLog();
        using (MemoryBudget.LimitForTesting(limit))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(() => model.Ntk(x, null, NtkMode.Full));
            Assert.Contains("KernelStream.NtkToNpy", e.Message, StringComparison.Ordinal);
            KernelStream.NtkToNpy(model, dir.File("k.npy"), x, null, NtkMode.Full, new KernelStreamOptions { Progress = progress });
        }
        Assert.True(progress.Reports.Count >= 3, $"{progress.Reports.Count} blocks");
        StreamAssert.Close(expected, StreamAssert.ReadChecked(dir.File("k.npy"), 300, 300, 3, 3));
    }
}
