using System.IO.Compression;
using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

/// <summary>
/// <see cref="IdxFile"/> on IDX files assembled byte by byte in the test from the format description (big-endian
/// header: 0x00, 0x00, type 0x08, rank, then each dimension as a big-endian uint32; then the bytes), plain and gzip.
/// </summary>
public sealed class IdxFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntkdsl-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The IDX layout written by hand (no code shared with the reader).</summary>
    private static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    private static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // Three 2 × 3 "images" with distinct bytes, and their labels.
    private static readonly byte[] Pixels = [0, 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60, 255, 254, 253, 128, 127, 0];
    private static readonly byte[] LabelBytes = [7, 0, 9];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsPlainAndGzip(bool gzip)
    {
        byte[] img = Idx(0x08, [3, 2, 3], Pixels), lab = Idx(0x08, [3], LabelBytes);
        // The names carry no .gz even for gzip: the reader must recognise compression by content.
        string ip = Write("images", gzip ? Gzip(img) : img), lp = Write("labels", gzip ? Gzip(lab) : lab);
        var (images, labels) = IdxFile.ReadLabelledImages(ip, lp);
        Assert.Equal(IdxFile.ImagesMagic, images.Magic);
        Assert.Equal(IdxFile.LabelsMagic, labels.Magic);
        Assert.Equal([3, 2, 3], images.Dimensions);
        Assert.Equal(3, images.Count);
        Assert.Equal(6, images.ItemSize);
        Assert.Equal(1, labels.ItemSize);
        Assert.Equal(Pixels, images.Data.ToArray());
        Assert.Equal(LabelBytes, labels.Data.ToArray());
        Assert.Equal(Pixels[6..12], images.Item(1).ToArray());
        Assert.Equal(ip, images.Source);

        var t = images.ToTensor([2, 0], 1.0 / 255);
        Assert.Equal([2, 6], t.Shape);
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(Pixels[12 + j] / 255.0, t[0, j]);
            Assert.Equal(Pixels[j] / 255.0, t[1, j]);
        }
        var all = images.ToTensor();
        Assert.Equal(3, all.Rows);
        Assert.Equal(255.0, all[2, 0]);
    }

    [Fact]
    public void ZeroItemsAndOtherRanksAreRead()
    {
        var empty = IdxFile.Read(Write("empty", Idx(0x08, [0, 28, 28], [])));
        Assert.Equal(0, empty.Count);
        Assert.Equal(784, empty.ItemSize);
        var rank2 = IdxFile.Read(Write("r2", Idx(0x08, [2, 2], [1, 2, 3, 4])));
        Assert.Equal(0x802, rank2.Magic);
        Assert.Equal([3, 4], rank2.Item(1).ToArray());
    }

    [Fact]
    public void WrongMagicIsNamed()
    {
        // The header written little-endian by mistake: 03 08 00 00.
        var raw = Idx(0x08, [3, 2, 3], Pixels);
        (raw[0], raw[1], raw[2], raw[3]) = (0x03, 0x08, 0x00, 0x00);
        string path = Write("le", raw);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("0x03080000", e.Message, StringComparison.Ordinal);
        Assert.Contains("two zero bytes", e.Message, StringComparison.Ordinal);

        // A text file, e.g. an HTML error page saved under the IDX name.
        e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("html", "<html>"u8.ToArray())));
        Assert.Contains("not an IDX file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsAndImagesSwappedAreNamed()
    {
        string ip = Write("images", Idx(0x08, [3, 2, 3], Pixels)), lp = Write("labels", Idx(0x08, [3], LabelBytes));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabelledImages(lp, ip));
        Assert.Contains("0x00000801", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x00000803", e.Message, StringComparison.Ordinal);
        Assert.Contains("labels file?", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(ip));
        Assert.Contains("images file?", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x0D, "float32")]
    [InlineData(0x0C, "int32")]
    [InlineData(0x42, "unknown")]
    public void OtherTypeCodesAreRejected(int type, string name)
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("t", Idx((byte)type, [1], [0, 0, 0, 0]))));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains("only unsigned bytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataIsNamedWithBothLengths(bool gzip)
    {
        var raw = Idx(0x08, [3, 2, 3], Pixels)[..^5]; // 13 of the 18 data bytes
        string path = Write("trunc", gzip ? Gzip(raw) : raw);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 × 2 × 3 = 18 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("only 13 follow", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedHeaderIsNamed()
    {
        var raw = Idx(0x08, [3, 2, 3], Pixels);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("h1", raw[..2])));
        Assert.Contains("magic number should be", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("h2", raw[..9])));
        Assert.Contains("truncated IDX header", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 dimensions need 12 bytes", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("h3", [])));
        Assert.Contains("0 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GzipStreamCutShortIsTruncationOrCorruption()
    {
        // A gzip stream cut in the middle of its deflate data: either the decompressor reports corruption or the IDX
        // reader finds too few bytes; both are InvalidDataException naming the file.
        var rng = new Random(3);
        var pixels = new byte[4 * 28 * 28];
        rng.NextBytes(pixels);
        var gz = Gzip(Idx(0x08, [4, 28, 28], pixels));
        string path = Write("cut.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptGzipIsNamed()
    {
        byte[] junk = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        string path = Write("junk.gz", junk);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingBytesAreRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("long", [.. Idx(0x08, [3], LabelBytes), 1])));
        Assert.Contains("longer than its IDX header declares", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeOrHugeDimensionsAreRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("neg", Idx(0x08, [-1], []))));
        Assert.Contains("dimension 0 is -1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("huge", Idx(0x08, [65536, 65536], []))));
        Assert.Contains("more than one array can hold", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        string ip = Write("images", Idx(0x08, [3, 2, 3], Pixels)), lp = Write("labels", Idx(0x08, [2], LabelBytes[..2]));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabelledImages(ip, lp));
        Assert.Contains($"{ip} holds 3 images but {lp} holds 2 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileAndBadRowsAreClearErrors()
    {
        Assert.Throws<FileNotFoundException>(() => IdxFile.Read(Path.Combine(_dir, "absent")));
        var images = IdxFile.Read(Write("images", Idx(0x08, [3, 2, 3], Pixels)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => images.ToTensor([0, 3]));
        Assert.Contains("items 0 to 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => images.Item(-1));
    }

    /// <summary>
    /// The real Fashion-MNIST files (Debian package dataset-fashion-mnist) against the data set's published description
    /// (Xiao, Rasul, Vollgraf 2017): 60,000 training and 10,000 test images of 28 × 28, ten classes of exactly 6,000
    /// training and 1,000 test images each.
    /// </summary>
    [Theory]
    [InlineData("train", 60000)]
    [InlineData("t10k", 10000)]
    public void RealFashionMnistMatchesItsDescription(string split, int count)
    {
        const string dir = "/usr/share/datasets/fashion-mnist";
        string ip = Path.Combine(dir, $"{split}-images-idx3-ubyte.gz"), lp = Path.Combine(dir, $"{split}-labels-idx1-ubyte.gz");
        if (!File.Exists(ip) || !File.Exists(lp))
            Assert.Skip($"Fashion-MNIST not found under {dir} (install it with `sudo apt-get install dataset-fashion-mnist`).");
        var (images, labels) = IdxFile.ReadLabelledImages(ip, lp);
        Assert.Equal([count, 28, 28], images.Dimensions);
        var perClass = new int[10];
        foreach (byte l in labels.Data) perClass[l]++; // a label ≥ 10 would throw here
        Assert.All(perClass, c => Assert.Equal(count / 10, c));
    }
}
