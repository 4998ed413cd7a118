using MathNet.Numerics.LinearAlgebra;

namespace NtkDsl.Regression;

/// <summary>
/// Eigendecomposition K = V Λ Vᵀ of a symmetric matrix, eigenvalues ascending.
/// MathNet.Numerics 5 does the work: it is a served package here, its symmetric EVD (Householder tridiagonalization
/// plus implicit QL) is widely used and tested, and it runs in double precision; writing our own would add risk
/// without gain, and these routines are O(n³) once per kernel, far from the GEMM hot path.
/// </summary>
internal sealed class SymmetricEigen
{
    private SymmetricEigen(int n, double[] values, double[] vectors)
    {
        N = n;
        Values = values;
        Vectors = vectors;
    }

    /// <summary>Matrix order.</summary>
    public int N { get; }

    /// <summary>Eigenvalues, ascending.</summary>
    public double[] Values { get; }

    /// <summary>Row-major n × n: column j is the unit eigenvector of <see cref="Values"/>[j].</summary>
    public double[] Vectors { get; }

    /// <summary>Largest eigenvalue.</summary>
    public double Max => Values[^1];

    /// <summary>Smallest eigenvalue.</summary>
    public double Min => Values[0];

    /// <summary>Largest |eigenvalue| (the spectral norm).</summary>
    public double MaxAbs => Math.Max(Math.Abs(Values[0]), Math.Abs(Values[^1]));

    /// <summary>Decomposes a symmetric row-major n × n matrix (symmetric, so row- and column-major coincide).</summary>
    public static SymmetricEigen Of(double[] symmetric, int n)
    {
        var m = Matrix<double>.Build.DenseOfColumnMajor(n, n, symmetric);
        var evd = m.Evd(Symmetricity.Symmetric);
        var raw = new double[n];
        for (int i = 0; i < n; i++) raw[i] = evd.EigenValues[i].Real;
        double[] v = evd.EigenVectors.ToRowMajorArray();
        // Sort ascending explicitly rather than rely on the provider's order.
        int[] order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => raw[a].CompareTo(raw[b]));
        var values = new double[n];
        var vectors = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            values[j] = raw[order[j]];
            for (int i = 0; i < n; i++) vectors[i * n + j] = v[i * n + order[j]];
        }
        return new SymmetricEigen(n, values, vectors);
    }

    /// <summary>
    /// Decomposes a symmetric row-major n × n matrix on <paramref name="backend"/> (a device's cuSOLVER syevd), or with
    /// <see cref="Of(double[], int)"/> when it is null. The device's eigenvalues must come back finite and ascending.
    /// </summary>
    /// <exception cref="ArithmeticException">The backend returned non-finite or unsorted eigenvalues.</exception>
    public static SymmetricEigen Of(double[] symmetric, int n, ILinearAlgebraBackend? backend)
    {
        if (backend is null) return Of(symmetric, n);
        var values = new double[n];
        var vectors = new double[(long)n * n];
        backend.SymmetricEigen(symmetric, n, values, vectors);
        for (int j = 0; j < n; j++)
            if (!double.IsFinite(values[j]) || (j > 0 && values[j] < values[j - 1]))
                throw new ArithmeticException(System.FormattableString.Invariant(
                    $"The device's symmetric eigensolver returned eigenvalue {j} = {values[j]:G6}, not finite and ascending; the {n} × {n} kernel is finite, so the device result cannot be trusted (check the device with its conformance tests, or use Device.Cpu)."));
        return new SymmetricEigen(n, values, vectors);
    }

    /// <summary>
    /// Whether the smallest eigenvalue of K + ridge·I is positive beyond rounding: larger than n·ε·‖K + ridge·I‖.
    /// </summary>
    public bool IsPositiveDefinite(double ridge) => Values[0] + ridge > PositivityFloor(N, MaxAbs + ridge);

    /// <summary>Eigenvalues below n·ε·scale are indistinguishable from 0 in a matrix of norm scale.</summary>
    public static double PositivityFloor(int n, double scale) => n * 2.220446049250313e-16 * scale;

    /// <summary>
    /// The smallest ridge λ ≥ 0 that makes K + λI positive definite with a safety margin: max(0, −λ_min) + 1e-8·‖K‖
    /// (far above the n·ε·‖K‖ rounding floor, far below any ridge that changes a fit), rounded up to 3 significant
    /// digits so that the printed value itself works.
    /// </summary>
    public double SmallestSafeRidge()
    {
        double scale = MaxAbs > 0 ? MaxAbs : 1.0;
        return RoundUp(Math.Max(0.0, -Min) + 1e-8 * scale);
    }

    /// <summary>x rounded up to 3 significant digits, as the double that its "G3" text parses to (never below x).</summary>
    private static double RoundUp(double x)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double unit = Math.Pow(10, Math.Floor(Math.Log10(x)) - 2);
        double steps = Math.Ceiling(x / unit);
        double r = double.Parse((steps * unit).ToString("G3", inv), inv);
        if (r < x) r = double.Parse(((steps + 1) * unit).ToString("G3", inv), inv);
        return r;
    }
}
