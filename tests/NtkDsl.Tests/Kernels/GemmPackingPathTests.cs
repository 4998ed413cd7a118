using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// GEMM against the triple loop (<see cref="GemmCase{T}"/>) on shapes chosen to run every branch of the packing: the
/// float64 AVX-512 8×8 register transposes (A stored m×k, B stored n×k) and vector copies (B stored k×n) on full
/// panels, the scalar copies on ragged panels (m mod 6 ≠ 0, n mod 16 ≠ 0) and on k tails that are not a multiple of 8,
/// more than one Kc block, padded leading dimensions, every transpose pair, every kernel, one thread and all threads.
/// </summary>
public sealed class GemmPackingPathTests
{
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (149, 70, 517), (37, 48, 263), (64, 33, 8), (6, 16, 9), (12, 32, 16), (5, 15, 7), (200, 161, 300),
    ];

    [Theory]
    [MemberData(nameof(BlasTests.Transposes), MemberType = typeof(BlasTests))]
    public void Float64PackingPathsMatchTripleLoop(Transpose ta, Transpose tb) => Check<double>(ta, tb);

    [Theory]
    [MemberData(nameof(BlasTests.Transposes), MemberType = typeof(BlasTests))]
    public void Float32PackingPathsMatchTripleLoop(Transpose ta, Transpose tb) => Check<float>(ta, tb);

    private static void Check<T>(Transpose ta, Transpose tb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 500;
        foreach (var (m, n, k) in Shapes)
            foreach (var kind in BlasTests.Kernels)
                foreach (int threads in new[] { 1, int.MaxValue })
                {
                    var g = new GemmCase<T>(m, n, k, ta, tb, padA: seed % 3 * 3, padB: seed % 4, padC: seed % 2 * 7, seed);
                    seed++;
                    g.Check(c => BlasEntry<T>.Gemm(kind, g.TransA, g.TransB, g.M, g.N, g.K, T.CreateChecked(1.25), g.A, g.Lda,
                        g.B, g.Ldb, T.CreateChecked(-0.5), c, g.Ldc, threads), 1.25, -0.5);
                }
    }

    [Fact]
    public void SyrkLowerWritesTheLowerTriangleOnlyAndMatchesTheTripleLoop()
    {
        foreach (var (n, k) in new[] { (1, 1), (7, 9), (149, 263), (300, 40) })
            foreach (var kind in BlasTests.Kernels)
                foreach (int threads in new[] { 1, int.MaxValue })
                {
                    var g = GemmCase<double>.Syrk(n, k, padA: 2, padC: 3, seed: n + k);
                    var c = (double[])g.C0.Clone();
                    BlasEntry<double>.SyrkLower(kind, n, k, 0.75, g.A, g.Lda, 0.0, c, g.Ldc, threads);
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double got = c[i * g.Ldc + j];
                            if (j > i)
                            {
                                Assert.Equal(g.C0[i * g.Ldc + j], got);
                                continue;
                            }
                            double e = g.Expected(i, j, 0.75, 0.0, g.C0, out double bound);
                            Assert.True(Math.Abs(got - e) <= bound, $"C[{i},{j}] = {got:R}, expected {e:R} ± {bound:E2} (n={n} k={k} {kind})");
                        }
                }
    }
}
