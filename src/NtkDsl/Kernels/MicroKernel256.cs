using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NtkDsl.Kernels;

/// <summary>
/// AVX2 + FMA micro-kernel: a 6 × (2·<see cref="Vector256{T}"/>.Count) tile of C (6×8 float64, 6×16 float32) held in
/// twelve accumulators. Each step of k broadcasts six packed A values and loads two vectors of packed B.
/// </summary>
internal static unsafe class MicroKernel256<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Mr = 6;

    /// <summary>
    /// C[0..6, 0..Nr] = α·(Â·B̂) + β·C with Â packed 6 per step and B̂ packed Nr per step; β = 0 never reads C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // As in MicroKernel512: fetch C's lines while the k loop runs.
        byte* row = (byte*)c;
        for (int r = 0; r < Mr; r++, row += ldc * sizeof(T))
        {
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + 63);
        }
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b), b1 = Vector256.Load(b + w);
            Vector256<T> x = Vector256.Create(a[0]);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a += Mr;
            b += 2 * w;
        }
        Vector256<T> va = Vector256.Create(alpha);
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
            Vector256<T> vb = Vector256.Create(beta);
            Update(c, w, c00, c01, va, vb); c += ldc;
            Update(c, w, c10, c11, va, vb); c += ldc;
            Update(c, w, c20, c21, va, vb); c += ldc;
            Update(c, w, c30, c31, va, vb); c += ldc;
            Update(c, w, c40, c41, va, vb); c += ldc;
            Update(c, w, c50, c51, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* c, int w, Vector256<T> x0, Vector256<T> x1)
    {
        x0.Store(c);
        x1.Store(c + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(T* c, int w, Vector256<T> x0, Vector256<T> x1, Vector256<T> va, Vector256<T> vb)
    {
        Fma(x0, va, vb * Vector256.Load(c)).Store(c);
        Fma(x1, va, vb * Vector256.Load(c + w)).Store(c + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> z)
        => typeof(T) == typeof(double)
            ? Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>()
            : Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
}
