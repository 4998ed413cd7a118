using NtkDsl.Analytic;

namespace NtkDsl.Tests.Analytic;

/// <summary>
/// <see cref="AdaptiveDual{TFunction}"/> against closed forms (erf, ReLU, identity, sin, e^x) and against the
/// independent references of <see cref="AnalyticReference"/> (GELU with its inner expectation in closed form; tanh,
/// sigmoid, softplus by nested Gauss–Legendre), for variances 1e−6 … 1e8 and angles from 0 to π (including within
/// 1e−7 of both ends). Errors are measured against the Cauchy–Schwarz scales √(K̃(q1)K̃(q2)) and √(Ṫ(q1)Ṫ(q2)).
/// </summary>
public sealed class AdaptiveDualTests
{
    private const double Tol = 1e-10;

    private static readonly double[] Variances = [1e-6, 1e-3, 0.3, 1.0, 30.0, 1e3, 1e5, 1e8];

    // θ = arccos ρ: 0, 1e−7 (ρ = 1 − 5e−15), 1e−3, 0.5, π/2, 2.5, π − 1e−3, π − 1e−7, π.
    private static readonly double[] Angles = [0.0, 1e-7, 1e-3, 0.5, Math.PI / 2, 2.5, Math.PI - 1e-3, Math.PI - 1e-7, Math.PI];

    private static IEnumerable<(double Q1, double Q2)> VariancePairs()
    {
        foreach (double q in Variances) yield return (q, q);
        yield return (1e-6, 1.0);
        yield return (0.3, 30.0);
        yield return (1e3, 1e8);
        yield return (1.0, 1e5);
    }

    private static double Scale(double k1, double k2) => Math.Sqrt(k1) * Math.Sqrt(k2);

    /// <summary>Largest relative error of the engine over the grid against <paramref name="exact"/>(q1, q2, c).</summary>
    private static (double K, double T, string Where) Worst<TF>(AdaptiveDual<TF> dual, Func<double, double, double, (double K, double T)> exact,
        IEnumerable<(double, double)> pairs, double[] angles) where TF : struct, IScalarFunction
    {
        double wk = 0, wt = 0;
        string where = "";
        foreach (var (q1, q2) in pairs)
        {
            var (k1, t1) = exact(q1, q1, q1);
            var (k2, t2) = exact(q2, q2, q2);
            foreach (double theta in angles)
            {
                double c = Math.Cos(theta) * Math.Sqrt(q1) * Math.Sqrt(q2);
                dual.Dual(q1, q2, c, out double k, out double t);
                var (ke, te) = exact(q1, q2, c);
                double ek = Math.Abs(k - ke) / Scale(k1, k2), et = Math.Abs(t - te) / Scale(t1, t2);
                if (ek > wk || et > wt) where = $"q1={q1:G3} q2={q2:G3} θ={theta:G4}: K̃ {k:R} vs {ke:R}, Ṫ {t:R} vs {te:R}";
                wk = Math.Max(wk, ek);
                wt = Math.Max(wt, et);
            }
        }
        return (wk, wt, where);
    }

    private readonly struct Identity : IScalarFunction
    {
        public double Value(double x) => x;
        public double Derivative(double x) => 1.0;
    }

    private readonly struct Exp : IScalarFunction
    {
        public double Value(double x) => Math.Exp(x);
        public double Derivative(double x) => Math.Exp(x);
    }

    private readonly struct HalfNaN : IScalarFunction
    {
        public double Value(double x) => x > 3 ? double.NaN : x;
        public double Derivative(double x) => 1.0;
    }

    [Fact]
    public void ErfMatchesItsClosedFormAtEveryVariance()
    {
        var (k, t, where) = Worst(AdaptiveDual.Create(new ErfFunction(), "Test.Erf"), (q1, q2, c) =>
        {
            DualActivations.Erf(q1, q2, c, out double kk, out double tt);
            return (kk, tt);
        }, VariancePairs(), Angles);
        Assert.True(k < Tol && t < Tol, $"erf: K̃ {k:E2}, Ṫ {t:E2} at {where}");
    }

