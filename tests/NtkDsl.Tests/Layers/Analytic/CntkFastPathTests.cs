using NtkDsl.Analytic;
using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;
using static NtkDsl.Tests.Layers.Analytic.CntkTestModels;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>
/// The fast paths of the pixel-pair recursion against independent references: the SIMD piecewise-linear dual against
/// the scalar closed form (<see cref="DualActivations.AbRelu(double, double, double, double, double, double, out double, out double)"/>),
/// its arctangent against Math.Atan2, the run-based window sum against the entry-by-entry definition written here,
/// and models starting with average pooling (pooled once per example) against <see cref="CntkReference"/>.
/// </summary>
public sealed class CntkFastPathTests
{
    public static TheoryData<double, double, double> PiecewiseLinear => new()
    {
        { 0.0, 1.0, 0.0 },     // ReLU
        { 0.1, 1.0, 0.1 },     // leaky ReLU
        { -1.0, 1.0, 0.0 },    // |x|
    };

    [Theory]
    [MemberData(nameof(PiecewiseLinear))]
    public void RowDualMatchesTheScalarDual(double a, double b, double d0)
    {
        var rng = new Random(3);
        // Rows of every length up to 3 vectors (the padded tail) with random, parallel, anti-parallel, nearly parallel,
        // equal-variance, zero-variance and extreme pairs.
        for (int n = 1; n <= 3 * System.Numerics.Vector<double>.Count + 1; n++)
            for (int trial = 0; trial < 40; trial++)
            {
                double q1 = trial % 7 == 0 ? 0.0 : trial % 11 == 0 ? 1e-300 : Math.Exp(4 * rng.NextDouble() - 2);
                var q2 = new double[n];
                var c = new double[n];
                var t = new double[n];
                for (int j = 0; j < n; j++)
                {
                    q2[j] = (trial + j) % 5 == 0 ? q1 : (trial + j) % 13 == 0 ? 0.0 : Math.Exp(4 * rng.NextDouble() - 2);
                    double sq = Math.Sqrt(q1 * q2[j]);
                    c[j] = ((trial + j) % 6) switch
                    {
                        0 => sq,                                  // parallel
                        1 => -sq,                                 // anti-parallel
                        2 => sq * (1 - 1e-12 * rng.NextDouble()), // θ → 0
                        3 => -sq * (1 - 1e-9 * rng.NextDouble()), // θ → π
                        4 => sq * (1 + 1e-15),                    // rounding past |ρ| = 1
                        _ => sq * (2 * rng.NextDouble() - 1),
                    };
                    t[j] = 0.5 + rng.NextDouble();
                }
                var k = (double[])c.Clone();
                var tt = (double[])t.Clone();
                PiecewiseLinearDualRow.Apply(a, b, d0, q1, q2, k, tt);
                for (int j = 0; j < n; j++)
                {
                    DualActivations.AbRelu(a, b, d0, q1, q2[j], c[j], out double kRef, out double tRef);
                    // Relative 1e-13, plus a few ulps of the scale of each quantity (Ṫ ≤ (a² + b²)/2, |K̃| ≤ (a² + b²)·√(q1 q2)):
                    // where Ṫ = ((a² + b²)(π − θ) + 2abθ)/(2π) cancels (θ → π for ReLU, θ → π/2 for |x|) both
                    // implementations carry that absolute rounding error, and their relative difference can exceed 1e−13.
                    double sumSq = a * a + b * b;
                    AssertRelative(kRef, k[j], 1e-13, 4e-16 * sumSq * Math.Sqrt(q1 * q2[j]), $"K̃ (a {a}, q1 {q1:R}, q2 {q2[j]:R}, c {c[j]:R})");
                    AssertRelative(tRef * t[j], tt[j], 1e-13, 4e-16 * sumSq * t[j], $"Ṫ (a {a}, q1 {q1:R}, q2 {q2[j]:R}, c {c[j]:R})");
                    if (q1 == q2[j] && c[j] >= q1) // the exact diagonal: bit for bit
                    {
                        Assert.Equal(kRef, k[j]);
                        Assert.Equal(tRef * t[j], tt[j]);
                    }
                }
            }
    }

