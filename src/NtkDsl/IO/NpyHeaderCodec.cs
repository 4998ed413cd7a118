using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NtkDsl.IO;

/// <summary>Reads and writes the magic string, version, header length and header dictionary of a .npy file.</summary>
internal static class NpyHeaderCodec
{
    /// <summary>The six magic bytes every .npy file starts with.</summary>
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Upper bound on the header length this reader accepts (a float array needs a few hundred bytes).</summary>
    internal const int MaxHeaderLength = 1 << 20;

    /// <summary>Data starts at a multiple of this many bytes (the NumPy format specification's alignment).</summary>
    internal const int Alignment = 64;

    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>Reads and validates the header; leaves the stream at the first data byte.</summary>
    public static NpyHeader Read(Stream stream, string source)
    {
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : null;
        Span<byte> prefix = stackalloc byte[12];
        int got = ReadUpTo(stream, prefix[..8]);
        if (got < 6 || !prefix[..6].SequenceEqual(Magic))
            throw Fail(source, got == 0 ? "the file is empty" : got < 6 && prefix[..got].SequenceEqual(Magic[..got])
                ? $"the file ends after {got} bytes, inside the magic string"
                : "it does not start with the .npy magic string \\x93NUMPY; it is not a NumPy .npy file");
        if (got < 8) throw Fail(source, "the file ends before the format version bytes");
        int major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw Fail(source, string.Create(CultureInfo.InvariantCulture,
                $"format version {major}.{minor} is not supported (this reader handles 1.0, 2.0 and 3.0); re-save it with numpy.save"));
        int lenBytes = major == 1 ? 2 : 4;
        if (ReadUpTo(stream, prefix.Slice(8, lenBytes)) < lenBytes) throw Fail(source, "the file ends inside the header-length field");
        long headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        long prefixLen = 8 + lenBytes;
        if (remaining is long rem && headerLen > rem - prefixLen)
            throw Fail(source, string.Create(CultureInfo.InvariantCulture,
                $"the header length field says {headerLen} bytes but only {Math.Max(0, rem - prefixLen)} bytes follow it (truncated file or corrupt length)"));
        if (headerLen > MaxHeaderLength)
            throw Fail(source, string.Create(CultureInfo.InvariantCulture,
                $"the header length field says {headerLen} bytes, more than the {MaxHeaderLength} this reader accepts for a float array header"));
        var headerBytes = new byte[headerLen];
        if (ReadUpTo(stream, headerBytes) < headerLen)
            throw Fail(source, string.Create(CultureInfo.InvariantCulture, $"the header length field says {headerLen} bytes but the file ends before that"));
        string header;
        try
        {
            header = (major == 3 ? StrictUtf8 : Latin1).GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new NpyFormatException($"{Prefix(source)}the version 3.0 header is not valid UTF-8.", e);
        }
        return Interpret(header, major, minor, prefixLen + headerLen, source);
    }

    private static NpyHeader Interpret(string header, int major, int minor, long dataOffset, string source)
    {
        object? parsed;
        try
        {
            parsed = PyLiteralParser.Parse(header);
        }
        catch (NpyFormatException e)
        {
            throw new NpyFormatException(Prefix(source) + e.Message, e);
        }
        if (parsed is not Dictionary<string, object?> d)
            throw Fail(source, "the header is not a Python dictionary literal");
        foreach (string key in d.Keys)
            if (key is not ("descr" or "fortran_order" or "shape"))
                throw Fail(source, $"the header has an unexpected key '{key}' (allowed: 'descr', 'fortran_order', 'shape')");
        foreach (string key in (string[])["descr", "fortran_order", "shape"])
            if (!d.ContainsKey(key)) throw Fail(source, $"the header lacks the key '{key}'");

        var (dtype, order, descr) = ParseDescr(d["descr"], source);
        if (d["fortran_order"] is not bool fortran)
            throw Fail(source, "'fortran_order' must be True or False");
        if (d["shape"] is not PyLiteralParser.PyTuple tuple)
            throw Fail(source, "'shape' must be a tuple of integers, e.g. (2, 3) or (5,)");
        var shape = new long[tuple.Items.Count];
        long count = 1;
        long itemSize = dtype == DType.Float64 ? 8 : 4;
        for (int i = 0; i < shape.Length; i++)
        {
            if (tuple.Items[i] is not BigInteger b)
                throw Fail(source, string.Create(CultureInfo.InvariantCulture, $"shape entry {i} is not an integer"));
            if (b.Sign < 0)
                throw Fail(source, string.Create(CultureInfo.InvariantCulture, $"shape entry {i} is negative ({b})"));
            if (b > long.MaxValue)
                throw Fail(source, string.Create(CultureInfo.InvariantCulture, $"shape entry {i} ({b}) overflows a 64-bit integer"));
            shape[i] = (long)b;
        }
        foreach (long s in shape)
        {
            if (s == 0) { count = 0; break; }
        }
        if (count != 0)
        {
            foreach (long s in shape)
            {
                if (count > long.MaxValue / itemSize / s)
                    throw Fail(source, $"shape {NpyHeader.FormatShape(shape)} holds more bytes than a 64-bit length can count");
                count *= s;
            }
        }
        return new NpyHeader(major, minor, descr, dtype, order, fortran, shape, count, dataOffset);
    }

