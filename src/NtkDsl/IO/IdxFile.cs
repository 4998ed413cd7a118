using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace NtkDsl.IO;

/// <summary>
/// Reads IDX files of unsigned bytes, the format of MNIST and Fashion-MNIST (LeCun et al., "The MNIST database",
/// yann.lecun.com/exdb/mnist): a big-endian header — two zero bytes, the type code 0x08 (unsigned byte), the number of
/// dimensions, then each dimension as a big-endian 32-bit integer — followed by the values in row-major order. Labels
/// use magic 0x00000801 (one dimension), images 0x00000803 (count × rows × columns). Files compressed with gzip
/// (train-images-idx3-ubyte.gz, …) are recognised by their first two bytes (0x1F 0x8B), not by their name, and
/// decompressed on the fly.
/// </summary>
/// <remarks>
/// Hand-written because no served package reads IDX; the format is four header fields. Only unsigned bytes are
/// supported (the other IDX type codes — int8, int16, int32, float32, float64 — give a clear error).
/// Thread safety: stateless; safe to call from any thread.
/// </remarks>
public static class IdxFile
{
    /// <summary>Magic number of a one-dimensional unsigned-byte IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Magic number of a three-dimensional unsigned-byte IDX file (images: count × rows × columns).</summary>
    public const int ImagesMagic = 0x00000803;

    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an IDX file of unsigned bytes (plain or gzip-compressed) with any number of dimensions ≥ 1.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The magic number is wrong, the type is not unsigned byte, the file is
    /// truncated or longer than its header declares, or the gzip data is corrupt. The message names the file.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(fs, path);
    }

    /// <summary>
    /// Reads an IDX array (plain or gzip-compressed) that is the rest of <paramref name="stream"/>;
    /// <paramref name="name"/> names it in messages.
    /// </summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string)"/>.</exception>
    public static IdxArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        name = string.IsNullOrEmpty(name) ? "the IDX stream" : name;
        var buffered = stream is BufferedStream or MemoryStream or FileStream ? stream : new BufferedStream(stream);
        var first = new byte[2];
        int got = ReadFull(buffered, first);
        Stream body;
        byte[] prefix;
        if (got == 2 && first[0] == 0x1F && first[1] == 0x8B)
        {
            // Gzip: replay the two bytes already read in front of the rest of the stream.
            body = new GZipStream(new PrefixedStream(first, buffered), CompressionMode.Decompress);
            prefix = [];
        }
        else
        {
            body = buffered;
            prefix = first.AsSpan(0, got).ToArray();
        }
        try
        {
            return ReadBody(body, prefix, name);
        }
        catch (InvalidDataException ex) when (!ex.Message.Contains(name, StringComparison.Ordinal))
        {
            // GZipStream's own message ("The archive entry was compressed using an unsupported compression method", …) does not name the file.
            throw new InvalidDataException($"{name}: the gzip data is corrupt ({ex.Message}). Download the file again.", ex);
        }
        finally
        {
            if (!ReferenceEquals(body, buffered)) body.Dispose();
        }
    }

    /// <summary>Reads a labels file: magic 0x00000801, one value per item.</summary>
    /// <exception cref="InvalidDataException">Not a one-dimensional unsigned-byte IDX file, or malformed (see <see cref="Read(string)"/>).</exception>
    public static IdxArray ReadLabels(string path) => Expect(Read(path), LabelsMagic, "labels");

    /// <summary>Reads an images file: magic 0x00000803, count × rows × columns.</summary>
    /// <exception cref="InvalidDataException">Not a three-dimensional unsigned-byte IDX file, or malformed (see <see cref="Read(string)"/>).</exception>
    public static IdxArray ReadImages(string path) => Expect(Read(path), ImagesMagic, "images");

    /// <summary>
    /// Reads an images file and its labels file and checks that they hold the same number of items.
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is malformed, or the counts differ (the message names both files and counts).</exception>
    public static (IdxArray Images, IdxArray Labels) ReadLabelledImages(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Count)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Count} labels; the two files must come from the same split (e.g. train-images with train-labels)."));
        return (images, labels);
    }

    private static IdxArray Expect(IdxArray array, int magic, string what)
    {
        if (array.Magic != magic)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{array.Source}: magic number 0x{array.Magic:X8} ({array.Dimensions.Count} dimensions) where an IDX {what} file has 0x{magic:X8} ({magic & 0xFF} dimension{((magic & 0xFF) == 1 ? "" : "s")}); is this the {(what == "labels" ? "images" : "labels")} file?"));
        return array;
    }

    private static IdxArray ReadBody(Stream body, byte[] prefix, string name)
    {
        var magicBytes = new byte[4];
        prefix.CopyTo(magicBytes, 0);
        int got = prefix.Length + ReadFull(body, magicBytes.AsSpan(prefix.Length));
        if (got < 4)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: truncated IDX file: {got} bytes where the 4-byte magic number should be."));
        int magic = BinaryPrimitives.ReadInt32BigEndian(magicBytes);
        if (magicBytes[0] != 0 || magicBytes[1] != 0)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: not an IDX file: the magic number is 0x{(uint)magic:X8}, but IDX files start with two zero bytes (0x00000801 for labels, 0x00000803 for images)."));
        if (magicBytes[2] != UnsignedByteType)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: IDX type code 0x{magicBytes[2]:X2} ({TypeName(magicBytes[2])}) is not supported; only unsigned bytes (0x08, magic 0x00000801/0x00000803) are read."));
        int rank = magicBytes[3];
        if (rank == 0)
            throw new InvalidDataException($"{name}: the IDX header declares 0 dimensions (magic 0x{(uint)magic:X8}); labels have 1, images 3.");
        var dimBytes = new byte[4 * rank];
        got = ReadFull(body, dimBytes);
        if (got < dimBytes.Length)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: truncated IDX header: {rank} dimensions need {dimBytes.Length} bytes after the magic number, the file has {got}."));
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] < 0)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: dimension {i} is {dims[i]} (negative, or above 2³¹ − 1 as an unsigned number); the header is corrupt."));
            total *= dims[i];
            if (total > Array.MaxLength)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: the dimensions {string.Join(" × ", dims.Take(i + 1))}… declare more than {Array.MaxLength} bytes, more than one array can hold; the header is corrupt."));
        }
        var data = new byte[total];
        got = ReadFull(body, data);
        if (got < total)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: truncated IDX file: the header declares {string.Join(" × ", dims)} = {total} bytes of data, but only {got} follow. Download the file again."));
        if (body.ReadByte() >= 0)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: the file is longer than its IDX header declares ({string.Join(" × ", dims)} = {total} bytes of data); is the header corrupt or were files concatenated?"));
        return new IdxArray(magic, dims, data, name);
    }

    private static string TypeName(byte code) => code switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };

    private static int ReadFull(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>A read-only stream that yields a few bytes already read, then the rest of an inner stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }
            return inner.Read(buffer);
        }
    }
}
