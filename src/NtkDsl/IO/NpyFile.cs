using System.Globalization;
using System.Runtime.InteropServices;

namespace NtkDsl.IO;

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0) holding float32 or float64 arrays in either
/// byte order and either memory order. Tensors are always row-major and native-endian in memory; reading converts.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread. Writes are atomic (temporary file, then rename): concurrent writes to one path leave one complete file, and readers never see a partial one.</remarks>
public static partial class NpyFile
{
    private const int ChunkElements = 8192;

    /// <summary>Reads a .npy file into a row-major tensor of its dtype.</summary>
    /// <exception cref="NpyFormatException">The file is malformed, truncated, has trailing bytes, or holds an unsupported dtype.</exception>
    public static Tensor Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var fs = OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>
    /// Reads a .npy array from a stream positioned at its magic string. The array must be the rest of the stream.
    /// A non-seekable stream is buffered first (its length cannot be checked in advance).
    /// </summary>
    /// <exception cref="NpyFormatException">The data is malformed, truncated, followed by extra bytes, or of an unsupported dtype.</exception>
    public static Tensor Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, "");
    }

    /// <summary>Reads only the header of a .npy file: dtype, byte order, memory order, shape, data offset.</summary>
    /// <exception cref="NpyFormatException">The header is malformed or declares an unsupported dtype.</exception>
    public static NpyHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var fs = OpenRead(path);
        return NpyHeaderCodec.Read(fs, path);
    }

    /// <summary>Reads only the header from a stream positioned at the magic string; the stream is left at the first data byte.</summary>
    /// <exception cref="NpyFormatException">The header is malformed or declares an unsupported dtype.</exception>
    public static NpyHeader ReadHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return NpyHeaderCodec.Read(stream, "");
    }

    /// <summary>
    /// Writes a tensor to a .npy file atomically (a temporary file in the same folder is renamed over
    /// <paramref name="path"/> once complete).
    /// </summary>
    public static void Write(string path, Tensor tensor, NpyWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var file = new AtomicFileWriter(path);
        Write(file.Stream, tensor, options);
        file.Commit();
    }

    /// <summary>Writes a tensor as a .npy array to a stream.</summary>
    public static void Write(Stream stream, Tensor tensor, NpyWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        options ??= new NpyWriteOptions();
        var shape = new long[tensor.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = tensor.Shape[i];
        stream.Write(NpyHeaderCodec.Format(tensor.DType, options.ByteOrder, options.FortranOrder, shape, options.Version));
        if (tensor.DType == DType.Float64) Encode<double>(stream, tensor.F64, shape, options);
        else Encode<float>(stream, tensor.F32, shape, options);
    }

    internal static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    private static void Encode<T>(Stream stream, T[] data, long[] shape, NpyWriteOptions options) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        bool swap = options.ByteOrder != NpyLayout.Native;
        var scratch = new T[Math.Min(ChunkElements, Math.Max(1, data.Length))];
        var cursor = options.FortranOrder ? new NpyLayout.FortranCursor(shape) : null;
        for (int start = 0; start < data.Length; start += scratch.Length)
        {
            int n = Math.Min(scratch.Length, data.Length - start);
            var chunk = scratch.AsSpan(0, n);
            if (cursor is null) data.AsSpan(start, n).CopyTo(chunk);
            else for (int i = 0; i < n; i++) chunk[i] = data[cursor.Next()];
            var bytes = MemoryMarshal.AsBytes(chunk);
            if (swap) NpyLayout.Swap(bytes, size);
            stream.Write(bytes);
        }
    }

    private static Tensor Read(Stream stream, string source)
    {
        var h = NpyHeaderCodec.Read(stream, source);
        if (!stream.CanSeek)
        {
            var buffered = Buffer(stream, h, source);
            return Decode(buffered, h, source);
        }
        long remaining = stream.Length - stream.Position;
        CheckDataLength(h, remaining, source);
        return Decode(stream, h, source);
    }

    private static void CheckDataLength(NpyHeader h, long available, string source)
    {
        if (available < h.DataLength)
            throw NpyHeaderCodec.Fail(source, string.Create(CultureInfo.InvariantCulture,
                $"the data is truncated: shape {h.ShapeText} of '{h.Descr}' needs {h.DataLength} bytes after the header but only {available} follow"));
        if (available > h.DataLength)
            throw NpyHeaderCodec.Fail(source, string.Create(CultureInfo.InvariantCulture,
                $"{available - h.DataLength} trailing bytes follow the data: shape {h.ShapeText} of '{h.Descr}' needs {h.DataLength} bytes but {available} follow the header (the header's shape disagrees with the file length)"));
    }

    private static MemoryStream Buffer(Stream stream, NpyHeader h, string source)
    {
        // Grows with what actually arrives, so a header that lies about the shape cannot make us allocate more than
        // about twice the bytes present.
        var ms = new MemoryStream();
        var buf = new byte[1 << 16];
        long want = h.DataLength, cap = Math.Min(want, Array.MaxLength);
        while (ms.Length < cap)
        {
            int n = stream.Read(buf, 0, (int)Math.Min(buf.Length, cap - ms.Length));
            if (n == 0) break;
            ms.Write(buf, 0, n);
        }
        if (ms.Length < cap) CheckDataLength(h, ms.Length, source);
        if (want > cap)
            throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture,
                $"{NpyHeaderCodec.Prefix(source)}the array holds {want} bytes, more than a non-seekable stream can be buffered into; read it from a file or a seekable stream."));
        long extra = 0;
        int r;
        while ((r = stream.Read(buf, 0, buf.Length)) > 0) extra += r;
        CheckDataLength(h, ms.Length + extra, source);
        ms.Position = 0;
        return ms;
    }

    private static Tensor Decode(Stream stream, NpyHeader h, string source)
    {
        var shape = new int[h.Shape.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (h.Shape[i] > int.MaxValue)
                throw NpyHeaderCodec.Fail(source, string.Create(CultureInfo.InvariantCulture,
                    $"dimension {i} of shape {h.ShapeText} exceeds {int.MaxValue}, the largest extent a Tensor supports; process the file in blocks (NpyFile.ReadHeader gives the data offset)"));
            shape[i] = (int)h.Shape[i];
        }
        if (h.ElementCount > Array.MaxLength)
            throw NpyHeaderCodec.Fail(source, string.Create(CultureInfo.InvariantCulture,
                $"shape {h.ShapeText} holds {h.ElementCount} elements, more than one Tensor can ({Array.MaxLength}); process the file in blocks (NpyFile.ReadHeader gives the data offset)"));
        if (h.DType == DType.Float64)
        {
            var data = new double[h.ElementCount];
            Fill(stream, data, h, source);
            return Tensor.Wrap(data, shape);
        }
        var f = new float[h.ElementCount];
        Fill(stream, f, h, source);
        return Tensor.Wrap(f, shape);
    }

    private static void Fill<T>(Stream stream, T[] dst, NpyHeader h, string source) where T : unmanaged
    {
        bool swap = h.ByteOrder != NpyLayout.Native;
        var cursor = h.FortranOrder ? new NpyLayout.FortranCursor(h.ShapeArray) : null;
        var scratch = cursor is null ? null : new T[Math.Min(ChunkElements, Math.Max(1, dst.Length))];
        for (int start = 0; start < dst.Length; start += ChunkElements)
        {
            int n = Math.Min(ChunkElements, dst.Length - start);
            var target = scratch is null ? dst.AsSpan(start, n) : scratch.AsSpan(0, n);
            var bytes = MemoryMarshal.AsBytes(target);
            if (NpyHeaderCodec.ReadUpTo(stream, bytes) < bytes.Length)
                throw NpyHeaderCodec.Fail(source, "the data ended early while reading (the file changed while it was read?)");
            if (swap) NpyLayout.Swap(bytes, h.ItemSize);
            if (cursor is not null)
                for (int i = 0; i < n; i++) dst[cursor.Next()] = target[i];
        }
    }
}
