using NtkDsl.Predict;
using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Predict;

/// <summary>
/// <see cref="MonteCarloKernel"/>: exact bookkeeping on two seeds, unbiased convergence to the generated analytic kernels
/// for one-hidden-layer networks (where the mean empirical NNGP and NTK equal the infinite-width kernels at any width,
/// math.md §4, so the analytic value must lie within a few standard errors), and the 1/√n law of the standard error.
/// </summary>
public sealed class MonteCarloKernelTests(ITestOutputHelper output)
{
    private const double Limit = 4.5; // |mean − analytic| / SE per entry: below 1e-5 by chance for a Gaussian mean

    [Fact]
    public void TwoSeedsGiveTheirMeanAndHalfTheirDifferenceAsStandardError()
    {
        var x1 = Zoo.RandomInputs(4, 3, 900);
        var x2 = Zoo.RandomInputs(3, 3, 901);
        var est = MonteCarloKernel.Estimate(s => new ReluNtk(s), x1, x2, samples: 2, firstSeed: 7);
        var a = new ReluNtk(7);
        var b = new ReluNtk(8);
        // Readout NNGP of the NTK parameterization: the readout weight and bias blocks.
        Tensor Nngp(INtkModel m)
        {
            var blocks = m.NtkPerGroup(x1, x2);
            var k = blocks["Readout.Weights"].Clone();
            TensorOps.AddScaled(k, blocks["Readout.Bias"], 1.0);
            return k;
        }
        var (ka, kb) = (Nngp(a), Nngp(b));
        var (ta, tb) = (a.Ntk(x1, x2), b.Ntk(x1, x2));
        Assert.Equal([4, 3], est.Nngp.Shape.ToArray());
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(0.5 * (ka.GetFlat(i) + kb.GetFlat(i)), est.Nngp.GetFlat(i), 1e-14);
            Assert.Equal(0.5 * Math.Abs(ka.GetFlat(i) - kb.GetFlat(i)), est.NngpStandardError.GetFlat(i), 1e-14);
            Assert.Equal(0.5 * (ta.GetFlat(i) + tb.GetFlat(i)), est.Ntk.GetFlat(i), 1e-14);
            Assert.Equal(0.5 * Math.Abs(ta.GetFlat(i) - tb.GetFlat(i)), est.NtkStandardError.GetFlat(i), 1e-14);
        }
        Assert.Equal(2, est.Samples);
        Assert.Equal(7, est.FirstSeed);
        Assert.Equal(NngpEstimator.Readout, est.Estimator);

