using System.Numerics;
using NtkDsl.Analytic;
using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Models;
using NtkDsl.Tests.Regression;

namespace NtkDsl.Tests.Analytic;

/// <summary>
/// Issue 13 item 3: x = x' gives ρ = 1 exactly in every kernel path (symmetric, cross with a copy, diagonal, per-group,
/// weighted, runtime <see cref="AnalyticMlp"/>), and near-1 correlations get an accurate angle.
/// </summary>
public sealed class ExactDiagonalTests
{
    private static Tensor Rows(int n, int d, long seed) => Tensor.FromArray(DenseReference.Normal(n * d, seed), n, d);

    /// <summary>
    /// Six ReLU layers, σ_w² = 2, no bias: q stays σ_w²·|x|²/d at every layer and σ_w²·Ṫ = 1, so Θ(x, x) = 7·2|x|²/50
    /// in closed form (|x|² summed exactly in BigInteger arithmetic here).
    /// </summary>
    [Fact]
    public void IssueCaseDiagonalEqualsTheClosedFormInEveryPath()
    {
        var mlp = new AnalyticMlp(50,
            Enumerable.Range(0, 6).Select(_ => new AnalyticHiddenLayer(AnalyticActivation.Relu, 2.0, 0.0, UseBias: false)).ToArray(),
            new AnalyticReadout(2.0, 0.0, UseBias: false));
        double worst = 0;
        for (long seed = 1; seed <= 5; seed++)
        {
            var x = Rows(30, 50, seed);
            double[] flat = x.ToFlatArray();
            var sym = DeepRelu6.AnalyticNtk(x).ToFlatArray();
            var cross = DeepRelu6.AnalyticNtk(x, x.Clone()).ToFlatArray();
            var diag = DeepRelu6.AnalyticNtkDiagonal(x).ToFlatArray();
            var runtime = mlp.Ntk(x).ToFlatArray();
            var runtimeCross = mlp.Ntk(x, x.Clone()).ToFlatArray();
            for (int i = 0; i < 30; i++)
            {
                double expected = 7.0 * 2.0 * ExactSquaredNorm(flat.AsSpan(i * 50, 50)) / 50.0;
                foreach (double v in new[] { sym[i * 31], cross[i * 31], diag[i], runtime[i * 31], runtimeCross[i * 31] })
                    worst = Math.Max(worst, Math.Abs(v - expected) / expected);
                Assert.Equal(diag[i], sym[i * 31]);
                Assert.Equal(diag[i], cross[i * 31]);
                Assert.Equal(runtime[i * 31], runtimeCross[i * 31]);
            }
        }
        // Before the fix some rows were off by 1.4e−8 (θ ≈ 1.5e−8 per layer from a one-ulp ρ); 1e−14 covers the
        // double-precision sum of 50 squares.
        Assert.True(worst < 1e-14, $"worst relative error {worst:E3}");
    }

