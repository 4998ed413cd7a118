using System.Globalization;
using System.Text.RegularExpressions;
using NtkDsl.Regression;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Regression;

public sealed partial class KernelRegressionTests
{
    [Fact]
    public void FitAndPredictMatchDenseSolveWithSeveralTargets()
    {
        const int n = 12, m = 5, k = 3;
        const double ridge = 0.03;
        var kernel = DenseReference.RandomPsd(n, 6, 21);
        var cross = DenseReference.Normal(m * n, 22);
        var y = DenseReference.Normal(n * k, 23);
        var model = KernelRegression.Fit(Tensor.FromArray(kernel, n, n), Tensor.FromArray(y, n, k), ridge);

        var alpha = DenseReference.Solve(DenseReference.AddRidge(kernel, n, ridge), n, y, k);
        Close.Relative(alpha, model.DualCoefficients.ToFlatArray(), 1e-11, "dual coefficients");
        var expected = DenseReference.Multiply(cross, m, n, alpha, k);
        var pred = model.Predict(Tensor.FromArray(cross, m, n));
        Assert.Equal(new[] { m, k }, pred.Shape.ToArray());
        Close.Relative(expected, pred.ToFlatArray(), 1e-11, "predictions");
    }

    [Fact]
    public void VectorTargetsGiveVectorPredictions()
    {
        const int n = 8;
        var kernel = DenseReference.RandomPsd(n, 10, 31);
        var y = DenseReference.Normal(n, 32);
        var model = KernelRegression.Fit(Tensor.FromArray(kernel, n, n).To(DType.Float32), Tensor.FromArray(y, n), 0.1);
        var pred = model.Predict(Tensor.FromArray(kernel, n, n));
        Assert.Equal(new[] { n }, pred.Shape.ToArray());
        var k32 = Tensor.FromArray(kernel, n, n).To(DType.Float32).ToFlatArray();
        var alpha = DenseReference.Solve(DenseReference.AddRidge(k32, n, 0.1), n, y, 1);
        Close.Relative(alpha, model.DualCoefficients.ToFlatArray(), 1e-10, "float32 kernel widened");
    }

    [Fact]
    public void NotPositiveDefiniteErrorSuggestsARidgeThatWorks()
    {
        double[] spectrum = [-0.8, -0.1, 0.3, 1.0, 2.5, 4.0];
        int n = spectrum.Length;
        var kernel = DenseReference.WithSpectrum(spectrum, 41);
        var kt = Tensor.FromArray(kernel, n, n);
        var y = Tensor.FromArray(DenseReference.Normal(n * 2, 42), n, 2);

        var ex = Assert.Throws<KernelNotPositiveDefiniteException>(() => KernelRegression.Fit(kt, y, 0.0));
        Assert.Equal(-0.8, ex.SmallestEigenvalue, 1e-12);
        double fromMessage = double.Parse(SuggestedRidgeText().Match(ex.Message).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(ex.SuggestedRidge, fromMessage);
        Assert.InRange(fromMessage, 0.8, 0.8 * 1.01);

        var model = KernelRegression.Fit(kt, y, fromMessage);
        var alpha = DenseReference.Solve(DenseReference.AddRidge(kernel, n, fromMessage), n, y.ToFlatArray(), 2);
        Close.Relative(alpha, model.DualCoefficients.ToFlatArray(), 1e-6, "fit at the suggested ridge");
        Assert.Throws<KernelNotPositiveDefiniteException>(() => KernelRegression.Fit(kt, y, 0.79));
    }

    [Fact]
    public void SingularKernelIsRejectedNotSolvedIntoNoise()
    {
        // A rank-3 Gram matrix of 6 points: Cholesky pivots hit the rounding floor.
        const int n = 6;
        var x = DenseReference.Normal(n * 3, 51);
        var kernel = DenseReference.Multiply(x, n, 3, Transpose(x, n, 3), n);
        var ex = Assert.Throws<KernelNotPositiveDefiniteException>(() =>
            KernelRegression.Fit(Tensor.FromArray(kernel, n, n), Tensor.FromArray(DenseReference.Normal(n, 52), n), 0));
        Assert.True(ex.SuggestedRidge > 0);
        KernelRegression.Fit(Tensor.FromArray(kernel, n, n), Tensor.FromArray(DenseReference.Normal(n, 52), n), ex.SuggestedRidge);
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        const int n = 5;
        var kt = Tensor.FromArray(DenseReference.RandomPsd(n, 8, 61), n, n);
        var y = Tensor.FromArray(DenseReference.Normal(n, 62), n);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelRegression.Fit(kt, y, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelRegression.Fit(kt, y, double.NaN));
        var ex = Assert.Throws<ArgumentException>(() => KernelRegression.Fit(kt, Tensor.Zeros(n + 2), 0.1));
        Assert.Contains("yTrain", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => KernelRegression.Fit(Tensor.Zeros(n, n, 1), y, 0.1));
        Assert.Contains("kTrain", ex.Message, StringComparison.Ordinal);
        var model = KernelRegression.Fit(kt, y, 0.1);
        ex = Assert.Throws<ArgumentException>(() => model.Predict(Tensor.Zeros(3, n - 1)));
        Assert.Contains("kTestTrain", ex.Message, StringComparison.Ordinal);
        var bad = Tensor.FromArray(new double[3 * n], 3, n);
        bad.AsSpan()[4] = double.NaN;
        ex = Assert.Throws<ArgumentException>(() => model.Predict(bad));
        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
    }

    private static double[] Transpose(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[j * rows + i] = a[i * cols + j];
        return t;
    }

    [GeneratedRegex(@"Use ridge ≥ ([0-9.eE+\-]+)")]
    private static partial Regex SuggestedRidgeText();
}