        // The output estimator: (1/K) Σ_c f_c(x) f_c(x'), K = 2.
        var outs = MonteCarloKernel.Estimate(s => new ReluNtk(s), x1, x2, samples: 2, firstSeed: 7, estimator: NngpEstimator.Outputs);
        var (fa1, fa2, fb1, fb2) = (a.Forward(x1), a.Forward(x2), b.Forward(x1), b.Forward(x2));
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
            {
                double pa = 0.5 * (fa1[i, 0] * fa2[j, 0] + fa1[i, 1] * fa2[j, 1]);
                double pb = 0.5 * (fb1[i, 0] * fb2[j, 0] + fb1[i, 1] * fb2[j, 1]);
                Assert.Equal(0.5 * (pa + pb), outs.Nngp[i, j], 1e-14);
            }
        Assert.Equal(est.Ntk.ToFlatArray(), outs.Ntk.ToFlatArray());
    }

    [Theory]
    [InlineData(NngpEstimator.Readout)]
    [InlineData(NngpEstimator.Outputs)]
    public void OneHiddenLayerMeansLieWithinAFewStandardErrorsOfTheAnalyticKernels(NngpEstimator estimator)
    {
        var x = Zoo.RandomInputs(5, 3, 902);
        var est = MonteCarloKernel.Estimate(s => new Wide512(s), x, samples: 200, firstSeed: 100, estimator: estimator);
        double zk = MaxZ(est.Nngp, est.NngpStandardError, Wide512.AnalyticNngp(x));
        double zt = MaxZ(est.Ntk, est.NtkStandardError, Wide512.AnalyticNtk(x));
        output.WriteLine($"{estimator}: max |z| NNGP {zk:F2}, NTK {zt:F2}; mean relative SE NNGP {RelSe(est.NngpStandardError, est.Nngp):E2}, NTK {RelSe(est.NtkStandardError, est.Ntk):E2}");
        Assert.True(zk < Limit, $"NNGP off by {zk:F2} standard errors");
        Assert.True(zt < Limit, $"NTK off by {zt:F2} standard errors");
    }

    /// <summary>Standard parameterization: the readout estimator scales the blocks by σ_w²/m and σ_b² (erf, width 512).</summary>
    [Fact]
    public void StandardParameterizationMeansLieWithinAFewStandardErrorsOfTheAnalyticKernels()
    {
        var x = Zoo.RandomInputs(5, 3, 903);
        var est = MonteCarloKernel.Estimate(s => new WideStandard512(s), x, samples: 200, firstSeed: 300);
        double zk = MaxZ(est.Nngp, est.NngpStandardError, WideStandard512.AnalyticNngp(x));
        double zt = MaxZ(est.Ntk, est.NtkStandardError, WideStandard512.AnalyticNtk(x));
        output.WriteLine($"standard: max |z| NNGP {zk:F2}, NTK {zt:F2}");
        Assert.True(zk < Limit, $"NNGP off by {zk:F2} standard errors");
        Assert.True(zt < Limit, $"NTK off by {zt:F2} standard errors");
        // Power: forgetting the σ_w²/m factor would be off by far more than the standard error.
        var unscaled = est.Nngp.Clone();
        foreach (ref double v in unscaled.AsSpan()) v *= 512 / (1.3 * 1.3);
        Assert.True(MaxZ(unscaled, est.NngpStandardError, WideStandard512.AnalyticNngp(x)) > 100);
    }

    /// <summary>
    /// SE = s/√n: from n = 50 to n = 200 seeds it halves. The ratio of the entry-averaged SEs is 2·s₅₀/s₂₀₀, and a sample
    /// standard deviation from 50 draws is within ±10% (one sd, 1/√(2·49)) of the true one, so [1.6, 2.5] is a &gt; 2 sd band.
    /// </summary>
    [Fact]
    public void TheStandardErrorShrinksLikeOneOverTheSquareRootOfTheSeedCount()
    {
        var x = Zoo.RandomInputs(4, 3, 904);
        var small = MonteCarloKernel.Estimate(s => new Wide512(s), x, samples: 50, firstSeed: 500);
        var large = MonteCarloKernel.Estimate(s => new Wide512(s), x, samples: 200, firstSeed: 500);
        double rk = small.NngpStandardError.ToFlatArray().Average() / large.NngpStandardError.ToFlatArray().Average();
        double rt = small.NtkStandardError.ToFlatArray().Average() / large.NtkStandardError.ToFlatArray().Average();
        output.WriteLine($"SE(50)/SE(200): NNGP {rk:F3}, NTK {rt:F3} (expected 2)");
        Assert.InRange(rk, 1.6, 2.5);
        Assert.InRange(rt, 1.6, 2.5);
    }

    /// <summary>
    /// The readout estimator is E[f f' | hidden layers]: averaging the output estimator over many fresh draws of the
    /// readout layer alone (standard parameterization, W ~ N(0, σ_w²/m), b ~ N(0, σ_b²), fixed hidden layers) converges to it.
    /// </summary>
    [Fact]
    public void TheReadoutEstimatorIsTheExpectationOverTheReadoutLayer()
    {
        var x = Zoo.RandomInputs(4, 3, 905);
        var model = new StandardTanhNet(3);
        var info = StandardTanhNet.Info;
        var layer = info.Layers[^1];
        // The same hidden layers twice (the factory must not return identical models): a twin that differs only in one
        // readout weight has the same readout NNGP, which does not depend on the readout's own parameters.
        var twinParameters = model.GetParameters();
        twinParameters[layer.WeightOffset] += 1.0;
        var twin = new StandardTanhNet(3);
        twin.SetParameters(twinParameters);
        var readout = MonteCarloKernel.Estimate(s => s == 0 ? model : twin, x, samples: 2).Nngp;
        var theta = model.GetParameters();
        var sampler = new NormalSampler(906);
        const int draws = 20000;
        var acc = new double[16];
        var sq = new double[16];
        for (int r = 0; r < draws; r++)
        {
            var w = new double[layer.WeightCount];
            var b = new double[layer.BiasCount];
            sampler.FillNormal(w, layer.WeightStd / Math.Sqrt(layer.FanIn));
            sampler.FillNormal(b, layer.BiasStd);
            w.CopyTo(theta, layer.WeightOffset);
            b.CopyTo(theta, layer.BiasOffset);
            model.SetParameters(theta);
            var f = model.Forward(x);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                {
                    double p = 0;
                    for (int c = 0; c < info.Outputs; c++) p += f[i, c] * f[j, c];
                    p /= info.Outputs;
                    acc[i * 4 + j] += p;
                    sq[i * 4 + j] += p * p;
                }
        }
        for (int e = 0; e < 16; e++)
        {
            double mean = acc[e] / draws;
            double se = Math.Sqrt((sq[e] / draws - mean * mean) / (draws - 1));
            double z = Math.Abs(mean - readout.GetFlat(e)) / se;
            Assert.True(z < Limit, $"entry {e}: readout estimator {readout.GetFlat(e):G6}, Monte Carlo {mean:G6} ± {se:G3} (z = {z:F2})");
        }
    }

    [Fact]
    public void ProgressIsReportedPerSeedAndCancellationStopsTheLoop()
    {
        var x = Zoo.RandomInputs(3, 3, 907);
        var reports = new List<NtkProgress>();
        MonteCarloKernel.Estimate(s => new ReluNtk(s), x, samples: 5, progress: new SyncProgress(reports.Add));
        Assert.Equal([1L, 2, 3, 4, 5], reports.Select(r => r.Done).ToArray());
        Assert.All(reports, r => Assert.Equal(5, r.Total));
        Assert.Equal("Monte Carlo kernel", reports[0].Stage);

        using var cts = new CancellationTokenSource();
        int made = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => MonteCarloKernel.Estimate(s =>
        {
            if (++made == 3) cts.Cancel();
            return new ReluNtk(s);
        }, x, samples: 10, cancellationToken: cts.Token));
        Assert.InRange(made, 3, 4);
    }

    [Fact]
    public void BadArgumentsAndInconsistentFactoriesGetClearErrors()
    {
        var x = Zoo.RandomInputs(3, 3, 908);
        Assert.Throws<ArgumentNullException>(() => MonteCarloKernel.Estimate(null!, x));
        Assert.Throws<ArgumentNullException>(() => MonteCarloKernel.Estimate(s => new ReluNtk(s), null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => MonteCarloKernel.Estimate(s => new ReluNtk(s), x, samples: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MonteCarloKernel.Estimate(s => new ReluNtk(s), x, estimator: (NngpEstimator)7));
        var e1 = Assert.Throws<InvalidOperationException>(() => MonteCarloKernel.Estimate(_ => null!, x));
        Assert.Contains("returned null for seed 0", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<InvalidOperationException>(() =>
            MonteCarloKernel.Estimate(s => s == 0 ? new ReluNtk(s) : new Wide512(s), x, samples: 3));
        Assert.Contains("different architecture for seed 1", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentException>(() => MonteCarloKernel.Estimate(s => new OutputActivationNet(s), x, samples: 2));
        Assert.Contains("NngpEstimator.Outputs", e3.Message, StringComparison.Ordinal);
        // …which works for that model.
        var ok = MonteCarloKernel.Estimate(s => new OutputActivationNet(s), x, samples: 2, estimator: NngpEstimator.Outputs);
        Assert.Equal([3, 3], ok.Nngp.Shape.ToArray());
        // Inputs the model rejects are reported by the model.
        Assert.Throws<ArgumentException>(() => MonteCarloKernel.Estimate(s => new ReluNtk(s), Zoo.RandomInputs(3, 4, 909)));
    }

    [Fact]
    public void Float32ModelsGiveFloat64Estimates()
    {
        var x = Zoo.RandomInputs(3, 3, 910);
        var est = MonteCarloKernel.Estimate(s => new Float32Net(s), x.To(DType.Float32), samples: 3);
        var ref64 = MonteCarloKernel.Estimate(s =>
        {
            var twin = new Float64Twin(s);
            twin.SetParameters(new Float32Net(s).GetParameters()); // the float32 values, widened exactly
            return twin;
        }, x, samples: 3);
        Assert.Equal(DType.Float64, est.Ntk.DType);
        Close.Relative(ref64.Ntk, est.Ntk, 1e-5, "NTK");
        Close.Relative(ref64.Nngp, est.Nngp, 1e-5, "NNGP");
    }

    private static double MaxZ(Tensor mean, Tensor se, Tensor analytic)
    {
        double z = 0;
        for (long i = 0; i < mean.Length; i++) z = Math.Max(z, Math.Abs(mean.GetFlat(i) - analytic.GetFlat(i)) / se.GetFlat(i));
        return z;
    }

    private static double RelSe(Tensor se, Tensor mean) =>
        Enumerable.Range(0, (int)se.Length).Average(i => se.GetFlat(i) / Math.Abs(mean.GetFlat(i)));

    /// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
