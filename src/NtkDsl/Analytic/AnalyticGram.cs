using System.Runtime.CompilerServices;
using NtkDsl.Kernels;

namespace NtkDsl.Analytic;

/// <summary>
/// The input-layer Gram x·x'/d of the infinite-width kernels, computed so that equal inputs give exactly the values of
/// the diagonal chain (issue 13 item 3).
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>
/// <para>The bulk of the Gram comes from one blocked GEMM/SYRK, whose summation order differs from the per-row sum of
/// squares <see cref="AnalyticOps.MeanSquares"/> that starts the diagonal chain. A one-ulp difference between the two
/// makes ρ = c/√(q1 q2) = 1 − ε at x = x', and the arc-cosine of every later layer turns that into θ ≈ √(2ε) ≈ 1.5e−8,
/// so Θ(x, x) from the Gram would differ from <c>AnalyticNtkDiagonal</c> in the eighth digit.</para>
/// <para>Every entry whose inputs are parallel up to the GEMM's rounding, ||c| − √(q1 q2)| ≤ 4(d + 2)ε·√(q1 q2)
/// (this includes every diagonal entry and every pair of identical rows, in one batch or across x1 and a copy of it),
/// is therefore recomputed by <see cref="MeanDot"/>, the very loop of <see cref="AnalyticOps.MeanSquares"/>: for
/// bitwise-equal rows c then equals q1 = q2 bit for bit and the recursion sees ρ = 1 exactly. Such pairs are rare
/// (duplicates, or rows that are multiples of each other), so the extra O(d) work per pair does not change the cost.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class AnalyticGram
{
    private const double MachineEpsilon = 2.220446049250313e-16; // 2^−52

    /// <summary>
    /// Writes x1_i·x2_j/d into <paramref name="dot"/> (row-major n1 × n2); x2 = null means x1 (the symmetric Gram).
    /// </summary>
    /// <param name="x1">Row-major n1 × d inputs.</param>
    /// <param name="n1">Rows of x1.</param>
    /// <param name="x2">Row-major n2 × d inputs, or null for x1.</param>
    /// <param name="n2">Rows of x2 (n1 when x2 is null).</param>
    /// <param name="d">Input dimension (≥ 1).</param>
    /// <param name="dot">Destination of length n1·n2.</param>
    public static void ScaledDots(double[] x1, int n1, double[]? x2, int n2, int d, double[] dot)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(dot);
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        bool symmetric = x2 is null;
        double[] b = x2 ?? x1;
        if (symmetric && n2 != n1) throw new ArgumentException("n2 must equal n1 when x2 is null.", nameof(n2));
        if ((long)n1 * d > x1.Length || (long)n2 * d > b.Length || (long)n1 * n2 > dot.Length)
            throw new ArgumentException("An array is shorter than its stated shape.");
        if (n1 == 0 || n2 == 0) return;
        double[] q1 = AnalyticOps.MeanSquares(x1, n1, d);
        double[] q2 = symmetric ? q1 : AnalyticOps.MeanSquares(b, n2, d);
        // MeanSquares throws first on overflow (|x·x'| ≤ |x||x'|); the GEMM's partial sums can still overflow.
        if (symmetric) Blas.Syrk(n1, d, 1.0 / d, x1, d, 0.0, dot, n2);
        else Blas.Gemm(Transpose.No, Transpose.Yes, n1, n2, d, 1.0 / d, x1, d, b, d, 0.0, dot, n2);
        FiniteChecks.Block<double>(dot, n2, "Infinite-width kernel: the input-layer Gram x·x'/d");
        double tolerance = 4.0 * (d + 2) * MachineEpsilon;
        double[] r1 = Array.ConvertAll(q1, Math.Sqrt);
        double[] r2 = symmetric ? r1 : Array.ConvertAll(q2, Math.Sqrt);
        global::NtkDsl.Kernels.ParallelLoop.For(0, n1, i =>
        {
            var u = x1.AsSpan(i * d, d);
            for (int j = 0; j < n2; j++)
            {
                long ij = (long)i * n2 + j;
                if (symmetric && i == j) { dot[ij] = q1[i]; continue; }
                double scale = r1[i] * r2[j];
                if (Math.Abs(Math.Abs(dot[ij]) - scale) <= tolerance * scale)
                    dot[ij] = MeanDot(u, b.AsSpan(j * d, d));
            }
        });
    }

    /// <summary>
    /// u·v/d summed left to right: the loop of <see cref="AnalyticOps.MeanSquares"/>, so u = v gives exactly the mean square.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // one compiled body for both callers: the same instructions, the same rounding
    public static double MeanDot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int j = 0; j < u.Length; j++) s += u[j] * v[j];
        return s / u.Length;
    }
}
