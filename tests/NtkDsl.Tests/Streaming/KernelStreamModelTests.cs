using NtkDsl.Memory;
using NtkDsl.IO;
using NtkDsl.Tests.IO;
using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Streaming;

/// <summary>
/// Issue 15 (kernels beyond memory): the empirical kernels of any model streamed to .npy row block by row block equal
/// the in-memory kernels of the same model, for every mode, symmetric and not, per group and weighted, with block
/// sizes that do and do not divide N.
/// </summary>
public sealed class KernelStreamModelTests
{
    private const int N1 = 13, N2 = 9;

    private static Tensor X1 => Zoo.RandomInputs(N1, 4, 31);

    private static Tensor X2 => Zoo.RandomInputs(N2, 4, 32);

    public static TheoryData<NtkMode, bool, int?> Cases()
    {
        var data = new TheoryData<NtkMode, bool, int?>();
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
            foreach (bool symmetric in new[] { true, false })
                foreach (int? rows in new int?[] { 1, 4, 5, N1, 50, null })
                    data.Add(mode, symmetric, rows);
        foreach (var mode in new[] { NtkMode.Diagonal, NtkMode.DiagonalFull })
            foreach (int? rows in new int?[] { 1, 5, null })
                data.Add(mode, true, rows);
        return data;
    }

