using NtkDsl.Regression;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Regression;

public sealed class StandardizerTests
{
    private static double[] Data(int rows, long seed)
    {
        // Columns: N(0,1)·1e3 + 5e3, N(0,1)·1e-3, the constant 0.1, all zeros.
        var z = DenseReference.Normal(rows * 2, seed);
        var d = new double[rows * 4];
        for (int i = 0; i < rows; i++)
        {
            d[i * 4] = 5e3 + 1e3 * z[2 * i];
            d[i * 4 + 1] = 1e-3 * z[2 * i + 1];
            d[i * 4 + 2] = 0.1;
            d[i * 4 + 3] = 0.0;
        }
        return d;
    }

    [Fact]
    public void TransformStandardizesAndInverseRoundTrips()
    {
        const int rows = 40;
        var data = Tensor.FromArray(Data(rows, 1), rows, 4);
        var s = Standardizer.Fit(data);
        Assert.Equal(new[] { false, false, true, true }, s.IsConstant);
        var z = s.Transform(data);
        for (int c = 0; c < 4; c++)
        {
            var col = Enumerable.Range(0, rows).Select(i => z[i, c]).ToArray();
            double mean = col.Average(), var = col.Select(v => (v - mean) * (v - mean)).Average();
            Assert.True(Math.Abs(mean) < 1e-12, $"column {c} mean {mean}");
            Assert.Equal(c < 2 ? 1.0 : 0.0, var, 1e-12);
            Assert.All(col, v => Assert.True(double.IsFinite(v)));
        }
        Close.Relative(data.ToFlatArray(), s.InverseTransform(z).ToFlatArray(), 1e-14, "round trip");
    }

    [Fact]
    public void NewRowsUseTheTrainingStatistics()
    {
        var train = Tensor.FromArray(Data(30, 2), 30, 4);
        var test = Tensor.FromArray(Data(7, 3), 7, 4);
        var s = Standardizer.Fit(train);
        var z = s.Transform(test);
        for (int i = 0; i < 7; i++)
            for (int c = 0; c < 4; c++)
                Assert.Equal((test[i, c] - s.Mean[c]) / s.Scale[c], z[i, c]);
        // The population standard deviation of column 0, computed directly.
        var col = Enumerable.Range(0, 30).Select(i => train[i, 0]).ToArray();
        double mu = col.Average();
        Assert.Equal(Math.Sqrt(col.Select(v => (v - mu) * (v - mu)).Average()), s.Scale[0], 1e-12 * s.Scale[0]);
        Close.Relative(test.ToFlatArray(), s.InverseTransform(z).ToFlatArray(), 1e-14, "round trip of new rows");
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        var s = Standardizer.Fit(Tensor.FromArray(Data(5, 4), 5, 4));
        var ex = Assert.Throws<ArgumentException>(() => s.Transform(Tensor.Zeros(3, 3)));
        Assert.Contains("fitted on 4", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Standardizer.Fit(Tensor.Zeros(0, 3)));
        Assert.Throws<ArgumentException>(() => Standardizer.Fit(Tensor.Zeros(5)));
        var nan = Tensor.FromArray(Data(5, 4), 5, 4);
        nan.AsSpan()[6] = double.NaN;
        ex = Assert.Throws<ArgumentException>(() => Standardizer.Fit(nan));
        Assert.Contains("row 1, column 2", ex.Message, StringComparison.Ordinal);
    }
}
