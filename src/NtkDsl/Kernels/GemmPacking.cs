using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NtkDsl.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layouts the micro-kernels stream through: A in panels of
/// <c>mr</c> rows stored step by step with a step of <c>aStep</c> ≥ <c>mr</c> values
/// (<c>dst[(panel·kc + p)·aStep + r]</c>; the <c>aStep − mr</c> slots of a step are padding), B in panels of
/// <c>nr</c> columns (<c>dst[(panel·kc + p)·nr + j]</c>). Ragged last panels are zero-padded so the kernels never
/// branch on edges.
/// </summary>
/// <remarks>
/// The transposing copies (A stored m×k, B stored n×k — both operands of a Gram A·Bᵀ) run through 8×8 AVX-512
/// register transposes for float64 when the step is 8 (A) or the panel a multiple of 8 wide (B); a scalar copy reads at several
/// cycles per element, which cost a third of the time of a 256×256×k product. Every other case is the scalar copy.
/// </remarks>
internal static unsafe class GemmPacking<T> where T : unmanaged
{
    /// <summary>Whether the float64 AVX-512 transposing copies can run.</summary>
    private static bool VectorDouble => typeof(T) == typeof(double) && Avx512F.IsSupported;

    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc]; <paramref name="trans"/> means A is stored k × m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(T* a, nint lda, bool trans, int i0, int p0, int mc, int kc, int mr, int aStep, T* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            T* d = dst + (nint)(ir / mr) * kc * aStep;
            if (!trans)
            {
                // Element (i, p) lives at a[i·lda + p]: rows are contiguous in p, the panel wants p-major steps.
                T* src = a + (nint)(i0 + ir) * lda + p0;
                int p = 0;
                if (VectorDouble && aStep == 8 && rows <= 8)
                    for (; p <= kc - 8; p += 8)
                        Transpose8x8((double*)(src + p), lda, rows, (double*)(d + (nint)p * 8), 8);
                for (int r = 0; r < aStep; r++)
                {
                    T* sr = src + (nint)r * lda;
                    for (int q = p; q < kc; q++) d[(nint)q * aStep + r] = r < rows ? sr[q] : default;
                }
            }
            else
            {
                // Element (i, p) lives at a[p·lda + i]: each step is a contiguous run of rows.
                T* src = a + (nint)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++)
                {
                    T* dp = d + (nint)p * aStep;
                    new ReadOnlySpan<T>(src + (nint)p * lda, rows).CopyTo(new Span<T>(dp, rows));
                    for (int r = rows; r < aStep; r++) dp[r] = default;
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
                if (VectorDouble && nr % 8 == 0 && cols == nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        double* s = (double*)(src + (nint)p * ldb), dp = (double*)(d + (nint)p * nr);
                        for (int v = 0; v < nr; v += 8) Vector512.Store(Vector512.Load(s + v), dp + v);
                    }
                    continue;
                }
                for (int p = 0; p < kc; p++)
                {
                    T* dp = d + (nint)p * nr;
                    new ReadOnlySpan<T>(src + (nint)p * ldb, cols).CopyTo(new Span<T>(dp, cols));
                    for (int j = cols; j < nr; j++) dp[j] = default;
                }
            }
            else
            {
                // Element (p, j) lives at b[j·ldb + p]: stored rows are contiguous in p, the panel wants p-major steps.
                T* src = b + (nint)(j0 + jr) * ldb + p0;
                int p = 0;
                if (VectorDouble && nr % 8 == 0 && cols == nr)
                    for (; p <= kc - 8; p += 8)
                        for (int v = 0; v < nr; v += 8)
                            Transpose8x8((double*)(src + v * ldb + p), ldb, 8, (double*)(d + (nint)p * nr + v), nr);
                for (int j = 0; j < nr; j++)
                {
                    T* sj = src + (nint)j * ldb;
                    for (int q = p; q < kc; q++) d[(nint)q * nr + j] = j < cols ? sj[q] : default;
                }
            }
        }
    }

    /// <summary>
    /// dst[q·ldDst + r] = src[r·ld + q] for r, q &lt; 8, with rows r ≥ <paramref name="rows"/> read as zero: unpack pairs of
    /// rows, then exchange 128-bit blocks twice (24 shuffles for 64 values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(double* src, nint ld, int rows, double* dst, nint ldDst)
    {
        var r0 = Vector512.Load(src);
        var r1 = rows > 1 ? Vector512.Load(src + ld) : Vector512<double>.Zero;
        var r2 = rows > 2 ? Vector512.Load(src + 2 * ld) : Vector512<double>.Zero;
        var r3 = rows > 3 ? Vector512.Load(src + 3 * ld) : Vector512<double>.Zero;
        var r4 = rows > 4 ? Vector512.Load(src + 4 * ld) : Vector512<double>.Zero;
        var r5 = rows > 5 ? Vector512.Load(src + 5 * ld) : Vector512<double>.Zero;
        var r6 = rows > 6 ? Vector512.Load(src + 6 * ld) : Vector512<double>.Zero;
        var r7 = rows > 7 ? Vector512.Load(src + 7 * ld) : Vector512<double>.Zero;
        // t_even = (r_a[q], r_b[q]) for q = 0, 2, 4, 6; t_odd the same for q = 1, 3, 5, 7 (one pair per 128-bit block).
        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        // 0x88 takes blocks 0 and 2 of each operand, 0xDD blocks 1 and 3.
        var s0 = Avx512F.Shuffle4x128(t0, t2, 0x88);
        var s1 = Avx512F.Shuffle4x128(t0, t2, 0xDD);
        var s2 = Avx512F.Shuffle4x128(t4, t6, 0x88);
        var s3 = Avx512F.Shuffle4x128(t4, t6, 0xDD);
        var s4 = Avx512F.Shuffle4x128(t1, t3, 0x88);
        var s5 = Avx512F.Shuffle4x128(t1, t3, 0xDD);
        var s6 = Avx512F.Shuffle4x128(t5, t7, 0x88);
        var s7 = Avx512F.Shuffle4x128(t5, t7, 0xDD);
        Vector512.Store(Avx512F.Shuffle4x128(s0, s2, 0x88), dst);
        Vector512.Store(Avx512F.Shuffle4x128(s4, s6, 0x88), dst + ldDst);
        Vector512.Store(Avx512F.Shuffle4x128(s1, s3, 0x88), dst + 2 * ldDst);
        Vector512.Store(Avx512F.Shuffle4x128(s5, s7, 0x88), dst + 3 * ldDst);
        Vector512.Store(Avx512F.Shuffle4x128(s0, s2, 0xDD), dst + 4 * ldDst);
        Vector512.Store(Avx512F.Shuffle4x128(s4, s6, 0xDD), dst + 5 * ldDst);
        Vector512.Store(Avx512F.Shuffle4x128(s1, s3, 0xDD), dst + 6 * ldDst);
        Vector512.Store(Avx512F.Shuffle4x128(s5, s7, 0xDD), dst + 7 * ldDst);
    }
}