    /// <summary>Cross kernels with a (permuted, partly duplicated) copy of x reproduce the symmetric kernel bit for bit.</summary>
    [Fact]
    public void CrossKernelWithACopyEqualsTheSymmetricKernelBitwise()
    {
        var x = Rows(23, 50, 7);
        int[] perm = [5, 0, 5, 22, 13, 1, 1, 9];
        var copy = Tensor.FromArray(perm.SelectMany(p => x.ToFlatArray().AsSpan(p * 50, 50).ToArray()).ToArray(), perm.Length, 50);
        var weights = new GroupWeights().Weights("Hidden3", 0.3).Weights("Readout", 2.5);
        ExpectRows(DeepRelu6.AnalyticNtk(x), DeepRelu6.AnalyticNtk(x, copy), perm, "AnalyticNtk");
        ExpectRows(DeepRelu6.AnalyticNngp(x), DeepRelu6.AnalyticNngp(x, copy), perm, "AnalyticNngp");
        ExpectRows(DeepRelu6.AnalyticWntk(x, null, weights), DeepRelu6.AnalyticWntk(x, copy, weights), perm, "AnalyticWntk");

        var xm = Rows(17, 7, 8);
        var copyM = Tensor.FromArray(perm.Select(p => p % 17).SelectMany(p => xm.ToFlatArray().AsSpan(p * 7, 7).ToArray()).ToArray(), perm.Length, 7);
        int[] permM = perm.Select(p => p % 17).ToArray();
        ExpectRows(MixedClosedForms.AnalyticNtk(xm), MixedClosedForms.AnalyticNtk(xm, copyM), permM, "mixed closed forms");
        var diagM = MixedClosedForms.AnalyticNtkDiagonal(xm).ToFlatArray();
        var symM = MixedClosedForms.AnalyticNtk(xm).ToFlatArray();
        for (int i = 0; i < 17; i++) Assert.Equal(diagM[i], symM[i * 17 + i]);

        // A quadrature activation (tanh) after erf: the engine's Dual at (q, q, q) must equal its Diagonal(q).
        var xe = Rows(11, 4, 9);
        int[] permE = [3, 3, 10, 0];
        var copyE = Tensor.FromArray(permE.SelectMany(p => xe.ToFlatArray().AsSpan(p * 4, 4).ToArray()).ToArray(), permE.Length, 4);
        ExpectRows(ErfTanhNtk.AnalyticNtk(xe), ErfTanhNtk.AnalyticNtk(xe, copyE), permE, "erf–tanh");

        // Runtime AnalyticMlp: kernels and every per-group block.
        var mlp = new AnalyticMlp(7, [new(AnalyticActivation.LeakyRelu, 1.7, 0.1, LeakySlope: 0.2), new(AnalyticActivation.Abs, 1.2, 0.3), new(AnalyticActivation.Erf, 1.5, 0.2)], new AnalyticReadout(1.1, 0.05));
        var ks = mlp.Kernels(xm);
        var kc = mlp.Kernels(xm, copyM);
        ExpectRows(ks.Ntk, kc.Ntk, permM, "AnalyticMlp NTK");
        ExpectRows(ks.Nngp, kc.Nngp, permM, "AnalyticMlp NNGP");
        for (int g = 0; g < ks.Blocks.Count; g++) ExpectRows(ks.Blocks[g], kc.Blocks[g], permM, "AnalyticMlp block " + ks.GroupNames[g]);
    }

    /// <summary>The empirical NTK: cross tiles with a copy of x equal the symmetric tiles bit for bit, in every mode.</summary>
    [Fact]
    public void EmpiricalCrossKernelWithACopyEqualsTheSymmetricKernelBitwise()
    {
        var model = new MixedClosedForms(3);
        var x = Rows(40, 7, 10);
        var copy = x.Clone();
        Assert.Equal(model.Ntk(x).ToFlatArray(), model.Ntk(x, copy).ToFlatArray());
        Assert.Equal(model.Ntk(x, mode: NtkMode.Full).ToFlatArray(), model.Ntk(x, copy, NtkMode.Full).ToFlatArray());
        var weights = new GroupWeights().Layer("Hidden2", 0.4);
        Assert.Equal(model.Wntk(x, null, weights).ToFlatArray(), model.Wntk(x, copy, weights).ToFlatArray());
        var blocks = model.NtkPerGroup(x);
        var blocksCross = model.NtkPerGroup(x, copy);
        for (int g = 0; g < blocks.Count; g++) Assert.Equal(blocks[g].ToFlatArray(), blocksCross[g].ToFlatArray());
    }

    /// <summary>
    /// Near ρ = 1 the angle comes from the exact determinant: ReLU's Ṫ = 1/2 − θ/(2π) against θ = arcsin(√(q1q2 − c²)/√(q1q2))
    /// with q1q2 − c² evaluated exactly in BigInteger arithmetic. arccos of the rounded ρ was off by ~ε/θ.
    /// </summary>
    [Theory]
    [InlineData(1.7, 0.9, 1e-6)]
    [InlineData(1.7, 0.9, 1e-10)]
    [InlineData(0.3, 0.3000000001, 1e-12)]
    [InlineData(2.5e7, 3.1e-3, 1e-13)]
    [InlineData(1.0, 1.0, 3e-15)]
    public void NearOneCorrelationAngleIsAccurate(double q1, double q2, double delta)
    {
        double c = Math.Sqrt(q1 * q2) * (1.0 - delta);
        double det = ExactDeterminant(q1, q2, c);
        double theta = Math.Asin(Math.Sqrt(det / q1 / q2));
        DualActivations.Relu(q1, q2, c, out double kTilde, out double tDot);
        Assert.True(Math.Abs(tDot - (0.5 - theta / (2 * Math.PI))) <= 3e-16, $"Ṫ = {tDot:R}, reference {0.5 - theta / (2 * Math.PI):R}");
        // K̃ = √(q1q2)/(2π)·(sin θ + (π − θ) cos θ) with sin θ, cos θ from the exact determinant.
        double sq = Math.Sqrt(q1 * q2);
        double sin = Math.Sqrt(det) / sq, cos = c / sq;
        double expected = sq / (2 * Math.PI) * (sin + (Math.PI - theta) * cos);
        Assert.True(Math.Abs(kTilde - expected) <= 1e-15 * expected, $"K̃ = {kTilde:R}, reference {expected:R}");
        // |x|: Ṫ = (2/π)·arcsin ρ = 1 − 2θ/π.
        DualActivations.Abs(q1, q2, c, out _, out double absDot);
        Assert.True(Math.Abs(absDot - (1 - 2 * theta / Math.PI)) <= 5e-16, $"|x| Ṫ = {absDot:R}");
    }

