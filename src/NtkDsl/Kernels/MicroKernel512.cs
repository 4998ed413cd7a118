using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NtkDsl.Kernels;

/// <summary>
/// AVX-512 micro-kernel: a 6 × (2·<see cref="Vector512{T}"/>.Count) tile of C (6×16 float64, 6×32 float32) held in
/// twelve accumulators. Each step of k broadcasts six packed A values and loads two vectors of packed B.
/// </summary>
internal static unsafe class MicroKernel512<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Mr = 6;

    /// <summary>
    /// Values between packed A steps: 8 for float64 (each step's six values and two pads fill one 64-byte line, and the
    /// packing is an 8×8 register transpose), <see cref="Mr"/> for float32.
    /// </summary>
    public static int AStep => typeof(T) == typeof(double) ? 8 : Mr;

    /// <summary>
    /// C[0..6, 0..Nr] = α·(Â·B̂) + β·C with Â packed <see cref="AStep"/> per step and B̂ packed Nr per step; β = 0 never
    /// reads C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // C is read (β ≠ 0) or written only after the k loop; asking for its lines now hides their miss latency
        // (a 512 × 512 float64 Gram tile is 2 MB and leaves L2 between the Kc slices of a long k) behind the loop.
        PrefetchTile(c, ldc);
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + w);
            Vector512<T> x = Vector512.Create(a[0]);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a += AStep;
            b += 2 * w;
        }
        Vector512<T> va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            Put(c, w, c00 * va, c01 * va); c += ldc;
            Put(c, w, c10 * va, c11 * va); c += ldc;
            Put(c, w, c20 * va, c21 * va); c += ldc;
            Put(c, w, c30 * va, c31 * va); c += ldc;
            Put(c, w, c40 * va, c41 * va); c += ldc;
            Put(c, w, c50 * va, c51 * va);
        }
        else
        {
            Vector512<T> vb = Vector512.Create(beta);
            Update(c, w, c00, c01, va, vb); c += ldc;
            Update(c, w, c10, c11, va, vb); c += ldc;
            Update(c, w, c20, c21, va, vb); c += ldc;
            Update(c, w, c30, c31, va, vb); c += ldc;
            Update(c, w, c40, c41, va, vb); c += ldc;
            Update(c, w, c50, c51, va, vb);
        }
    }

    /// <summary>Prefetches the six 128-byte rows of a C tile (three lines per row cover an unaligned row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PrefetchTile(T* c, nint ldc)
    {
        byte* row = (byte*)c;
        nint step = ldc * sizeof(T);
        for (int r = 0; r < Mr; r++, row += step)
        {
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + 64);
            Sse.Prefetch0(row + 127);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* c, int w, Vector512<T> x0, Vector512<T> x1)
    {
        x0.Store(c);
        x1.Store(c + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(T* c, int w, Vector512<T> x0, Vector512<T> x1, Vector512<T> va, Vector512<T> vb)
    {
        Fma(x0, va, vb * Vector512.Load(c)).Store(c);
        Fma(x1, va, vb * Vector512.Load(c + w)).Store(c + w);
    }

    /// <summary>x·y + z with one rounding (float64 or float32 lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> z)
        => typeof(T) == typeof(double)
            ? Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>()
            : Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
}
