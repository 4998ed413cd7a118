using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// The exact rounding of every kernel (AVX2, AVX-512 6 × 2 vectors, AVX-512 8 × 3 vectors, portable), pinned bit for bit
/// against a reference written here from the documented semantics: each element's product over one Kc slice of k is a
/// chain of multiply-adds from zero in increasing k, and each slice is folded into C as α·s + β·C (β = 1 for the slices
/// after the first; β = 0 gives α·s and never reads C) — fused multiply-adds for the AVX kernels, separately rounded
/// products and sums for the portable one. Tiny products (the unpacked triple loop) round the same way. Because whole tiles, ragged edge tiles and SYRK's
/// diagonal tiles must all round this way, the result cannot depend on the tile shape or on how C is split into tasks —
/// the NTK built with one kernel is bitwise the NTK built with another.
/// </summary>
public sealed class GemmRoundingTests
{
    private static readonly (int M, int N, int K)[] Shapes = [(1, 1, 1), (9, 25, 7), (37, 50, 300), (70, 49, 600), (150, 97, 513)];


    [Fact]
    public void Float64GemmRoundsLikeTheFusedReferenceOnEveryKernel() => CheckGemm<double>();

    [Fact]
    public void Float32GemmRoundsLikeTheFusedReferenceOnEveryKernel() => CheckGemm<float>();

    [Fact]
    public void Float64SyrkLowerRoundsLikeTheFusedReferenceOnEveryKernel() => CheckSyrkLower<double>();

    [Fact]
    public void Float32SyrkLowerRoundsLikeTheFusedReferenceOnEveryKernel() => CheckSyrkLower<float>();

    private static void CheckGemm<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 500;
        foreach (var (m, n, k) in Shapes)
            foreach (var (ta, tb) in new[] { (Transpose.No, Transpose.No), (Transpose.No, Transpose.Yes), (Transpose.Yes, Transpose.No), (Transpose.Yes, Transpose.Yes) })
                foreach (double beta in new[] { 0.0, 1.0, -0.5 })
                {
                    var g = new GemmCase<T>(m, n, k, ta, tb, padA: seed % 3, padB: seed % 2, padC: seed % 4, seed);
                    seed++;
                    T alpha = T.CreateChecked(1.25), b = T.CreateChecked(beta);
                    T[] start = beta == 0 ? g.NaNC() : g.C0;
                    foreach (var kind in BlasTests.Kernels)
                        foreach (int threads in new[] { 1, int.MaxValue })
                        {
                            T[] expected = Reference(g, alpha, b, start, lowerOnly: false, fused: kind != GemmKernelKind.Portable);
                            T[] c = (T[])start.Clone();
                            BlasEntry<T>.Gemm(kind, ta, tb, m, n, k, alpha, g.A, g.Lda, g.B, g.Ldb, b, c, g.Ldc, threads);
                            AssertBitwise(expected, c, g, lowerOnly: false, $"GEMM m={m} n={n} k={k} {ta}/{tb} β={beta} {kind} threads={threads}");
                        }
                }
    }

    private static void CheckSyrkLower<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 900;
        foreach (var (n, _, k) in Shapes)
            foreach (double beta in new[] { 0.0, -0.5 })
            {
                var g = GemmCase<T>.Syrk(n, k, padA: seed % 3, padC: seed % 2 * 4, seed);
                seed++;
                T alpha = T.CreateChecked(0.75), b = T.CreateChecked(beta);
                T[] start = beta == 0 ? g.NaNC() : g.C0;
                foreach (var kind in BlasTests.Kernels)
                    foreach (int threads in new[] { 1, int.MaxValue })
                    {
                        T[] expected = Reference(g, alpha, b, start, lowerOnly: true, fused: kind != GemmKernelKind.Portable);
                        T[] c = (T[])start.Clone();
                        BlasEntry<T>.SyrkLower(kind, n, k, alpha, g.A, g.Lda, b, c, g.Ldc, threads);
                        AssertBitwise(expected, c, g, lowerOnly: true, $"SYRK-lower n={n} k={k} β={beta} {kind} threads={threads}");
                    }
            }
    }

    /// <summary>The documented rounding, element by element: chains per Kc slice, folded with α·s + β·C.</summary>
    private static T[] Reference<T>(GemmCase<T> g, T alpha, T beta, T[] start, bool lowerOnly, bool fused) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kc = GemmBlocking.For<T>(GemmKernelKind.Avx512Wide).Kc;
        Assert.All(Enum.GetValues<GemmKernelKind>(), kind => Assert.Equal(kc, GemmBlocking.For<T>(kind).Kc));
        var c = (T[])start.Clone();
        for (int i = 0; i < g.M; i++)
            for (int j = 0; j < (lowerOnly ? i + 1 : g.N); j++)
            {
                T acc = c[i * g.Ldc + j];
                for (int p0 = 0; p0 < g.K; p0 += kc)
                {
                    T s = T.Zero;
                    for (int p = p0; p < Math.Min(g.K, p0 + kc); p++)
                    {
                        T x = T.CreateChecked(g.OpA(i, p)), y = T.CreateChecked(g.OpB(p, j));
                        s = fused ? T.FusedMultiplyAdd(x, y, s) : s + x * y;
                    }
                    T betaNow = p0 == 0 ? beta : T.One;
                    acc = betaNow == T.Zero ? alpha * s : fused ? T.FusedMultiplyAdd(s, alpha, betaNow * acc) : alpha * s + betaNow * acc;
                }
                if (g.K == 0) acc = beta == T.Zero ? T.Zero : beta * acc;
                c[i * g.Ldc + j] = acc;
            }
        return c;
    }

    private static void AssertBitwise<T>(T[] expected, T[] got, GemmCase<T> g, bool lowerOnly, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < g.M; i++)
            for (int j = 0; j < (lowerOnly ? i + 1 : g.N); j++)
                if (!expected[i * g.Ldc + j].Equals(got[i * g.Ldc + j]))
                    Assert.Fail($"{what}: C[{i},{j}] = {got[i * g.Ldc + j]:R}, the fused reference gives {expected[i * g.Ldc + j]:R}");
    }
}
