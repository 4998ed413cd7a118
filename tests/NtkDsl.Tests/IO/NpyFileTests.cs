using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

public sealed class NpyFileTests
{
    public static TheoryData<DType, bool, NpyVersion, NpyByteOrder> AllLayouts()
    {
        var data = new TheoryData<DType, bool, NpyVersion, NpyByteOrder>();
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            foreach (bool fortran in new[] { false, true })
                foreach (var version in new[] { NpyVersion.Version1, NpyVersion.Version2, NpyVersion.Version3 })
                    foreach (var order in new[] { NpyByteOrder.LittleEndian, NpyByteOrder.BigEndian })
                        data.Add(dtype, fortran, version, order);
        return data;
    }

    private static Tensor Sample(DType dtype, int d0 = 2, int d1 = 3, int d2 = 4)
    {
        var v = IoTestData.COrder(IoTestData.Value, d0, d1, d2).ToArray();
        var t = Tensor.FromArray(v, d0, d1, d2);
        return dtype == DType.Float64 ? t : t.To(DType.Float32);
    }

    [Theory]
    [MemberData(nameof(AllLayouts))]
    public void RoundTripPreservesShapeDtypeAndValues(DType dtype, bool fortran, NpyVersion version, NpyByteOrder order)
    {
        using var dir = new TempDir();
        var t = Sample(dtype);
        string path = dir.File("a.npy");
        NpyFile.Write(path, t, new NpyWriteOptions { Version = version, ByteOrder = order, FortranOrder = fortran });
        var back = NpyFile.Read(path);
        Assert.Equal(dtype, back.DType);
        Assert.Equal(t.Shape.ToArray(), back.Shape.ToArray());
        Assert.Equal(t.ToFlatArray(), back.ToFlatArray());
        var h = NpyFile.ReadHeader(path);
        Assert.Equal((int)version, h.MajorVersion);
        Assert.Equal(fortran, h.FortranOrder);
        Assert.Equal(order, h.ByteOrder);
        Assert.Equal(0, h.DataOffset % 64);
        Assert.Equal(new FileInfo(path).Length, h.DataOffset + h.DataLength);
        Assert.Equal(["a.npy"], dir.Files());
    }