    [Fact]
    public void RowDualIsSymmetricInTheVariancesBitForBit()
    {
        var rng = new Random(8);
        int n = 11;
        var qa = Enumerable.Range(0, n).Select(_ => Math.Exp(2 * rng.NextDouble() - 1)).ToArray();
        var qb = Enumerable.Range(0, n).Select(_ => Math.Exp(2 * rng.NextDouble() - 1)).ToArray();
        var c = new double[n * n];
        for (int i = 0; i < c.Length; i++) c[i] = (2 * rng.NextDouble() - 1) * Math.Sqrt(qa[i / n] * qb[i % n]);
        var kab = (double[])c.Clone();
        var tab = Enumerable.Repeat(1.0, n * n).ToArray();
        for (int p = 0; p < n; p++) PiecewiseLinearDualRow.Apply(0, 1, 0, qa[p], qb, kab.AsSpan(p * n, n), tab.AsSpan(p * n, n));
        var kba = new double[n * n];
        for (int p = 0; p < n; p++)
            for (int p2 = 0; p2 < n; p2++) kba[p2 * n + p] = c[p * n + p2];
        var tba = Enumerable.Repeat(1.0, n * n).ToArray();
        for (int p2 = 0; p2 < n; p2++) PiecewiseLinearDualRow.Apply(0, 1, 0, qb[p2], qa, kba.AsSpan(p2 * n, n), tba.AsSpan(p2 * n, n));
        for (int p = 0; p < n; p++)
            for (int p2 = 0; p2 < n; p2++)
            {
                Assert.Equal(kab[p * n + p2], kba[p2 * n + p]);
                Assert.Equal(tab[p * n + p2], tba[p2 * n + p]);
            }
    }

    [Fact]
    public void RowDualRejectsANegativeVarianceAsTheScalarDualDoes()
    {
        var k = new double[] { 0.1, 0.2 };
        var t = new double[] { 1, 1 };
        Assert.Throws<ArgumentOutOfRangeException>(() => PiecewiseLinearDualRow.Apply(0, 1, 0, -1.0, [1.0, 2.0], k, t));
        Assert.Throws<ArgumentOutOfRangeException>(() => PiecewiseLinearDualRow.Apply(0, 1, 0, 1.0, [1.0, 2.0], new[] { double.NaN, 0.2 }, t));
    }

    [Fact]
    public void VectorArctangentMatchesMathAtan2()
    {
        var rng = new Random(4);
        int w = System.Numerics.Vector<double>.Count;
        var ys = new double[w];
        var xs = new double[w];
        double worst = 0;
        for (int trial = 0; trial < 20000; trial++)
        {
            for (int l = 0; l < w; l++)
            {
                double scale = Math.Exp(20 * rng.NextDouble() - 10);
                ys[l] = (trial % 9 == 0 ? 1e-9 : 1.0) * scale * rng.NextDouble();
                xs[l] = scale * (2 * rng.NextDouble() - 1);
                if (trial % 17 == 0) xs[l] = 0.0;
                if (ys[l] == 0 && xs[l] == 0) ys[l] = 1;
            }
            var r = PiecewiseLinearDualRow.Atan2NonNegative(new System.Numerics.Vector<double>(ys), new System.Numerics.Vector<double>(xs));
            for (int l = 0; l < w; l++)
            {
                double expected = Math.Atan2(ys[l], xs[l]);
                double err = Math.Abs(r[l] - expected) / expected;
                worst = Math.Max(worst, err);
                Assert.True(err <= 1e-15, $"atan2({ys[l]:R}, {xs[l]:R}) = {r[l]:R}, Math.Atan2 {expected:R} (relative {err:E2})");
            }
        }
        Assert.True(worst > 0 || w == 1, "the comparison saw no rounding difference at all; the test is not exercising the vector path");
    }

