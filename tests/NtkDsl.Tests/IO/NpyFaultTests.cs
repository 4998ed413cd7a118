using System.Buffers.Binary;
using System.Text;
using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

public sealed class NpyFaultTests
{
    private static readonly byte[] SixDoubles = IoTestData.Elements([1, 2, 3, 4, 5, 6], false, false);

    private static NpyFormatException ReadFails(byte[] file) =>
        Assert.Throws<NpyFormatException>(() => NpyFile.Read(new MemoryStream(file)));

    [Theory]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", "'<i8' (int64) is not supported")]
    [InlineData("{'descr': '<c16', 'fortran_order': False, 'shape': (2, 3), }", "complex128")]
    [InlineData("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }", "bool")]
    [InlineData("{'descr': '<U5', 'fortran_order': False, 'shape': (2, 3), }", "unicode string")]
    [InlineData("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2, 3), }", "structured")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 3), }", "shape entry 0 is negative")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 99999999999999999999), }", "overflows a 64-bit integer")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", "more bytes than a 64-bit length")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3.0), }", "only integers")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (6), }", "'shape' must be a tuple")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3], }", "'shape' must be a tuple")]
    [InlineData("{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }", "'fortran_order' must be True or False")]
    [InlineData("{'descr': '<f8', 'shape': (2, 3), }", "lacks the key 'fortran_order'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "unexpected key 'extra'")]
    [InlineData("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}", "appears twice")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), ", "not closed")]
    [InlineData("{'descr': '<f8' 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}'")]
    [InlineData("{'descr': '<f8', 'fortran_order': Nope, 'shape': (2, 3)}", "unknown name 'Nope'")]
    [InlineData("('descr', '<f8')", "not a Python dictionary")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)} junk", "after the end of the dictionary")]
    public void MalformedOrUnsupportedHeadersAreNamed(string dict, string expected)
    {
        var e = ReadFails(IoTestData.NpyFile(1, dict, SixDoubles));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongMagicEmptyFileAndUnsupportedVersions()
    {
        var good = IoTestData.NpyFile(1, IoTestData.Dict("<f8", false, "(2, 3)"), SixDoubles);
        var bad = (byte[])good.Clone();
        bad[1] = (byte)'X';
        Assert.Contains("magic string", ReadFails(bad).Message, StringComparison.Ordinal);
        Assert.Contains("not a NumPy .npy file", ReadFails(Encoding.ASCII.GetBytes("a,b\n1,2\n")).Message, StringComparison.Ordinal);
        Assert.Contains("empty", ReadFails([]).Message, StringComparison.Ordinal);
        Assert.Contains("inside the magic string", ReadFails(good[..4]).Message, StringComparison.Ordinal);
        foreach (var (major, minor) in new[] { (4, 0), (1, 1), (0, 0) })
        {
            var v = (byte[])good.Clone();
            v[6] = (byte)major;
            v[7] = (byte)minor;
            Assert.Contains($"format version {major}.{minor} is not supported", ReadFails(v).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ShapeThatDisagreesWithTheFileLengthIsReported()
    {
        var file = IoTestData.NpyFile(1, IoTestData.Dict("<f8", false, "(2, 3)"), SixDoubles);
        var e = ReadFails(file[..^8]);
        Assert.Contains("truncated: shape (2, 3) of '<f8' needs 48 bytes after the header but only 40 follow", e.Message, StringComparison.Ordinal);
        e = ReadFails([.. file, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Contains("8 trailing bytes", e.Message, StringComparison.Ordinal);
        // A header that lies about the shape: (3, 3) with data for (2, 3).
        e = ReadFails(IoTestData.NpyFile(1, IoTestData.Dict("<f8", false, "(3, 3)"), SixDoubles));
        Assert.Contains("needs 72 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsReported()
    {
        var file = IoTestData.NpyFile(2, IoTestData.Dict("<f8", false, "(2, 3)"), SixDoubles);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), 0xFFFFFF00u);
        var e = ReadFails(file);
        Assert.Contains("header length field says 4294967040 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        // Same on a non-seekable stream: the reader caps the header length instead of allocating 4 GiB.
        e = Assert.Throws<NpyFormatException>(() => NpyFile.Read(new NonSeekableStream(new MemoryStream(file))));
        Assert.Contains("4294967040", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version3HeaderMustBeUtf8AndVersion1HeaderIsLatin1()
    {
        var file = IoTestData.NpyFile(3, IoTestData.Dict("<f8", false, "(2, 3)"), SixDoubles);
        file[12] = 0xFF; // '{' replaced by a byte that is never valid UTF-8
        Assert.Contains("not valid UTF-8", ReadFails(file).Message, StringComparison.Ordinal);
    }
}
