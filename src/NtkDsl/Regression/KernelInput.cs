using System.Globalization;

namespace NtkDsl.Regression;

/// <summary>
/// Argument checks and float64 conversion shared by <see cref="KernelRegression"/>, <see cref="RidgeSelection"/>
/// and <see cref="Dynamics.GradientDescentMse"/>. Every error names the owner, the argument and the fix.
/// </summary>
internal static class KernelInput
{
    /// <summary>Largest tolerated relative asymmetry max|K_ij − K_ji| / max|K_ij| of a kernel matrix.</summary>
    public const double SymmetryTolerance = 1e-10;

    /// <summary>
    /// Checks that <paramref name="kernel"/> is a non-empty, finite, square and symmetric matrix and returns a
    /// float64 row-major copy, symmetrized as (K + Kᵀ)/2 so that later eigen/Cholesky code sees exact symmetry.
    /// </summary>
    public static double[] SquareSymmetric(Tensor? kernel, string owner, string argument, out int n)
    {
        if (kernel is null) throw new ArgumentNullException(argument, $"{owner}: {argument} is null; pass the n × n training kernel.");
        if (kernel.Rank == 4 && kernel.Shape[0] == kernel.Shape[1] && kernel.Shape[2] == kernel.Shape[3])
            throw new ArgumentException($"{owner}: {argument} has shape [{ShapeText(kernel)}], an NtkMode.Full kernel (n × n × K × K); this takes the n × n kernel: compute it with NtkMode.Trace (math.md §5: the n × n kernel Θ of one output, shared by the K outputs).", argument);
        if (kernel.Rank != 2 || kernel.Shape[0] != kernel.Shape[1])
            throw new ArgumentException($"{owner}: {argument} must be a square n × n kernel matrix, got shape [{ShapeText(kernel)}].", argument);
        n = kernel.Rows;
        if (n == 0) throw new ArgumentException($"{owner}: {argument} is empty (0 × 0); pass the kernel of at least one training example.", argument);
        InputChecks.Finite(kernel, owner, argument);
        double[] k = kernel.ToFlatArray();
        double maxAbs = 0, maxAsym = 0;
        int wi = 0, wj = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(k[i * n + j]));
                if (j <= i) continue;
                double d = Math.Abs(k[i * n + j] - k[j * n + i]);
                if (d > maxAsym) { maxAsym = d; wi = i; wj = j; }
            }
        if (maxAsym > SymmetryTolerance * maxAbs)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{owner}: {argument} is not symmetric: entry ({wi}, {wj}) = {k[wi * n + wj]:R} but ({wj}, {wi}) = {k[wj * n + wi]:R} (relative asymmetry {maxAsym / maxAbs:E2} > {SymmetryTolerance:E0}). Pass a kernel of the training set with itself, or symmetrize it as (K + Kᵀ)/2."), argument);
        SymmetrizeInPlace(k, n);
        return k;
    }

    /// <summary>Replaces a row-major n × n matrix by (A + Aᵀ)/2, so row- and column-major readings agree exactly.</summary>
    internal static void SymmetrizeInPlace(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double avg = 0.5 * (a[i * n + j] + a[j * n + i]);
                a[i * n + j] = avg;
                a[j * n + i] = avg;
            }
    }

    /// <summary>
    /// Checks a target-like matrix with <paramref name="rows"/> rows: rank 1 (one output) or rank 2 (rows × K).
    /// Returns a float64 row-major copy and the column count K.
    /// </summary>
    public static double[] Targets(Tensor? y, int rows, string owner, string argument, out int columns, out bool vector)
    {
        if (y is null) throw new ArgumentNullException(argument, $"{owner}: {argument} is null; pass an n × K matrix (or a length-n vector) with n = {rows}.");
        if (y.Rank is not (1 or 2))
            throw new ArgumentException($"{owner}: {argument} must be a length-{rows} vector or a {rows} × K matrix, got shape [{ShapeText(y)}].", argument);
        if (y.Rows != rows)
            throw new ArgumentException($"{owner}: {argument} has {y.Rows} rows but the kernel has {rows}; the rows of {argument} must be the kernel's training examples, in the same order.", argument);
        vector = y.Rank == 1;
        columns = vector ? 1 : y.Shape[1];
        if (columns == 0) throw new ArgumentException($"{owner}: {argument} has 0 columns; pass at least one output column.", argument);
        InputChecks.Finite(y, owner, argument);
        return y.ToFlatArray();
    }

    /// <summary>Checks a matrix of exact shape rows × columns (rank 2) and returns a float64 row-major copy.</summary>
    public static double[] Matrix(Tensor? t, int rows, int columns, string owner, string argument, string what)
    {
        if (t is null) throw new ArgumentNullException(argument, $"{owner}: {argument} is null; pass {what} of shape [{rows}, {columns}].");
        if (t.Rank != 2 || t.Shape[0] != rows || t.Shape[1] != columns)
            throw new ArgumentException($"{owner}: {argument} has shape [{ShapeText(t)}] but {what} of shape [{rows}, {columns}] is required.", argument);
        InputChecks.Finite(t, owner, argument);
        return t.ToFlatArray();
    }

    /// <summary>Checks that <paramref name="t"/> has exactly <paramref name="shape"/> and returns a float64 copy.</summary>
    public static double[] Exact(Tensor? t, int[] shape, string owner, string argument, string what)
    {
        if (t is null) throw new ArgumentNullException(argument, $"{owner}: {argument} is null; pass {what} of shape [{string.Join(", ", shape)}].");
        if (!t.Shape.SequenceEqual(shape))
            throw new ArgumentException($"{owner}: {argument} has shape [{ShapeText(t)}] but {what} of shape [{string.Join(", ", shape)}] is required.", argument);
        InputChecks.Finite(t, owner, argument);
        return t.ToFlatArray();
    }

    /// <summary>Checks a kernel between new points and the n training points: m × n with m ≥ 1.</summary>
    public static double[] CrossKernel(Tensor? k, int n, string owner, string argument, out int m)
    {
        if (k is null) throw new ArgumentNullException(argument, $"{owner}: {argument} is null; pass the m × {n} kernel between the new points and the training points.");
        if (k.Rank == 4 && k.Shape[1] == n && k.Shape[2] == k.Shape[3])
            throw new ArgumentException($"{owner}: {argument} has shape [{ShapeText(k)}], an NtkMode.Full kernel (m × n × K × K); this takes the m × {n} kernel: compute it with NtkMode.Trace (math.md §5: the kernel Θ of one output, shared by the K outputs).", argument);
        if (k.Rank != 2 || k.Shape[1] != n)
            throw new ArgumentException($"{owner}: {argument} must be an m × {n} kernel (rows: new points, columns: the {n} training points), got shape [{ShapeText(k)}].", argument);
        m = k.Rows;
        if (m == 0) throw new ArgumentException($"{owner}: {argument} has 0 rows; pass at least one new point.", argument);
        InputChecks.Finite(k, owner, argument);
        return k.ToFlatArray();
    }

    /// <summary>Checks a ridge: finite and ≥ 0.</summary>
    public static void Ridge(double ridge, string owner, string argument = "ridge")
    {
        if (!double.IsFinite(ridge) || ridge < 0)
            throw new ArgumentOutOfRangeException(argument, ridge, $"{owner}: {argument} must be a finite number ≥ 0 (it is added to the kernel diagonal as {argument}·I).");
    }

    public static string ShapeText(Tensor t) => string.Join(", ", t.Shape.ToArray());
}
