using System.Buffers.Binary;
using System.Text;

namespace NtkDsl.Tests.IO;

/// <summary>Test data helpers: a scratch folder, .npy files assembled byte by byte from the format specification.</summary>
internal static class IoTestData
{
    /// <summary>
    /// Assembles a .npy file as the NumPy format specification describes it: magic "\x93NUMPY", major and minor
    /// version bytes, the header length (u2 little-endian for 1.0, u4 for 2.0/3.0), the dictionary literal padded
    /// with spaces and terminated by '\n' so that the data starts at a multiple of <paramref name="align"/>, then the data.
    /// </summary>
    public static byte[] NpyFile(int major, string dict, ReadOnlySpan<byte> data, int align = 64)
    {
        int lenField = major == 1 ? 2 : 4;
        int prefix = 6 + 2 + lenField;
        byte[] dictBytes = major == 3 ? Encoding.UTF8.GetBytes(dict) : Encoding.Latin1.GetBytes(dict);
        int total = prefix + dictBytes.Length + 1;
        int padded = (total + align - 1) / align * align;
        int headerLen = padded - prefix;
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var len = new byte[lenField];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)headerLen);
        else BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)headerLen);
        ms.Write(len);
        ms.Write(dictBytes);
        for (int i = 0; i < headerLen - dictBytes.Length - 1; i++) ms.WriteByte((byte)' ');
        ms.WriteByte((byte)'\n');
        ms.Write(data);
        return ms.ToArray();
    }

    /// <summary>The dictionary literal exactly as NumPy's writer prints it.</summary>
    public static string Dict(string descr, bool fortran, string shape) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>Encodes values one by one with explicit byte order (independent of the library's bulk swap).</summary>
    public static byte[] Elements(IEnumerable<double> values, bool float32, bool bigEndian)
    {
        var ms = new MemoryStream();
        Span<byte> b = stackalloc byte[8];
        foreach (double v in values)
        {
            if (float32)
            {
                if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(b, (float)v); else BinaryPrimitives.WriteSingleLittleEndian(b, (float)v);
                ms.Write(b[..4]);
            }
            else
            {
                if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(b, v); else BinaryPrimitives.WriteDoubleLittleEndian(b, v);
                ms.Write(b);
            }
        }
        return ms.ToArray();
    }

    /// <summary>Element (i, j, k) of a 3-d array listed in Fortran order (first index fastest), by explicit loops.</summary>
    public static IEnumerable<double> FortranOrder(Func<int, int, int, double> value, int d0, int d1, int d2)
    {
        for (int k = 0; k < d2; k++)
            for (int j = 0; j < d1; j++)
                for (int i = 0; i < d0; i++)
                    yield return value(i, j, k);
    }

    /// <summary>The same elements in C order (last index fastest).</summary>
    public static IEnumerable<double> COrder(Func<int, int, int, double> value, int d0, int d1, int d2)
    {
        for (int i = 0; i < d0; i++)
            for (int j = 0; j < d1; j++)
                for (int k = 0; k < d2; k++)
                    yield return value(i, j, k);
    }

    /// <summary>A value that encodes its indices and is exact in float32.</summary>
    public static double Value(int i, int j, int k) => 100 * i + 10 * j + k + 0.5 - (i + j + k) % 3;
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ntkdsl-io-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        string p = File(name);
        System.IO.File.WriteAllText(p, text);
        return p;
    }

    public string Write(string name, byte[] bytes)
    {
        string p = File(name);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }

    /// <summary>Names of every file in the folder (to check that no temporary file was left behind).</summary>
    public string[] Files() => Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A stream that throws after a given number of bytes has been written (simulates a full disk or a crash).</summary>
internal sealed class FailingStream(Stream inner, long failAfter) : Stream
{
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        long room = failAfter - _written;
        if (buffer.Length > room)
        {
            inner.Write(buffer[..(int)Math.Max(0, room)]);
            _written = failAfter;
            throw new IOException("Simulated write failure (disk full).");
        }
        inner.Write(buffer);
        _written += buffer.Length;
    }
}

/// <summary>Wraps a stream as non-seekable (like a network or pipe stream).</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
