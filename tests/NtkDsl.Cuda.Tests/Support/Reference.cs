namespace NtkDsl.Cuda.Tests.Support;

/// <summary>Plain triple-loop references written for the tests (independent of every BLAS under test).</summary>
internal static class Reference
{
    /// <summary>Row-major C = α·op(A)·op(B) + β·C with leading dimensions, accumulated in double.</summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, double[] a, int lda, double[] b, int ldb, double beta, double[] c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]);
            }
    }

    public static double[] Random(int count, int seed, double scale = 1.0)
    {
        var r = new Random(seed);
        var v = new double[count];
        for (int i = 0; i < v.Length; i++) v[i] = scale * (2 * r.NextDouble() - 1);
        return v;
    }

    public static float[] ToFloat(double[] v) => v.Select(x => (float)x).ToArray();

    public static double[] ToDouble(float[] v) => v.Select(x => (double)x).ToArray();

    /// <summary>max |x − y| / max(|y|, floor): a relative error that does not blow up on entries near zero.</summary>
    public static double MaxRelative(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double floor = 1.0)
    {
        Assert.Equal(y.Length, x.Length);
        double scale = floor, err = 0;
        foreach (var v in y) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.False(double.IsNaN(x[i]), $"NaN at {i}");
            err = Math.Max(err, Math.Abs(x[i] - y[i]));
        }
        return err / scale;
    }

    /// <summary>
    /// A float rounded to TF32 (10 explicit mantissa bits) by scaling: x = m·2^e with 1 ≤ |m| &lt; 2, then m rounded to a
    /// multiple of 2^−10 with ties to even. Independent of the bit-twiddling in the emulation.
    /// </summary>
    public static float Tf32(float x)
    {
        if (x == 0 || !float.IsFinite(x)) return x;
        int e = (int)Math.Floor(Math.Log2(Math.Abs((double)x)));
        double m = x / Math.Pow(2, e);
        double q = Math.Round(m * 1024, MidpointRounding.ToEven) / 1024;
        return (float)(q * Math.Pow(2, e));
    }
}
