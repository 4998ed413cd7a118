using System.Numerics;
using System.Runtime.CompilerServices;

namespace NtkDsl.Kernels;

/// <summary>
/// Portable micro-kernel on <see cref="Vector{T}"/>: a 4 × (2·<see cref="Vector{T}"/>.Count) tile of C in eight
/// accumulators. Uses only multiply and add, so it is correct on every platform .NET runs on.
/// </summary>
internal static unsafe class MicroKernelPortable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Mr = 4;

    /// <summary>C[0..4, 0..Nr] = α·(Â·B̂) + β·C; β = 0 never reads C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        int w = Vector<T>.Count;
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<T> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector<T> b0 = Vector.Load(b), b1 = Vector.Load(b + w);
            Vector<T> x = new(a[0]);
            c00 += x * b0; c01 += x * b1;
            x = new(a[1]);
            c10 += x * b0; c11 += x * b1;
            x = new(a[2]);
            c20 += x * b0; c21 += x * b1;
            x = new(a[3]);
            c30 += x * b0; c31 += x * b1;
            a += Mr;
            b += 2 * w;
        }
        Vector<T> va = new(alpha);
        if (beta == T.Zero)
        {
            Put(c, w, c00 * va, c01 * va); c += ldc;
            Put(c, w, c10 * va, c11 * va); c += ldc;
            Put(c, w, c20 * va, c21 * va); c += ldc;
            Put(c, w, c30 * va, c31 * va);
        }
        else
        {
            Vector<T> vb = new(beta);
            Put(c, w, c00 * va + vb * Vector.Load(c), c01 * va + vb * Vector.Load(c + w)); c += ldc;
            Put(c, w, c10 * va + vb * Vector.Load(c), c11 * va + vb * Vector.Load(c + w)); c += ldc;
            Put(c, w, c20 * va + vb * Vector.Load(c), c21 * va + vb * Vector.Load(c + w)); c += ldc;
            Put(c, w, c30 * va + vb * Vector.Load(c), c31 * va + vb * Vector.Load(c + w));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* c, int w, Vector<T> x0, Vector<T> x1)
    {
        x0.Store(c);
        x1.Store(c + w);
    }
}
