using System.Globalization;

namespace NtkDsl.IO;

/// <summary>What the header of a .npy file declares.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class NpyHeader
{
    internal NpyHeader(int major, int minor, string descr, DType dtype, NpyByteOrder byteOrder, bool fortranOrder, long[] shape, long elementCount, long dataOffset)
    {
        MajorVersion = major;
        MinorVersion = minor;
        Descr = descr;
        DType = dtype;
        ByteOrder = byteOrder;
        FortranOrder = fortranOrder;
        _shape = shape;
        ElementCount = elementCount;
        DataOffset = dataOffset;
    }

    private readonly long[] _shape;

    /// <summary>Format major version (1, 2 or 3).</summary>
    public int MajorVersion { get; }

    /// <summary>Format minor version (0).</summary>
    public int MinorVersion { get; }

    /// <summary>The dtype string as stored, e.g. <c>"&lt;f8"</c>.</summary>
    public string Descr { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>Byte order of the stored elements.</summary>
    public NpyByteOrder ByteOrder { get; }

    /// <summary>True when the data is stored column-major.</summary>
    public bool FortranOrder { get; }

    /// <summary>The array's shape (empty for a 0-d array).</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount { get; }

    /// <summary>Bytes per element (4 or 8).</summary>
    public int ItemSize => DType == DType.Float64 ? 8 : 4;

    /// <summary>Offset of the first data byte from the start of the file.</summary>
    public long DataOffset { get; }

    /// <summary>Number of data bytes the header implies.</summary>
    public long DataLength => ElementCount * ItemSize;

    /// <summary>The shape written as NumPy would print it, e.g. <c>(2, 3)</c>.</summary>
    public string ShapeText => FormatShape(_shape);

    internal long[] ShapeArray => _shape;

    internal static string FormatShape(ReadOnlySpan<long> shape) => shape.Length switch
    {
        0 => "()",
        1 => string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)"),
        _ => "(" + string.Join(", ", shape.ToArray().Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")",
    };

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"npy {MajorVersion}.{MinorVersion}: {Descr}, shape {ShapeText}, {(FortranOrder ? "Fortran" : "C")} order");
}
