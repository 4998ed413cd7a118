using NtkDsl.Analytic;
using NtkDsl.Wntk;

namespace NtkDsl.Tests.Wntk;

/// <summary>
/// Per-input-feature first-layer groups: against the per-layer blocks of <see cref="AnalyticMlp"/> (a separate
/// implementation), against the closed form of a one-hidden-layer ReLU network, and the leave-one-out gradient with
/// respect to each feature weight against central finite differences.
/// </summary>
public sealed class InputFeatureGroupsTests
{
    private static Tensor Inputs(int n, int d, long seed)
    {
        var s = new NormalSampler(seed);
        var x = new double[n * d];
        s.FillNormal(x, 1.0);
        return Tensor.FromArray(x, n, d);
    }

    public static TheoryData<string> Networks => new() { "relu3", "mixed" };

    private static AnalyticMlp Net(string name, int d) => name == "relu3"
        ? AnalyticMlp.Relu(d, 3)
        : new AnalyticMlp(d, [new AnalyticHiddenLayer(AnalyticActivation.Erf, 1.5, 0.2), new AnalyticHiddenLayer(AnalyticActivation.LeakyRelu, 2.0, 0.0, UseBias: false, LeakySlope: 0.1)],
            new AnalyticReadout(1.0, 0.0, UseBias: false));

    [Theory]
    [MemberData(nameof(Networks))]
    public void UniformFeatureWeightsReproduceThePerLayerKernel(string name)
    {
        const int d = 4;
        var net = Net(name, d);
        var x1 = Inputs(7, d, 1);
        var x2 = Inputs(5, d, 2);
        var reference = net.Kernels(x1, x2);
        var split = InputFeatureGroups.Kernels(net, x1, x2);
        Assert.Equal(d + net.GroupCount - 1, split.Blocks.Count);
        Assert.Equal("Hidden1.Weights[3]", split.GroupNames[3]);
        Assert.Equal(net.GroupNames.Skip(1), split.GroupNames.Skip(d));
        double scale = reference.Ntk.ToFlatArray().Max(Math.Abs);
        double[] sum = new double[35];
        for (int f = 0; f < d; f++)
        {
            var b = split.Blocks[f].ToFlatArray();
            for (int i = 0; i < sum.Length; i++) sum[i] += b[i];
        }
        AssertClose(reference.Blocks[0].ToFlatArray(), sum, 1e-13 * scale);
        for (int g = 1; g < net.GroupCount; g++) AssertClose(reference.Blocks[g].ToFlatArray(), split.Blocks[d + g - 1].ToFlatArray(), 1e-13 * scale);
        AssertClose(reference.Ntk.ToFlatArray(), split.Ntk.ToFlatArray(), 1e-13 * scale);
        AssertClose(reference.Nngp.ToFlatArray(), split.Nngp.ToFlatArray(), 1e-13 * scale);

        // The direct weighted kernel with uniform first-layer feature weights equals the per-layer WNTK.
        double[] layerWeights = Enumerable.Range(0, net.GroupCount).Select(g => 0.3 + 0.4 * g).ToArray();
        var direct = InputFeatureGroups.Wntk(net, x1, x2, InputFeatureGroups.FromLayerWeights(net, layerWeights));
        AssertClose(net.Wntk(x1, x2, layerWeights).ToFlatArray(), direct.ToFlatArray(), 1e-13 * scale * 3);
        // And its diagonal equals the diagonal of the full matrix of x1 with itself.
        var full = InputFeatureGroups.Wntk(net, x1, null, InputFeatureGroups.FromLayerWeights(net, layerWeights));
        double[] diag = InputFeatureGroups.WntkDiagonal(net, x1, InputFeatureGroups.FromLayerWeights(net, layerWeights));
        for (int i = 0; i < 7; i++) Assert.Equal(full[i, i], diag[i], 1e-14 * scale);
    }