    private static (DType, NpyByteOrder, string) ParseDescr(object? value, string source)
    {
        if (value is PyLiteralParser.PyList)
            throw Fail(source, "dtype is a structured (record) dtype; NtkDsl reads plain float32 ('<f4', '>f4') and float64 ('<f8', '>f8') arrays");
        if (value is not string descr)
            throw Fail(source, "'descr' must be a dtype string such as '<f8'");
        switch (descr)
        {
            case "<f8": return (DType.Float64, NpyByteOrder.LittleEndian, descr);
            case ">f8": return (DType.Float64, NpyByteOrder.BigEndian, descr);
            case "<f4": return (DType.Float32, NpyByteOrder.LittleEndian, descr);
            case ">f4": return (DType.Float32, NpyByteOrder.BigEndian, descr);
        }
        throw Fail(source, $"dtype '{descr}'{DescribeDtype(descr)} is not supported; NtkDsl reads float32 ('<f4', '>f4') and float64 ('<f8', '>f8'): convert with arr.astype('<f8') before saving");
    }

    private static string DescribeDtype(string descr)
    {
        string body = descr.Length > 0 && descr[0] is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        string? name = body switch
        {
            "f2" => "float16",
            "f16" => "float128",
            "f12" => "float96",
            "c8" => "complex64",
            "c16" => "complex128",
            "b1" or "?" => "bool",
            "O" => "Python objects",
            "i1" or "i2" or "i4" or "i8" => "int" + (int.Parse(body[1..], CultureInfo.InvariantCulture) * 8).ToString(CultureInfo.InvariantCulture),
            "u1" or "u2" or "u4" or "u8" => "uint" + (int.Parse(body[1..], CultureInfo.InvariantCulture) * 8).ToString(CultureInfo.InvariantCulture),
            _ when body.StartsWith('U') => "unicode string",
            _ when body.StartsWith('S') => "byte string",
            _ when body.StartsWith("M8", StringComparison.Ordinal) => "datetime64",
            _ when body.StartsWith("m8", StringComparison.Ordinal) => "timedelta64",
            _ => null,
        };
        if (name is null && descr.Length > 0 && descr[0] == '=' && body is "f4" or "f8") name = "native byte order, which a file cannot portably declare";
        return name is null ? "" : $" ({name})";
    }

    /// <summary>Builds the complete prefix (magic, version, length, padded header) for an array.</summary>
    public static byte[] Format(DType dtype, NpyByteOrder order, bool fortran, ReadOnlySpan<long> shape, NpyVersion version)
    {
        string descr = (order == NpyByteOrder.LittleEndian ? "<" : ">") + (dtype == DType.Float64 ? "f8" : "f4");
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {NpyHeader.FormatShape(shape)}, }}";
        int major = version switch
        {
            NpyVersion.Auto => Padded(dict, 10) <= ushort.MaxValue ? 1 : 2,
            NpyVersion.Version1 => 1,
            NpyVersion.Version2 => 2,
            NpyVersion.Version3 => 3,
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown .npy version."),
        };
        int prefixLen = major == 1 ? 10 : 12;
        int headerLen = Padded(dict, prefixLen);
        if (major == 1 && headerLen > ushort.MaxValue)
            throw new ArgumentException($"A shape of {shape.Length} dimensions needs a header of {headerLen} bytes, too long for .npy version 1.0; use NpyVersion.Auto or Version2.", nameof(version));
        var bytes = new byte[prefixLen + headerLen];
        Magic.CopyTo(bytes);
        bytes[6] = (byte)major;
        bytes[7] = 0;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLen);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLen);
        var body = bytes.AsSpan(prefixLen);
        body.Fill((byte)' ');
        // The dictionary is pure ASCII, so latin-1 (versions 1, 2) and UTF-8 (version 3) encode it identically.
        Encoding.ASCII.GetBytes(dict, body);
        body[^1] = (byte)'\n';
        return bytes;
    }

    private static int Padded(string dict, int prefixLen)
    {
        int unpadded = prefixLen + dict.Length + 1; // + '\n'
        int total = (unpadded + Alignment - 1) / Alignment * Alignment;
        return total - prefixLen;
    }

    internal static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    internal static string Prefix(string source) => source.Length == 0 ? "" : $"{source}: ";

    internal static NpyFormatException Fail(string source, string what) => new($"{Prefix(source)}{what}.");
}
