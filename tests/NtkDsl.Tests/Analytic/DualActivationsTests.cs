using NtkDsl.Analytic;
using NtkDsl.Kernels;

namespace NtkDsl.Tests.Analytic;

public sealed class DualActivationsTests
{
    public static TheoryData<double, double, double> Covariances => new()
    {
        { 1.0, 1.0, 0.3 }, { 0.5, 2.0, -0.7 }, { 3.0, 0.2, 0.6 }, { 0.01, 10.0, 0.25 }, { 10.0, 10.0, -9.0 }, { 2.0, 2.0, 1.999 },
    };

    [Theory]
    [InlineData(1e-6)]
    [InlineData(0.37)]
    [InlineData(1.0)]
    [InlineData(42.0)]
    public void ReluSameInputGivesHalfVarianceAndHalf(double q)
    {
        DualActivations.Relu(q, q, q, out double k, out double t);
        Assert.Equal(q / 2, k, 1e-15 * q);
        Assert.Equal(0.5, t, 1e-15);
        DualActivations.ReluDiagonal(q, out double kd, out double td);
        Assert.Equal(q / 2, kd, 1e-15 * q);
        Assert.Equal(0.5, td);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.3, 7.0)]
    [InlineData(1e-4, 1e4)]
    public void ReluOrthogonalInputs(double q1, double q2)
    {
        DualActivations.Relu(q1, q2, 0.0, out double k, out double t);
        Assert.Equal(Math.Sqrt(q1 * q2) / (2 * Math.PI), k, 1e-15 * Math.Sqrt(q1 * q2));
        Assert.Equal(0.25, t, 1e-15);
    }

    [Theory]
    [MemberData(nameof(Covariances))]
    public void IdentityIsTheCovariance(double q1, double q2, double c)
    {
        DualActivations.Identity(q1, q2, c, out double k, out double t);
        Assert.Equal(c, k);
        Assert.Equal(1.0, t);
        // The a = b = 1 member of the AbReLU family is the identity too.
        DualActivations.AbRelu(1.0, 1.0, q1, q2, c, out double ka, out double ta);
        Assert.Equal(c, ka, 1e-14 * Math.Sqrt(q1 * q2));
        Assert.Equal(1.0, ta, 1e-15);
    }

    [Theory]
    [InlineData(0.0, 1.0)]     // ReLU
    [InlineData(0.1, 1.0)]     // leaky ReLU
    [InlineData(-1.0, 1.0)]    // |x|
    [InlineData(0.3, -0.7)]    // general a, b
    [InlineData(2.0, 0.5)]
    public void AbReluMatchesPolarIntegration(double a, double b)
    {
        foreach (var (q1, q2, rho) in new[] { (1.0, 1.0, 0.3), (0.5, 2.0, -0.7), (3.0, 0.2, 0.95), (0.01, 10.0, 0.0), (4.0, 4.0, -0.999) })
        {
            double c = rho * Math.Sqrt(q1 * q2);
            DualActivations.AbRelu(a, b, q1, q2, c, out double k, out double t);
            var (kRef, tRef) = ReferenceIntegrals.PiecewiseLinear(a, b, q1, q2, rho);
            double scale = (a * a + b * b) / 2 * Math.Sqrt(q1 * q2); // Cauchy–Schwarz bound on |K̃|
            Assert.Equal(kRef, k, 1e-11 * scale);
            Assert.Equal(tRef, t, 1e-11 * (a * a + b * b));
        }
    }

    [Theory]
    [MemberData(nameof(Covariances))]
    public void LeakyReluAndAbsAreAbReluMembers(double q1, double q2, double c)
    {
        DualActivations.LeakyRelu(0.2, q1, q2, c, out double kl, out double tl);
        DualActivations.AbRelu(0.2, 1.0, q1, q2, c, out double ka, out double ta);
        Assert.Equal(ka, kl);
        Assert.Equal(ta, tl);
        DualActivations.Abs(q1, q2, c, out double kb, out double tb);
        DualActivations.AbRelu(-1.0, 1.0, 0.0, q1, q2, c, out double kc, out double tc);
        Assert.Equal(kc, kb);
        Assert.Equal(tc, tb);
        // |x|: Ṫ = E[sign u · sign v] = (2/π) arcsin ρ (Sheppard's formula, derived independently).
        double rho = Math.Clamp(c / Math.Sqrt(q1 * q2), -1, 1);
        Assert.Equal(2 / Math.PI * Math.Asin(rho), tb, 1e-14);
    }

    [Theory]
    [InlineData(1.0, 1.0, 0.3)]
    [InlineData(0.5, 2.0, -0.7)]
    [InlineData(10.0, 10.0, 0.999)]
    [InlineData(0.01, 10.0, 0.25)]
    [InlineData(3.0, 0.2, -1.0)]
    public void ErfMatchesDirectIntegration(double q1, double q2, double rho)
    {
        double c = rho * Math.Sqrt(q1 * q2);
        DualActivations.Erf(q1, q2, c, out double k, out double t);
        double kRef = ReferenceIntegrals.Box((u, v) => Special.Erf(u) * Special.Erf(v), q1, q2, rho);
        double tRef = ReferenceIntegrals.Box((u, v) => 4 / Math.PI * Math.Exp(-u * u - v * v), q1, q2, rho);
        Assert.True(Math.Abs(k - kRef) <= 1e-8 * Math.Abs(kRef), $"K̃ {k} vs {kRef}");
        Assert.True(Math.Abs(t - tRef) <= 1e-8 * Math.Abs(tRef), $"Ṫ {t} vs {tRef}");
    }

    [Theory]
    [InlineData(1e-8)]
    [InlineData(0.5)]
    [InlineData(10.0)]
    public void DiagonalShortcutsAgreeWithGeneralForms(double q)
    {
        void Check(Action<double, double, double, Action<double, double>> general, Action<double, Action<double, double>> diagonal)
        {
            double kg = 0, tg = 0, kd = 0, td = 0;
            general(q, q, q, (k, t) => (kg, tg) = (k, t));
            diagonal(q, (k, t) => (kd, td) = (k, t));
            Assert.Equal(kg, kd, 1e-14 * Math.Max(1, Math.Abs(kg)));
            Assert.Equal(tg, td, 1e-14 * Math.Max(1, Math.Abs(tg)));
        }
        Check((a, b, c, r) => { DualActivations.Identity(a, b, c, out var k, out var t); r(k, t); }, (a, r) => { DualActivations.IdentityDiagonal(a, out var k, out var t); r(k, t); });
        Check((a, b, c, r) => { DualActivations.Relu(a, b, c, out var k, out var t); r(k, t); }, (a, r) => { DualActivations.ReluDiagonal(a, out var k, out var t); r(k, t); });
        Check((a, b, c, r) => { DualActivations.LeakyRelu(0.05, a, b, c, out var k, out var t); r(k, t); }, (a, r) => { DualActivations.LeakyReluDiagonal(0.05, a, out var k, out var t); r(k, t); });
        Check((a, b, c, r) => { DualActivations.Abs(a, b, c, out var k, out var t); r(k, t); }, (a, r) => { DualActivations.AbsDiagonal(a, out var k, out var t); r(k, t); });
        Check((a, b, c, r) => { DualActivations.AbRelu(0.3, -2, a, b, c, out var k, out var t); r(k, t); }, (a, r) => { DualActivations.AbReluDiagonal(0.3, -2, a, out var k, out var t); r(k, t); });
        Check((a, b, c, r) => { DualActivations.Erf(a, b, c, out var k, out var t); r(k, t); }, (a, r) => { DualActivations.ErfDiagonal(a, out var k, out var t); r(k, t); });
    }

    [Theory]
    [MemberData(nameof(Covariances))]
    public void SymmetricInTheTwoVariances(double q1, double q2, double c)
    {
        DualActivations.Relu(q1, q2, c, out double k1, out double t1);
        DualActivations.Relu(q2, q1, c, out double k2, out double t2);
        Assert.Equal(k1, k2);
        Assert.Equal(t1, t2);
        DualActivations.AbRelu(0.3, -0.7, q1, q2, c, out k1, out t1);
        DualActivations.AbRelu(0.3, -0.7, q2, q1, c, out k2, out t2);
        Assert.Equal(k1, k2);
        Assert.Equal(t1, t2);
        DualActivations.Erf(q1, q2, c, out k1, out t1);
        DualActivations.Erf(q2, q1, c, out k2, out t2);
        Assert.Equal(k1, k2);
        Assert.Equal(t1, t2);
    }

    [Fact]
    public void ZeroNormInputsFollowTheFiniteNetworkDerivativeAtZero()
    {
        const double q = 2.5;
        // u ≡ 0: K̃ = φ(0)E[φ(v)] = 0 and Ṫ = φ'(0)·E[φ'(v)], E[φ'(v)] = (a + b)/2 for v with positive variance.
        DualActivations.Relu(0, q, 0, out double k, out double t);
        Assert.Equal((0.0, 0.0), (k, t));
        DualActivations.Relu(q, 0, 0, out k, out t);
        Assert.Equal((0.0, 0.0), (k, t));
        DualActivations.Relu(0, 0, 0, out k, out t);
        Assert.Equal((0.0, 0.0), (k, t));
        DualActivations.ReluDiagonal(0, out k, out t);
        Assert.Equal((0.0, 0.0), (k, t));
        // LeakyReLU'(0) = slope (generated derivative z > 0 ? 1 : slope).
        DualActivations.LeakyRelu(0.1, 0, q, 0, out k, out t);
        Assert.Equal(0.0, k);
        Assert.Equal(0.1 * (1 + 0.1) / 2, t, 1e-16);
        DualActivations.LeakyRelu(0.1, 0, 0, 0, out _, out t);
        Assert.Equal(0.01, t, 1e-17);
        // |x|'(0) = sign(0) = 0.
        DualActivations.Abs(0, q, 0, out k, out t);
        Assert.Equal((0.0, 0.0), (k, t));
        // The ReLU kernel is discontinuous at q = 0: along ρ = 0 the limit is 1/4, not the value 0 at q = 0.
        DualActivations.Relu(1e-300, q, 0, out _, out t);
        Assert.Equal(0.25, t, 1e-15);
        // erf is continuous there: Ṫ(0, q) = erf'(0)·E[erf'(v)] = (4/π)/√(1 + 2q).
        DualActivations.Erf(0, q, 0, out k, out t);
        Assert.Equal(0.0, k);
        Assert.Equal(4 / Math.PI / Math.Sqrt(1 + 2 * q), t, 1e-15);
        DualActivations.Erf(0, 0, 0, out k, out t);
        Assert.Equal(0.0, k);
        Assert.Equal(4 / Math.PI, t, 1e-15);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.2, 5.0)]
    public void PerfectCorrelationIsFiniteAndTheLimit(double q1, double q2)
    {
        double sq = Math.Sqrt(q1 * q2);
        foreach (double sign in new[] { 1.0, -1.0 })
        {
            foreach (var f in new Action<double, double, double, Action<double, double>>[]
                     {
                         (a, b, c, r) => { DualActivations.Relu(a, b, c, out var k, out var t); r(k, t); },
                         (a, b, c, r) => { DualActivations.AbRelu(0.3, -0.7, a, b, c, out var k, out var t); r(k, t); },
                         (a, b, c, r) => { DualActivations.Erf(a, b, c, out var k, out var t); r(k, t); },
                     })
            {
                double k1 = 0, t1 = 0, kNear = 0, tNear = 0, kOver = 0, tOver = 0;
                f(q1, q2, sign * sq, (k, t) => (k1, t1) = (k, t));
                f(q1, q2, sign * sq * (1 - 1e-12), (k, t) => (kNear, tNear) = (k, t));
                f(q1, q2, sign * sq * (1 + 1e-9), (k, t) => (kOver, tOver) = (k, t)); // rounding beyond |ρ| = 1 is clamped
                Assert.True(double.IsFinite(k1) && double.IsFinite(t1));
                Assert.Equal(kNear, k1, 1e-5 * sq);  // Ṫ has a √(1 − ρ) cusp at ρ = ±1 for kinks: 1e−12 moves it ~1e−6
                Assert.Equal(tNear, t1, 1e-5);
                // (the test's √(q1q2) and the library's √q1·√q2 may differ in the last bit, which moves θ by ~1e−8)
                Assert.Equal(k1, kOver, 1e-7 * sq);
                Assert.Equal(t1, tOver, 1e-7);
            }
        }
        // ReLU at ρ = 1: K̃ = √(q1q2)/2, Ṫ = 1/2; at ρ = −1: 0, 0.
        DualActivations.Relu(q1, q2, sq, out double kp, out double tp);
        Assert.Equal(sq / 2, kp, 1e-12 * sq);
        Assert.Equal(0.5, tp, 1e-7);
        DualActivations.Relu(q1, q2, -sq, out double km, out double tm);
        Assert.Equal(0.0, km, 1e-12 * sq);
        Assert.Equal(0.0, tm, 1e-7);
    }

    [Theory]
    [InlineData(-1e-3, 1.0, 0.0)]
    [InlineData(1.0, double.NaN, 0.0)]
    [InlineData(1.0, 1.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 1.0, 0.0)]
    public void InvalidCovarianceThrowsWithExplanation(double q1, double q2, double c)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DualActivations.Relu(q1, q2, c, out _, out _));
        Assert.Contains("must be finite and ≥ 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DualActivations.Erf(q1, q2, c, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => DualActivations.ErfDiagonal(-1, out _, out _));
    }
}
