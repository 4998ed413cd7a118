using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Analytic;

/// <summary>The generated infinite-width kernels: fixtures, WNTK identities, diagonals and convergence of wide networks.</summary>
public sealed class GeneratedAnalyticKernelTests
{
    [Theory]
    [InlineData("relu_ntk", 1e-10)]
    [InlineData("deep_relu_erf_ntk", 1e-10)]
    [InlineData("erf_tanh_ntk", 1e-8)] // tanh goes through quadrature
    public void FixtureKernelsMatch(string name, double tolerance)
    {
        var fx = SharedData.Fixture(name);
        var x1 = SharedData.Tensor(fx.GetProperty("x1"));
        var x2 = SharedData.Tensor(fx.GetProperty("x2"));
        Func<Tensor, Tensor?, Tensor> nngp, ntk;
        switch (name)
        {
            case "relu_ntk": nngp = (a, b) => ReluNtk.AnalyticNngp(a, b); ntk = (a, b) => ReluNtk.AnalyticNtk(a, b); break;
            case "deep_relu_erf_ntk": nngp = (a, b) => DeepReluErfNtk.AnalyticNngp(a, b); ntk = (a, b) => DeepReluErfNtk.AnalyticNtk(a, b); break;
            default: nngp = (a, b) => ErfTanhNtk.AnalyticNngp(a, b); ntk = (a, b) => ErfTanhNtk.AnalyticNtk(a, b); break;
        }
        Close.Relative(SharedData.Tensor(fx.GetProperty("analytic_nngp_x1_x2")), nngp(x1, x2), tolerance, "nngp");
        Close.Relative(SharedData.Tensor(fx.GetProperty("analytic_ntk_x1_x2")), ntk(x1, x2), tolerance, "ntk");
    }

