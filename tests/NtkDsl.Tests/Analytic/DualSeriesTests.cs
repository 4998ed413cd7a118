using NtkDsl.Analytic;

namespace NtkDsl.Tests.Analytic;

/// <summary>
/// <see cref="DualSeries"/> (Hermite series per example, verified interpolation in log q, direct fallback) against the
/// direct two-dimensional integration of <see cref="AdaptiveDual{TFunction}"/> and closed forms.
/// </summary>
public sealed class DualSeriesTests
{
    private const double Tol = 1e-10;

    private static double[] Variances(int n, double lo, double hi, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo * Math.Pow(hi / lo, rng.NextDouble())).ToArray();
    }

    /// <summary>Compares every (i, j) of a sample with the direct integral; returns the worst relative errors.</summary>
    private static (double K, double T) Compare(IDualIntegrator dual, DualSeries series, double[] q1, double[] q2, int seed, int samples)
    {
        var rng = new Random(seed);
        double wk = 0, wt = 0;
        for (int s = 0; s < samples; s++)
        {
            int i = rng.Next(q1.Length), j = rng.Next(q2.Length);
            double rho = s % 5 == 0 ? 1 - Math.Pow(10, -rng.Next(2, 12)) : 2 * rng.NextDouble() - 1;
            double c = rho * Math.Sqrt(q1[i]) * Math.Sqrt(q2[j]);
            series.Dual(i, j, c, out double k, out double t);
            dual.Dual(q1[i], q2[j], c, out double kd, out double td);
            dual.Diagonal(q1[i], out double k1, out double t1);
            dual.Diagonal(q2[j], out double k2, out double t2);
            wk = Math.Max(wk, Math.Abs(k - kd) / Math.Sqrt(k1 * k2));
            wt = Math.Max(wt, Math.Abs(t - td) / Math.Sqrt(t1 * t2));
        }
        return (wk, wt);
    }

    [Fact]
    public void NarrowVarianceRangeIsInterpolatedWithinTolerance()
    {
        // 200 distinct variances within ±20 %: the coefficient vectors come from the verified interpolant.
        var dual = AdaptiveDual.Create(new TanhFunction(), "Test.Tanh");
        var q = Variances(200, 0.8, 1.2, 1);
        var series = DualSeries.Build(dual, q, null);
        var (k, t) = Compare(dual, series, q, q, 2, 60);
        Assert.True(k < Tol && t < Tol, $"K̃ {k:E2}, Ṫ {t:E2}");
    }

    [Fact]
    public void WideVarianceRangeAndCrossKernelStayWithinTolerance()
    {
        var dual = AdaptiveDual.Create(new GeluFunction(), "Test.Gelu");
        var q1 = Variances(40, 1e-6, 1e8, 3);
        var q2 = Variances(30, 1e-2, 1e3, 4);
        var series = DualSeries.Build(dual, q1, q2);
        var (k, t) = Compare(dual, series, q1, q2, 5, 50);
        Assert.True(k < Tol && t < Tol, $"K̃ {k:E2}, Ṫ {t:E2}");
    }

    [Fact]
    public void ErfSeriesMatchesTheClosedForm()
    {
        var dual = AdaptiveDual.Create(new ErfFunction(), "Test.Erf");
        var q = Variances(64, 0.05, 20, 6);
        var series = DualSeries.Build(dual, q, null);
        var rng = new Random(7);
        double worst = 0;
        for (int s = 0; s < 400; s++)
        {
            int i = rng.Next(q.Length), j = rng.Next(q.Length);
            double c = (2 * rng.NextDouble() - 1) * Math.Sqrt(q[i] * q[j]);
            series.Dual(i, j, c, out double k, out double t);
            DualActivations.Erf(q[i], q[j], c, out double ke, out double te);
            DualActivations.ErfDiagonal(q[i], out double k1, out double t1);
            DualActivations.ErfDiagonal(q[j], out double k2, out double t2);
            worst = Math.Max(worst, Math.Max(Math.Abs(k - ke) / Math.Sqrt(k1 * k2), Math.Abs(t - te) / Math.Sqrt(t1 * t2)));
        }
        Assert.True(worst < Tol, $"worst {worst:E2}");
        Assert.True(series.DirectEvaluations < 400, "most pairs must come from the series");
    }

    [Fact]
    public void IdenticalRowsGiveTheDiagonalBitForBit()
    {
        var dual = AdaptiveDual.Create(new SigmoidFunction(), "Test.Sigmoid");
        double[] q = [0.7, 2.5, 2.5, 1e6];
        var series = DualSeries.Build(dual, q, null);
        for (int i = 0; i < q.Length; i++)
        {
            series.Dual(i, i, q[i], out double k, out double t);
            dual.Diagonal(q[i], out double kd, out double td);
            Assert.Equal(kd, k);
            Assert.Equal(td, t);
        }
        Assert.Equal(0, series.DirectEvaluations);
        // A row with itself whose covariance is off by summation rounding (an ulp) is still the diagonal; a genuinely
        // different covariance for the same index is not.
        series.Dual(0, 0, 0.7 * (1 - 2e-16), out double kr, out _);
        dual.Diagonal(0.7, out double k0, out _);
        Assert.Equal(k0, kr);
        series.Dual(0, 0, 0.35, out double kHalf, out _);
        dual.Dual(0.7, 0.7, 0.35, out double kHalfDirect, out _);
        Assert.True(Math.Abs(kHalf - kHalfDirect) < 1e-10 * k0, $"{kHalf:R} vs {kHalfDirect:R}");
        // Rows 1 and 2 share a variance: ρ = 1 between them is the diagonal too.
        series.Dual(1, 2, 2.5, out double k12, out _);
        dual.Diagonal(2.5, out double k22, out _);
        Assert.Equal(k22, k12);
    }

    [Fact]
    public void DiagonalOnlyTableFallsBackToDirectIntegrationOffTheDiagonal()
    {
        var dual = AdaptiveDual.Create(new TanhFunction(), "Test.Tanh");
        double[] q = [1.0, 2.0];
        var series = DualSeries.Build(dual, q, null, seriesWanted: false);
        series.Dual(0, 1, 0.5, out double k, out double t);
        dual.Dual(1.0, 2.0, 0.5, out double kd, out double td);
        Assert.Equal(kd, k);
        Assert.Equal(td, t);
        Assert.Equal(1, series.DirectEvaluations);
    }
}
