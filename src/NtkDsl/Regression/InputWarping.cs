using System.Globalization;

namespace NtkDsl.Regression;

/// <summary>
/// Log warping of input features for <see cref="NtkRegressorWeights.InputScales"/>: which features are candidates
/// (strictly positive on the training rows and right-skewed, e.g. UCI concrete's age of 1–365 days), and the warp
/// x_f → log x_f applied to training and new rows. Whether a candidate is warped is decided by the marginal
/// likelihood in <see cref="NtkRegressor"/> (the targets are the same under both, so the likelihoods compare).
/// </summary>
internal static class InputWarping
{
    /// <summary>
    /// The features of the n × d matrix <paramref name="x"/> whose every value is &gt; 0 and whose sample skewness
    /// g₁ = m₃ / m₂^{3/2} (population moments) exceeds <paramref name="minSkewness"/>, most skewed first.
    /// </summary>
    public static int[] Candidates(Tensor x, double minSkewness)
    {
        int n = x.Rows, d = x.Columns;
        var a = x.ToFlatArray();
        var found = new List<(int Feature, double Skewness)>();
        for (int f = 0; f < d; f++)
        {
            double mean = 0, min = double.PositiveInfinity;
            for (int i = 0; i < n; i++)
            {
                mean += a[i * d + f] / n;
                min = Math.Min(min, a[i * d + f]);
            }
            if (!(min > 0)) continue;
            double m2 = 0, m3 = 0;
            for (int i = 0; i < n; i++)
            {
                double e = a[i * d + f] - mean;
                m2 += e * e / n;
                m3 += e * e * e / n;
            }
            if (!(m2 > 0)) continue;
            double skewness = m3 / Math.Pow(m2, 1.5);
            if (skewness > minSkewness) found.Add((f, skewness));
        }
        return found.OrderByDescending(c => c.Skewness).Select(c => c.Feature).ToArray();
    }

    /// <summary>
    /// A copy of the m × d matrix <paramref name="x"/> (float64) with log x_f in every column f of
    /// <paramref name="features"/>. Throws <see cref="ArgumentException"/> naming the row and feature when such a
    /// value is not &gt; 0 (the warp was chosen on training rows that were all positive).
    /// </summary>
    public static Tensor Log(Tensor x, IReadOnlyList<int> features, string owner, string argument)
    {
        int m = x.Rows, d = x.Columns;
        var r = x.ToFlatArray(); // a copy
        foreach (int f in features)
        {
            for (int i = 0; i < m; i++)
            {
                double v = r[i * d + f];
                if (!(v > 0))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"{owner}: {argument}[{i}, {f}] = {v}, but feature {f} is log-warped (its training values were all > 0, see LogInputs); pass values > 0 there, or fit with LogWarpInputs = false."), argument);
                r[i * d + f] = Math.Log(v);
            }
        }
        return Tensor.Wrap(r, m, d);
    }
}