    [Fact]
    public void ReluKinkIsIntegratedToTheClosedForm()
    {
        // ReLU's kink sits on a panel boundary of both the outer and the inner integral, so even the slowly converging
        // case of a fixed rule is exact here (q > 0 only: at q = 0 the closed form follows the finite network's φ'(0)).
        var (k, t, where) = Worst(AdaptiveDual.Create(new ReluFunction(), "Test.Relu"), (q1, q2, c) =>
        {
            DualActivations.Relu(q1, q2, c, out double kk, out double tt);
            return (kk, tt);
        }, VariancePairs(), Angles);
        Assert.True(k < Tol && t < Tol, $"relu: K̃ {k:E2}, Ṫ {t:E2} at {where}");
    }

    [Fact]
    public void IdentityAndSinMatchTheirClosedForms()
    {
        var (k, t, where) = Worst(AdaptiveDual.Create(new Identity(), "Test.Identity"), (q1, q2, c) =>
            (Math.Clamp(c, -Math.Sqrt(q1 * q2), Math.Sqrt(q1 * q2)), 1.0), VariancePairs(), Angles);
        Assert.True(k < Tol && t < Tol, $"identity: K̃ {k:E2}, Ṫ {t:E2} at {where}");
        // sin oscillates: a quadrature is only asked to be right up to q = 30 (beyond, the generated kernels use SinDual).
        var small = VariancePairs().Where(p => p.Q1 <= 30 && p.Q2 <= 30);
        var (ks, ts, ws) = Worst(AdaptiveDual.Create(new SinFunction(), "Test.Sin"), AnalyticReference.Sin, small, Angles);
        Assert.True(ks < Tol && ts < Tol, $"sin: K̃ {ks:E2}, Ṫ {ts:E2} at {ws}");
    }

    [Fact]
    public void SinClosedFormMatchesTheReferenceAndItsDiagonal()
    {
        foreach (var (q1, q2) in VariancePairs())
            foreach (double theta in Angles)
            {
                double c = Math.Cos(theta) * Math.Sqrt(q1) * Math.Sqrt(q2);
                SinDual.Dual(q1, q2, c, out double k, out double t);
                var (ke, te) = AnalyticReference.Sin(q1, q2, c);
                var (k1, t1) = AnalyticReference.Sin(q1, q1, q1);
                var (k2, t2) = AnalyticReference.Sin(q2, q2, q2);
                // The reference cancels for small c; its own rounding is 1e−16 of e^(−(q1+q2−2c)/2) ≤ 1.
                double refRounding = 4e-16 / Scale(k1, k2);
                Assert.True(Math.Abs(k - ke) / Scale(k1, k2) < Tol + refRounding, $"sin K̃ at {q1}, {q2}, θ {theta}: {k:R} vs {ke:R}");
                Assert.True(Math.Abs(t - te) / Scale(t1, t2) < Tol, $"sin Ṫ at {q1}, {q2}, θ {theta}");
            }
        foreach (double q in Variances)
        {
            SinDual.Diagonal(q, out double k, out double t);
            SinDual.Dual(q, q, q, out double k2, out double t2);
            Assert.Equal(k, k2);
            Assert.Equal(t, t2);
            // (1 − e^(−2q))/2 by its series for small q: q − q² + 2q³/3 − q⁴/3 (+ 2q⁵/15 …).
            if (q <= 1e-3) Assert.Equal(q - q * q + 2 * q * q * q / 3 - q * q * q * q / 3, k, q * 1e-12);
        }
    }

    [Fact]
    public void GeluMatchesTheOneDimensionalClosedFormReference()
    {
        var dual = AdaptiveDual.Create(new GeluFunction(), "Test.Gelu");
        var (k, t, where) = Worst(dual, (q1, q2, c) =>
        {
            double rho = q1 * q2 == 0 ? 0 : Math.Clamp(c / (Math.Sqrt(q1) * Math.Sqrt(q2)), -1, 1);
            return AnalyticReference.GeluPair(q1, q2, rho);
        }, VariancePairs(), Angles);
        Assert.True(k < Tol && t < Tol, $"gelu: K̃ {k:E2}, Ṫ {t:E2} at {where}");
    }

    public static TheoryData<string> Saturating => new() { "tanh", "sigmoid", "softplus" };

