using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// SYRK C = α·A·Aᵀ + β·C against the triple loop (same bound as GEMM, see <see cref="GemmCase{T}"/>), against GEMM
/// with B = A (both within the bound of the exact value, so within twice the bound of each other), and for exact
/// (bitwise) symmetry; β = 0 must ignore NaN anywhere in C, the upper triangle included.
/// </summary>
public sealed class SyrkTests
{
    private static readonly (int N, int K)[] Shapes = [(1, 1), (7, 3), (33, 65), (65, 257), (150, 40), (257, 33)];

    [Fact]
    public void Float64MatchesTripleLoopGemmAndIsSymmetric() => Check<double>();

    [Fact]
    public void Float32MatchesTripleLoopGemmAndIsSymmetric() => Check<float>();

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 100;
        foreach (var (n, k) in Shapes)
            foreach (var kind in BlasTests.Kernels)
                foreach (double beta in new[] { 0.0, 1.0, -0.5 })
                {
                    var g = GemmCase<T>.Syrk(n, k, padA: seed % 3, padC: seed % 2 * 4, seed);
                    seed++;
                    int threads = seed % 2 == 0 ? 1 : int.MaxValue;
                    T[] start = beta == 0 ? g.NaNC() : g.C0;
                    T[] syrk = (T[])start.Clone(), gemm = (T[])start.Clone();
                    T alpha = T.CreateChecked(1.25), b = T.CreateChecked(beta);
                    BlasEntry<T>.Syrk(kind, n, k, alpha, g.A, g.Lda, b, syrk, g.Ldc, threads);
                    BlasEntry<T>.Gemm(kind, Transpose.No, Transpose.Yes, n, n, k, alpha, g.A, g.Lda, g.A, g.Lda, b, gemm, g.Ldc, threads);

                    for (int i = 0; i < n; i++)
                        for (int j = 0; j <= i; j++)
                        {
                            double e = g.Expected(i, j, 1.25, beta, start, out double bound);
                            double s = double.CreateChecked(syrk[i * g.Ldc + j]), m = double.CreateChecked(gemm[i * g.Ldc + j]);
                            Assert.True(Math.Abs(s - e) <= bound, $"SYRK C[{i},{j}] = {s:R}, expected {e:R} ± {bound:E2} (n={n} k={k} β={beta})");
                            Assert.True(Math.Abs(s - m) <= 2 * bound, $"SYRK C[{i},{j}] = {s:R} but GEMM gives {m:R} (n={n} k={k} β={beta})");
                            Assert.Equal(syrk[i * g.Ldc + j], syrk[j * g.Ldc + i]);
                        }
                    for (int i = 0; i < syrk.Length; i++)
                        if (i % g.Ldc >= n) Assert.Equal(start[i], syrk[i]);
                }
    }

    [Fact]
    public void BetaZeroIgnoresNaNInTheUpperTriangleToo()
    {
        var g = GemmCase<double>.Syrk(40, 12, 1, 2, 3);
        var c = g.NaNC();
        Blas.Syrk(40, 12, 1.0, g.A, g.Lda, 0.0, c, g.Ldc);
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 40; j++)
            {
                double e = g.Expected(i, j, 1.0, 0.0, c, out double bound);
                Assert.True(Math.Abs(c[i * g.Ldc + j] - e) <= bound, $"C[{i},{j}] = {c[i * g.Ldc + j]} expected {e}");
            }
    }
}
