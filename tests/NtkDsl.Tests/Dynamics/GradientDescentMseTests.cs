using NtkDsl.Dynamics;
using NtkDsl.Regression;
using NtkDsl.Tests.Regression;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Dynamics;

public sealed class GradientDescentMseTests
{
    private const int N = 6, K = 2, M = 4;

    private sealed record Problem(double[] Kernel, double[] Cross, double[] Y, double[] F0, double[] F0Test)
    {
        public Tensor KTrain => Tensor.FromArray(Kernel, N, N);
        public Tensor KTest => Tensor.FromArray(Cross, M, N);
        public Tensor YTrain => Tensor.FromArray(Y, N, K);
        public Tensor F0Train => Tensor.FromArray(F0, N, K);
        public Tensor F0TestT => Tensor.FromArray(F0Test, M, K);
    }

    private static Problem MakeProblem(double[]? kernel = null, long seed = 11) => new(
        kernel ?? DenseReference.RandomPsd(N, 10, seed),
        DenseReference.Normal(M * N, seed + 1, 0.5),
        DenseReference.Normal(N * K, seed + 2),
        DenseReference.Normal(N * K, seed + 3, 0.3),
        DenseReference.Normal(M * K, seed + 4, 0.3));

    /// <summary>Reference trajectory from RK4 with steps of 1e-3 in units of the fastest mode.</summary>
    private static (double[] Train, double[] Test) Integrate(Problem p, double eta, double ridge, double t)
    {
        double coeff = eta / (N * K);
        double[] a = DenseReference.AddRidge(p.Kernel, N, ridge);
        double h = 1e-3 / (coeff * (DenseReference.MaxAbs(a) * N));
        return LinearOde.Rk4(a, p.Cross, N, M, K, p.Y, p.F0, p.F0Test, coeff, t, h);
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.7, 0.05)]
    public void ClosedFormMatchesRk4OnTrainAndTest(double eta, double ridge)
    {
        var p = MakeProblem();
        var gd = new GradientDescentMse(p.KTrain, p.YTrain, eta, ridge);
        foreach (double t in new[] { 0.3, 2.0, 15.0 })
        {
            var (train, test) = Integrate(p, eta, ridge, t);
            Close.Relative(train, gd.PredictTrain(t, p.F0Train).ToFlatArray(), 1e-6, $"train t={t}");
            Close.Relative(test, gd.PredictTest(t, p.F0Train, p.F0TestT, p.KTest).ToFlatArray(), 1e-6, $"test t={t}");
        }
    }

    [Fact]
    public void TimeZeroReturnsInitialOutputs()
    {
        var p = MakeProblem();
        var gd = new GradientDescentMse(p.KTrain, p.YTrain, 0.5, 0.01);
        Close.Relative(p.F0, gd.PredictTrain(0, p.F0Train).ToFlatArray(), 1e-14, "train");
        Close.Relative(p.F0Test, gd.PredictTest(0, p.F0Train, p.F0TestT, p.KTest).ToFlatArray(), 0, "test");
        Close.Relative(p.F0, gd.PredictTrainSteps(0, p.F0Train).ToFlatArray(), 1e-14, "train steps");
        Close.Relative(p.F0Test, gd.PredictTestSteps(0, p.F0Train, p.F0TestT, p.KTest).ToFlatArray(), 0, "test steps");
    }

    [Fact]
    public void InfinityIsTheDenseSolveAndTheLargeTimeLimit()
    {
        var p = MakeProblem();
        const double ridge = 0.02;
        var gd = new GradientDescentMse(p.KTrain, p.YTrain, 1.0, ridge);
        // Reference: f0* + Θ* (Θ + λI)^{-1} (Y − f0) by Gaussian elimination.
        var rhs = p.Y.Select((y, i) => y - p.F0[i]).ToArray();
        var alpha = DenseReference.Solve(DenseReference.AddRidge(p.Kernel, N, ridge), N, rhs, K);
        var expected = DenseReference.Multiply(p.Cross, M, N, alpha, K).Select((v, i) => v + p.F0Test[i]).ToArray();
        var atInf = gd.PredictTest(double.PositiveInfinity, p.F0Train, p.F0TestT, p.KTest).ToFlatArray();
        Close.Relative(expected, atInf, 1e-12, "t = ∞ vs dense solve");
        Close.Relative(p.Y, gd.PredictTrain(double.PositiveInfinity, p.F0Train).ToFlatArray(), 1e-14, "train t = ∞");
        // Large finite t: e^{−sλ_min/N} is far below rounding.
        double tLarge = 80.0 * N * K / gd.Eigenvalues[0];
        Close.Relative(expected, gd.PredictTest(tLarge, p.F0Train, p.F0TestT, p.KTest).ToFlatArray(), 1e-10, "large t");
        Close.Relative(p.Y, gd.PredictTrain(tLarge, p.F0Train).ToFlatArray(), 1e-10, "train large t");
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(3.0, 0.1)]
    public void DiscreteStepsMatchIteratedGradientDescent(double eta, double ridge)
    {
        var p = MakeProblem();
        var gd = new GradientDescentMse(p.KTrain, p.YTrain, eta, ridge);
        double[] a = DenseReference.AddRidge(p.Kernel, N, ridge);
        int[] steps = [0, 1, 7, 60];
        var train = gd.PredictTrainSteps(steps, p.F0Train);
        var test = gd.PredictTestSteps(steps, p.F0Train, p.F0TestT, p.KTest);
        Assert.Equal(new[] { steps.Length, N, K }, train.Shape.ToArray());
        Assert.Equal(new[] { steps.Length, M, K }, test.Shape.ToArray());
        for (int s = 0; s < steps.Length; s++)
        {
            var (ft, fs) = LinearOde.Iterate(a, p.Cross, N, M, K, p.Y, p.F0, p.F0Test, eta / (N * K), steps[s]);
            Close.Relative(ft, train.SliceRows(s, 1).ToFlatArray(), 1e-11, $"train k={steps[s]}");
            Close.Relative(fs, test.SliceRows(s, 1).ToFlatArray(), 1e-11, $"test k={steps[s]}");
        }
    }

    [Fact]
    public void SingularKernelMatchesIntegrationAndTheLeastSquaresLimit()
    {
        // Features Φ (6 × 4) and Φ* (4 × 4): Θ = ΦΦᵀ has two exact zero eigenvalues (rounding makes them ±1e-16) and the
        // test kernel Φ*Φᵀ annihilates the same null space, as every valid (jointly PSD) kernel does.
        double[] phi = DenseReference.Normal(N * 4, 41), phiTest = DenseReference.Normal(M * 4, 42);
        var kernel = DenseReference.Multiply(phi, N, 4, Transposed(phi, N, 4), N);
        var cross = DenseReference.Multiply(phiTest, M, 4, Transposed(phi, N, 4), N);
        var p = MakeProblem(kernel) with { Cross = cross };
        var gd = new GradientDescentMse(p.KTrain, p.YTrain, 1.3);
        Assert.Equal(0.0, gd.Eigenvalues[0]);
        Assert.Equal(4, gd.Rank);
        foreach (double t in new[] { 1.0, 25.0 })
        {
            var train = gd.PredictTrain(t, p.F0Train).ToFlatArray();
            var test = gd.PredictTest(t, p.F0Train, p.F0TestT, p.KTest).ToFlatArray();
            var (rt, rs) = Integrate(p, 1.3, 0, t);
            Close.Relative(rt, train, 1e-6, $"train t={t}");
            Close.Relative(rs, test, 1e-6, $"test t={t}");
        }
        var (it, itest) = LinearOde.Iterate(kernel, p.Cross, N, M, K, p.Y, p.F0, p.F0Test, 1.3 / (N * K), 40);
        Close.Relative(it, gd.PredictTrainSteps(40, p.F0Train).ToFlatArray(), 1e-11, "train steps");
        Close.Relative(itest, gd.PredictTestSteps(40, p.F0Train, p.F0TestT, p.KTest).ToFlatArray(), 1e-11, "test steps");

        // t = ∞ (and every large t): f₀* + Θ* Θ⁺ (Y − f₀) with MathNet's pseudo-inverse.
        var pinv = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowMajor(N, N, kernel).PseudoInverse();
        var rhs = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowMajor(N, K, p.Y.Zip(p.F0, (yy, f) => yy - f).ToArray());
        var fit = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowMajor(M, N, cross) * pinv * rhs;
        double[] expected = fit.ToRowMajorArray().Zip(p.F0Test, (a, b) => a + b).ToArray();
        foreach (double t in new[] { 1e4, 1e12, 1e15, double.PositiveInfinity })
            Close.Relative(expected, gd.PredictTest(t, p.F0Train, p.F0TestT, p.KTest).ToFlatArray(), 1e-11, $"test t = {t}");
    }

    private static double[] Transposed(double[] a, int rows, int cols)
    {
        var t = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    [Fact]
    public void BatchedTimesEqualSingleCalls()
    {
        var p = MakeProblem();
        var gd = new GradientDescentMse(p.KTrain, p.YTrain, 0.9, 0.01);
        double[] times = [0, 0.5, 4, double.PositiveInfinity];
        var train = gd.PredictTrain(times, p.F0Train);
        var test = gd.PredictTest(times, p.F0Train, p.F0TestT, p.KTest);
        for (int i = 0; i < times.Length; i++)
        {
            Assert.Equal(gd.PredictTrain(times[i], p.F0Train).ToFlatArray(), train.SliceRows(i, 1).ToFlatArray());
            Assert.Equal(gd.PredictTest(times[i], p.F0Train, p.F0TestT, p.KTest).ToFlatArray(), test.SliceRows(i, 1).ToFlatArray());
        }
    }

    [Fact]
    public void VectorTargetsMatchOneColumnMatrix()
    {
        var p = MakeProblem();
        var y = Tensor.FromArray(p.Y.Where((_, i) => i % K == 0).ToArray(), N);
        var f0 = Tensor.FromArray(p.F0.Where((_, i) => i % K == 0).ToArray(), N);
        var f0t = Tensor.FromArray(p.F0Test.Where((_, i) => i % K == 0).ToArray(), M);
        var vec = new GradientDescentMse(p.KTrain, y);
        var mat = new GradientDescentMse(p.KTrain, y.Reshape(N, 1));
        var a = vec.PredictTest(2.0, f0, f0t, p.KTest);
        Assert.Equal(new[] { M }, a.Shape.ToArray());
        Assert.Equal(mat.PredictTest(2.0, f0.Reshape(N, 1), f0t.Reshape(M, 1), p.KTest).ToFlatArray(), a.ToFlatArray());
    }

    [Fact]
    public void Float32InputsAreWidenedToFloat64()
    {
        var p = MakeProblem();
        var k32 = p.KTrain.To(DType.Float32);
        var y32 = p.YTrain.To(DType.Float32);
        var gd32 = new GradientDescentMse(k32, y32);
        var gd64 = new GradientDescentMse(k32.To(DType.Float64), y32.To(DType.Float64));
        var a = gd32.PredictTrain(1.5, p.F0Train.To(DType.Float32));
        Assert.Equal(DType.Float64, a.DType);
        Assert.Equal(gd64.PredictTrain(1.5, p.F0Train.To(DType.Float32).To(DType.Float64)).ToFlatArray(), a.ToFlatArray());
    }

    [Fact]
    public void MaxLearningRateSeparatesConvergenceFromDivergence()
    {
        double[] spectrum = [0.1, 0.5, 1.0, 2.0, 4.0];
        int n = spectrum.Length;
        var kernel = DenseReference.WithSpectrum(spectrum, 3);
        var kt = Tensor.FromArray(kernel, n, n);
        double bound = GradientDescentMse.MaxLearningRate(kt, outputs: K);
        Assert.Equal(2.0 * n * K / (4.0 + 1e-12), bound, 1e-12 * bound);

        var y = DenseReference.Normal(n * K, 8);
        var f0 = DenseReference.Normal(n * K, 9);
        double initial = Distance(f0, y);
        var none = new double[0];
        foreach (var (factor, converges) in new[] { (0.99, true), (1.01, false) })
        {
            double eta = factor * bound;
            var (f, _) = LinearOde.Iterate(kernel, none, n, 0, K, y, f0, none, eta / (n * K), 2000);
            double final = Distance(f, y);
            if (converges) Assert.True(final < 1e-8 * initial, $"η = 0.99·bound: |f − y| = {final:E2}");
            else Assert.True(final > 1e8 * initial, $"η = 1.01·bound: |f − y| = {final:E2}");

            var warnings = new List<string>();
            var gd = new GradientDescentMse(kt, Tensor.FromArray(y, n, K), eta, onWarning: warnings.Add);
            Assert.Equal(!converges, gd.LearningRateExceedsStableBound);
            Assert.Equal(converges ? 0 : 1, warnings.Count);
            if (!converges) Assert.Contains("stability bound", warnings[0], StringComparison.Ordinal);
            double closed = Distance(gd.PredictTrainSteps(2000, Tensor.FromArray(f0, n, K)).ToFlatArray(), y);
            Assert.True(converges ? closed < 1e-8 * initial : closed > 1e8 * initial, $"closed form at {factor}·bound: {closed:E2}");
        }
    }

    [Fact]
    public void RidgeFromDiagRegFollowsNeuralTangents()
    {
        var p = MakeProblem();
        double trace = 0;
        for (int i = 0; i < N; i++) trace += p.Kernel[i * N + i];
        Assert.Equal(0.1 * trace / N, GradientDescentMse.RidgeFromDiagReg(p.KTrain, 0.1), 1e-15);
        Assert.Equal(0.1, GradientDescentMse.RidgeFromDiagReg(p.KTrain, 0.1, diagRegAbsoluteScale: true));
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        var p = MakeProblem();
        var gd = new GradientDescentMse(p.KTrain, p.YTrain);

        var ex = Assert.Throws<ArgumentException>(() => new GradientDescentMse(Tensor.Zeros(N, N + 1), p.YTrain));
        Assert.Contains("square", ex.Message, StringComparison.Ordinal);

        // A Full-mode kernel (n × n × K × K) is named as such, with the mode to use instead.
        ex = Assert.Throws<ArgumentException>(() => new GradientDescentMse(Tensor.Zeros(N, N, K, K), p.YTrain));
        Assert.Contains("NtkMode.Full", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NtkMode.Trace", ex.Message, StringComparison.Ordinal);

        var asym = (double[])p.Kernel.Clone();
        asym[1] += 1e-6;
        ex = Assert.Throws<ArgumentException>(() => new GradientDescentMse(Tensor.FromArray(asym, N, N), p.YTrain));
        Assert.Contains("not symmetric", ex.Message, StringComparison.Ordinal);

        var yNan = (double[])p.Y.Clone();
        yNan[3] = double.NaN;
        ex = Assert.Throws<ArgumentException>(() => new GradientDescentMse(p.KTrain, Tensor.FromArray(yNan, N, K)));
        Assert.Contains("yTrain", ex.Message, StringComparison.Ordinal);

        var kInf = (double[])p.Kernel.Clone();
        kInf[0] = double.PositiveInfinity;
        ex = Assert.Throws<ArgumentException>(() => new GradientDescentMse(Tensor.FromArray(kInf, N, N), p.YTrain));
        Assert.Contains("kTrain", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => new GradientDescentMse(p.KTrain, Tensor.Zeros(N + 1, K)));
        Assert.Contains("rows", ex.Message, StringComparison.Ordinal);

        var indefinite = DenseReference.WithSpectrum([-0.5, 0.2, 1, 1, 2, 3], 4);
        ex = Assert.Throws<ArgumentException>(() => new GradientDescentMse(Tensor.FromArray(indefinite, N, N), p.YTrain));
        Assert.Contains("indefinite", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-0.5", ex.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientDescentMse(p.KTrain, p.YTrain, learningRate: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientDescentMse(p.KTrain, p.YTrain, ridge: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => gd.PredictTrain(-1, p.F0Train));
        Assert.Throws<ArgumentOutOfRangeException>(() => gd.PredictTrain(double.NaN, p.F0Train));
        Assert.Throws<ArgumentOutOfRangeException>(() => gd.PredictTrainSteps(-2, p.F0Train));
        ex = Assert.Throws<ArgumentException>(() => gd.PredictTrain(1, Tensor.Zeros(N, K + 1)));
        Assert.Contains("f0Train", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => gd.PredictTest(1, p.F0Train, p.F0TestT, Tensor.Zeros(M, N + 1)));
        Assert.Contains("kTestTrain", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => gd.PredictTest(1, p.F0Train, Tensor.Zeros(M + 1, K), p.KTest));
        Assert.Contains("f0Test", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientDescentMse.MaxLearningRate(p.KTrain, 0));
    }

    private static double Distance(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(s);
    }
}
