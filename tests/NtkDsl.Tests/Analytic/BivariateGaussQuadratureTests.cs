using NtkDsl.Analytic;

namespace NtkDsl.Tests.Analytic;

public sealed class BivariateGaussQuadratureTests
{
    private static readonly double[] Variances = [0.01, 0.3, 1.0, 10.0];
    private static readonly double[] Correlations = [-1.0, -0.999, -0.6, 0.0, 0.45, 0.99, 1.0];

    /// <summary>φ(x) = x² + x: K̃ = q1q2 + 2c² + c and Ṫ = 4c + 1 (Isserlis; odd moments vanish).</summary>
    private readonly struct Quadratic : IScalarFunction
    {
        public double Value(double x) => x * x + x;
        public double Derivative(double x) => 2 * x + 1;
    }

    /// <summary>Largest error over the grid relative to the Cauchy–Schwarz scales √(K̃(q1)K̃(q2)), √(Ṫ(q1)Ṫ(q2)).</summary>
    private static (double K, double T) WorstError<TF>(BivariateGaussQuadrature<TF> quad,
        Func<double, double, double, (double K, double T)> exact, double[] variances, double[] correlations)
        where TF : struct, IScalarFunction
    {
        double worstK = 0, worstT = 0;
        foreach (double q1 in variances)
            foreach (double q2 in variances)
                foreach (double rho in correlations)
                {
                    double c = rho * Math.Sqrt(q1) * Math.Sqrt(q2);
                    quad.Dual(q1, q2, c, out double k, out double t);
                    var (ke, te) = exact(q1, q2, c);
                    var (k1, t1) = exact(q1, q1, q1);
                    var (k2, t2) = exact(q2, q2, q2);
                    Assert.True(double.IsFinite(k) && double.IsFinite(t));
                    worstK = Math.Max(worstK, Math.Abs(k - ke) / Math.Sqrt(k1 * k2));
                    worstT = Math.Max(worstT, Math.Abs(t - te) / Math.Sqrt(t1 * t2));
                }
        return (worstK, worstT);
    }

    private static (double, double) ErfExact(double q1, double q2, double c)
    {
        DualActivations.Erf(q1, q2, c, out double k, out double t);
        return (k, t);
    }

    [Fact]
    public void ErfMatchesClosedFormToOneInTenToTheEight()
    {
        var quad = BivariateGaussQuadrature.Create(new ErfFunction());
        var (k, t) = WorstError(quad, ErfExact, Variances, Correlations);
        Assert.True(k < 1e-8 && t < 1e-8, $"erf quadrature error K̃ {k:E2}, Ṫ {t:E2}");
    }

    [Fact]
    public void SinMatchesClosedForm()
    {
        // E[sin u sin v] = (E cos(u − v) − E cos(u + v))/2 = e^(−(q1+q2)/2) sinh c; E[cos u cos v] = e^(−(q1+q2)/2) cosh c.
        var quad = BivariateGaussQuadrature.Create(new SinFunction());
        var (k, t) = WorstError(quad, (q1, q2, c) => (Math.Exp(-(q1 + q2) / 2) * Math.Sinh(c), Math.Exp(-(q1 + q2) / 2) * Math.Cosh(c)),
            Variances, Correlations);
        Assert.True(k < 1e-10 && t < 1e-10, $"sin quadrature error K̃ {k:E2}, Ṫ {t:E2}");
    }

    [Theory]
    [InlineData((int)GaussianQuadratureRule.Trapezoid)]
    [InlineData((int)GaussianQuadratureRule.GaussHermite)]
    public void PolynomialActivationIsIntegratedExactly(int ruleValue) // an int: the rule enum is internal and xUnit theories are public
    {
        var rule = (GaussianQuadratureRule)ruleValue;
        var quad = new BivariateGaussQuadrature<Quadratic>(default, rule, nodeCount: 4);
        var (k, t) = WorstError(quad, (q1, q2, c) => (q1 * q2 + 2 * c * c + c, 4 * c + 1), Variances, Correlations);
        Assert.True(k < 1e-12 && t < 1e-12, $"{rule}: K̃ {k:E2}, Ṫ {t:E2}");
    }

