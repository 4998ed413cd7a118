using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

public sealed class BlasTests
{
    [Theory]
    [InlineData(Transpose.No, Transpose.No)]
    [InlineData(Transpose.No, Transpose.Yes)]
    [InlineData(Transpose.Yes, Transpose.No)]
    [InlineData(Transpose.Yes, Transpose.Yes)]
    public void GemmMatchesTripleLoop(Transpose ta, Transpose tb)
    {
        const int m = 37, n = 29, k = 41;
        var rng = new NormalSampler(7);
        var a = new double[m * k];
        var b = new double[k * n];
        var c = new double[m * n];
        rng.FillNormal(a, 1.0);
        rng.FillNormal(b, 1.0);
        rng.FillNormal(c, 1.0);
        var expected = (double[])c.Clone();
        int lda = ta == Transpose.No ? k : m, ldb = tb == Transpose.No ? n : k;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double aip = ta == Transpose.No ? a[i * lda + p] : a[p * lda + i];
                    double bpj = tb == Transpose.No ? b[p * ldb + j] : b[j * ldb + p];
                    s += aip * bpj;
                }
                expected[i * n + j] = 1.5 * s - 0.5 * expected[i * n + j];
            }
        Blas.Gemm(ta, tb, m, n, k, 1.5, a, lda, b, ldb, -0.5, c, n);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-11);
    }
}
