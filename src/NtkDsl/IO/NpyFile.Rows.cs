using System.Globalization;

namespace NtkDsl.IO;

public static partial class NpyFile
{
    /// <summary>
    /// Reads rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of a C-order .npy file
    /// without reading the rest: a block of a kernel too large for memory, e.g. one written by
    /// <see cref="KernelStream"/>. The result has shape (count, trailing extents of the file's shape). File offsets are
    /// 64-bit, so files over 4 GB and over 2³¹ elements are read at any row.
    /// </summary>
    /// <param name="path">A .npy file of rank ≥ 1 in C order.</param>
    /// <param name="start">First row (0 ≤ start ≤ rows).</param>
    /// <param name="count">Rows to read (start + count ≤ rows; count · row length ≤ the largest array).</param>
    /// <exception cref="NpyFormatException">The file is malformed, truncated or of an unsupported dtype.</exception>
    /// <exception cref="NotSupportedException">The file is Fortran-ordered or 0-dimensional (its rows are not contiguous).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rows lie outside the array or are too many for one tensor.</exception>
    public static Tensor ReadRows(string path, long start, int count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var fs = OpenRead(path);
        var h = NpyHeaderCodec.Read(fs, path);
        if (h.FortranOrder || h.Shape.Count == 0)
            throw new NotSupportedException($"{path}: {(h.FortranOrder ? "the array is stored in Fortran order, so its rows are not contiguous" : "a 0-d array has no rows")}; read it whole with NpyFile.Read.");
        long rows = h.Shape[0];
        if (start < 0 || count < 0 || start > rows - count)
            throw new ArgumentOutOfRangeException(nameof(start), string.Create(CultureInfo.InvariantCulture,
                $"Rows [{start}, {start + count}) are outside the {rows} rows of {path} (shape {h.ShapeText})."));
        long rowLength = RowLength(h);
        if (count > 0 && rowLength > Array.MaxLength / count)
            throw new ArgumentOutOfRangeException(nameof(count), string.Create(CultureInfo.InvariantCulture,
                $"{count} rows of {rowLength} elements are more than one tensor can hold ({Array.MaxLength}); read fewer rows at a time."));
        var shape = new int[h.Shape.Count];
        shape[0] = count;
        for (int i = 1; i < shape.Length; i++) shape[i] = checked((int)h.Shape[i]);
        long end = RowOffset(h, start + count);
        if (fs.Length < end)
            throw NpyHeaderCodec.Fail(path, string.Create(CultureInfo.InvariantCulture,
                $"the data is truncated: rows up to {start + count} of shape {h.ShapeText} end at byte {end} but the file has {fs.Length}"));
        fs.Position = RowOffset(h, start);
        if (h.DType == DType.Float64)
        {
            var data = new double[count * rowLength];
            Fill(fs, data, h, path);
            return Tensor.Wrap(data, shape);
        }
        var f = new float[count * rowLength];
        Fill(fs, f, h, path);
        return Tensor.Wrap(f, shape);
    }

    /// <summary>Elements per row: the product of the extents after the first (1 for a vector).</summary>
    internal static long RowLength(NpyHeader h)
    {
        long r = 1;
        for (int i = 1; i < h.Shape.Count; i++) r = checked(r * h.Shape[i]);
        return r;
    }

    /// <summary>Byte offset of row <paramref name="row"/> from the start of a C-order file (64-bit throughout).</summary>
    internal static long RowOffset(NpyHeader h, long row) => checked(h.DataOffset + row * RowLength(h) * h.ItemSize);
}
