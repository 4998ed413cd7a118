namespace NtkDsl.Tests.Regression;

/// <summary>
/// Independent references for the regression and dynamics tests: Gaussian elimination with partial pivoting,
/// naive matrix products, random matrices and kernels with a prescribed spectrum.
/// </summary>
internal static class DenseReference
{
    /// <summary>Solves A X = B (A n × n, B n × k, row-major) by Gaussian elimination with partial pivoting.</summary>
    public static double[] Solve(double[] a, int n, double[] b, int k)
    {
        var m = (double[])a.Clone();
        var x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int piv = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(m[r * n + col]) > Math.Abs(m[piv * n + col])) piv = r;
            if (piv != col)
            {
                for (int c = 0; c < n; c++) (m[col * n + c], m[piv * n + c]) = (m[piv * n + c], m[col * n + c]);
                for (int c = 0; c < k; c++) (x[col * k + c], x[piv * k + c]) = (x[piv * k + c], x[col * k + c]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r * n + col] / m[col * n + col];
                if (f == 0) continue;
                for (int c = col; c < n; c++) m[r * n + c] -= f * m[col * n + c];
                for (int c = 0; c < k; c++) x[r * k + c] -= f * x[col * k + c];
            }
        }
        for (int row = n - 1; row >= 0; row--)
            for (int c = 0; c < k; c++)
            {
                double s = x[row * k + c];
                for (int j = row + 1; j < n; j++) s -= m[row * n + j] * x[j * k + c];
                x[row * k + c] = s / m[row * n + row];
            }
        return x;
    }

    /// <summary>C = A·B by the triple loop.</summary>
    public static double[] Multiply(double[] a, int m, int k, double[] b, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary>A + ridge·I.</summary>
    public static double[] AddRidge(double[] a, int n, double ridge)
    {
        var r = (double[])a.Clone();
        for (int i = 0; i < n; i++) r[i * n + i] += ridge;
        return r;
    }

    public static double[] Normal(int count, long seed, double std = 1.0)
    {
        var d = new double[count];
        new NormalSampler(seed).FillNormal(d, std);
        return d;
    }

    /// <summary>A random orthogonal n × n matrix (modified Gram–Schmidt on a Gaussian matrix), row-major.</summary>
    public static double[] Orthogonal(int n, long seed)
    {
        var q = Normal(n * n, seed);
        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < j; p++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + p];
                for (int i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + p];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += q[i * n + j] * q[i * n + j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++) q[i * n + j] /= norm;
        }
        return q;
    }

    /// <summary>Q diag(spectrum) Qᵀ, exactly symmetric, row-major.</summary>
    public static double[] WithSpectrum(double[] spectrum, long seed)
    {
        int n = spectrum.Length;
        var q = Orthogonal(n, seed);
        var k = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int p = 0; p < n; p++) s += q[i * n + p] * spectrum[p] * q[j * n + p];
                k[i * n + j] = s;
                k[j * n + i] = s;
            }
        return k;
    }

    /// <summary>A random PSD kernel X Xᵀ / d + 0.1 for X n × d Gaussian, exactly symmetric.</summary>
    public static double[] RandomPsd(int n, int d, long seed)
    {
        var x = Normal(n * d, seed);
        var k = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int p = 0; p < d; p++) s += x[i * d + p] * x[j * d + p];
                k[i * n + j] = k[j * n + i] = s / d + 0.1;
            }
        return k;
    }

    /// <summary>The RBF kernel exp(−(a − b)²/(2ℓ²)) between two sets of 1-d points.</summary>
    public static double[] Rbf(double[] a, double[] b, double length)
    {
        var k = new double[a.Length * b.Length];
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < b.Length; j++)
            {
                double d = a[i] - b[j];
                k[i * b.Length + j] = Math.Exp(-d * d / (2 * length * length));
            }
        return k;
    }

    public static double MaxAbs(double[] a) => a.Max(Math.Abs);
}