    [Theory]
    [InlineData(1.0, 1.0, 0.4)]
    [InlineData(10.0, 10.0, 0.9)]
    [InlineData(0.05, 10.0, -0.5)]
    [InlineData(3.0, 0.5, 0.999)]
    public void TanhMatchesDirectIntegration(double q1, double q2, double rho)
    {
        var quad = BivariateGaussQuadrature.Create(new TanhFunction());
        quad.Dual(q1, q2, rho * Math.Sqrt(q1 * q2), out double k, out double t);
        double kRef = ReferenceIntegrals.Box((u, v) => Math.Tanh(u) * Math.Tanh(v), q1, q2, rho);
        double tRef = ReferenceIntegrals.Box((u, v) => (1 - Math.Tanh(u) * Math.Tanh(u)) * (1 - Math.Tanh(v) * Math.Tanh(v)), q1, q2, rho);
        double kScale = Math.Sqrt(ReferenceIntegrals.Box((u, _) => Math.Tanh(u) * Math.Tanh(u), q1, q1, 0)
                                  * ReferenceIntegrals.Box((u, _) => Math.Tanh(u) * Math.Tanh(u), q2, q2, 0));
        Assert.True(Math.Abs(k - kRef) <= 1e-8 * kScale, $"K̃ {k} vs {kRef}");
        Assert.True(Math.Abs(t - tRef) <= 1e-8 * Math.Abs(tRef), $"Ṫ {t} vs {tRef}");
    }

    [Fact]
    public void ReluConvergesSlowlyWithinTheMeasuredBound()
    {
        // A kink: the documented errors at the default resolution are 8.8e−3 (K̃) and 7.7e−2 (Ṫ) over a wider grid.
        var quad = BivariateGaussQuadrature.Create(new ReluFunction());
        var (k, t) = WorstError(quad, (q1, q2, c) =>
        {
            DualActivations.Relu(q1, q2, c, out double kk, out double tt);
            return (kk, tt);
        }, Variances, Correlations);
        Assert.True(k < 1e-2 && t < 8e-2, $"ReLU quadrature error K̃ {k:E2}, Ṫ {t:E2}");
    }

    [Fact]
    public void ZeroNormUsesTheDerivativeAtZeroAndNeverNaN()
    {
        const double q = 2.0;
        var relu = BivariateGaussQuadrature.Create(new ReluFunction());
        foreach (var (q1, q2) in new[] { (0.0, q), (q, 0.0), (0.0, 0.0) })
        {
            relu.Dual(q1, q2, 0, out double k, out double t);
            DualActivations.Relu(q1, q2, 0, out double ke, out double te);
            Assert.Equal(ke, k);
            Assert.Equal(te, t);
        }
        // tanh: u ≡ 0 gives K̃ = tanh(0)·E[tanh v] = 0 and Ṫ = 1·E[sech² v], a one-dimensional integral.
        var tanh = BivariateGaussQuadrature.Create(new TanhFunction());
        tanh.Dual(0, q, 0, out double kt, out double tt);
        double expected = ReferenceIntegrals.Box((u, _) => 1 - Math.Tanh(u) * Math.Tanh(u), q, 1, 0);
        Assert.Equal(0.0, kt);
        Assert.Equal(expected, tt, 1e-10);
        tanh.Dual(0, 0, 0, out kt, out tt);
        Assert.Equal((0.0, 1.0), (kt, tt));
    }

