using System.Globalization;
using System.Runtime.InteropServices;

namespace NtkDsl.IO;

/// <summary>
/// Writes a large row-major .npy array row block by row block without holding it in memory (e.g. an N × N kernel
/// computed in row tiles). The data goes to a temporary file in the destination's folder; <see cref="Complete"/>
/// checks that exactly the declared number of elements arrived and renames it into place. An incomplete writer, or one
/// disposed without <see cref="Complete"/> (e.g. because the code that computes the rows threw), leaves no file at the
/// destination; <see cref="Dispose"/> never throws. The temporary file of a process killed mid-write is removed by the
/// next write to the same destination.
/// </summary>
/// <remarks>Thread safety: not thread-safe; one thread writes rows at a time (writers of different files are independent).</remarks>
/// <example>
/// <code>
/// using var w = new NpyStreamWriter("k.npy", DType.Float64, [n, n]);
/// for (int i = 0; i &lt; n; i += 256) w.WriteRows(ComputeRows(i, 256));
/// w.Complete();
/// </code>
/// </example>
public sealed class NpyStreamWriter : IDisposable
{
    private const int ChunkElements = 8192;
    private readonly AtomicFileWriter _file;
    private readonly bool _swap;
    private readonly byte[] _scratch;
    private readonly long[] _shape;
    private bool _closed;

    /// <summary>Starts a file; the header (dtype, shape) is written at once.</summary>
    /// <param name="path">Destination path; its folder must exist.</param>
    /// <param name="dtype">Element type stored in the file (values are converted on the way).</param>
    /// <param name="shape">The full shape of the array (every extent ≥ 0).</param>
    /// <param name="options">Version and byte order; <see cref="NpyWriteOptions.FortranOrder"/> is not supported here.</param>
    public NpyStreamWriter(string path, DType dtype, ReadOnlySpan<long> shape, NpyWriteOptions? options = null)
    {
        options ??= new NpyWriteOptions();
        if (options.FortranOrder)
            throw new ArgumentException("NpyStreamWriter receives rows, so it writes row-major (C order) only; write the transpose or use NpyFile.Write for Fortran order.", nameof(options));
        long count = 1, row = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0) throw new ArgumentException($"Shape {NpyHeader.FormatShape(shape)} has a negative extent.", nameof(shape));
            count = shape[i] == 0 || count == 0 ? 0 : checked(count * shape[i]);
            if (i > 0) row = shape[i] == 0 || row == 0 ? 0 : checked(row * shape[i]);
        }
        _shape = shape.ToArray();
        DType = dtype;
        ElementCount = count;
        RowLength = row;
        _swap = options.ByteOrder != NpyLayout.Native;
        _scratch = new byte[ChunkElements * (dtype == DType.Float64 ? 8 : 4)];
        byte[] header = NpyHeaderCodec.Format(dtype, options.ByteOrder, false, _shape, options.Version);
        _file = new AtomicFileWriter(path);
        try
        {
            _file.Stream.Write(header);
        }
        catch
        {
            _file.Abort();
            throw;
        }
    }

    /// <summary>The element type stored in the file.</summary>
    public DType DType { get; }

    /// <summary>The declared number of elements.</summary>
    public long ElementCount { get; }

    /// <summary>Elements per row (product of all extents after the first; 1 for rank ≤ 1).</summary>
    public long RowLength { get; }

    /// <summary>Elements written so far.</summary>
    public long ElementsWritten { get; private set; }

    /// <summary>The shape written in the header.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Appends whole rows (row-major values; the length must be a multiple of <see cref="RowLength"/>).</summary>
    public void WriteRows(ReadOnlySpan<double> values) => Append(values);

    /// <summary>Appends whole rows (row-major values; the length must be a multiple of <see cref="RowLength"/>).</summary>
    public void WriteRows(ReadOnlySpan<float> values) => Append(values);

    private void Append<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (RowLength > 0 && values.Length % RowLength != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"WriteRows got {values.Length} values, not a whole number of rows of {RowLength}; pass complete rows."), nameof(values));
        if (values.Length > ElementCount - ElementsWritten)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"WriteRows got {values.Length} values but only {ElementCount - ElementsWritten} of the declared {ElementCount} (shape {NpyHeader.FormatShape(_shape)}) remain."));
        try
        {
            int size = DType == DType.Float64 ? 8 : 4;
            for (int start = 0; start < values.Length; start += ChunkElements)
            {
                int n = Math.Min(ChunkElements, values.Length - start);
                var bytes = _scratch.AsSpan(0, n * size);
                Convert(values.Slice(start, n), bytes);
                if (_swap) NpyLayout.Swap(bytes, size);
                _file.Stream.Write(bytes);
            }
        }
        catch
        {
            _closed = true;
            _file.Abort();
            throw;
        }
        ElementsWritten += values.Length;
    }

    private void Convert<T>(ReadOnlySpan<T> src, Span<byte> dst) where T : unmanaged
    {
        if (DType == DType.Float64)
        {
            var d = MemoryMarshal.Cast<byte, double>(dst);
            if (typeof(T) == typeof(double)) MemoryMarshal.Cast<T, double>(src).CopyTo(d);
            else { var s = MemoryMarshal.Cast<T, float>(src); for (int i = 0; i < s.Length; i++) d[i] = s[i]; }
        }
        else
        {
            var f = MemoryMarshal.Cast<byte, float>(dst);
            if (typeof(T) == typeof(float)) MemoryMarshal.Cast<T, float>(src).CopyTo(f);
            else { var s = MemoryMarshal.Cast<T, double>(src); for (int i = 0; i < s.Length; i++) f[i] = (float)s[i]; }
        }
    }

    /// <summary>
    /// Checks that exactly <see cref="ElementCount"/> elements were written, flushes to disk and moves the file into
    /// place. Otherwise deletes the temporary file and throws.
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _closed = true;
        if (ElementsWritten != ElementCount)
        {
            _file.Abort();
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{_file.DestinationPath}: {ElementsWritten} of the declared {ElementCount} elements (shape {NpyHeader.FormatShape(_shape)}) were written; no file was created. Write every row before Complete()."));
        }
        _file.Commit();
    }

    /// <summary>
    /// Closes the writer. Without a successful <see cref="Complete"/> this deletes the temporary file and creates
    /// nothing at the destination (the previous file, if any, stays) — like a transaction that was not committed.
    /// Never throws, so an exception raised by the caller inside a <c>using</c> block is never masked; call
    /// <see cref="Complete"/> to publish the file and to get the element-count check.
    /// </summary>
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        _file.Abort();
    }
}
