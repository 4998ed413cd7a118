namespace NtkDsl.Dynamics;

/// <summary>
/// e^x − 1 and ln(1 + x) without cancellation for small x (Kahan's correction). Written here because .NET's
/// <c>double.ExpM1</c> is evaluated as <c>Math.Exp(x) - 1</c>, which loses all digits of tiny eigenvalue terms.
/// </summary>
internal static class AccurateMath
{
    /// <summary>e^x − 1, accurate to a few ulps for all x (−∞ gives −1).</summary>
    public static double Expm1(double x)
    {
        if (x > 700) return Math.Exp(x);
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }

    /// <summary>ln(1 + x), accurate for small |x|; x = −1 gives −∞.</summary>
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u)) return Math.Log(u);
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>(1 − a)^k for integer k ≥ 0, through exp(k·ln(1 − a)) when 0 ≤ a &lt; 1 to keep the digits of small a.</summary>
    public static double PowOneMinus(double a, int k) =>
        a >= 0 && a < 1 ? Math.Exp(k * Log1p(-a)) : Math.Pow(1.0 - a, k);

    /// <summary>1 − (1 − a)^k for integer k ≥ 0, without cancellation for small a.</summary>
    public static double OneMinusPowOneMinus(double a, int k) =>
        a >= 0 && a < 1 ? -Expm1(k * Log1p(-a)) : 1.0 - Math.Pow(1.0 - a, k);
}
