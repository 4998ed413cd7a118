using System.Globalization;

namespace NtkDsl.IO;

/// <summary>
/// An unsigned-byte array read from an IDX file (the MNIST format, <see cref="IdxFile"/>): its dimensions and its bytes
/// in row-major order. The first dimension counts the items (images or labels); the others give each item's shape
/// (e.g. 28 × 28 pixels).
/// </summary>
/// <remarks>Thread safety: not modified after it is read; safe to read from any thread.</remarks>
public sealed class IdxArray
{
    private readonly byte[] _data;
    private readonly int[] _dimensions;

    internal IdxArray(int magic, int[] dimensions, byte[] data, string source)
    {
        Magic = magic;
        _dimensions = dimensions;
        _data = data;
        Source = source;
        long item = 1;
        for (int i = 1; i < dimensions.Length; i++) item *= dimensions[i];
        ItemSize = (int)item;
    }

    /// <summary>The magic number from the header: 0x00000800 + the number of dimensions for unsigned bytes (0x801 labels, 0x803 images).</summary>
    public int Magic { get; }

    /// <summary>The dimensions, first the item count (e.g. { 60000, 28, 28 } for images, { 60000 } for labels).</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>Number of items: the first dimension.</summary>
    public int Count => _dimensions[0];

    /// <summary>Values per item: the product of the dimensions after the first (1 for labels).</summary>
    public int ItemSize { get; }

    /// <summary>The path (or stream name) the array was read from, for messages.</summary>
    public string Source { get; }

    /// <summary>All values, Count · ItemSize bytes in row-major order.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>The values of item <paramref name="index"/> (ItemSize bytes).</summary>
    public ReadOnlySpan<byte> Item(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _data.AsSpan(index * ItemSize, ItemSize);
    }

    /// <summary>
    /// The chosen items as a float64 tensor of shape rows.Length × ItemSize, each byte b stored as b·<paramref name="scale"/>
    /// (1/255 maps pixels onto [0, 1]). Null <paramref name="rows"/> takes every item in order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside [0, Count), or the scale is not finite.</exception>
    public Tensor ToTensor(IReadOnlyList<int>? rows = null, double scale = 1.0)
    {
        if (!double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite.");
        int n = rows?.Count ?? Count;
        var values = new double[(long)n * ItemSize];
        for (int r = 0; r < n; r++)
        {
            int item = rows is null ? r : rows[r];
            if ((uint)item >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(rows), item, string.Create(CultureInfo.InvariantCulture,
                    $"Row {r} asks for item {item}, but {Source} holds items 0 to {Count - 1}."));
            var src = _data.AsSpan(item * ItemSize, ItemSize);
            var dst = values.AsSpan(r * ItemSize, ItemSize);
            for (int j = 0; j < src.Length; j++) dst[j] = src[j] * scale;
        }
        return Tensor.Wrap(values, n, ItemSize);
    }
}
