namespace NtkDsl.Cuda.Tests.Solvers;

/// <summary>
/// Kernels built in the tests from explicit random features: K(x, x') = φ(x)·φ(x')/d + noise·[x = x'] over train and
/// test points together, so every train/test block comes from one positive semi-definite joint kernel (well
/// conditioned through the noise term on the training diagonal).
/// </summary>
internal sealed class SolverKernels
{
    public SolverKernels(int n, int m, int d, int outputs, int seed, Func<double, double>? feature = null, double noise = 0.5)
    {
        N = n;
        M = m;
        Outputs = outputs;
        var rng = new Random(seed);
        double[] Row() => Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var phi = Enumerable.Range(0, n + m).Select(_ => Row()).ToArray();
        if (feature is not null) phi = phi.Select(r => r.Select(feature).ToArray()).ToArray();
        double K(int i, int j)
        {
            double s = 0;
            for (int c = 0; c < d; c++) s += phi[i][c] * phi[j][c];
            return s / d + (i == j ? noise : 0.0);
        }
        Train = Build(n, n, (i, j) => K(i, j));
        TestTrain = Build(m, n, (i, j) => K(n + i, j));
        TestTest = Build(m, m, (i, j) => K(n + i, n + j));
        Y = Build(n, outputs, (_, _) => rng.NextDouble() * 2 - 1);
        F0Train = Build(n, outputs, (_, _) => 0.3 * (rng.NextDouble() * 2 - 1));
        F0Test = Build(m, outputs, (_, _) => 0.3 * (rng.NextDouble() * 2 - 1));
    }

    public int N { get; }
    public int M { get; }
    public int Outputs { get; }
    public double[] Train { get; }
    public double[] TestTrain { get; }
    public double[] TestTest { get; }
    public double[] Y { get; }
    public double[] F0Train { get; }
    public double[] F0Test { get; }

    public Tensor TrainT => Tensor.FromArray(Train, N, N);
    public Tensor TestTrainT => Tensor.FromArray(TestTrain, M, N);
    public Tensor TestTestT => Tensor.FromArray(TestTest, M, M);
    public Tensor TestDiagonalT => Tensor.FromArray(Enumerable.Range(0, M).Select(i => TestTest[i * M + i]).ToArray(), M);
    public Tensor YT => Tensor.FromArray(Y, N, Outputs);
    public Tensor F0TrainT => Tensor.FromArray(F0Train, N, Outputs);
    public Tensor F0TestT => Tensor.FromArray(F0Test, M, Outputs);

    private static double[] Build(int rows, int cols, Func<int, int, double> f)
    {
        var a = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) a[i * cols + j] = f(i, j);
        return a;
    }

    /// <summary>max |x − y| / max |y|: relative to the largest reference entry.</summary>
    public static double Relative(double[] x, double[] y)
    {
        Assert.Equal(y.Length, x.Length);
        double scale = y.Length == 0 ? 1 : y.Max(Math.Abs), err = 0;
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(double.IsFinite(x[i]), $"non-finite value {x[i]} at {i}");
            err = Math.Max(err, Math.Abs(x[i] - y[i]));
        }
        return scale > 0 ? err / scale : err;
    }

    public static void Close(Tensor? actual, Tensor? expected, double tolerance, string what)
    {
        Assert.NotNull(actual);
        Assert.NotNull(expected);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        double r = Relative(actual.ToFlatArray(), expected.ToFlatArray());
        Assert.True(r < tolerance, $"{what}: relative difference {r:E3} ≥ {tolerance:E0}");
    }
}
