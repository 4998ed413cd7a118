using System.Buffers.Binary;
using NtkDsl.IO;
using NtkDsl.Tests.IO;

namespace NtkDsl.Tests.Streaming;

/// <summary>
/// Header and offset arithmetic of kernels beyond 4 GB and 2³¹ elements (without writing such files), and reading a
/// block of rows back with <see cref="NpyFile.ReadRows"/>.
/// </summary>
public sealed class NpyRowsTests
{
    [Fact]
    public void HeaderOfA100kKernelDeclaresItsShapeAndAlignsTheData()
    {
        // N = 100,000: 10¹⁰ float64 elements, 8·10¹⁰ bytes — far past 2³¹ elements and 4 GB.
        byte[] prefix = NpyHeaderCodec.Format(DType.Float64, NpyByteOrder.LittleEndian, false, [100_000, 100_000], NpyVersion.Auto);
        string text = System.Text.Encoding.ASCII.GetString(prefix, 10, prefix.Length - 10);
        Assert.Equal("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", text.TrimEnd(' ', '\n'));
        Assert.Equal(1, prefix[6]); // Version 1.0: the header length fits in 16 bits; NumPy reads any shape from it.
        Assert.Equal(prefix.Length - 10, BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8)));
        Assert.Equal(0, prefix.Length % 64);
        Assert.Equal((byte)'\n', prefix[^1]);

        var h = NpyFile.ReadHeader(new MemoryStream(prefix));
        Assert.Equal(10_000_000_000L, h.ElementCount);
        Assert.Equal(80_000_000_000L, h.DataLength);
        Assert.Equal(prefix.Length, h.DataOffset);
        Assert.Equal(100_000L, NpyFile.RowLength(h));
        // Row 99,999 (the last) starts 99,999 · 100,000 · 8 bytes after the header; in 32-bit arithmetic it would wrap.
        Assert.Equal(prefix.Length + 79_999_200_000L, NpyFile.RowOffset(h, 99_999));
        Assert.Equal(h.DataOffset + h.DataLength, NpyFile.RowOffset(h, 100_000));

        // Full mode of K = 10 at N = 20,000: (20000, 20000, 10, 10) float32, 4·10¹⁰ elements; one row is 2·10⁶.
        var full = NpyFile.ReadHeader(new MemoryStream(NpyHeaderCodec.Format(DType.Float32, NpyByteOrder.BigEndian, false, [20_000, 20_000, 10, 10], NpyVersion.Auto)));
        Assert.Equal(2_000_000L, NpyFile.RowLength(full));
        Assert.Equal(full.DataOffset + 12_345L * 2_000_000 * 4, NpyFile.RowOffset(full, 12_345));
    }

    [Fact]
    public void StreamWriterDeclaresAShapeBeyondTwoToThe31Elements()
    {
        using var dir = new TempDir();
        // Declaring is enough to check the header; the incomplete writer then leaves nothing behind.
        using (var w = new NpyStreamWriter(dir.File("big.npy"), DType.Float64, [100_000, 100_000]))
        {
            Assert.Equal(10_000_000_000L, w.ElementCount);
            Assert.Equal(100_000L, w.RowLength);
            w.WriteRows(new double[100_000]);
        }
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void ReadRowsReadsAnyBlockAndMatchesTheWholeFile()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(0, 7 * 3 * 2).Select(i => i * 0.5 - 3).ToArray();
        var t = Tensor.FromArray(values, 7, 3, 2);
        foreach (var order in new[] { NpyByteOrder.LittleEndian, NpyByteOrder.BigEndian })
        {
            string path = dir.File($"t{order}.npy");
            NpyFile.Write(path, t, new NpyWriteOptions { ByteOrder = order });
            var rows = NpyFile.ReadRows(path, 2, 4);
            Assert.Equal([4, 3, 2], rows.Shape.ToArray());
            Assert.Equal(values.AsSpan(2 * 6, 4 * 6).ToArray(), rows.AsSpan().ToArray());
            Assert.Equal([0, 3, 2], NpyFile.ReadRows(path, 7, 0).Shape.ToArray());
            Assert.Throws<ArgumentOutOfRangeException>(() => NpyFile.ReadRows(path, 5, 3));
        }
        string f32 = dir.File("f.npy");
        NpyFile.Write(f32, t.To(DType.Float32));
        Assert.Equal(values.AsSpan(6, 6).ToArray().Select(v => (float)v), NpyFile.ReadRows(f32, 1, 1).AsSingleSpan().ToArray());
        string fortran = dir.File("fortran.npy");
        NpyFile.Write(fortran, t, new NpyWriteOptions { FortranOrder = true });
        Assert.Throws<NotSupportedException>(() => NpyFile.ReadRows(fortran, 0, 1));
    }

    [Fact]
    public void ReadRowsReachesRowsPastFourGigabytesOfASparseFile()
    {
        using var dir = new TempDir();
        string path = dir.File("sparse.npy");
        // A (60000, 60000) float64 array: 3.6·10⁹ elements (> 2³¹), 28.8 GB of data, as a sparse file (only the header
        // and two rows take disk space). Row offsets are computed here independently of NpyFile.RowOffset.
        const long n = 60_000;
        byte[] prefix = NpyHeaderCodec.Format(DType.Float64, NpyByteOrder.LittleEndian, false, [n, n], NpyVersion.Auto);
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            fs.Write(prefix);
            fs.SetLength(prefix.Length + n * n * 8);
            foreach (long row in new[] { 35_791L, n - 1 })
            {
                fs.Position = prefix.Length + row * n * 8;
                var bytes = new byte[n * 8];
                for (int j = 0; j < n; j++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(j * 8), row + j * 1e-6);
                fs.Write(bytes);
            }
        }
        var block = NpyFile.ReadRows(path, 35_790, 3);
        Assert.Equal([3, (int)n], block.Shape.ToArray());
        Assert.All(Enumerable.Range(0, (int)n), j => Assert.Equal(0.0, block[0, j]));
        Assert.All(Enumerable.Range(0, (int)n), j => Assert.Equal(35_791 + j * 1e-6, block[1, j]));
        Assert.All(Enumerable.Range(0, (int)n), j => Assert.Equal(0.0, block[2, j]));
        var last = NpyFile.ReadRows(path, n - 1, 1);
        Assert.Equal(n - 1 + 59_999 * 1e-6, last[0, (int)n - 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => NpyFile.ReadRows(path, n - 1, 2));
    }
}