    /// <summary>erf at large variance and ρ near 1: K̃ = (2/π)·arcsin(2c/√((1 + 2q1)(1 + 2q2))) from the exact
    /// (1 + 2q1)(1 + 2q2) − 4c² (BigInteger); the arcsine of a rounded argument near 1 was off by ~√ε.</summary>
    [Theory]
    [InlineData(3e9, 2e9, 1e-12)]
    [InlineData(4e12, 4e12, 0.0)]
    [InlineData(1e6, 1e6, 1e-9)]
    public void ErfNearOneIsAccurateAtLargeVariance(double q1, double q2, double delta)
    {
        double c = Math.Sqrt(q1 * q2) * (1.0 - delta);
        if (q1 == q2 && delta == 0) c = q1;
        var (m1, m2, mc) = (Exact(q1, 1100), Exact(q2, 1100), Exact(Math.Min(c, Math.Sqrt(q1) * Math.Sqrt(q2)), 1100));
        var one = BigInteger.One << 1100;
        BigInteger det = (one + 2 * m1) * (one + 2 * m2) - 4 * mc * mc; // scaled by 2^2200
        double detD = ToDouble(det, 2200);
        double expectedK = 2 / Math.PI * Math.Atan2(2 * c, Math.Sqrt(detD));
        double expectedT = 4 / Math.PI / Math.Sqrt(detD);
        DualActivations.Erf(q1, q2, c, out double kTilde, out double tDot);
        Assert.True(Math.Abs(kTilde - expectedK) <= 4e-16, $"K̃ = {kTilde:R}, reference {expectedK:R}");
        Assert.True(Math.Abs(tDot - expectedT) <= 1e-13 * expectedT, $"Ṫ = {tDot:R}, reference {expectedT:R}");
    }

    private static void ExpectRows(Tensor symmetric, Tensor cross, int[] perm, string what)
    {
        int n = symmetric.Rows, m = perm.Length;
        Assert.Equal(new[] { n, m }, cross.Shape.ToArray());
        var s = symmetric.ToFlatArray();
        var c = cross.ToFlatArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                if (i == perm[j] && s[i * n + i] != c[i * m + j])
                    Assert.Fail($"{what}: K(x_{i}, copy of x_{i}) = {c[i * m + j]:R} differs from K(x_{i}, x_{i}) = {s[i * n + i]:R}");
    }

    /// <summary>|u|² exactly (BigInteger on the binary significands), rounded once.</summary>
    private static double ExactSquaredNorm(ReadOnlySpan<double> u)
    {
        BigInteger sum = BigInteger.Zero;
        foreach (double v in u) { var m = Exact(v, 1100); sum += m * m; }
        return ToDouble(sum, 2200);
    }

    private static double ExactDeterminant(double q1, double q2, double c)
    {
        BigInteger det = Exact(q1, 1100) * Exact(q2, 1100) - Exact(c, 1100) * Exact(c, 1100);
        Assert.True(det.Sign > 0);
        return ToDouble(det, 2200);
    }

    /// <summary>v·2^−shift for a non-negative integer v, rounded to double (the top 62 bits, then an exact scaling).</summary>
    private static double ToDouble(BigInteger v, int shift)
    {
        int drop = Math.Max(0, (int)v.GetBitLength() - 62);
        return Math.ScaleB((double)(long)(v >> drop), drop - shift);
    }

    /// <summary>v·2^shift as an exact integer (v a double with |v| ≥ 2^−shift·ulp).</summary>
    private static BigInteger Exact(double v, int shift)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent++; else mantissa |= 1L << 52;
        int e = exponent - 1075 + shift; // v = mantissa·2^(exponent − 1075)
        Assert.True(e >= 0, "shift too small for this value");
        var r = new BigInteger(mantissa) << e;
        return negative ? -r : r;
    }
}
