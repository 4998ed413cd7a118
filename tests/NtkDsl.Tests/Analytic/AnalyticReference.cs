namespace NtkDsl.Tests.Analytic;

/// <summary>
/// Slow, independent references for the dual activations at any variance, written for these tests (not shared with
/// the library): composite 24-point Gauss–Legendre on panels that grow by a factor 1.5 away from the point where an
/// activation's argument crosses 0 (the library uses 15-point Gauss–Kronrod, factor-2 panels and adaptivity), nested
/// for two dimensions, plus closed forms: sin, and GELU's inner conditional expectation in closed form so that its
/// K̃ and Ṫ reduce to one-dimensional integrals.
/// </summary>
internal static class AnalyticReference
{
    private const double L = 10.0; // ϕ(10) ≈ 7.7e−23
    private static readonly (double[] X, double[] W) Gl = ReferenceIntegrals.GaussLegendre(24);

    public static double Pdf(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);

    /// <summary>Φ(x) by MathNet's erfc (an implementation the library's GELU does not see through this code path).</summary>
    public static double Cdf(double x) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2.0));

    /// <summary>Panel boundaries on [−L, L]: ±L, 0, centre and centre ± h·1.5^k.</summary>
    private static List<double> Panels(double centre, double h)
    {
        var p = new List<double> { -L, L, 0.0 };
        if (Math.Abs(centre) < L) p.Add(centre);
        if (h < 2 * L)
            for (double off = Math.Max(h, 1e-14); off < 2 * L; off *= 1.5)
            {
                if (centre - off > -L) p.Add(centre - off);
                if (centre + off < L) p.Add(centre + off);
            }
        // Also a uniform background of width ≤ 0.5 so the Gaussian itself is resolved.
        for (double z = -L; z < L; z += 0.5) p.Add(z);
        return p.Distinct().OrderBy(x => x).ToList();
    }

    /// <summary>∫ g(z) ϕ(z) dz over [−10, 10] with panels refined around <paramref name="centre"/> at scale <paramref name="h"/>.</summary>
    public static double Expect(Func<double, double> g, double centre, double h)
    {
        var p = Panels(centre, h);
        double total = 0;
        for (int k = 0; k + 1 < p.Count; k++)
        {
            double a = p[k], b = p[k + 1], mid = 0.5 * (a + b), half = 0.5 * (b - a);
            double s = 0;
            for (int i = 0; i < Gl.X.Length; i++)
            {
                double z = mid + half * Gl.X[i];
                s += Gl.W[i] * g(z) * Pdf(z);
            }
            total += half * s;
        }
        return total;
    }

    /// <summary>
    /// E[f(u) g(v)] for (u, v) ~ N(0, [[q1, ρ√(q1q2)], [ρ√(q1q2), q2]]), |ρ| &lt; 1, q1, q2 &gt; 0, nested in
    /// u = √q1 z1, v = a z1 + b z2 (the features of f, g are assumed at argument 0, width ~1).
    /// </summary>
    public static double Pair(Func<double, double> f, Func<double, double> g, double q1, double q2, double rho)
    {
        double s1 = Math.Sqrt(q1), s2 = Math.Sqrt(q2);
        double a = s2 * rho, b = s2 * Math.Sqrt((1 - rho) * (1 + rho));
        double hOuter = Math.Min(1.0 / s1, a != 0 ? Math.Max(1.0, b) / Math.Abs(a) : 1.0);
        return Expect(z1 =>
        {
            double fu = f(s1 * z1);
            if (fu == 0) return 0;
            return fu * Expect(z2 => g(a * z1 + b * z2), -a * z1 / b, 1.0 / b);
        }, 0.0, hOuter);
    }

    /// <summary>E[f(u)²] for u ~ N(0, q).</summary>
    public static double Square(Func<double, double> f, double q)
    {
        double s = Math.Sqrt(q);
        return Expect(z => f(s * z) * f(s * z), 0.0, s > 0 ? 1.0 / s : 1.0);
    }

    public static double Gelu(double x) => x * Cdf(x);

    public static double GeluDerivative(double x) => Cdf(x) + x * Pdf(x);

    /// <summary>
    /// GELU's K̃ and Ṫ from the closed-form conditional expectations, with τ = √(1 + b²) and v | u ~ N(m, b²):
    /// E[vΦ(v)] = mΦ(m/τ) + b²ϕ(m/τ)/τ and E[Φ(v) + vϕ(v)] = Φ(m/τ) + mϕ(m/τ)/τ³
    /// (from E[Φ(m + bZ)] = Φ(m/τ), E[ϕ(m + bZ)] = ϕ(m/τ)/τ and Stein's identity E[Z h(Z)] = E[h'(Z)]);
    /// the outer integral over u is one-dimensional.
    /// </summary>
    public static (double K, double T) GeluPair(double q1, double q2, double rho)
    {
        double s1 = Math.Sqrt(q1), s2 = Math.Sqrt(q2);
        double a = s2 * rho, b2 = q2 * (1 - rho) * (1 + rho), tau = Math.Sqrt(1 + b2);
        double hOuter = Math.Min(1.0 / s1, a != 0 ? tau / Math.Abs(a) : 1.0);
        double k = Expect(z =>
        {
            double m = a * z, r = m / tau;
            return Gelu(s1 * z) * (m * Cdf(r) + b2 * Pdf(r) / tau);
        }, 0.0, hOuter);
        double t = Expect(z =>
        {
            double m = a * z, r = m / tau;
            return GeluDerivative(s1 * z) * (Cdf(r) + m * Pdf(r) / (tau * tau * tau));
        }, 0.0, hOuter);
        return (k, t);
    }

    /// <summary>
    /// sin: E[sin u sin v] = (e^(−(q1+q2−2c)/2) − e^(−(q1+q2+2c)/2))/2 and E[cos u cos v] = the same with +
    /// (from cos u cos v ∓ sin u sin v = cos(u ± v) and E cos w = e^(−Var w/2)).
    /// </summary>
    public static (double K, double T) Sin(double q1, double q2, double c)
    {
        double minus = Math.Exp(-0.5 * (q1 + q2 - 2 * c)), plus = Math.Exp(-0.5 * (q1 + q2 + 2 * c));
        return (0.5 * (minus - plus), 0.5 * (minus + plus));
    }
}
