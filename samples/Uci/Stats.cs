using System.Globalization;

namespace Uci;

/// <summary>Mean, standard error and the significant-digit format of the tables.</summary>
internal static class Stats
{
    public static double Mean(IReadOnlyList<double> x) => x.Average();

    /// <summary>Sample standard deviation / √n (0 for a single split).</summary>
    public static double StdErr(IReadOnlyList<double> x)
    {
        if (x.Count < 2) return 0;
        double m = Mean(x);
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1) / x.Count);
    }

    /// <summary>
    /// "mean ± s.e." with the mean to 3 significant digits and the s.e. to the same decimal places, so small targets
    /// keep their digits (0.00123 ± 0.00004, not 0.00 ± 0.00).
    /// </summary>
    public static string MeanSe(IReadOnlyList<double> x)
    {
        double m = Mean(x), se = StdErr(x);
        int decimals = Decimals(m);
        string f = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return x.Count < 2 ? m.ToString(f, CultureInfo.InvariantCulture)
            : $"{m.ToString(f, CultureInfo.InvariantCulture)} ± {se.ToString(f, CultureInfo.InvariantCulture)}";
    }

    /// <summary>A single value to 3 significant digits (at least 2 decimals for values below 100).</summary>
    public static string Value(double v) => v.ToString("F" + Decimals(v).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Decimal places that give 3 significant digits (0 for |v| ≥ 100; up to 12).</summary>
    public static int Decimals(double v)
    {
        if (v == 0 || !double.IsFinite(v)) return 2;
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        return Math.Clamp(2 - exponent, 0, 12);
    }
}
