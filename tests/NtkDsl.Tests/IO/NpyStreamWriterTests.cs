using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

public sealed class NpyStreamWriterTests
{
    [Theory]
    [InlineData(DType.Float64, NpyByteOrder.LittleEndian, NpyVersion.Auto)]
    [InlineData(DType.Float64, NpyByteOrder.BigEndian, NpyVersion.Version2)]
    [InlineData(DType.Float32, NpyByteOrder.LittleEndian, NpyVersion.Version3)]
    [InlineData(DType.Float32, NpyByteOrder.BigEndian, NpyVersion.Version1)]
    public void StreamedFileEqualsOneShotFileByteForByte(DType dtype, NpyByteOrder order, NpyVersion version)
    {
        using var dir = new TempDir();
        const int n = 37, d = 29;
        var rng = new NormalSampler(11);
        var values = new double[n * d];
        rng.FillNormal(values, 1.0);
        var t = Tensor.FromArray(values, n, d);
        var options = new NpyWriteOptions { ByteOrder = order, Version = version };
        NpyFile.Write(dir.File("one.npy"), dtype == DType.Float64 ? t : t.To(DType.Float32), options);

        using (var w = new NpyStreamWriter(dir.File("stream.npy"), dtype, [n, d], options))
        {
            // Uneven row blocks: 1, 2, 3, ... rows at a time, alternating double and float input.
            int row = 0, block = 1;
            while (row < n)
            {
                int rows = Math.Min(block++, n - row);
                var slice = values.AsSpan(row * d, rows * d);
                if (dtype == DType.Float32 && block % 2 == 0) w.WriteRows(slice.ToArray().Select(v => (float)v).ToArray());
                else w.WriteRows(slice);
                row += rows;
            }
            Assert.Equal(n * d, w.ElementsWritten);
            w.Complete();
        }
        Assert.Equal(File.ReadAllBytes(dir.File("one.npy")), File.ReadAllBytes(dir.File("stream.npy")));
        Assert.Equal(["one.npy", "stream.npy"], dir.Files());
    }

    [Fact]
    public void IncompleteWriterLeavesNoFileAndKeepsThePreviousOne()
    {
        using var dir = new TempDir();
        string path = dir.File("k.npy");
        NpyFile.Write(path, Tensor.FromArray(new double[,] { { 7 } }));
        byte[] before = File.ReadAllBytes(path);

        var w = new NpyStreamWriter(path, DType.Float64, [4, 3]);
        w.WriteRows(new double[6]);
        var e = Assert.Throws<InvalidOperationException>(w.Complete);
        Assert.Contains("6 of the declared 12 elements", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["k.npy"], dir.Files());

        string fresh = dir.File("fresh.npy");
        var w2 = new NpyStreamWriter(fresh, DType.Float32, [2, 2]);
        w2.WriteRows(new float[2]);
        w2.Dispose(); // Never throws: disposing without Complete discards the file.
        Assert.False(File.Exists(fresh));
        Assert.Equal(["k.npy"], dir.Files());
    }

    [Fact]
    public void RejectsPartialRowsOverflowAndFortranOrder()
    {
        using var dir = new TempDir();
        using (var w = new NpyStreamWriter(dir.File("a.npy"), DType.Float64, [2, 3]))
        {
            Assert.Contains("whole number of rows of 3", Assert.Throws<ArgumentException>(() => w.WriteRows(new double[4])).Message, StringComparison.Ordinal);
            w.WriteRows(new double[3]);
            Assert.Contains("only 3 of the declared 6", Assert.Throws<InvalidOperationException>(() => w.WriteRows(new double[6])).Message, StringComparison.Ordinal);
            w.WriteRows(new double[3]);
            w.Complete();
        }
        Assert.Equal([2, 3], NpyFile.Read(dir.File("a.npy")).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => new NpyStreamWriter(dir.File("b.npy"), DType.Float64, [2, 3], new NpyWriteOptions { FortranOrder = true }));
        Assert.Equal(["a.npy"], dir.Files());
    }

    [Fact]
    public void DeclaredShapeNeedNotFitOneTensor()
    {
        // A 3 × 10^9 element header (more than any single array can hold) is fine: the writer never holds the data.
        using var dir = new TempDir();
        var w = new NpyStreamWriter(dir.File("huge.npy"), DType.Float32, [3_000_000_000L]);
        Assert.Equal(3_000_000_000L, w.ElementCount);
        w.WriteRows(new float[10]);
        Assert.Throws<InvalidOperationException>(w.Complete);
        Assert.Empty(dir.Files());
    }
}
