namespace NtkDsl.Tests.Analytic;

/// <summary>
/// Independent references for E[g(u, v)], (u, v) ~ N(0, [[q1, c], [c, q2]]), written from scratch for the tests:
/// composite Gauss–Legendre rules (nodes by Newton on the Legendre recurrence), either on a truncated box in the
/// whitened coordinates (smooth integrands) or in polar coordinates split at the kink angles (piecewise-linear φ).
/// </summary>
internal static class ReferenceIntegrals
{
    /// <summary>n-point Gauss–Legendre nodes and weights on [−1, 1].</summary>
    public static (double[] X, double[] W) GaussLegendre(int n)
    {
        var x = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)); // Tricomi's initial guess
            double dp = 0;
            for (int it = 0; it < 100; it++)
            {
                double p0 = 1, p1 = t;
                for (int k = 2; k <= n; k++)
                {
                    double p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n * (t * p1 - p0) / (t * t - 1);
                double dt = p1 / dp;
                t -= dt;
                if (Math.Abs(dt) < 1e-16) break;
            }
            x[i] = t;
            w[i] = 2 / ((1 - t * t) * dp * dp);
        }
        return (x, w);
    }

    /// <summary>
    /// ∫∫ g(u, v) ϕ(z1) ϕ(z2) over |z1|, |z2| ≤ 9 with u = √q1 z1, v = √q2 (ρ z1 + √(1 − ρ²) z2):
    /// panels of width <paramref name="panel"/>, <paramref name="order"/> Gauss–Legendre nodes each.
    /// </summary>
    public static double Box(Func<double, double, double> g, double q1, double q2, double rho, double panel = 0.5, int order = 20)
    {
        const double L = 9.0;
        var (gx, gw) = GaussLegendre(order);
        int panels = (int)Math.Round(2 * L / panel);
        int n = panels * order;
        var z = new double[n];
        var w = new double[n];
        for (int p = 0; p < panels; p++)
            for (int k = 0; k < order; k++)
            {
                double mid = -L + (p + 0.5) * panel;
                double zz = mid + 0.5 * panel * gx[k];
                z[p * order + k] = zz;
                w[p * order + k] = 0.5 * panel * gw[k] * Math.Exp(-0.5 * zz * zz) / Math.Sqrt(2 * Math.PI);
            }
        double s1 = Math.Sqrt(q1), s2 = Math.Sqrt(q2), r = Math.Sqrt(Math.Max(0, 1 - rho * rho));
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double inner = 0;
            for (int j = 0; j < n; j++) inner += w[j] * g(s1 * z[i], s2 * (rho * z[i] + r * z[j]));
            total += w[i] * inner;
        }
        return total;
    }

    /// <summary>
    /// E[φ(u)φ(v)] and E[φ'(u)φ'(v)] for φ(x) = a·min(x, 0) + b·max(x, 0), integrated numerically in polar coordinates
    /// (z1, z2) = r(cos α, sin α): radial Gauss–Legendre on [0, 12], angular Gauss–Legendre on each arc between the
    /// angles where u = 0 or v = 0 (the integrand is smooth on each arc). Requires |ρ| &lt; 1 and q1, q2 &gt; 0.
    /// </summary>
    public static (double KTilde, double TDot) PiecewiseLinear(double a, double b, double q1, double q2, double rho)
    {
        double Phi(double x) => x > 0 ? b * x : a * x;
        double DPhi(double x) => x > 0 ? b : a;
        double s1 = Math.Sqrt(q1), s2 = Math.Sqrt(q2), r = Math.Sqrt(1 - rho * rho);
        // u ∝ cos α vanishes at ±π/2; v ∝ ρ cos α + r sin α vanishes at α0 = atan2(−ρ, r) and α0 + π.
        double a0 = Math.Atan2(-rho, r);
        var cuts = new List<double> { -Math.PI / 2, Math.PI / 2, a0, a0 + Math.PI, a0 - Math.PI };
        cuts = cuts.Select(t => t < -Math.PI / 2 ? t + 2 * Math.PI : t).Where(t => t >= -Math.PI / 2 && t < 1.5 * Math.PI).Distinct().OrderBy(t => t).ToList();
        cuts.Add(1.5 * Math.PI);
        var (gx, gw) = GaussLegendre(40);
        double k = 0, td = 0;
        // Radial part: ∫_0^∞ r^3 e^(−r²/2) dr (for φφ, degree 2 in r) and ∫_0^∞ r e^(−r²/2) dr (for φ'φ'), numerically.
        double radial3 = 0, radial1 = 0;
        const double R = 12;
        for (int p = 0; p < 12; p++)
            for (int i = 0; i < gx.Length; i++)
            {
                double rr = (p + 0.5 + 0.5 * gx[i]) * (R / 12);
                double ww = 0.5 * (R / 12) * gw[i] * Math.Exp(-0.5 * rr * rr);
                radial3 += ww * rr * rr * rr;
                radial1 += ww * rr;
            }
        for (int c = 0; c + 1 < cuts.Count; c++)
        {
            double lo = cuts[c], hi = cuts[c + 1];
            if (hi - lo < 1e-15) continue;
            for (int i = 0; i < gx.Length; i++)
            {
                double al = 0.5 * (lo + hi) + 0.5 * (hi - lo) * gx[i];
                double ww = 0.5 * (hi - lo) * gw[i];
                double u = s1 * Math.Cos(al), v = s2 * (rho * Math.Cos(al) + r * Math.Sin(al));
                k += ww * Phi(u) * Phi(v);
                td += ww * DPhi(u) * DPhi(v);
            }
        }
        return (k * radial3 / (2 * Math.PI), td * radial1 / (2 * Math.PI));
    }
}
