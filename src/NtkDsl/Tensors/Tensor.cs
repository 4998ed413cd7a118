using System.Globalization;
using System.Text;

namespace NtkDsl;

/// <summary>
/// A dense, row-major array of float64 or float32 values on a <see cref="NtkDsl.Device"/>.
/// Matrices are N × d with one example per row.
/// </summary>
/// <remarks>Thread safety: a tensor is a plain array with a shape: concurrent reads are safe, but writes through <see cref="AsSpan"/>/<see cref="AsSingleSpan"/> (or into an array given to <see cref="Wrap(double[], int[])"/>) while another thread reads or writes it are not synchronized.</remarks>
public sealed class Tensor
{
    private readonly double[]? _f64;
    private readonly float[]? _f32;
    private readonly int[] _shape;

    private Tensor(int[] shape, double[]? f64, float[]? f32, Device device)
    {
        _shape = shape;
        _f64 = f64;
        _f32 = f32;
        Device = device;
    }

    /// <summary>The extent of each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public long Length => _f64?.LongLength ?? _f32!.LongLength;

    /// <summary>Element type.</summary>
    public DType DType => _f64 is not null ? DType.Float64 : DType.Float32;

    /// <summary>The device that holds the data.</summary>
    public Device Device { get; }

    /// <summary>Extent of dimension 0.</summary>
    public int Rows => _shape.Length > 0 ? _shape[0] : 1;

    /// <summary>Product of all dimensions after the first (the feature count of an N × d matrix).</summary>
    public int Columns
    {
        get
        {
            long c = 1;
            for (int i = 1; i < _shape.Length; i++) c *= _shape[i];
            return checked((int)c);
        }
    }

    /// <summary>
    /// Creates a zero tensor. A large one is first checked against the memory available to the process
    /// (<see cref="Memory.MemoryBudget"/>).
    /// </summary>
    /// <exception cref="Memory.NotEnoughMemoryException">The tensor would not fit in the available memory.</exception>
    public static Tensor Zeros(DType dtype, params int[] shape)
    {
        long n = CheckShape(shape);
        Memory.MemoryBudget.EnsureArray(n, dtype == DType.Float64 ? 8 : 4, "Tensor.Zeros",
            $"a {dtype} tensor of shape [{string.Join(" × ", shape)}]");
        return dtype == DType.Float64
            ? new Tensor((int[])shape.Clone(), new double[n], null, Device.Cpu)
            : new Tensor((int[])shape.Clone(), null, new float[n], Device.Cpu);
    }

    /// <summary>Creates a float64 zero tensor.</summary>
    public static Tensor Zeros(params int[] shape) => Zeros(DType.Float64, shape);

