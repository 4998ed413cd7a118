using System.Numerics;
using System.Runtime.CompilerServices;

namespace NtkDsl.Kernels;

/// <summary>
/// Vectorized elementwise products for the feature extraction of the structured NTK (the derivative masks and output
/// weights applied to every per-output delta row). Each element is the single IEEE product the scalar loop computes, so
/// results do not depend on the vector width. Hand-written over <see cref="Vector{T}"/> because the core library does
/// not reference System.Numerics.Tensors (its TensorPrimitives would do the same).
/// </summary>
internal static class ElementwiseOps<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>dst[i] = a[i]·b[i] for i &lt; dst.Length (a and b at least as long; dst may be a or b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> dst)
    {
        int n = dst.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(a.Slice(i)) * new Vector<T>(b.Slice(i))).CopyTo(dst.Slice(i));
        for (; i < n; i++) dst[i] = a[i] * b[i];
    }

    /// <summary>dst[i] = a[i]·s for i &lt; dst.Length (dst may be a).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(ReadOnlySpan<T> a, T s, Span<T> dst)
    {
        int n = dst.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<T>(s);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(a.Slice(i)) * vs).CopyTo(dst.Slice(i));
        }
        for (; i < n; i++) dst[i] = a[i] * s;
    }

    /// <summary>
    /// dst[i] = (a[i]·s)·b[i] for i &lt; dst.Length: the two IEEE products of <see cref="Scale"/> followed by
    /// <see cref="Multiply"/>, in one pass (bitwise their result).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleMultiply(ReadOnlySpan<T> a, T s, ReadOnlySpan<T> b, Span<T> dst)
    {
        int n = dst.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<T>(s);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(a.Slice(i)) * vs * new Vector<T>(b.Slice(i))).CopyTo(dst.Slice(i));
        }
        for (; i < n; i++) dst[i] = a[i] * s * b[i];
    }
}
