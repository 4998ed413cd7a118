using NtkDsl.Experiments;

namespace NtkDsl.Tests.Experiments;

public sealed class QuadraticWitnessTests
{
    private readonly ITestOutputHelper _out;

    public QuadraticWitnessTests(ITestOutputHelper output) => _out = output;

    [Fact]
    public void JacobianMatchesFiniteDifferencesAndLipschitzIsExact()
    {
        var q = new QuadraticWitness(5, 7, 2.5, 1);
        var w = Enumerable.Range(0, 7).Select(i => Math.Cos(i)).ToArray();
        var d = q.Jacobian(w);
        for (int j = 0; j < 7; j++)
        {
            var wp = (double[])w.Clone();
            var wm = (double[])w.Clone();
            wp[j] += 1e-5;
            wm[j] -= 1e-5;
            var hp = q.Evaluate(wp);
            var hm = q.Evaluate(wm);
            for (int i = 0; i < 5; i++) Assert.Equal((hp[i] - hm[i]) / 2e-5, d[i * 7 + j], 8);
        }
        // ‖Dh(w + v) − Dh(w)‖_op/‖v‖: the difference is rank one, so its operator norm is its Frobenius norm.
        double Ratio(double[] v)
        {
            var d2 = q.Jacobian(w.Select((x, i) => x + v[i]).ToArray());
            return Math.Sqrt(d2.Select((x, i) => (x - d[i]) * (x - d[i])).Sum()) / Math.Sqrt(v.Sum(x => x * x));
        }
        double best = 0;
        for (int j = 0; j < 7; j++)
        {
            var e = new double[7];
            e[j] = 0.3;
            best = Math.Max(best, Ratio(e));
        }
        Assert.Equal(2.5, best, 12);
        Assert.True(Ratio([.1, -.2, .3, .1, .5, -.4, .2]) <= 2.5 + 1e-12);
    }

    [Fact]
    public void LinearWitnessHasNoErrorAndTheFlowMatchesTheExactLinearSolution()
    {
        var q = new QuadraticWitness(6, 10, 0.0, 2);
        var points = q.Run([1, 4], [0.5, 3], gridPoints: 20);
        Assert.All(points, p => Assert.True(p.SupError < 1e-8, $"α = {p.Alpha}, T = {p.Horizon}: {p.SupError}"));
        Assert.All(points, p => Assert.True(p.Movement <= p.MovementBound));
    }

    [Fact]
    public void ErrorStaysUnderTheKappaBoundAndFallsLikeOneOverAlpha()
    {
        var q = new QuadraticWitness(6, 10, 1.0, 3);
        double[] alphas = [4, 8, 16, 32, 64];
        var points = q.Run(alphas, [1, 4], gridPoints: 40);
        foreach (var p in points)
        {
            _out.WriteLine($"α = {p.Alpha}, T = {p.Horizon}: error {p.SupError:E3}, κ = {p.Kappa:E3}, bound {p.Bound:E3}, error/(κ√R0) = {p.ErrorOverKappa(q.R0):F3}");
            Assert.True(p.SupError <= p.Bound, $"α = {p.Alpha}, T = {p.Horizon}");
            Assert.True(p.SupError > 0);
            Assert.True(p.Movement <= p.MovementBound);
        }
        foreach (double t in new[] { 1.0, 4.0 })
        {
            var fit = LogLogFit.Fit(alphas, points.Where(p => p.Horizon == t).Select(p => p.SupError).ToArray());
            Assert.InRange(fit.Slope, -1.1, -0.9);
        }
    }
}
