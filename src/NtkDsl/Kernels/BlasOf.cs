using System.Numerics;
using System.Runtime.InteropServices;

namespace NtkDsl.Kernels;

/// <summary>Generic front end to <see cref="Blas"/> for runtime code written once for float32 and float64.</summary>
internal static class BlasOf<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Gemm(Transpose ta, Transpose tb, int m, int n, int k, double alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, double beta, Span<T> c, int ldc)
    {
        if (typeof(T) == typeof(double))
            Blas.Gemm(ta, tb, m, n, k, alpha, MemoryMarshal.Cast<T, double>(a), lda, MemoryMarshal.Cast<T, double>(b), ldb, beta, MemoryMarshal.Cast<T, double>(c), ldc);
        else
            Blas.Gemm(ta, tb, m, n, k, (float)alpha, MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb, (float)beta, MemoryMarshal.Cast<T, float>(c), ldc);
    }

    public static void Syrk(int n, int k, double alpha, ReadOnlySpan<T> a, int lda, double beta, Span<T> c, int ldc)
    {
        if (typeof(T) == typeof(double))
            Blas.Syrk(n, k, alpha, MemoryMarshal.Cast<T, double>(a), lda, beta, MemoryMarshal.Cast<T, double>(c), ldc);
        else
            Blas.Syrk(n, k, (float)alpha, MemoryMarshal.Cast<T, float>(a), lda, (float)beta, MemoryMarshal.Cast<T, float>(c), ldc);
    }
}
