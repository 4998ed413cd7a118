using NtkDsl.Analytic;
using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Models;

namespace NtkDsl.Tests.Analytic;

/// <summary>
/// Held-out cases: written before tuning ended but run only once, after the implementation was final (issue 13 asks
/// for cases kept out of tuning). Softplus at q = 3e6, a two-layer custom-activation model at large inputs, and near-
/// duplicate rows in a cross kernel — each against the independent references of <see cref="AnalyticReference"/>.
/// </summary>
public sealed class AnalyticHeldOutTests
{
    private const double Tol = 1e-10;

    [Fact]
    public void SoftplusOneLayerAtThreeMillion()
    {
        Func<double, double> f = x => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
        Func<double, double> df = x => 0.5 + 0.5 * Math.Tanh(0.5 * x);
        const double q = 3e6;
        double r = Math.Sqrt(2 * q);
        foreach (double alpha in new[] { 1e-4, 1.3, 2.9 })
        {
            var x = Tensor.FromArray([r, 0, r * Math.Cos(alpha), r * Math.Sin(alpha)], 2, 2);
            var theta = SoftplusOneLayer.AnalyticNtk(x);
            double rho = Math.Cos(alpha), c = q * rho;
            double diag = AnalyticReference.Square(f, q) + AnalyticReference.Square(df, q) * q;
            double k = AnalyticReference.Pair(f, f, q, q, rho), t = AnalyticReference.Pair(df, df, q, q, rho);
            Assert.True(Math.Abs(theta[0, 1] - (k + t * c)) <= Tol * diag, $"softplus α={alpha}: {theta[0, 1]:R} vs {k + t * c:R}");
        }
    }

    /// <summary>CustomNet: x·tanh x + 0.1e^(−x²) + 0.1x, then tanh, then a linear readout; σ_w = σ_b = 1, d = 3.</summary>
    [Fact]
    public void CustomSmoothActivationAtLargeInputs()
    {
        Func<double, double> f = x => x * Math.Tanh(x) + 0.1 * Math.Exp(-x * x) + 0.1 * x;
        Func<double, double> df = x => Math.Tanh(x) + x / (Math.Cosh(x) * Math.Cosh(x)) - 0.2 * x * Math.Exp(-x * x) + 0.1;
        Func<double, double> dTanh = x => 1 / (Math.Cosh(x) * Math.Cosh(x));
        var x = Tensor.FromArray([300.0, -120.0, 45.0, 280.0, -100.0, 80.0], 2, 3);
        var theta = CustomNet.AnalyticNtk(x);
        double Dot(int i, int j) => (x[i, 0] * x[j, 0] + x[i, 1] * x[j, 1] + x[i, 2] * x[j, 2]) / 3 + 1;
        double q1 = Dot(0, 0), q2 = Dot(1, 1), c = Dot(0, 1);
        double Rho(double a, double b, double cc) => Math.Clamp(cc / Math.Sqrt(a * b), -1, 1);
        // Layer 2 from the custom activation.
        double k = AnalyticReference.Pair(f, f, q1, q2, Rho(q1, q2, c)), t = AnalyticReference.Pair(df, df, q1, q2, Rho(q1, q2, c));
        double p1 = AnalyticReference.Square(f, q1) + 1, p2 = AnalyticReference.Square(f, q2) + 1;
        double c2 = k + 1, th2 = c2 + t * c;
        double d1 = p1 + AnalyticReference.Square(df, q1) * q1, d2 = p2 + AnalyticReference.Square(df, q2) * q2;
        // Readout from tanh.
        double k3 = AnalyticReference.Pair(Math.Tanh, Math.Tanh, p1, p2, Rho(p1, p2, c2));
        double t3 = AnalyticReference.Pair(dTanh, dTanh, p1, p2, Rho(p1, p2, c2));
        double th3 = k3 + 1 + t3 * th2;
        double s1 = AnalyticReference.Square(Math.Tanh, p1) + 1 + AnalyticReference.Square(dTanh, p1) * d1;
        double s2 = AnalyticReference.Square(Math.Tanh, p2) + 1 + AnalyticReference.Square(dTanh, p2) * d2;
        Assert.True(Math.Abs(theta[0, 0] - s1) <= Tol * s1, $"Θ(x, x): {theta[0, 0]:R} vs {s1:R}");
        Assert.True(Math.Abs(theta[0, 1] - th3) <= Tol * Math.Sqrt(s1 * s2), $"Θ(x, x'): {theta[0, 1]:R} vs {th3:R}");
    }

    [Fact]
    public void NearDuplicateRowsInACrossKernel()
    {
        var dual = AdaptiveDual.Create(new SoftplusFunction(), "HeldOut.Softplus");
        var rng = new Random(99);
        var q1 = Enumerable.Range(0, 30).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        var q2 = q1.Select(v => v * (1 + 1e-9)).ToArray();
        var series = DualSeries.Build(dual, q1, q2);
        for (int i = 0; i < 30; i += 7)
        {
            double c = (1 - 1e-10) * Math.Sqrt(q1[i] * q2[i]);
            series.Dual(i, i, c, out double k, out double t);
            double sq = Math.Sqrt(q1[i] * q2[i]);
            Func<double, double> f = x => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            Func<double, double> df = x => 0.5 + 0.5 * Math.Tanh(0.5 * x);
            double ke = AnalyticReference.Pair(f, f, q1[i], q2[i], c / sq), te = AnalyticReference.Pair(df, df, q1[i], q2[i], c / sq);
            double sk = Math.Sqrt(AnalyticReference.Square(f, q1[i]) * AnalyticReference.Square(f, q2[i]));
            double st = Math.Sqrt(AnalyticReference.Square(df, q1[i]) * AnalyticReference.Square(df, q2[i]));
            Assert.True(Math.Abs(k - ke) <= Tol * sk && Math.Abs(t - te) <= Tol * st, $"row {i}: {k:R} vs {ke:R}, {t:R} vs {te:R}");
        }
    }
}