    /// <summary>Copies a two-dimensional array into a new float64 N × d tensor.</summary>
    public static Tensor FromArray(double[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int r = values.GetLength(0), c = values.GetLength(1);
        var data = new double[(long)r * c];
        int k = 0;
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                data[k++] = values[i, j];
        return new Tensor([r, c], data, null, Device.Cpu);
    }

    /// <summary>Copies a two-dimensional array into a new float32 N × d tensor.</summary>
    public static Tensor FromArray(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int r = values.GetLength(0), c = values.GetLength(1);
        var data = new float[(long)r * c];
        int k = 0;
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                data[k++] = values[i, j];
        return new Tensor([r, c], null, data, Device.Cpu);
    }

    /// <summary>Copies flat row-major data into a new float64 tensor of the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<double> values, params int[] shape)
    {
        long n = CheckShape(shape);
        if (n != values.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {n} elements but {values.Length} values were given.", nameof(values));
        return new Tensor((int[])shape.Clone(), values.ToArray(), null, Device.Cpu);
    }

    /// <summary>Copies flat row-major data into a new float32 tensor of the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        long n = CheckShape(shape);
        if (n != values.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {n} elements but {values.Length} values were given.", nameof(values));
        return new Tensor((int[])shape.Clone(), null, values.ToArray(), Device.Cpu);
    }

    /// <summary>Wraps an existing float64 array without copying: the tensor and the caller share the storage.</summary>
    public static Tensor Wrap(double[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (CheckShape(shape) != data.LongLength) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] does not match the data length {data.LongLength}.");
        return new Tensor((int[])shape.Clone(), data, null, Device.Cpu);
    }

    /// <summary>Wraps an existing float32 array without copying: the tensor and the caller share the storage.</summary>
    public static Tensor Wrap(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (CheckShape(shape) != data.LongLength) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] does not match the data length {data.LongLength}.");
        return new Tensor((int[])shape.Clone(), null, data, Device.Cpu);
    }

    /// <summary>The float64 data as a span (throws for float32 tensors; use <see cref="To(DType)"/>).</summary>
    public Span<double> AsSpan() => _f64 ?? throw new InvalidOperationException("This tensor is float32: call AsSingleSpan() or To(DType.Float64).");

    /// <summary>The float32 data as a span (throws for float64 tensors).</summary>
    public Span<float> AsSingleSpan() => _f32 ?? throw new InvalidOperationException("This tensor is float64: call AsSpan() or To(DType.Float32).");

    internal double[] F64 => _f64 ?? throw new InvalidOperationException("Expected a float64 tensor.");

    internal float[] F32 => _f32 ?? throw new InvalidOperationException("Expected a float32 tensor.");

    /// <summary>Element at a flat row-major index, widened to double.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Length"/>).</exception>
    public double GetFlat(long index)
    {
        if ((ulong)index >= (ulong)Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Flat index {index} is outside this tensor of {Length} elements (shape [{string.Join(", ", _shape)}]).");
        return _f64 is not null ? _f64[index] : _f32![index];
    }

    /// <summary>Element i of a vector (a rank-1 tensor: a Diagonal-mode NTK, an <c>Analytic*Diagonal</c> kernel, a
    /// <c>Vjp</c>, <c>NtkPrediction.Mean</c> of one output).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not rank 1 (use <c>t[i, j]</c> on a matrix, or
    /// <see cref="GetFlat"/> for a flat row-major index).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is outside [0, length).</exception>
    public double this[int i]
    {
        get
        {
            if (Rank != 1)
                throw new InvalidOperationException($"t[i] reads a vector (rank 1), but this tensor has rank {Rank} (shape [{string.Join(", ", _shape)}]): use the indexer with {Rank} indices (t[i, j] for a matrix), or GetFlat(index) for a flat row-major index.");
            CheckIndex(0, i);
            return GetFlat(i);
        }
    }

    /// <summary>Element (i, j) of a matrix.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not rank 2.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside its dimension (no index wraps into the next row).</exception>
    public double this[int i, int j]
    {
        get { CheckRank(2); CheckIndex(0, i); CheckIndex(1, j); return GetFlat((long)i * _shape[1] + j); }
    }

    /// <summary>Element (i, j, k) of a rank-3 tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not rank 3.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside its dimension.</exception>
    public double this[int i, int j, int k]
    {
        get { CheckRank(3); CheckIndex(0, i); CheckIndex(1, j); CheckIndex(2, k); return GetFlat(((long)i * _shape[1] + j) * _shape[2] + k); }
    }

    /// <summary>Element (i, j, k, l) of a rank-4 tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not rank 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside its dimension.</exception>
    public double this[int i, int j, int k, int l]
    {
        get { CheckRank(4); CheckIndex(0, i); CheckIndex(1, j); CheckIndex(2, k); CheckIndex(3, l); return GetFlat((((long)i * _shape[1] + j) * _shape[2] + k) * _shape[3] + l); }
    }

    /// <summary>A copy with the given element type.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return Clone();
        if (dtype == DType.Float64)
        {
            var d = new double[_f32!.LongLength];
            for (long i = 0; i < d.LongLength; i++) d[i] = _f32[i];
            return new Tensor((int[])_shape.Clone(), d, null, Device);
        }
        var f = new float[_f64!.LongLength];
        for (long i = 0; i < f.LongLength; i++) f[i] = (float)_f64[i];
        return new Tensor((int[])_shape.Clone(), null, f, Device);
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new((int[])_shape.Clone(), (double[]?)_f64?.Clone(), (float[]?)_f32?.Clone(), Device);

    /// <summary>A tensor sharing this data with another shape of the same element count.</summary>
    public Tensor Reshape(params int[] shape)
    {
        if (CheckShape(shape) != Length)
            throw new ArgumentException($"Cannot reshape [{string.Join(", ", _shape)}] to [{string.Join(", ", shape)}]: element counts differ.");
        return new Tensor((int[])shape.Clone(), _f64, _f32, Device);
    }

    /// <summary>All elements, widened to double, in row-major order.</summary>
    public double[] ToFlatArray()
    {
        if (_f64 is not null) return (double[])_f64.Clone();
        var d = new double[_f32!.LongLength];
        for (long i = 0; i < d.LongLength; i++) d[i] = _f32[i];
        return d;
    }

    /// <summary>A matrix as a two-dimensional array (rank-1 tensors become one row).</summary>
    public double[,] ToArray()
    {
        if (Rank > 2) throw new InvalidOperationException($"ToArray() needs rank ≤ 2, this tensor has shape [{string.Join(", ", _shape)}]; use ToFlatArray().");
        int r = Rank == 2 ? _shape[0] : 1, c = Rank == 2 ? _shape[1] : (Rank == 1 ? _shape[0] : 1);
        var a = new double[r, c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                a[i, j] = GetFlat((long)i * c + j);
        return a;
    }

    /// <summary>Rows [start, start + count) of a matrix or higher-rank tensor, copied.</summary>
    public Tensor SliceRows(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside 0..{Rows}.");
        var shape = (int[])_shape.Clone();
        shape[0] = count;
        long stride = Columns;
        if (_f64 is not null) return new Tensor(shape, _f64.AsSpan((int)(start * stride), (int)(count * stride)).ToArray(), null, Device);
        return new Tensor(shape, null, _f32!.AsSpan((int)(start * stride), (int)(count * stride)).ToArray(), Device);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Tensor<{DType}>[{string.Join(" × ", _shape)}]");
        if (Length <= 16)
        {
            sb.Append(" {");
            for (long i = 0; i < Length; i++) sb.Append(i == 0 ? " " : ", ").Append(GetFlat(i).ToString("G6", CultureInfo.InvariantCulture));
            sb.Append(" }");
        }
        return sb.ToString();
    }

    private void CheckRank(int rank)
    {
        if (Rank != rank) throw new InvalidOperationException($"This tensor has rank {Rank} (shape [{string.Join(", ", _shape)}]); the indexer used needs rank {rank}.");
    }

    private void CheckIndex(int axis, int index)
    {
        if ((uint)index >= (uint)_shape[axis])
            throw new ArgumentOutOfRangeException($"index {axis}", index,
                $"Index {index} on axis {axis} is outside this tensor's shape [{string.Join(", ", _shape)}] (valid: 0 to {_shape[axis] - 1}); indices never wrap into the next row.");
    }

    private static long CheckShape(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (int s in shape)
        {
            if (s < 0) throw new ArgumentException($"Negative dimension in shape [{string.Join(", ", shape)}].", nameof(shape));
            n *= s;
        }
        if (n > Array.MaxLength) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {n} elements, more than one array can ({Array.MaxLength}); compute it in row blocks.", nameof(shape));
        return n;
    }
}