    [Fact]
    public void SymmetricCallEqualsTheCrossCallAndIsExactlySymmetric()
    {
        var x = Zoo.RandomInputs(9, 6, 40);
        var sym = DeepReluErfNtk.AnalyticNtk(x).ToArray();
        var cross = DeepReluErfNtk.AnalyticNtk(x, x.Clone()).ToArray();
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 9; j++)
            {
                Assert.Equal(sym[i, j], sym[j, i]);
                Assert.Equal(cross[i, j], sym[i, j], 1e-13);
            }
    }

    [Fact]
    public void DiagonalsEqualTheDiagonalOfTheFullKernels()
    {
        var x = Zoo.RandomInputs(7, 4, 41);
        var full = ErfTanhNtk.AnalyticNtk(x);
        var nngp = ErfTanhNtk.AnalyticNngp(x);
        var d = ErfTanhNtk.AnalyticNtkDiagonal(x).ToFlatArray();
        var dn = ErfTanhNtk.AnalyticNngpDiagonal(x).ToFlatArray();
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(full[i, i], d[i], 1e-12);
            Assert.Equal(nngp[i, i], dn[i], 1e-12);
        }
    }

    [Fact]
    public void WntkWithUnitWeightsIsTheNtkAndOneHotWeightsSumToIt()
    {
        var x1 = Zoo.RandomInputs(6, 6, 42);
        var x2 = Zoo.RandomInputs(4, 6, 43);
        var ntk = DeepReluErfNtk.AnalyticNtk(x1, x2);
        Close.Relative(ntk, DeepReluErfNtk.AnalyticWntk(x1, x2, GroupWeights.Ones), 1e-14, "unit weights");
        var info = DeepReluErfNtk.Info;
        var sum = Tensor.Zeros(6, 4);
        var chosen = Tensor.Zeros(6, 4);
        for (int g = 0; g < info.Groups.Count; g++)
        {
            var w = new double[info.Groups.Count];
            w[g] = 1.0;
            var block = DeepReluErfNtk.AnalyticWntk(x1, x2, GroupWeights.FromVector(info, w));
            TensorOps.AddScaled(sum, block, 1.0);
            if (g % 2 == 0) TensorOps.AddScaled(chosen, block, 1.0);
        }
        Close.Relative(ntk, sum, 1e-13, "sum of one-hot blocks");
        var evenOnes = Enumerable.Range(0, info.Groups.Count).Select(g => g % 2 == 0 ? 1.0 : 0.0).ToArray();
        Close.Relative(chosen, DeepReluErfNtk.AnalyticWntk(x1, x2, GroupWeights.FromVector(info, evenOnes)), 1e-13, "0/1 weights");
    }

    [Fact]
    public void ZeroNormInputsGiveFiniteKernels()
    {
        var x = Tensor.FromArray(new double[] { 0, 0, 0, 1, -1, 0.5, 0, 0, 0 }, 3, 3);
        var k = ReluNet.AnalyticNtk(x).ToFlatArray();
        Assert.All(k, v => Assert.True(double.IsFinite(v)));
        var nb = NoBiasNet.AnalyticNtk(x).ToFlatArray(); // no bias: the zero row has zero variance everywhere
        Assert.All(nb, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(0.0, nb[0]);
    }

    /// <summary>
    /// The mean empirical NTK (8 seeds) of one-hidden-layer ReLU networks of width 2^9, 2^11, 2^13 approaches the
    /// analytic NTK with error ∝ width^(−1/2); the empirical NNGP (the readout groups' blocks, i.e. the output
    /// covariance given the hidden layer) approaches the analytic NNGP the same way.
    /// </summary>
    [Fact]
    public void WideNetworksConvergeToTheAnalyticKernelsLikeInverseSquareRootOfWidth()
    {
        var x = Zoo.RandomInputs(5, 3, 44);
        var ntk = Wide512.AnalyticNtk(x);
        var nngp = Wide512.AnalyticNngp(x);
        Func<int, INtkModel>[] makers = [s => new Wide512(s), s => new Wide2048(s), s => new Wide8192(s)];
        double[] widths = [512, 2048, 8192];
        var errNtk = new double[3];
        var errNngp = new double[3];
        const int seeds = 8;
        for (int w = 0; w < 3; w++)
        {
            var meanNtk = Tensor.Zeros(5, 5);
            var meanNngp = Tensor.Zeros(5, 5);
            for (int s = 0; s < seeds; s++)
            {
                var model = makers[w](100 + s);
                var blocks = model.NtkPerGroup(x);
                TensorOps.AddScaled(meanNtk, blocks.Sum(), 1.0 / seeds);
                TensorOps.AddScaled(meanNngp, blocks["Readout.Weights"], 1.0 / seeds);
                TensorOps.AddScaled(meanNngp, blocks["Readout.Bias"], 1.0 / seeds);
            }
            errNtk[w] = FrobeniusRelative(meanNtk, ntk);
            errNngp[w] = FrobeniusRelative(meanNngp, nngp);
        }
        double slopeNtk = Slope(widths, errNtk), slopeNngp = Slope(widths, errNngp);
        Assert.InRange(slopeNtk, -0.8, -0.3);
        Assert.InRange(slopeNngp, -0.8, -0.3);
        Assert.True(errNtk[2] < 0.02, $"NTK error at width 8192: {errNtk[2]}");
    }

    [Fact]
    public void StandardParameterizationMatchesWideNetworks()
    {
        // neural-tangents' standard-parameterization limit keeps the declared fan-in in the weight term.
        var x = Zoo.RandomInputs(4, 3, 45);
        var limit = WideStandard8192.AnalyticNtk(x);
        var mean = Tensor.Zeros(4, 4);
        for (int s = 0; s < 4; s++) TensorOps.AddScaled(mean, new WideStandard8192(200 + s).Ntk(x), 0.25);
        Assert.True(FrobeniusRelative(mean, limit) < 0.02, $"standard-parameterization NTK off by {FrobeniusRelative(mean, limit)}");
        var small = WideStandard512.AnalyticNtk(x);
        Assert.True(FrobeniusRelative(small, limit) > 0.5, "the standard limit must depend on the width (it grows like the readout fan-in)");
    }

    private static double FrobeniusRelative(Tensor a, Tensor b)
    {
        double num = 0, den = 0;
        for (long i = 0; i < a.Length; i++)
        {
            num += Math.Pow(a.GetFlat(i) - b.GetFlat(i), 2);
            den += Math.Pow(b.GetFlat(i), 2);
        }
        return Math.Sqrt(num / den);
    }

    private static double Slope(double[] x, double[] y)
    {
        var lx = x.Select(v => Math.Log(v)).ToArray();
        var ly = y.Select(v => Math.Log(v)).ToArray();
        double mx = lx.Average(), my = ly.Average();
        return lx.Zip(ly, (a, b) => (a - mx) * (b - my)).Sum() / lx.Sum(a => (a - mx) * (a - mx));
    }
}