    [Fact]
    public void NonUniformWeightsAreLinearInTheFeatureBlocks()
    {
        const int d = 3;
        var net = AnalyticMlp.Relu(d, 2);
        var x1 = Inputs(6, d, 3);
        var x2 = Inputs(4, d, 4);
        double[] w = [0.2, 1.7, 0.05, 0.9, 1.1, 0.4, 2.0, 0.3];
        var blocks = InputFeatureGroups.Kernels(net, x1, x2).Blocks;
        var direct = InputFeatureGroups.Wntk(net, x1, x2, w).ToFlatArray();
        var expected = new double[direct.Length];
        for (int g = 0; g < w.Length; g++)
        {
            var b = blocks[g].ToFlatArray();
            for (int i = 0; i < expected.Length; i++) expected[i] += w[g] * b[i];
        }
        AssertClose(expected, direct, 1e-13 * expected.Max(Math.Abs));
    }

    [Fact]
    public void OneHiddenReluLayerMatchesTheArcCosineClosedForm()
    {
        // One hidden ReLU layer, σ_w² = 2, σ_b² = 0.01: K¹ = 2·x·x'/d + 0.01 and the backward factor is
        // S = σ_w²·Ṫ = 2·(π − θ)/(2π) with cos θ = K¹(x, x')/√(K¹(x, x)·K¹(x', x')) (Cho & Saul 2009, arc-cosine kernel
        // of order 0). Feature block f: 2·x_f x'_f/d·S.
        const int d = 3;
        var net = AnalyticMlp.Relu(d, 1);
        var x1 = Inputs(5, d, 5);
        var x2 = Inputs(4, d, 6);
        var blocks = InputFeatureGroups.Kernels(net, x1, x2).Blocks;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 4; j++)
            {
                double k11 = 0.01, k22 = 0.01, k12 = 0.01;
                for (int f = 0; f < d; f++)
                {
                    k11 += 2 * x1[i, f] * x1[i, f] / d;
                    k22 += 2 * x2[j, f] * x2[j, f] / d;
                    k12 += 2 * x1[i, f] * x2[j, f] / d;
                }
                double theta = Math.Acos(Math.Clamp(k12 / Math.Sqrt(k11 * k22), -1, 1));
                double s = 2 * (Math.PI - theta) / (2 * Math.PI);
                for (int f = 0; f < d; f++)
                    Assert.Equal(2 * x1[i, f] * x2[j, f] / d * s, blocks[f][i, j], 1e-13);
            }
    }

    [Fact]
    public void LeaveOneOutGradientPerFeatureMatchesFiniteDifferences()
    {
        const int n = 24, d = 4;
        var net = AnalyticMlp.Relu(d, 2);
        var x = Inputs(n, d, 7);
        var s = new NormalSampler(8);
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = Math.Sin(x[i, 0]) + 0.3 * x[i, 1] + 0.05 * s.NextNormal();
        var problem = WntkProblem.FromAnalytic(InputFeatureGroups.Kernels(net, x), Tensor.FromArray(y, n));
        Assert.Equal(d + net.GroupCount - 1, problem.GroupCount);
        var objective = new LeaveOneOutRidgeObjective();
        double[] w = [0.7, 1.4, 0.3, 2.2, 0.9, 1.1, 0.6, 1.3, 0.8];
        const double ridge = 0.03;
        var grad = new double[w.Length];
        objective.Evaluate(problem, w, ridge, grad, out _);
        var scratch = new double[w.Length];
        for (int f = 0; f < d; f++)
        {
            double h = 1e-5 * w[f];
            double[] plus = (double[])w.Clone(), minus = (double[])w.Clone();
            plus[f] += h;
            minus[f] -= h;
            double fd = (objective.Evaluate(problem, plus, ridge, scratch, out _) - objective.Evaluate(problem, minus, ridge, scratch, out _)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[f]) <= 1e-6 * Math.Abs(grad[f]) + 1e-10, $"feature {f}: analytic {grad[f]} vs finite difference {fd}");
        }
    }

    [Fact]
    public void WrongWeightCountNamesTheLayout()
    {
        var net = AnalyticMlp.Relu(3, 1);
        var x = Inputs(2, 3, 9);
        var ex = Assert.Throws<ArgumentException>(() => InputFeatureGroups.Wntk(net, x, null, new double[net.GroupCount]));
        Assert.Contains("3 input features", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => InputFeatureGroups.Wntk(net, x, null, [1, 1, -1, 1, 1, 1]));
    }

    private static void AssertClose(double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"entry {i}: expected {expected[i]}, got {actual[i]} (tolerance {tol:E2})");
    }
}
