using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NtkDsl.Kernels;

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>Use the operand as stored (row-major).</summary>
    No = 0,
    /// <summary>Use the transpose of the stored operand.</summary>
    Yes = 1,
}

/// <summary>
/// Dense linear-algebra primitives of the CPU backend on row-major data (C = α·op(A)·op(B) + β·C), the hot path of
/// every generated method. Written by hand because no served package offers a managed, multi-threaded SIMD GEMM
/// (MathNet's managed provider is single-threaded and slow; native providers are not served).
/// </summary>
public static class Blas
{
    /// <summary>General matrix product on float64: C[m×n] = α·op(A)·op(B) + β·C, row-major with leading dimensions.</summary>
    public static void Gemm(Transpose transA, Transpose transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
        => GemmCore<double>.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, symmetricLower: false);

    /// <summary>General matrix product on float32: C[m×n] = α·op(A)·op(B) + β·C, row-major with leading dimensions.</summary>
    public static void Gemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => GemmCore<float>.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, symmetricLower: false);

    /// <summary>
    /// Symmetric rank-k update on float64: C[n×n] = α·A·Aᵀ + β·C for A n×k (row-major). Computes the lower triangle
    /// (j ≤ i) and mirrors it, so C is exactly symmetric.
    /// </summary>
    public static void Syrk(int n, int k, double alpha, ReadOnlySpan<double> a, int lda, double beta, Span<double> c, int ldc)
    {
        GemmCore<double>.Run(Transpose.No, Transpose.Yes, n, n, k, alpha, a, lda, a, lda, beta, c, ldc, symmetricLower: true);
        Mirror(n, c, ldc);
    }

    /// <summary>Symmetric rank-k update on float32 (see the float64 overload).</summary>
    public static void Syrk(int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
    {
        GemmCore<float>.Run(Transpose.No, Transpose.Yes, n, n, k, alpha, a, lda, a, lda, beta, c, ldc, symmetricLower: true);
        Mirror(n, c, ldc);
    }

    private static void Mirror<T>(int n, Span<T> c, int ldc)
    {
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                c[i * ldc + j] = c[j * ldc + i];
    }
}