    [Theory]
    [InlineData((int)GaussianQuadratureRule.Trapezoid)]
    [InlineData((int)GaussianQuadratureRule.GaussHermite)]
    public void PerfectCorrelationIsFiniteAndTheLimit(int ruleValue) // an int: the rule enum is internal and xUnit theories are public
    {
        var rule = (GaussianQuadratureRule)ruleValue;
        var quad = new BivariateGaussQuadrature<ErfFunction>(default, rule);
        foreach (var (q1, q2) in new[] { (0.7, 0.7), (0.2, 1.5) })
        {
            double sq = Math.Sqrt(q1) * Math.Sqrt(q2);
            foreach (double sign in new[] { 1.0, -1.0 })
            {
                quad.Dual(q1, q2, sign * sq, out double k, out double t);
                quad.Dual(q1, q2, sign * sq * (1 - 1e-10), out double kn, out double tn);
                quad.Dual(q1, q2, sign * sq * (1 + 1e-6), out double ko, out double to);
                DualActivations.Erf(q1, q2, sign * sq, out double ke, out double te);
                Assert.True(double.IsFinite(k) && double.IsFinite(t));
                Assert.Equal(kn, k, 1e-8);
                Assert.Equal(tn, t, 1e-8);
                Assert.Equal(k, ko, 1e-12); // clamped to |ρ| = 1
                Assert.Equal(t, to, 1e-12);
                if (rule == GaussianQuadratureRule.Trapezoid)
                {
                    Assert.Equal(ke, k, 1e-12);
                    Assert.Equal(te, t, 1e-12);
                }
            }
        }
        quad.Diagonal(0.7, out double kd, out double td);
        quad.Dual(0.7, 0.7, 0.7, out double kg, out double tg);
        Assert.Equal(kd, kg, 1e-15);
        Assert.Equal(td, tg, 1e-15);
    }

    [Fact]
    public void SymmetricInTheTwoVariances()
    {
        var quad = BivariateGaussQuadrature.Create(new SigmoidFunction());
        foreach (var (q1, q2, rho) in new[] { (0.1, 5.0, 0.3), (2.0, 0.4, -0.8), (10.0, 1.0, 0.95) })
        {
            double c = rho * Math.Sqrt(q1 * q2);
            quad.Dual(q1, q2, c, out double k1, out double t1);
            quad.Dual(q2, q1, c, out double k2, out double t2);
            Assert.Equal(k1, k2, 1e-12);
            Assert.Equal(t1, t2, 1e-12);
        }
    }

    [Fact]
    public void ErrorEstimateTracksTheActualError()
    {
        // Gauss–Hermite with 24 nodes on erf at q = 3 is visibly inaccurate; the 48-node comparison should measure it.
        var quad = BivariateGaussQuadrature.CreateGaussHermite(new ErfFunction(), 24);
        var est = QuadratureError.Estimate(quad, 3.0, 2.0, 1.2);
        DualActivations.Erf(3.0, 2.0, 1.2, out double k, out double t);
        double actualK = Math.Abs(est.KTilde - k), actualT = Math.Abs(est.TDot - t);
        Assert.True(actualT > 1e-6, "the test premise: a visible error");
        Assert.InRange(est.KTildeError, 0.5 * actualK, 2 * actualK);
        Assert.InRange(est.TDotError, 0.5 * actualT, 2 * actualT);
        // The default rule on a smooth activation: tiny estimate; the grid maximum agrees.
        var tanh = BivariateGaussQuadrature.Create(new TanhFunction());
        Assert.True(tanh.EstimateError(1.0, 4.0, 0.5).TDotError < 1e-9);
        Assert.True(QuadratureError.MaxRelativeError(tanh, 0.01, 10.0) < 1e-8);
    }

    [Fact]
    public void DelegateFunctionGivesTheSameValuesAsTheStruct()
    {
        var viaDelegate = BivariateGaussQuadrature.Create(new DelegateFunction(Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x)));
        var viaStruct = BivariateGaussQuadrature.Create(new TanhFunction());
        viaDelegate.Dual(1.3, 0.4, 0.2, out double k1, out double t1);
        viaStruct.Dual(1.3, 0.4, 0.2, out double k2, out double t2);
        Assert.Equal(k2, k1, 1e-15);
        Assert.Equal(t2, t1, 1e-15);
    }

    [Fact]
    public void InvalidSettingsAndInputsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BivariateGaussQuadrature.CreateTrapezoid(new TanhFunction(), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BivariateGaussQuadrature.CreateGaussHermite(new TanhFunction(), 0));
        var quad = BivariateGaussQuadrature.Create(new TanhFunction());
        Assert.Throws<ArgumentOutOfRangeException>(() => quad.Dual(-1, 1, 0, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => quad.Diagonal(double.NaN, out _, out _));
    }
}