    [Theory]
    [MemberData(nameof(AllLayouts))]
    public void WriterEmitsTheBytesTheSpecificationDescribes(DType dtype, bool fortran, NpyVersion version, NpyByteOrder order)
    {
        // Independent reference: the file assembled by hand from the format specification, elements encoded one
        // at a time in the stated byte order and listed in C or Fortran order by explicit loops.
        bool f32 = dtype == DType.Float32;
        bool big = order == NpyByteOrder.BigEndian;
        string descr = (big ? ">" : "<") + (f32 ? "f4" : "f8");
        var values = fortran ? IoTestData.FortranOrder(IoTestData.Value, 2, 3, 4) : IoTestData.COrder(IoTestData.Value, 2, 3, 4);
        byte[] expected = IoTestData.NpyFile((int)version, IoTestData.Dict(descr, fortran, "(2, 3, 4)"), IoTestData.Elements(values, f32, big));
        var ms = new MemoryStream();
        NpyFile.Write(ms, Sample(dtype), new NpyWriteOptions { Version = version, ByteOrder = order, FortranOrder = fortran });
        Assert.Equal(expected, ms.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllLayouts))]
    public void ReadsHandAssembledNumPyFiles(DType dtype, bool fortran, NpyVersion version, NpyByteOrder order)
    {
        bool f32 = dtype == DType.Float32;
        bool big = order == NpyByteOrder.BigEndian;
        string descr = (big ? ">" : "<") + (f32 ? "f4" : "f8");
        var values = fortran ? IoTestData.FortranOrder(IoTestData.Value, 3, 2, 5) : IoTestData.COrder(IoTestData.Value, 3, 2, 5);
        byte[] file = IoTestData.NpyFile((int)version, IoTestData.Dict(descr, fortran, "(3, 2, 5)"), IoTestData.Elements(values, f32, big));
        var t = NpyFile.Read(new MemoryStream(file));
        Assert.Equal(dtype, t.DType);
        Assert.Equal([3, 2, 5], t.Shape.ToArray());
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 5; k++)
                    Assert.Equal(IoTestData.Value(i, j, k), t[i, j, k]);
    }

    [Fact]
    public void ReadsFortranMatrixBigEndianAsRowMajor()
    {
        // [[1, 2, 3], [4, 5, 6]] stored column by column: 1 4 2 5 3 6.
        byte[] file = IoTestData.NpyFile(1, IoTestData.Dict(">f8", true, "(2, 3)"), IoTestData.Elements([1, 4, 2, 5, 3, 6], false, true));
        var t = NpyFile.Read(new MemoryStream(file));
        Assert.Equal(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, t.ToArray());
    }

    [Theory]
    [InlineData("()", new int[0], 1)]
    [InlineData("(5,)", new[] { 5 }, 5)]
    [InlineData("(0, 3)", new[] { 0, 3 }, 0)]
    [InlineData("(2, 0, 4)", new[] { 2, 0, 4 }, 0)]
    public void ReadsScalarsVectorsAndEmptyArrays(string shapeText, int[] shape, int count)
    {
        var values = Enumerable.Range(1, count).Select(i => i * 0.25).ToArray();
        byte[] file = IoTestData.NpyFile(1, IoTestData.Dict("<f8", false, shapeText), IoTestData.Elements(values, false, false));
        var t = NpyFile.Read(new MemoryStream(file));
        Assert.Equal(shape, t.Shape.ToArray());
        Assert.Equal(values, t.ToFlatArray());
        // And the writer produces the identical file.
        var ms = new MemoryStream();
        NpyFile.Write(ms, t);
        Assert.Equal(file, ms.ToArray());
    }

    [Theory]
    [InlineData("{\"descr\": \"<f8\", \"shape\": (2, 3), \"fortran_order\": False}", 16)]   // other quotes, key order, old 16-byte alignment
    [InlineData("{'descr':'<f8','fortran_order':False,'shape':(2L, 3L)}", 64)]             // Python 2 era NumPy
    [InlineData("{'shape': (2, 3,), 'fortran_order': False, 'descr': '<f8', }", 64)]
    public void ToleratesHeaderVariantsOtherWritersProduce(string dict, int align)
    {
        var values = new double[] { 1, 2, 3, 4, 5, 6 };
        byte[] file = IoTestData.NpyFile(1, dict, IoTestData.Elements(values, false, false), align);
        var t = NpyFile.Read(new MemoryStream(file));
        Assert.Equal(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, t.ToArray());
    }

    [Fact]
    public void ReadsFromNonSeekableStreams()
    {
        var values = Enumerable.Range(0, 1000).Select(i => Math.Sin(i)).ToArray();
        byte[] file = IoTestData.NpyFile(2, IoTestData.Dict("<f8", false, "(10, 100)"), IoTestData.Elements(values, false, false));
        var t = NpyFile.Read(new NonSeekableStream(new MemoryStream(file)));
        Assert.Equal(values, t.ToFlatArray());
        var truncated = file[..^3];
        var e = Assert.Throws<NpyFormatException>(() => NpyFile.Read(new NonSeekableStream(new MemoryStream(truncated))));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        var longer = file.Concat(new byte[5]).ToArray();
        e = Assert.Throws<NpyFormatException>(() => NpyFile.Read(new NonSeekableStream(new MemoryStream(longer))));
        Assert.Contains("5 trailing bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeaderDoesNotReadTheData()
    {
        // The header declares 8 × 10^11 bytes of data but the file holds none: the header alone is readable, and a
        // full read fails on the size check instead of trying to allocate.
        using var dir = new TempDir();
        string path = dir.Write("big.npy", IoTestData.NpyFile(1, IoTestData.Dict(">f4", true, "(200000, 1000000)"), []));
        var h = NpyFile.ReadHeader(path);
        Assert.Equal(DType.Float32, h.DType);
        Assert.Equal(NpyByteOrder.BigEndian, h.ByteOrder);
        Assert.True(h.FortranOrder);
        Assert.Equal([200000L, 1000000L], h.Shape);
        Assert.Equal(200000L * 1000000L, h.ElementCount);
        Assert.Equal(new FileInfo(path).Length, h.DataOffset);
        var e = Assert.Throws<NpyFormatException>(() => NpyFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoVersionUsesVersion1AndWriteReplacesAtomically()
    {
        using var dir = new TempDir();
        string path = dir.File("k.npy");
        NpyFile.Write(path, Sample(DType.Float64));
        NpyFile.Write(path, Sample(DType.Float32, 1, 1, 2));
        var h = NpyFile.ReadHeader(path);
        Assert.Equal(1, h.MajorVersion);
        Assert.Equal([1L, 1L, 2L], h.Shape);
        Assert.Equal(["k.npy"], dir.Files());
    }
}