    public static TheoryData<int, int, int, int, Padding> Windows => new()
    {
        { 7, 6, 3, 1, Padding.Same },
        { 7, 6, 3, 2, Padding.Same },
        { 9, 5, 3, 2, Padding.Valid },
        { 5, 5, 2, 1, Padding.Circular },
        { 6, 7, 4, 3, Padding.Same },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void RunBasedWindowSumEqualsTheEntryByEntryDefinition(int h, int w, int k, int stride, Padding padding)
    {
        int oh = SpatialGeometry.OutputSize(h, k, stride, padding), ow = SpatialGeometry.OutputSize(w, k, stride, padding);
        int[] srcH = Sources(h, oh, k, stride, padding), srcW = Sources(w, ow, k, stride, padding);
        var rng = new Random(h * 31 + w);
        int n = h * w;
        var m = Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var result = new double[oh * ow * oh * ow];
        PixelPairOps.ConvolveDiagonal(m, h, w, oh, ow, k, srcH, srcW, new WindowRuns(srcH, oh, k), new WindowRuns(srcW, ow, k),
            new double[oh * w * oh * w], result);
        int n2 = oh * ow;
        for (int qh = 0; qh < oh; qh++)
            for (int qw = 0; qw < ow; qw++)
                for (int qh2 = 0; qh2 < oh; qh2++)
                    for (int qw2 = 0; qw2 < ow; qw2++)
                    {
                        // (1/k²) Σ_{a,b} M[(sh(qh,a), sw(qw,b)), (sh(qh',a), sw(qw',b))], padding contributing 0.
                        double s = 0;
                        for (int a = 0; a < k; a++)
                            for (int b = 0; b < k; b++)
                            {
                                int r1 = srcH[qh * k + a], c1 = srcW[qw * k + b], r2 = srcH[qh2 * k + a], c2 = srcW[qw2 * k + b];
                                if (r1 < 0 || c1 < 0 || r2 < 0 || c2 < 0) continue;
                                s += m[(r1 * w + c1) * n + r2 * w + c2];
                            }
                        double expected = s / (k * k);
                        double actual = result[(qh * ow + qw) * n2 + qh2 * ow + qw2];
                        Assert.True(Math.Abs(actual - expected) <= 1e-14 * (1 + Math.Abs(expected)), $"R[({qh},{qw}),({qh2},{qw2})] = {actual:R}, expected {expected:R}");
                    }
    }

    /// <summary>6 × 6 × 2: two leading pools (pooled once per example) before convolutions, a residual and LayerNorm (the means through the pools).</summary>
    private static LayerSpec[] PooledInput(bool flatten) =>
    [
        new AvgPool2DSpec("P0", 2, 1, Padding.Same),
        new AvgPool2DSpec("P1", 2, 2, Padding.Valid),
        Conv("C1", 2, 3, Relu, sw: 1.3, sb: 0.2),
        Conv("C2", 2, 3, Relu, sw: 1.1, sb: 0.3),
        new AddSpec("Skip", "C1"),
        new LayerNormSpec("Norm", 1e-3),
        flatten ? new FlattenSpec("Flat") : new GlobalAvgPoolSpec("Gap"),
        Dense("Out", 1, Identity, sw: 0.9, sb: 0.2),
    ];

    /// <summary>A leading pool that a later Add reads: not pooled per example (it must be held), the general path.</summary>
    private static LayerSpec[] PooledSource() =>
    [
        new AvgPool2DSpec("P0", 2, 1, Padding.Same),
        Conv("C1", 2, 3, Relu, sw: 1.3, sb: 0.2),
        new AddSpec("Skip", "P0"),
        new GlobalAvgPoolSpec("Gap"),
        Dense("Out", 1, Identity, sw: 0.9, sb: 0.2),
    ];

    public static TheoryData<string> PooledModels => ["gap", "flatten", "source"];

    [Theory]
    [MemberData(nameof(PooledModels))]
    public void ModelsStartingWithPoolingMatchTheReference(string name)
    {
        var layers = name switch { "gap" => PooledInput(false), "flatten" => PooledInput(true), _ => PooledSource() };
        int[] shape = [6, 6, 2];
        var plan = new SpatialKernelPlan(layers, shape, Parameterization.Ntk, "M");
        Assert.Equal(name == "source" ? 0 : 2, plan.InputPoolSteps);
        var x1 = Images(3, shape, 21);
        var x2 = Images(2, shape, 22);
        int groups = SpatialKernelRecursion.GroupCount(layers, shape, Parameterization.Ntk);
        var gw = Enumerable.Range(0, groups).Select(g => 0.4 + 0.3 * g).ToArray();
        var nngp = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, gw, false, null, default);
        var wntk = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, gw, true, null, default);
        var reference = new CntkReference(layers, shape, Parameterization.Ntk);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                var (k, t) = reference.Pair(Row(x1, i), Row(x2, j), gw);
                CntkReferenceTests.AssertClose(k, nngp[i, j], 1e-12, $"{name} NNGP[{i},{j}]");
                CntkReferenceTests.AssertClose(t, wntk[i, j], 1e-12, $"{name} WNTK[{i},{j}]");
            }
        var symmetric = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, null, gw, true, null, default);
        for (int i = 0; i < 3; i++)
            CntkReferenceTests.AssertClose(reference.Pair(Row(x1, i), Row(x1, i), gw).Ntk, symmetric[i, i], 1e-12, $"{name} WNTK[{i},{i}]");
    }

    private static int[] Sources(int size, int output, int window, int stride, Padding padding)
    {
        var src = new int[output * window];
        for (int q = 0; q < output; q++)
            for (int a = 0; a < window; a++)
                src[q * window + a] = SpatialGeometry.SourceIndex(q, a, size, window, stride, padding);
        return src;
    }

    private static void AssertRelative(double expected, double actual, double tolerance, double scale, string what)
    {
        double err = Math.Abs(expected - actual);
        double bound = tolerance * Math.Max(Math.Abs(expected), 1e-300) + scale;
        Assert.True(err <= bound, $"{what}: expected {expected:R}, got {actual:R} (difference {err:E2})");
    }
}
