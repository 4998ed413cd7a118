using NtkDsl.Analytic;

namespace NtkDsl.Regression;

/// <summary>
/// The infinite-width NTK (or NNGP) of a ReLU network whose first layer has one prior weight variance per input feature
/// (automatic relevance determination, ARD), with its derivatives with respect to those variances and to the first
/// layer's bias variance — what <see cref="ArdMarginalLikelihood"/> needs for the gradient of the GP marginal likelihood.
/// </summary>
/// <remarks>
/// <para>First layer (math.md §3, NTK parameterization, one variance per feature instead of one σ_w²):
/// K⁰(x, x') = Θ⁰(x, x') = Σ_f v_f·x_f·x'_f/d + b, with v_f = σ_w²·e^{φ_f} and b the first bias variance. This is the
/// network of <see cref="AnalyticMlp.Relu"/> applied to the scaled inputs x_f·e^{φ_f/2} with first-layer bias
/// variance b; unlike per-feature WNTK group weights (<see cref="Wntk.InputFeatureGroups"/>, which only reweight the
/// first layer's own NTK block) the scales change every layer's covariance, so a feature with v_f → 0 disappears from
/// the kernel. Each hidden layer (and the readout) then takes, with p = K(x, x), r = K(x', x'), c = K(x, x') and
/// θ = atan2(√(pr − c²), c), the ReLU dual K̃ = (√(pr − c²) + (π − θ)·c)/(2π), Ṫ = (π − θ)/(2π) and steps
/// K ← σ_w²K̃ + σ_b², Θ ← K + σ_w²ṪΘ, p ← σ_w²p/2 + σ_b².</para>
/// <para>Derivatives (forward mode through the recursion, in the three first-layer inputs p⁰, r⁰, c⁰):
/// ∂K̃/∂c = Ṫ, ∂K̃/∂p = √(pr − c²)/(4πp), ∂K̃/∂r = √(pr − c²)/(4πr); ∂Ṫ/∂c = 1/(2π√(pr − c²)),
/// ∂Ṫ/∂p = −c/(4πp√(pr − c²)), ∂Ṫ/∂r = −c/(4πr√(pr − c²)). At pr = c² (a row with itself or a duplicate row) the
/// three first-layer inputs move together and dṪ = (dc − c·dp/(2p) − c·dr/(2r))/(2π√(pr − c²)) is 0/0 with limit 0
/// along that direction, so it is set to 0 there (pr − c² ≤ 1e-14·pr). Then ∂K_ij/∂φ_f = (v_f/d)·(K_p·x_if² +
/// K_r·x_jf² + K_c·x_if·x_jf) and ∂K_ij/∂b = K_p + K_r + K_c, with K_p = ∂K_ij/∂p⁰ etc.</para>
/// </remarks>
internal sealed class ArdReluKernel
{
    private const double InvTwoPi = 1.0 / (2.0 * Math.PI);

    /// <summary>A ReLU network of <paramref name="depth"/> hidden layers; every layer above the first has σ_w², σ_b².</summary>
    public ArdReluKernel(int depth, double weightVariance, double biasVariance, bool nngp = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        Depth = depth;
        WeightVariance = weightVariance;
        BiasVariance = biasVariance;
        Nngp = nngp;
    }

    /// <summary>Hidden layers.</summary>
    public int Depth { get; }

    /// <summary>σ_w² of every layer (the first layer's per-feature variances are σ_w²·e^{φ_f}).</summary>
    public double WeightVariance { get; }

    /// <summary>σ_b² of every layer above the first.</summary>
    public double BiasVariance { get; }

    /// <summary>Whether the NNGP (last layer's covariance) is returned instead of the NTK.</summary>
    public bool Nngp { get; }

    /// <summary>
    /// The equivalent <see cref="AnalyticMlp"/>: apply it to inputs scaled by <see cref="Scales"/>(φ).
    /// </summary>
    public AnalyticMlp Network(int inputDimension, double firstBiasVariance)
    {
        var hidden = Enumerable.Range(0, Depth).Select(l => new AnalyticHiddenLayer(AnalyticActivation.Relu, WeightVariance,
            l == 0 ? firstBiasVariance : BiasVariance)).ToArray();
        return new AnalyticMlp(inputDimension, hidden, new AnalyticReadout(WeightVariance, BiasVariance));
    }