/// <summary>
/// The managed GEMM: operands are packed into panels so that every inner product runs over contiguous memory with
/// <see cref="Vector{T}"/>, and row blocks of C run in parallel.
/// </summary>
internal static unsafe class GemmCore<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int RowBlock = 32;

    public static void Run(Transpose transA, Transpose transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, bool symmetricLower)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM dimensions must be ≥ 0 (m={m}, n={n}, k={k}).");
        if (m == 0 || n == 0) return;
        FlopCounter.Record(m, n, k, symmetricLower);
        CheckOperand(a, transA == Transpose.No ? m : k, transA == Transpose.No ? k : m, lda, "A");
        CheckOperand(b, transB == Transpose.No ? k : n, transB == Transpose.No ? n : k, ldb, "B");
        CheckOperand(c, m, n, ldc, "C");

        // Pack A as m×k rows and B as n×k rows (the "NT" form), so C_ij = <A_i, B_j>.
        T[] ap = Pack(a, lda, transA == Transpose.No, m, k);
        T[] bp = Pack(b, ldb, transB == Transpose.Yes, n, k);

        fixed (T* pc = c)
        {
            nint cAddr = (nint)pc;
            int blocks = (m + RowBlock - 1) / RowBlock;
            Parallel.For(0, blocks, blk =>
            {
                int i0 = blk * RowBlock, i1 = Math.Min(m, i0 + RowBlock);
                T* cBase = (T*)cAddr;
                for (int i = i0; i < i1; i++)
                {
                    ReadOnlySpan<T> ai = new(ap, i * k, k);
                    int jEnd = symmetricLower ? i + 1 : n;
                    T* ci = cBase + (long)i * ldc;
                    int j = 0;
                    for (; j + 4 <= jEnd; j += 4)
                    {
                        Dot4(ai, bp, j, k, out T d0, out T d1, out T d2, out T d3);
                        ci[j] = Combine(alpha, d0, beta, ci[j]);
                        ci[j + 1] = Combine(alpha, d1, beta, ci[j + 1]);
                        ci[j + 2] = Combine(alpha, d2, beta, ci[j + 2]);
                        ci[j + 3] = Combine(alpha, d3, beta, ci[j + 3]);
                    }
                    for (; j < jEnd; j++)
                        ci[j] = Combine(alpha, Dot(ai, new ReadOnlySpan<T>(bp, j * k, k)), beta, ci[j]);
                }
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Combine(T alpha, T dot, T beta, T old) => beta == T.Zero ? alpha * dot : alpha * dot + beta * old;

    private static T[] Pack(ReadOnlySpan<T> src, int ld, bool rowsContiguous, int rows, int k)
    {
        var dst = GC.AllocateUninitializedArray<T>(rows * k);
        if (rowsContiguous)
        {
            for (int i = 0; i < rows; i++) src.Slice(i * ld, k).CopyTo(dst.AsSpan(i * k, k));
        }
        else
        {
            // src is k × rows (row-major, leading dimension ld): transpose in tiles.
            const int tile = 32;
            for (int p0 = 0; p0 < k; p0 += tile)
                for (int i0 = 0; i0 < rows; i0 += tile)
                {
                    int p1 = Math.Min(k, p0 + tile), i1 = Math.Min(rows, i0 + tile);
                    for (int p = p0; p < p1; p++)
                        for (int i = i0; i < i1; i++)
                            dst[i * k + p] = src[p * ld + i];
                }
        }
        return dst;
    }

    private static T Dot(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
        Vector<T> acc = Vector<T>.Zero;
        for (int v = 0; v < xv.Length; v++) acc += xv[v] * yv[v];
        T s = Vector.Sum(acc);
        for (int p = xv.Length * Vector<T>.Count; p < x.Length; p++) s += x[p] * y[p];
        return s;
    }

    private static void Dot4(ReadOnlySpan<T> ai, T[] bp, int j, int k, out T d0, out T d1, out T d2, out T d3)
    {
        var x = MemoryMarshal.Cast<T, Vector<T>>(ai);
        var y0 = MemoryMarshal.Cast<T, Vector<T>>(new ReadOnlySpan<T>(bp, j * k, k));
        var y1 = MemoryMarshal.Cast<T, Vector<T>>(new ReadOnlySpan<T>(bp, (j + 1) * k, k));
        var y2 = MemoryMarshal.Cast<T, Vector<T>>(new ReadOnlySpan<T>(bp, (j + 2) * k, k));
        var y3 = MemoryMarshal.Cast<T, Vector<T>>(new ReadOnlySpan<T>(bp, (j + 3) * k, k));
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        for (int v = 0; v < x.Length; v++)
        {
            var xv = x[v];
            a0 += xv * y0[v];
            a1 += xv * y1[v];
            a2 += xv * y2[v];
            a3 += xv * y3[v];
        }
        d0 = Vector.Sum(a0); d1 = Vector.Sum(a1); d2 = Vector.Sum(a2); d3 = Vector.Sum(a3);
        for (int p = x.Length * Vector<T>.Count; p < k; p++)
        {
            T xp = ai[p];
            d0 += xp * bp[j * k + p];
            d1 += xp * bp[(j + 1) * k + p];
            d2 += xp * bp[(j + 2) * k + p];
            d3 += xp * bp[(j + 3) * k + p];
        }
    }

    private static void CheckOperand(ReadOnlySpan<T> data, int rows, int cols, int ld, string name)
    {
        if (ld < Math.Max(1, cols)) throw new ArgumentException($"GEMM operand {name}: leading dimension {ld} is smaller than its {cols} columns.");
        long need = rows == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (data.Length < need) throw new ArgumentException($"GEMM operand {name}: {rows}×{cols} with leading dimension {ld} needs {need} elements, the span has {data.Length}.");
    }
}
