namespace NtkDsl.Experiments;

/// <summary>A least-squares line log y = Slope·log x + Intercept (natural logarithms).</summary>
/// <param name="Slope">Fitted exponent.</param>
/// <param name="Intercept">Fitted log-prefactor.</param>
/// <param name="R2">Coefficient of determination (1 when the points lie on the line; NaN for fewer than 3 points or
/// constant log y).</param>
/// <param name="Count">Points used.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct LogLogFit(double Slope, double Intercept, double R2, int Count)
{
    /// <summary>
    /// Fits pairs with x &gt; 0 and y &gt; 0 (others are skipped: a log–log fit cannot use them). Returns NaN slope and
    /// intercept when fewer than two usable pairs with distinct x remain.
    /// </summary>
    public static LogLogFit Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values but y has {y.Count}.", nameof(y));
        var lx = new List<double>();
        var ly = new List<double>();
        for (int i = 0; i < x.Count; i++)
        {
            if (!(x[i] > 0) || !(y[i] > 0) || double.IsInfinity(x[i]) || double.IsInfinity(y[i])) continue;
            lx.Add(Math.Log(x[i]));
            ly.Add(Math.Log(y[i]));
        }
        int n = lx.Count;
        if (n < 2) return new LogLogFit(double.NaN, double.NaN, double.NaN, n);
        double mx = lx.Average(), my = ly.Average(), sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxx += (lx[i] - mx) * (lx[i] - mx);
            sxy += (lx[i] - mx) * (ly[i] - my);
            syy += (ly[i] - my) * (ly[i] - my);
        }
        if (sxx == 0) return new LogLogFit(double.NaN, double.NaN, double.NaN, n);
        double slope = sxy / sxx, intercept = my - slope * mx;
        double r2 = n < 3 || syy == 0 ? double.NaN : sxy * sxy / (sxx * syy);
        return new LogLogFit(slope, intercept, r2, n);
    }
}