    private static long[] ExpectedShape(NtkMode mode, int n1, int n2, int k) => mode switch
    {
        NtkMode.Trace => [n1, n2],
        NtkMode.Full => [n1, n2, k, k],
        NtkMode.Diagonal => [n1],
        _ => [n1, k, k],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NtkFileEqualsTheInMemoryKernel(NtkMode mode, bool symmetric, int? blockRows)
    {
        using var dir = new TempDir();
        var model = new ErfTanhNtk(3);
        var x2 = symmetric ? null : X2;
        var expected = model.Ntk(X1, x2, mode);
        var progress = new ProgressLog();
        var header = KernelStream.NtkToNpy(model, dir.File("k.npy"), X1, x2, mode, new KernelStreamOptions { BlockRows = blockRows, Progress = progress });
        var actual = StreamAssert.ReadChecked(dir.File("k.npy"), ExpectedShape(mode, N1, symmetric ? N1 : N2, 3));
        Assert.Equal(ExpectedShape(mode, N1, symmetric ? N1 : N2, 3), header.Shape.ToArray());
        // The diagonal of a block is the diagonal of the same inputs, computed alone: bitwise; a row block of the
        // full kernel sums the same products in another tile order: 1e-12.
        StreamAssert.Close(expected, actual, bitwise: mode is NtkMode.Diagonal or NtkMode.DiagonalFull);
        Assert.Equal(["k.npy"], dir.Files());

        // Progress: one report per block, rows strictly increasing to N1, blocks of the requested size.
        Assert.All(progress.Reports, p => Assert.Equal(("rows", (long)N1), (p.Stage, p.Total)));
        Assert.Equal(N1, progress.Reports[^1].Done);
        for (int i = 1; i < progress.Reports.Count; i++) Assert.True(progress.Reports[i].Done > progress.Reports[i - 1].Done);
        if (blockRows is int b) Assert.Equal((N1 + b - 1) / b, progress.Reports.Count);
    }

    [Theory]
    [InlineData(NtkMode.Trace, true, 4)]
    [InlineData(NtkMode.Trace, false, 5)]
    [InlineData(NtkMode.Full, true, 3)]
    [InlineData(NtkMode.Full, false, null)]
    [InlineData(NtkMode.Diagonal, true, 6)]
    [InlineData(NtkMode.DiagonalFull, true, 2)]
    public void WntkFileEqualsTheInMemoryWeightedKernel(NtkMode mode, bool symmetric, int? blockRows)
    {
        using var dir = new TempDir();
        var model = new ErfTanhNtk(4);
        var weights = new GroupWeights(0.5).Weights("Hidden1", 2.0).Bias("Readout", 0.0).Layer("Hidden2", 1.7);
        var x2 = symmetric ? null : X2;
        var expected = model.Wntk(X1, x2, weights, mode);
        KernelStream.WntkToNpy(model, dir.File("w.npy"), X1, x2, weights, mode, new KernelStreamOptions { BlockRows = blockRows });
        var actual = StreamAssert.ReadChecked(dir.File("w.npy"), ExpectedShape(mode, N1, symmetric ? N1 : N2, 3));
        StreamAssert.Close(expected, actual, bitwise: mode is NtkMode.Diagonal or NtkMode.DiagonalFull);
        // The weights matter: the weighted kernel is not the plain one.
        Assert.NotEqual(model.Ntk(X1, x2, mode).AsSpan().ToArray(), expected.AsSpan().ToArray());
    }

    [Theory]
    [InlineData(NtkMode.Trace, true, 5)]
    [InlineData(NtkMode.Trace, false, null)]
    [InlineData(NtkMode.Full, false, 4)]
    [InlineData(NtkMode.DiagonalFull, true, 3)]
    public void PerGroupWritesOneFilePerGroupEqualToNtkPerGroup(NtkMode mode, bool symmetric, int? blockRows)
    {
        using var dir = new TempDir();
        var model = new ErfTanhNtk(5);
        var x2 = symmetric ? null : X2;
        var expected = model.NtkPerGroup(X1, x2, mode);
        var paths = KernelStream.NtkPerGroupToNpy(model, dir.File("g.npy"), X1, x2, mode, new KernelStreamOptions { BlockRows = blockRows });
        Assert.Equal(ErfTanhNtk.Info.Groups.Select(g => g.Key), paths.Keys);
        Assert.Equal(ErfTanhNtk.Info.Groups.Select(g => "g." + g.Key + ".npy").Order(StringComparer.Ordinal), dir.Files());
        for (int g = 0; g < expected.Count; g++)
        {
            string path = paths[expected.Groups[g].Key];
            Assert.Equal(dir.File("g." + expected.Groups[g].Key + ".npy"), path);
            StreamAssert.Close(expected[g], StreamAssert.ReadChecked(path, ExpectedShape(mode, N1, symmetric ? N1 : N2, 3)),
                bitwise: mode is NtkMode.DiagonalFull);
        }
    }

    /// <summary>The working set the stream counts for a Trace block of B rows against N2 columns: the cost model's
    /// Ntk(B, N2) plus one more B × N2 float64 result (the previous block the GC may not have reclaimed yet).</summary>
    private static long TraceBlockBytes(int b, int n2) => ErfTanhNtk.Cost.Ntk(b, n2, NtkMode.Trace).Bytes + (long)b * n2 * 8;

    [Fact]
    public void AutomaticBlocksGrowPastOneRowWhenTheColumnPartTakesMostOfTheMemory()
    {
        // A new user's report: under NTKDSL_MEMORY_LIMIT_BYTES=40MB a 3000-row stream ran in 3000 one-row blocks (469 s
        // against 6.8 s with 200-row blocks), because one row needed more than MemoryFraction of the memory even though
        // hundreds of rows fit. The part every block needs (features of x2, tile buffers) does not shrink with B, so the
        // blocks may then use LargeFixedPartFraction of the memory.
        const int n = 60;
        var model = new ErfTanhNtk(3);
        var x = Zoo.RandomInputs(n, 4, 41);
        long limit = (long)Math.Ceiling(TraceBlockBytes(20, n) / KernelStream.LargeFixedPartFraction);
        Assert.True(TraceBlockBytes(1, n) > limit * KernelStream.MemoryFraction, "the scenario: one row exceeds MemoryFraction");
        int expected = Enumerable.Range(1, n).Last(b => TraceBlockBytes(b, n) <= (long)(limit * KernelStream.LargeFixedPartFraction));
        Assert.InRange(expected, 20, n - 1);
        List<KernelRowBlock> blocks;
        using (MemoryBudget.LimitForTesting(limit))
            blocks = KernelStream.NtkRowBlocks(model, x).ToList();
        Assert.Equal(expected, blocks[0].RowCount);
        Assert.Equal(n, blocks.Sum(b => b.RowCount));
        var whole = model.Ntk(x);
        StreamAssert.Close(whole, Tensor.FromArray(blocks.SelectMany(b => b.Values.AsSpan().ToArray()).ToArray(), n, n));
    }

    [Fact]
    public void WhenNotEvenOneRowFitsTheMessageSaysToSplitTheColumns()
    {
        const int n = 60;
        var model = new ErfTanhNtk(3);
        var x = Zoo.RandomInputs(n, 4, 41);
        // What Ntk(one row, x) itself needs, one byte short (the stream's own estimate adds the previous block).
        long one = ErfTanhNtk.Cost.Ntk(1, n, NtkMode.Trace).Bytes;
        using var _ = MemoryBudget.LimitForTesting(one - 1);
        var e = Assert.Throws<NotEnoughMemoryException>(() => KernelStream.NtkRowBlocks(model, x).First());
        Assert.Equal(one, e.RequestedBytes);
        Assert.Contains("single row of x1", e.Message, StringComparison.Ordinal);
        Assert.Contains("the 60 column inputs x2", e.Message, StringComparison.Ordinal);
        Assert.Contains("x2.SliceRows(start, count)", e.Message, StringComparison.Ordinal);
        // Not the circular advice to use KernelStream from inside KernelStream.
        Assert.DoesNotContain("In general", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGivenBlockSizeThatDoesNotFitSaysWhichDoes()
    {
        // A new user's report: BlockRows = 3000 under a 40 MB limit got the kernel's advice to use KernelStream.
        const int n = 60;
        var model = new ErfTanhNtk(3);
        var x = Zoo.RandomInputs(n, 4, 41);
        long limit = ErfTanhNtk.Cost.Ntk(25, n, NtkMode.Trace).Bytes;
        int fits = Enumerable.Range(1, n).Last(b => ErfTanhNtk.Cost.Ntk(b, n, NtkMode.Trace).Bytes <= limit);
        Assert.Equal(25, fits);
        using (MemoryBudget.LimitForTesting(limit))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(() => KernelStream.NtkRowBlocks(model, x, blockRows: 50).First());
            Assert.Equal(ErfTanhNtk.Cost.Ntk(50, n, NtkMode.Trace).Bytes, e.RequestedBytes);
            Assert.Contains("BlockRows = 50", e.Message, StringComparison.Ordinal);
            Assert.Contains("pass BlockRows = 25 or less", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("In general", e.Message, StringComparison.Ordinal);
            // The largest size it names does fit, and gives the kernel.
            var blocks = KernelStream.NtkRowBlocks(model, x, blockRows: 25).ToList();
            Assert.Equal([25, 25, 10], blocks.Select(b => b.RowCount));
        }
    }

    [Fact]
    public void RowBlocksDeliverTheKernelInOrder()
    {
        var model = new ErfTanhNtk(6);
        var expected = model.Ntk(X1, X2, NtkMode.Full);
        var progress = new ProgressLog();
        var starts = new List<int>();
        var rows = new List<double>();
        foreach (var b in KernelStream.NtkRowBlocks(model, X1, X2, NtkMode.Full, blockRows: 6, progress: progress))
        {
            starts.Add(b.RowStart);
            Assert.Equal([b.RowCount, N2, 3, 3], b.Values.Shape.ToArray());
            rows.AddRange(b.Values.AsSpan().ToArray());
            // The report for a block arrives before the block is handed over.
            Assert.Equal(b.RowStart + b.RowCount, progress.Reports[^1].Done);
        }
        Assert.Equal([0, 6, 12], starts);
        StreamAssert.Close(expected, Tensor.FromArray(rows.ToArray(), N1, N2, 3, 3));

        var groups = KernelStream.NtkPerGroupRowBlocks(model, X1, null, NtkMode.Trace, blockRows: 7).ToList();
        Assert.Equal([0, 7], groups.Select(g => g.RowStart));
        var whole = model.NtkPerGroup(X1, null, NtkMode.Trace);
        for (int g = 0; g < whole.Count; g++)
        {
            var stacked = groups.SelectMany(b => b.Blocks[g].AsSpan().ToArray()).ToArray();
            StreamAssert.Close(whole[g], Tensor.FromArray(stacked, N1, N1));
        }
    }

    [Fact]
    public void Float32ModelWritesFloat32UnlessAskedOtherwise()
    {
        using var dir = new TempDir();
        var model = new Float32Net(2);
        var x = Zoo.RandomInputs(11, 3, 8).To(DType.Float32);
        var expected = model.Ntk(x);
        Assert.Equal(DType.Float32, expected.DType);
        KernelStream.NtkToNpy(model, dir.File("f.npy"), x, options: new KernelStreamOptions { BlockRows = 4 });
        var f = StreamAssert.ReadChecked(dir.File("f.npy"), 11, 11);
        Assert.Equal(DType.Float32, f.DType);
        // Float32 rows summed in another tile order: compare at float32 resolution.
        var e = expected.AsSingleSpan().ToArray();
        var a = f.AsSingleSpan().ToArray();
        float scale = e.Max(Math.Abs);
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5f * scale, $"element {i}: {e[i]} vs {a[i]}");

        KernelStream.NtkToNpy(model, dir.File("d.npy"), x, options: new KernelStreamOptions { BlockRows = 4, FileDType = DType.Float64 });
        var d = NpyFile.Read(dir.File("d.npy"));
        Assert.Equal(DType.Float64, d.DType);
        Assert.Equal(a.Select(v => (double)v), d.AsSpan().ToArray());
    }

    [Fact]
    public void BadArgumentsAreRejectedBeforeAnyWork()
    {
        using var dir = new TempDir();
        var model = new ErfTanhNtk(1);
        var e1 = Assert.Throws<ArgumentException>(() => KernelStream.NtkRowBlocks(model, X1, X2, NtkMode.Diagonal));
        Assert.Contains("pass x2 = null", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => KernelStream.NtkToNpy(model, dir.File("k.npy"), X1, options: new KernelStreamOptions { BlockRows = 0 }));
        Assert.Contains("at least one row", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentException>(() => KernelStream.NtkToNpy(model, dir.File("k.npy"), Tensor.Zeros(DType.Float64, 0, 4)));
        Assert.Contains("x1 has no rows", e3.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelStream.WntkRowBlocks(model, X1, null, GroupWeights.Ones, (NtkMode)9));
        Assert.Throws<DirectoryNotFoundException>(() => KernelStream.NtkToNpy(model, Path.Combine(dir.Path, "missing", "k.npy"), X1));
        Assert.Empty(dir.Files());
    }
}