    [Theory]
    [MemberData(nameof(Saturating))]
    public void SaturatingActivationsMatchNestedGaussLegendre(string name)
    {
        (Func<double, double> f, Func<double, double> df) = name switch
        {
            "tanh" => ((Func<double, double>)Math.Tanh, (Func<double, double>)(x => 1 / (Math.Cosh(x) * Math.Cosh(x)))),
            "sigmoid" => (x => 0.5 + 0.5 * Math.Tanh(0.5 * x), x => 0.25 / (Math.Cosh(0.5 * x) * Math.Cosh(0.5 * x))),
            _ => (x => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))), x => 0.5 + 0.5 * Math.Tanh(0.5 * x)),
        };
        IDualIntegrator dual = name switch
        {
            "tanh" => AdaptiveDual.Create(new TanhFunction(), "Test.Tanh"),
            "sigmoid" => AdaptiveDual.Create(new SigmoidFunction(), "Test.Sigmoid"),
            _ => AdaptiveDual.Create(new SoftplusFunction(), "Test.Softplus"),
        };
        (double, double)[] pairs = [(1e-6, 1e-6), (1.0, 1.0), (1e3, 1e3), (1e8, 1e8), (0.3, 1e5)];
        double[] angles = [1e-3, 0.5, 2.5, Math.PI - 1e-3];
        foreach (var (q1, q2) in pairs)
        {
            double k1 = AnalyticReference.Square(f, q1), k2 = AnalyticReference.Square(f, q2);
            double t1 = AnalyticReference.Square(df, q1), t2 = AnalyticReference.Square(df, q2);
            dual.Diagonal(q1, out double kd, out double td);
            Assert.True(Math.Abs(kd - k1) <= Tol * k1 && Math.Abs(td - t1) <= Tol * t1, $"{name} diagonal at {q1}: {kd:R} vs {k1:R}, {td:R} vs {t1:R}");
            foreach (double theta in angles)
            {
                double rho = Math.Cos(theta);
                dual.Dual(q1, q2, rho * Math.Sqrt(q1) * Math.Sqrt(q2), out double k, out double t);
                double ke = AnalyticReference.Pair(f, f, q1, q2, rho), te = AnalyticReference.Pair(df, df, q1, q2, rho);
                Assert.True(Math.Abs(k - ke) <= Tol * Scale(k1, k2), $"{name} K̃ at q1={q1}, q2={q2}, θ={theta}: {k:R} vs {ke:R}");
                Assert.True(Math.Abs(t - te) <= Tol * Scale(t1, t2), $"{name} Ṫ at q1={q1}, q2={q2}, θ={theta}: {t:R} vs {te:R}");
            }
        }
    }

    [Fact]
    public void SaturationLimitIsTheArcsineLaw()
    {
        // tanh(√q z) → sign z as q → ∞, and E[sign u sign v] = (2/π) arcsin ρ (Sheppard); the gap is O(q^(−1/2)).
        var dual = AdaptiveDual.Create(new TanhFunction(), "Test.Tanh");
        foreach (double rho in new[] { -0.9, -0.3, 0.2, 0.8 })
        {
            double prev = double.PositiveInfinity;
            foreach (double q in new[] { 1e4, 1e6, 1e8 })
            {
                dual.Dual(q, q, rho * q, out double k, out _);
                double gap = Math.Abs(k - 2 / Math.PI * Math.Asin(rho));
                Assert.True(gap < 5 / Math.Sqrt(q), $"ρ={rho}, q={q}: gap {gap:E2}");
                Assert.True(gap < prev);
                prev = gap;
            }
        }
    }

    [Fact]
    public void ExponentialActivationFollowsItsMassInsteadOfAFixedRange()
    {
        // E[e^u e^v] = e^((q1 + q2)/2 + c): at q = 16 the mass of e^(2u) sits at z = 8, outside a fixed |z| ≤ 8.5 rule.
        var dual = AdaptiveDual.Create(new Exp(), "Test.Exp");
        foreach (double q in new[] { 0.5, 4.0, 16.0, 40.0 })
            foreach (double rho in new[] { -0.7, 0.0, 0.9, 1.0 })
            {
                double c = rho * q;
                dual.Dual(q, q, c, out double k, out double t);
                double exact = Math.Exp(q + c), scale = Math.Exp(2 * q);
                Assert.True(Math.Abs(k - exact) <= Tol * scale, $"exp at q={q}, ρ={rho}: {k:R} vs {exact:R}");
                Assert.True(Math.Abs(t - exact) <= Tol * scale, $"exp' at q={q}, ρ={rho}");
            }
        dual.Diagonal(16.0, out double kd, out _);
        Assert.Equal(Math.Exp(32.0), kd, Math.Exp(32.0) * Tol);
    }

    [Fact]
    public void OverflowAndNaNThrowNamingTheLayerAndTheVariance()
    {
        var dual = AdaptiveDual.Create(new Exp(), "Net.Hidden (Exp)");
        // E[e^(2u)] = e^(2q) overflows for q > 355.
        var e = Assert.Throws<DualActivationException>(() => dual.Diagonal(400.0, out _, out _));
        Assert.Contains("Net.Hidden (Exp)", e.Message);
        Assert.Contains("400", e.Message);
        Assert.Equal(400.0, e.Variance1);
        var e2 = Assert.Throws<DualActivationException>(() => dual.Dual(400.0, 1.0, 3.0, out _, out _));
        Assert.Equal("Net.Hidden (Exp)", e2.Layer);
        var nan = AdaptiveDual.Create(new HalfNaN(), "Net.Broken");
        var e3 = Assert.Throws<DualActivationException>(() => nan.Dual(4.0, 4.0, 1.0, out _, out _));
        Assert.Contains("non-finite", e3.Message);
    }

    [Fact]
    public void SaturatedDerivativeFollowsItsAsymptoticsUpToTheCertifiedLimitAndThrowsBeyond()
    {
        // E[tanh'(√q Z)²] → ϕ(0)·∫ sech⁴ x dx/√q = (4/3)/√(2πq), with a relative correction O(1/q).
        var dual = AdaptiveDual.Create(new TanhFunction(), "Net.Hidden (Tanh)");
        foreach (double q in new[] { 1e12, 1e16, 1e20, 1e24 })
        {
            dual.Diagonal(q, out _, out double t);
            double asymptotic = 4.0 / 3.0 / Math.Sqrt(2 * Math.PI * q);
            Assert.True(Math.Abs(t - asymptotic) <= 1e-10 * asymptotic, $"q={q}: {t:R} vs {asymptotic:R}");
        }
        var e = Assert.Throws<DualActivationException>(() => dual.Diagonal(1e30, out _, out _));
        Assert.Contains("Net.Hidden (Tanh)", e.Message);
        Assert.Throws<DualActivationException>(() => dual.Dual(1.0, 1e60, 0.5, out _, out _));
    }

    [Fact]
    public void InvalidCovarianceIsRejected()
    {
        var dual = AdaptiveDual.Create(new TanhFunction(), "Test.Tanh");
        Assert.Throws<ArgumentOutOfRangeException>(() => dual.Dual(-1.0, 1.0, 0.0, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => dual.Dual(double.PositiveInfinity, 1.0, 0.0, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => dual.Diagonal(double.NaN, out _, out _));
    }

    [Fact]
    public void ZeroVarianceUsesTheValueAtZero()
    {
        // u ≡ 0: K̃ = φ(0)·E[φ(v)], Ṫ = φ'(0)·E[φ'(v)]; for softplus φ(0) = log 2, φ'(0) = 1/2, and E[σ(v)] = 1/2 by symmetry.
        var dual = AdaptiveDual.Create(new SoftplusFunction(), "Test.Softplus");
        dual.Dual(0.0, 2.0, 0.0, out double k, out double t);
        double meanSoftplus = AnalyticReference.Expect(z => Math.Max(Math.Sqrt(2) * z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(Math.Sqrt(2) * z))), 0, 1);
        Assert.Equal(Math.Log(2) * meanSoftplus, k, 1e-13);
        Assert.Equal(0.25, t, 1e-14);
        dual.Dual(0.0, 0.0, 0.0, out k, out t);
        Assert.Equal(Math.Log(2) * Math.Log(2), k, 1e-15);
        Assert.Equal(0.25, t, 1e-15);
    }
}