    /// <summary>The input multipliers e^{φ_f/2}.</summary>
    public static double[] Scales(ReadOnlySpan<double> logVariances)
    {
        var s = new double[logVariances.Length];
        for (int f = 0; f < s.Length; f++) s[f] = Math.Exp(0.5 * logVariances[f]);
        return s;
    }

    /// <summary>
    /// The n × n kernel of the rows of <paramref name="x"/> (row-major n × d) with log feature variances φ (length d)
    /// and first bias variance b; when <paramref name="dp"/> and <paramref name="dc"/> are given (length n²) they receive
    /// ∂K_ij/∂p⁰_i (not symmetric: ∂K_ij/∂r⁰_j = dp[j, i]) and ∂K_ij/∂c⁰_ij.
    /// </summary>
    public double[] Kernel(double[] x, int n, int d, ReadOnlySpan<double> logVariances, double firstBias, double[]? dp = null, double[]? dc = null)
    {
        var v = new double[d];
        for (int f = 0; f < d; f++) v[f] = WeightVariance * Math.Exp(logVariances[f]) / d;
        var q = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = firstBias;
            for (int f = 0; f < d; f++) s += v[f] * x[i * d + f] * x[i * d + f];
            q[i] = s;
        }
        var k = new double[(long)n * n];
        bool derivatives = dp is not null && dc is not null;
        global::NtkDsl.Kernels.ParallelLoop.For(0, n, i =>
        {
            for (int j = i; j < n; j++)
            {
                double c = firstBias;
                for (int f = 0; f < d; f++) c += v[f] * x[i * d + f] * x[j * d + f];
                double value = Pair(q[i], q[j], c, out double kp, out double kr, out double kc);
                k[(long)i * n + j] = value;
                k[(long)j * n + i] = value;
                if (derivatives)
                {
                    dp![(long)i * n + j] = kp;
                    dp[(long)j * n + i] = kr;
                    dc![(long)i * n + j] = kc;
                    dc[(long)j * n + i] = kc;
                }
            }
        });
        return k;
    }

    /// <summary>One pair: the kernel and its partial derivatives in the first layer's p⁰, r⁰, c⁰ (see remarks).</summary>
    public double Pair(double p, double r, double c, out double dKdp, out double dKdr, out double dKdc)
    {
        double wv = WeightVariance, bv = BiasVariance;
        double pp = 1, rr = 1;              // dp/dp⁰, dr/dr⁰
        double cP = 0, cR = 0, cC = 1;      // dc/d(p⁰, r⁰, c⁰)
        double t = c, tP = 0, tR = 0, tC = 1; // Θ and its derivatives
        for (int l = 0; l < Depth; l++)
        {
            double det = p * r - c * c;
            double sq = det > 1e-14 * p * r ? Math.Sqrt(det) : 0.0;
            double ang = Math.PI - Math.Atan2(sq, c);
            double kt = (sq + ang * c) * InvTwoPi;
            double td = ang * InvTwoPi;
            double ktp = 0.5 * sq * InvTwoPi / p, ktr = 0.5 * sq * InvTwoPi / r, ktc = td;
            double tdp = 0, tdr = 0, tdc = 0;
            if (sq > 0)
            {
                tdc = InvTwoPi / sq;
                tdp = -0.5 * c * InvTwoPi / (p * sq);
                tdr = -0.5 * c * InvTwoPi / (r * sq);
            }
            double ktP = ktp * pp + ktc * cP, ktR = ktr * rr + ktc * cR, ktC = ktc * cC;
            double tdP = tdp * pp + tdc * cP, tdR = tdr * rr + tdc * cR, tdC = tdc * cC;
            double cn = wv * kt + bv;
            double cnP = wv * ktP, cnR = wv * ktR, cnC = wv * ktC;
            double tn = cn + wv * td * t;
            tP = cnP + wv * (tdP * t + td * tP);
            tR = cnR + wv * (tdR * t + td * tR);
            tC = cnC + wv * (tdC * t + td * tC);
            t = tn;
            c = cn; cP = cnP; cR = cnR; cC = cnC;
            p = 0.5 * wv * p + bv; pp *= 0.5 * wv;
            r = 0.5 * wv * r + bv; rr *= 0.5 * wv;
        }
        if (Nngp)
        {
            dKdp = cP; dKdr = cR; dKdc = cC;
            return c;
        }
        dKdp = tP; dKdr = tR; dKdc = tC;
        return t;
    }
}
