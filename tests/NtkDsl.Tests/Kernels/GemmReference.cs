using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// One GEMM test case built from logical operands op(A) (m×k) and op(B) (k×n) that are then stored as the transpose
/// flags and leading dimensions say, with a naive triple-loop reference evaluated in float64 on the stored values and
/// a per-element forward error bound. For a dot product of length k, |fl(s) − s| ≤ γ_k·Σ|a_p·b_p| with
/// γ_k = k·u/(1 − k·u) (Higham, Accuracy and Stability, Thm 3.5), whatever the summation order, so the blocked
/// kernel must land within (k + 3)·u·(|α|·Σ|a·b| + |β|·|c|) of the exact value (three extra roundings for α, β and the
/// final add); u = 2⁻⁵³ for float64 and 2⁻²⁴ for float32. The float64 reference itself is off by at most the
/// float64 bound, which is added.
/// </summary>
internal sealed class GemmCase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const double Sentinel = -12345.5;

    /// <summary>A SYRK case: C n×n, A n×k stored row-major, and B aliasing A (op(B) = Aᵀ).</summary>
    public static GemmCase<T> Syrk(int n, int k, int padA, int padC, int seed) => new(n, n, k, Transpose.No, Transpose.Yes, padA, 0, padC, seed, bIsA: true);

    public GemmCase(int m, int n, int k, Transpose ta, Transpose tb, int padA, int padB, int padC, int seed, bool bIsA = false)
    {
        (M, N, K, TransA, TransB) = (m, n, k, ta, tb);
        var rng = new Random(seed);
        int aRows = ta == Transpose.No ? m : k, aCols = ta == Transpose.No ? k : m;
        int bRows = tb == Transpose.No ? k : n, bCols = tb == Transpose.No ? n : k;
        Lda = aCols + padA;
        Ldb = bCols + padB;
        Ldc = n + padC;
        A = Filled(aRows == 0 ? 0 : (aRows - 1) * Lda + aCols, rng);
        if (bIsA) Ldb = Lda;
        B = bIsA ? A : Filled(bRows == 0 ? 0 : (bRows - 1) * Ldb + bCols, rng);
        C0 = Filled(m == 0 ? 0 : (m - 1) * Ldc + n, rng);
        // Padding of C between rows must come back untouched.
        for (int i = 0; i < m; i++)
            for (int j = n; j < Ldc && i * Ldc + j < C0.Length; j++) C0[i * Ldc + j] = T.CreateChecked(Sentinel);
    }

    public int M { get; }
    public int N { get; }
    public int K { get; }
    public Transpose TransA { get; }
    public Transpose TransB { get; }
    public int Lda { get; }
    public int Ldb { get; }
    public int Ldc { get; }
    public T[] A { get; }
    public T[] B { get; }
    public T[] C0 { get; }

    public double OpA(int i, int p) => double.CreateChecked(TransA == Transpose.No ? A[i * Lda + p] : A[p * Lda + i]);
    public double OpB(int p, int j) => double.CreateChecked(TransB == Transpose.No ? B[p * Ldb + j] : B[j * Ldb + p]);

    public static double UnitRoundoff => typeof(T) == typeof(double) ? Math.Pow(2, -53) : Math.Pow(2, -24);

    /// <summary>A copy of C0 whose m×n entries are NaN (padding kept), to prove β = 0 never reads C.</summary>
    public T[] NaNC()
    {
        var c = (T[])C0.Clone();
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) c[i * Ldc + j] = T.NaN;
        return c;
    }

    /// <summary>Runs the product on a copy of C0 and checks every element against the bound and the padding.</summary>
    public void Check(Action<T[]> run, double alpha, double beta, T[]? initialC = null, bool lowerOnly = false)
    {
        T[] c = (T[])(initialC ?? C0).Clone();
        run(c);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                if (lowerOnly && j > i) continue;
                double expected = Expected(i, j, alpha, beta, initialC ?? C0, out double bound);
                double actual = double.CreateChecked(c[i * Ldc + j]);
                Assert.True(Math.Abs(actual - expected) <= bound,
                    $"C[{i},{j}] = {actual:R}, expected {expected:R} ± {bound:E2} (m={M} n={N} k={K} {TransA}/{TransB} α={alpha} β={beta})");
            }
        for (int i = 0; i < c.Length; i++)
            if (i % Ldc >= N) Assert.Equal(double.CreateChecked((initialC ?? C0)[i]), double.CreateChecked(c[i]));
    }

    /// <summary>The float64 triple-loop value of C[i, j] after the product, and the error bound around it.</summary>
    public double Expected(int i, int j, double alpha, double beta, T[] initialC, out double bound)
    {
        _rowsA ??= Logical(M, K, OpA);
        _colsB ??= Logical(N, K, (j2, p) => OpB(p, j2));
        double s = 0, abs = 0;
        var x = _rowsA.AsSpan(i * K, K);
        var y = _colsB.AsSpan(j * K, K);
        for (int p = 0; p < x.Length; p++)
        {
            double t = x[p] * y[p];
            s += t;
            abs += Math.Abs(t);
        }
        double old = double.CreateChecked(initialC[i * Ldc + j]);
        double scale = Math.Abs(alpha) * abs + (beta == 0 ? 0 : Math.Abs(beta * old));
        bound = (K + 3) * (UnitRoundoff + Math.Pow(2, -53)) * scale + double.Epsilon;
        return beta == 0 ? alpha * s : alpha * s + beta * old;
    }

    private double[]? _rowsA, _colsB;

    /// <summary>rows × k values f(r, p) laid out row by row, so each reference dot product is contiguous.</summary>
    private static double[] Logical(int rows, int k, Func<int, int, double> f)
    {
        var x = new double[rows * k];
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < k; p++) x[r * k + p] = f(r, p);
        return x;
    }

    private static T[] Filled(int count, Random rng)
    {
        var x = new T[count];
        for (int i = 0; i < count; i++) x[i] = T.CreateChecked(rng.NextDouble() * 2 - 1);
        return x;
    }
}
