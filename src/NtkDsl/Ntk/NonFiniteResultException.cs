using System.Globalization;
using System.Numerics;

namespace NtkDsl;

/// <summary>
/// Thrown when a computation on finite inputs produces ∞ or NaN — an overflow of float64 (≈ 1.8e308) or float32
/// (≈ 3.4e38) somewhere in a forward pass, Jacobian, kernel or prediction. Never returned as output: the message names
/// the stage (which layer, which kernel stage), the first affected row and the fix.
/// </summary>
/// <remarks>
/// The checks are scans of each produced tile, layer output or feature block (O(size), far below the cost of the
/// product that made it). Inputs that are non-finite to begin with are rejected earlier with an
/// <see cref="ArgumentException"/> by the input checks.
/// </remarks>
public sealed class NonFiniteResultException : ArithmeticException
{
    /// <summary>Creates the exception with a default message.</summary>
    public NonFiniteResultException()
        : base("A computation on finite inputs produced ∞ or NaN.") { }

    /// <summary>Creates the exception with a message.</summary>
    public NonFiniteResultException(string message)
        : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public NonFiniteResultException(string message, Exception innerException)
        : base(message, innerException) { }

    /// <summary>Creates the exception for a stage and position.</summary>
    /// <param name="stage">Where it happened, e.g. "Ntk: layer 2 of 3 (scaled inputs · deltas)".</param>
    /// <param name="row">First affected row (example) of the first input batch, or −1.</param>
    /// <param name="column">Column (second batch's row, output or feature), or −1.</param>
    /// <param name="value">The non-finite value.</param>
    public NonFiniteResultException(string stage, int row, int column, double value)
        : this(stage, row, column, value, InputAdvice) { }

    /// <summary>The same, with <paramref name="advice"/> (what to change) in place of the input-scaling advice: used where
    /// the cause is known to be something else, e.g. a learning rate above the stability bound.</summary>
    internal NonFiniteResultException(string stage, int row, int column, double value, string advice)
        : base(Describe(stage, row, column, value, advice))
    {
        Stage = stage;
        Row = row;
        Column = column;
        Value = value;
    }

    /// <summary>Where the value appeared (layer / stage).</summary>
    public string Stage { get; } = "";

    /// <summary>First affected row (example index), or −1 when not applicable.</summary>
    public int Row { get; } = -1;

    /// <summary>Column of the first affected entry (second batch's row, output or feature index), or −1.</summary>
    public int Column { get; } = -1;

    /// <summary>The offending value (∞, −∞ or NaN).</summary>
    public double Value { get; } = double.NaN;

    private const string InputAdvice =
        "Standardize the inputs (e.g. NtkDsl.Regression.Standardizer) or rescale them and the parameters to moderate magnitudes; a Float32 model overflows far earlier than Float64.";

    private static string Describe(string stage, int row, int column, double value, string advice)
    {
        string where = row < 0 ? "" : column < 0
            ? string.Create(CultureInfo.InvariantCulture, $" at row {row}")
            : string.Create(CultureInfo.InvariantCulture, $" at row {row}, column {column}");
        return string.Create(CultureInfo.InvariantCulture, $"{stage} produced {value}{where} from finite inputs") +
            ": a value overflowed the floating-point range (float64 ≈ 1.8e308, float32 ≈ 3.4e38). " + advice;
    }
}

/// <summary>Scans produced blocks for ∞/NaN and throws <see cref="NonFiniteResultException"/> naming the first one.</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class FiniteChecks
{
    /// <summary>
    /// Throws <see cref="NonFiniteResultException"/> if a row-major block of <paramref name="width"/> columns holds ∞ or
    /// NaN; the reported row is <paramref name="rowOffset"/> plus the block row.
    /// </summary>
    public static void Block<T>(ReadOnlySpan<T> values, int width, string stage, int rowOffset = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int bad = IndexOfNonFinite(values);
        if (bad < 0) return;
        int w = Math.Max(width, 1);
        throw new NonFiniteResultException(stage, rowOffset + bad / w, width > 1 ? bad % w : -1, double.CreateTruncating(values[bad]));
    }

    /// <summary>Index of the first ∞ or NaN, or −1.</summary>
    public static int IndexOfNonFinite<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            // x·0 is ±0 for finite x and NaN for ±∞ or NaN: one vectorized pass decides, the scalar pass only locates.
            var acc = Vector<T>.Zero;
            int v = 0;
            for (; v <= values.Length - Vector<T>.Count; v += Vector<T>.Count) acc += new Vector<T>(values.Slice(v)) * Vector<T>.Zero;
            T tail = T.Zero;
            for (; v < values.Length; v++) tail += values[v] * T.Zero;
            if (T.IsFinite(Vector.Sum(acc)) && T.IsFinite(tail)) return -1;
        }
        for (int i = 0; i < values.Length; i++)
            if (!T.IsFinite(values[i])) return i;
        return -1;
    }
}
