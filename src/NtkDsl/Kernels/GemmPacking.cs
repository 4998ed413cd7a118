using System.Runtime.CompilerServices;

namespace NtkDsl.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layouts the micro-kernels stream through: A in panels of
/// <c>mr</c> rows stored step by step (<c>dst[(panel·kc + p)·mr + r]</c>), B in panels of <c>nr</c> columns
/// (<c>dst[(panel·kc + p)·nr + j]</c>). Ragged last panels are zero-padded so the kernels never branch on edges.
/// </summary>
internal static unsafe class GemmPacking<T> where T : unmanaged
{
    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc]; <paramref name="trans"/> means A is stored k × m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(T* a, nint lda, bool trans, int i0, int p0, int mc, int kc, int mr, T* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            T* d = dst + (nint)ir * kc;
            if (!trans)
            {
                // Element (i, p) lives at a[i·lda + p]: read each row contiguously, scatter with stride mr.
                for (int r = 0; r < rows; r++)
                {
                    T* src = a + (nint)(i0 + ir + r) * lda + p0;
                    T* dr = d + r;
                    for (int p = 0; p < kc; p++) dr[(nint)p * mr] = src[p];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) d[(nint)p * mr + r] = default;
            }
            else
            {
                // Element (i, p) lives at a[p·lda + i]: each step is a contiguous run of rows.
                T* src = a + (nint)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++)
                {
                    T* dp = d + (nint)p * mr;
                    new ReadOnlySpan<T>(src + (nint)p * lda, rows).CopyTo(new Span<T>(dp, rows));
                    for (int r = rows; r < mr; r++) dp[r] = default;
                }
            }
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc]; <paramref name="trans"/> means B is stored n × k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(T* b, nint ldb, bool trans, int p0, int j0, int kc, int nc, int nr, T* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            T* d = dst + (nint)jr * kc;
            if (!trans)
            {
                // Element (p, j) lives at b[p·ldb + j]: each step is a contiguous run of columns.
                T* src = b + (nint)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++)
                {
                    T* dp = d + (nint)p * nr;
                    new ReadOnlySpan<T>(src + (nint)p * ldb, cols).CopyTo(new Span<T>(dp, cols));
                    for (int j = cols; j < nr; j++) dp[j] = default;
                }
            }
            else
            {
                // Element (p, j) lives at b[j·ldb + p]: read each stored row contiguously, scatter with stride nr.
                for (int j = 0; j < cols; j++)
                {
                    T* src = b + (nint)(j0 + jr + j) * ldb + p0;
                    T* dj = d + j;
                    for (int p = 0; p < kc; p++) dj[(nint)p * nr] = src[p];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) d[(nint)p * nr + j] = default;
            }
        }
    }
}
