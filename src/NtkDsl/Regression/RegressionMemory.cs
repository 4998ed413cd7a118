using System.Globalization;
using NtkDsl.Memory;

namespace NtkDsl.Regression;

/// <summary>
/// Working-set checks of kernel regression, ridge selection and WNTK learning before they allocate: each counts the
/// float64 values the routine holds at once besides the caller's own tensors (its n × n copies and work matrices,
/// as listed at each call) and asks <see cref="MemoryBudget"/>, so a training set too large for memory is a
/// <see cref="NotEnoughMemoryException"/> with the size and the fix instead of an out-of-memory crash. A tensor of
/// the wrong rank is left to the argument checks that follow (they name the problem).
/// </summary>
internal static class RegressionMemory
{
    private const string Fix = "Fit on fewer training rows (this memory grows as n²: half the rows need a quarter), or free memory.";

    /// <summary>
    /// Checks <paramref name="matrices"/> float64 n × n matrices (n = the rows of <paramref name="kernel"/>) plus
    /// <paramref name="perRow"/> values per row (targets, coefficients).
    /// </summary>
    public static void EnsureSquare(Tensor? kernel, long matrices, long perRow, string operation, string what)
    {
        if (kernel is null || kernel.Rank != 2) return;
        long n = kernel.Shape[0];
        Ensure(Add(Multiply(Multiply(n, n), matrices), Multiply(n, perRow)), operation,
            string.Create(CultureInfo.InvariantCulture, $"{what} ({matrices} float64 {n} × {n} matrices)"));
    }

    /// <summary>Checks <paramref name="values"/> float64 values described by <paramref name="what"/>.</summary>
    public static void Ensure(long values, string operation, string what) => MemoryBudget.EnsureArray(values, sizeof(double), operation, what, Fix);

    /// <summary>The value count of <paramref name="count"/> square matrices of order <paramref name="n"/> (saturating).</summary>
    public static long Squares(long n, long count) => Multiply(Multiply(n, n), count);

    /// <summary>a·b, or long.MaxValue when it overflows (a size that large is certainly too large).</summary>
    public static long Multiply(long a, long b)
    {
        if (a < 0 || b < 0) return long.MaxValue;
        return a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
    }

    /// <summary>a + b, saturating at long.MaxValue.</summary>
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
