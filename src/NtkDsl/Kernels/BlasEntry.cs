using System.Numerics;

namespace NtkDsl.Kernels;

/// <summary>
/// Argument checks and pinning in front of <see cref="GemmDriver{T}"/>. The kernel and thread cap are parameters so
/// tests can run every kernel the CPU supports and both the serial and the parallel paths.
/// </summary>
internal static unsafe class BlasEntry<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Gemm(GemmKernelKind kind, Transpose transA, Transpose transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int maxThreads)
    {
        CheckTranspose(transA, nameof(transA));
        CheckTranspose(transB, nameof(transB));
        CheckDimension(m, nameof(m), "GEMM");
        CheckDimension(n, nameof(n), "GEMM");
        CheckDimension(k, nameof(k), "GEMM");
        bool ta = transA == Transpose.Yes, tb = transB == Transpose.Yes;
        CheckOperand(a.Length, ta ? k : m, ta ? m : k, lda, "A", nameof(lda), ta ? "k×m (transA = Yes)" : "m×k");
        CheckOperand(b.Length, tb ? n : k, tb ? k : n, ldb, "B", nameof(ldb), tb ? "n×k (transB = Yes)" : "k×n");
        CheckOperand(c.Length, m, n, ldc, "C", nameof(ldc), "m×n");
        if (m > 0 && n > 0) FlopCounter.Record(m, n, k, symmetricLower: false);
        fixed (T* pa = a, pb = b, pc = c)
            GemmDriver<T>.Run(kind, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, lower: false, maxThreads);
    }

    /// <summary>
    /// C[m×n] = (α·op(A)·op(B)) ⊙ S[i / <paramref name="rowsPerScaleRow"/>, j]: the GEMM with β = 0 and each finished
    /// element multiplied by an element of <paramref name="scale"/> (row stride <paramref name="ldScale"/>) in the GEMM's
    /// epilogue, bitwise what the product followed by a separate multiply pass gives (see <see cref="GemmDriver{T}.RowScale"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An operand is too short for its shape, or <paramref name="ldScale"/> &lt; n.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rowsPerScaleRow"/> &lt; 1 or a negative dimension.</exception>
    public static void GemmRowScaled(GemmKernelKind kind, Transpose transA, Transpose transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, ReadOnlySpan<T> scale, int ldScale, int rowsPerScaleRow,
        int maxThreads)
    {
        CheckTranspose(transA, nameof(transA));
        CheckTranspose(transB, nameof(transB));
        CheckDimension(m, nameof(m), "GEMM");
        CheckDimension(n, nameof(n), "GEMM");
        CheckDimension(k, nameof(k), "GEMM");
        if (rowsPerScaleRow < 1)
            throw new ArgumentOutOfRangeException(nameof(rowsPerScaleRow), rowsPerScaleRow, "Each row of the scale matrix serves rowsPerScaleRow ≥ 1 rows of C.");
        bool ta = transA == Transpose.Yes, tb = transB == Transpose.Yes;
        CheckOperand(a.Length, ta ? k : m, ta ? m : k, lda, "A", nameof(lda), ta ? "k×m (transA = Yes)" : "m×k");
        CheckOperand(b.Length, tb ? n : k, tb ? k : n, ldb, "B", nameof(ldb), tb ? "n×k (transB = Yes)" : "k×n");
        CheckOperand(c.Length, m, n, ldc, "C", nameof(ldc), "m×n");
        int scaleRows = m == 0 ? 0 : (m - 1) / rowsPerScaleRow + 1;
        CheckOperand(scale.Length, scaleRows, n, ldScale, "S", nameof(ldScale), "⌈m / rowsPerScaleRow⌉×n");
        if (m > 0 && n > 0) FlopCounter.Record(m, n, k, symmetricLower: false);
        fixed (T* pa = a, pb = b, pc = c, ps = scale)
            GemmDriver<T>.Run(kind, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, T.Zero, pc, ldc, lower: false, maxThreads,
                new GemmDriver<T>.RowScale((nint)ps, ldScale, rowsPerScaleRow));
    }

    public static void Syrk(GemmKernelKind kind, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, T beta, Span<T> c,
        int ldc, int maxThreads)
    {
        SyrkLower(kind, n, k, alpha, a, lda, beta, c, ldc, maxThreads);
        fixed (T* pc = c) MirrorLower(n, pc, ldc);
    }

    /// <summary>
    /// The lower triangle (j ≤ i) of C = α·A·Aᵀ + β·C for A n×k: the strict upper triangle is neither read nor written
    /// (for callers that only read j ≤ i, such as the diagonal tiles of a symmetric NTK).
    /// </summary>
    public static void SyrkLower(GemmKernelKind kind, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, T beta, Span<T> c,
        int ldc, int maxThreads)
    {
        CheckDimension(n, nameof(n), "SYRK");
        CheckDimension(k, nameof(k), "SYRK");
        CheckOperand(a.Length, n, k, lda, "A", nameof(lda), "n×k");
        CheckOperand(c.Length, n, n, ldc, "C", nameof(ldc), "n×n");
        if (n > 0) FlopCounter.Record(n, n, k, symmetricLower: true);
        fixed (T* pa = a, pc = c)
            GemmDriver<T>.Run(kind, Transpose.No, Transpose.Yes, n, n, k, alpha, pa, lda, pa, lda, beta, pc, ldc, lower: true, maxThreads);
    }

    /// <summary>Copies the strict lower triangle onto the upper one, in square tiles so both sides stay in cache.</summary>
    internal static void MirrorLower(int n, T* c, nint ldc)
    {
        const int tile = 32;
        for (int i0 = 0; i0 < n; i0 += tile)
            for (int j0 = i0; j0 < n; j0 += tile)
            {
                int i1 = Math.Min(n, i0 + tile), j1 = Math.Min(n, j0 + tile);
                for (int i = i0; i < i1; i++)
                {
                    T* ci = c + i * ldc;
                    for (int j = Math.Max(j0, i + 1); j < j1; j++) ci[j] = c[j * ldc + i];
                }
            }
    }

    private static void CheckTranspose(Transpose t, string name)
    {
        if (t != Transpose.No && t != Transpose.Yes)
            throw new ArgumentOutOfRangeException(name, t, $"{name} must be Transpose.No or Transpose.Yes, got {(int)t}.");
    }

    private static void CheckDimension(int value, string name, string op)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{op}: dimension {name} = {value} is negative; matrix dimensions must be ≥ 0.");
    }

    private static void CheckOperand(int length, int rows, int cols, int ld, string operand, string ldName, string shape)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException(
                $"Operand {operand} is stored {shape} = {rows}×{cols} row-major, so {ldName} must be ≥ {Math.Max(1, cols)} " +
                $"(its stored column count), got {ldName} = {ld}.", ldName);
        long need = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException(
                $"Operand {operand} is stored {shape} = {rows}×{cols} row-major with {ldName} = {ld}, which needs at least " +
                $"{need} elements, but its span has only {length}; pass a larger span or smaller dimensions.", operand.ToLowerInvariant());
    }
}
