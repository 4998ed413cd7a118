using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NtkDsl.Kernels;

/// <summary>
/// AVX-512 micro-kernel with a wider tile than <see cref="MicroKernel512{T}"/>: 8 rows × 3 vectors of C (8 × 24 float64,
/// 8 × 48 float32) held in 24 of the 32 zmm registers. Each step of k broadcasts eight packed A values (for float64 one
/// 64-byte line, no padding) and loads three vectors of packed B, so a step issues 11 loads for 24 FMAs against 8 for 12
/// in the 6 × 2-vector tile: the FMA units, not the load ports, bound it. Every element of C is the same FMA chain over k
/// as in the narrower kernel, and the driver rounds edge tiles like whole ones, so both kernels give bitwise equal results.
/// </summary>
internal static unsafe class MicroKernel512Wide<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Mr = 8;

    /// <summary>Columns of the tile: three vectors.</summary>
    public static int Nr => 3 * Vector512<T>.Count;

    /// <summary>C[0..8, 0..Nr] = α·(Â·B̂) + β·C with Â packed 8 per step and B̂ packed Nr per step; β = 0 never reads C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector512<T> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector512<T> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector512<T> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        PrefetchTile(c, ldc);
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + w), b2 = Vector512.Load(b + 2 * w);
            Vector512<T> x = Vector512.Create(a[0]);
            c00 = MicroKernel512<T>.Fma(x, b0, c00); c01 = MicroKernel512<T>.Fma(x, b1, c01); c02 = MicroKernel512<T>.Fma(x, b2, c02);
            x = Vector512.Create(a[1]);
            c10 = MicroKernel512<T>.Fma(x, b0, c10); c11 = MicroKernel512<T>.Fma(x, b1, c11); c12 = MicroKernel512<T>.Fma(x, b2, c12);
            x = Vector512.Create(a[2]);
            c20 = MicroKernel512<T>.Fma(x, b0, c20); c21 = MicroKernel512<T>.Fma(x, b1, c21); c22 = MicroKernel512<T>.Fma(x, b2, c22);
            x = Vector512.Create(a[3]);
            c30 = MicroKernel512<T>.Fma(x, b0, c30); c31 = MicroKernel512<T>.Fma(x, b1, c31); c32 = MicroKernel512<T>.Fma(x, b2, c32);
            x = Vector512.Create(a[4]);
            c40 = MicroKernel512<T>.Fma(x, b0, c40); c41 = MicroKernel512<T>.Fma(x, b1, c41); c42 = MicroKernel512<T>.Fma(x, b2, c42);
            x = Vector512.Create(a[5]);
            c50 = MicroKernel512<T>.Fma(x, b0, c50); c51 = MicroKernel512<T>.Fma(x, b1, c51); c52 = MicroKernel512<T>.Fma(x, b2, c52);
            x = Vector512.Create(a[6]);
            c60 = MicroKernel512<T>.Fma(x, b0, c60); c61 = MicroKernel512<T>.Fma(x, b1, c61); c62 = MicroKernel512<T>.Fma(x, b2, c62);
            x = Vector512.Create(a[7]);
            c70 = MicroKernel512<T>.Fma(x, b0, c70); c71 = MicroKernel512<T>.Fma(x, b1, c71); c72 = MicroKernel512<T>.Fma(x, b2, c72);
            a += 8;
            b += 3 * w;
        }
        Vector512<T> va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            Put(c, w, c00 * va, c01 * va, c02 * va); c += ldc;
            Put(c, w, c10 * va, c11 * va, c12 * va); c += ldc;
            Put(c, w, c20 * va, c21 * va, c22 * va); c += ldc;
            Put(c, w, c30 * va, c31 * va, c32 * va); c += ldc;
            Put(c, w, c40 * va, c41 * va, c42 * va); c += ldc;
            Put(c, w, c50 * va, c51 * va, c52 * va); c += ldc;
            Put(c, w, c60 * va, c61 * va, c62 * va); c += ldc;
            Put(c, w, c70 * va, c71 * va, c72 * va);
        }
        else
        {
            Vector512<T> vb = Vector512.Create(beta);
            Update(c, w, c00, c01, c02, va, vb); c += ldc;
            Update(c, w, c10, c11, c12, va, vb); c += ldc;
            Update(c, w, c20, c21, c22, va, vb); c += ldc;
            Update(c, w, c30, c31, c32, va, vb); c += ldc;
            Update(c, w, c40, c41, c42, va, vb); c += ldc;
            Update(c, w, c50, c51, c52, va, vb); c += ldc;
            Update(c, w, c60, c61, c62, va, vb); c += ldc;
            Update(c, w, c70, c71, c72, va, vb);
        }
    }

    /// <summary>Prefetches the eight 192-byte rows of a C tile (four lines per row cover an unaligned row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(T* c, nint ldc)
    {
        byte* row = (byte*)c;
        nint step = ldc * sizeof(T);
        for (int r = 0; r < Mr; r++, row += step)
        {
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + 64);
            Sse.Prefetch0(row + 128);
            Sse.Prefetch0(row + 191);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* c, int w, Vector512<T> x0, Vector512<T> x1, Vector512<T> x2)
    {
        x0.Store(c);
        x1.Store(c + w);
        x2.Store(c + 2 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(T* c, int w, Vector512<T> x0, Vector512<T> x1, Vector512<T> x2, Vector512<T> va, Vector512<T> vb)
    {
        MicroKernel512<T>.Fma(x0, va, vb * Vector512.Load(c)).Store(c);
        MicroKernel512<T>.Fma(x1, va, vb * Vector512.Load(c + w)).Store(c + w);
        MicroKernel512<T>.Fma(x2, va, vb * Vector512.Load(c + 2 * w)).Store(c + 2 * w);
    }

}
