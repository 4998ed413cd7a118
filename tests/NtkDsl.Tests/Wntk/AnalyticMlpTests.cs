using NtkDsl.Analytic;

namespace NtkDsl.Tests.Wntk;

public class AnalyticMlpTests
{
    private static Tensor Inputs(int rows, int cols, int seed)
    {
        var s = new NormalSampler(seed);
        var d = new double[rows * cols];
        s.FillNormal(d, 1.0);
        return Tensor.FromArray(d, rows, cols);
    }

    // Independent per-pair recursion for a ReLU network, written from math.md §4 (arc-cosine formulas spelled out).
    private static (double K, double Theta) DirectRelu(double[] x, double[] y, int depth, double sw2, double sb2)
    {
        int d = x.Length;
        double xy = 0, xx = 0, yy = 0;
        for (int i = 0; i < d; i++) { xy += x[i] * y[i]; xx += x[i] * x[i]; yy += y[i] * y[i]; }
        double c = sw2 * xy / d + sb2, q1 = sw2 * xx / d + sb2, q2 = sw2 * yy / d + sb2, theta = c;
        for (int l = 0; l < depth; l++)
        {
            double rho = Math.Clamp(c / Math.Sqrt(q1 * q2), -1, 1), t = Math.Acos(rho);
            double kt = Math.Sqrt(q1 * q2) / (2 * Math.PI) * (Math.Sin(t) + (Math.PI - t) * Math.Cos(t));
            double td = (Math.PI - t) / (2 * Math.PI);
            c = sw2 * kt + sb2;
            theta = c + sw2 * td * theta;
            q1 = sw2 * q1 / 2 + sb2;
            q2 = sw2 * q2 / 2 + sb2;
        }
        return (c, theta);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ReluKernelsMatchDirectRecursion(int depth)
    {
        var x1 = Inputs(5, 4, 1);
        var x2 = Inputs(3, 4, 2);
        var net = AnalyticMlp.Relu(4, depth, 2.0, 0.01);
        var k = net.Kernels(x1, x2);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 3; j++)
            {
                var (kk, th) = DirectRelu(Row(x1, i), Row(x2, j), depth, 2.0, 0.01);
                Assert.Equal(kk, k.Nngp[i, j], 1e-12);
                Assert.Equal(th, k.Ntk[i, j], 1e-12);
            }
    }

    [Fact]
    public void BlocksSumToNtkAndUnitWeightsGiveNtk()
    {
        var net = new AnalyticMlp(3,
            [new AnalyticHiddenLayer(AnalyticActivation.Erf, 1.7, 0.2), new AnalyticHiddenLayer(AnalyticActivation.LeakyRelu, 2.0, 0.0, UseBias: false, LeakySlope: 0.1),
             new AnalyticHiddenLayer(AnalyticActivation.Abs, 1.1, 0.3)],
            new AnalyticReadout(1.3, 0.05));
        Assert.Equal(["Hidden1.Weights", "Hidden1.Bias", "Hidden2.Weights", "Hidden3.Weights", "Hidden3.Bias", "Readout.Weights", "Readout.Bias"], net.GroupNames);
        var x = Inputs(6, 3, 3);
        var k = net.Kernels(x);
        var sum = new double[36];
        foreach (var b in k.Blocks) for (int i = 0; i < 36; i++) sum[i] += b.AsSpan()[i];
        var unit = net.Wntk(x, null, Enumerable.Repeat(1.0, net.GroupCount).ToArray());
        for (int i = 0; i < 36; i++)
        {
            Assert.Equal(k.Ntk.AsSpan()[i], sum[i], 1e-12 * Math.Max(1, Math.Abs(sum[i])));
            Assert.Equal(k.Ntk.AsSpan()[i], unit.AsSpan()[i], 1e-12 * Math.Max(1, Math.Abs(sum[i])));
        }
    }

    [Fact]
    public void WeightedKernelMatchesWeightedRecursionStep()
    {
        // Reference: KernelRecursion.FirstLayerWeighted / NextWeightedNtk applied pair by pair (math.md §3).
        var net = new AnalyticMlp(2, [new AnalyticHiddenLayer(AnalyticActivation.Erf, 1.5, 0.1), new AnalyticHiddenLayer(AnalyticActivation.Relu, 2.0, 0.01)],
            new AnalyticReadout(1.2, 0.2));
        double[] w = [0.3, 2.0, 1.5, 0.0, 0.7, 4.0];
        double[] sw = [1.5, 2.0, 1.2], sb = [0.1, 0.01, 0.2];
        var x = Inputs(4, 2, 5);
        var wntk = net.Wntk(x, null, w);
        var nngp = net.Nngp(x);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double[] a = Row(x, i), b = Row(x, j);
                double Q(double[] u, double[] v) => sw[0] * (u[0] * v[0] + u[1] * v[1]) / 2 + sb[0];
                double q1 = Q(a, a), q2 = Q(b, b), c = Q(a, b);
                double tw = KernelRecursion.FirstLayerWeighted(w[0], w[1], sw[0], sb[0], a[0] * b[0] + a[1] * b[1], 2);
                DualActivations.Erf(q1, q2, c, out double kt, out double td);
                DualActivations.ErfDiagonal(q1, out double k1, out _);
                DualActivations.ErfDiagonal(q2, out double k2, out _);
                tw = KernelRecursion.NextWeightedNtk(w[2], w[3], sw[1], sb[1], kt, td, tw);
                c = KernelRecursion.NextNngp(sw[1], sb[1], kt);
                q1 = KernelRecursion.NextNngp(sw[1], sb[1], k1);
                q2 = KernelRecursion.NextNngp(sw[1], sb[1], k2);
                DualActivations.Relu(q1, q2, c, out kt, out td);
                tw = KernelRecursion.NextWeightedNtk(w[4], w[5], sw[2], sb[2], kt, td, tw);
                // On the diagonal the reference's ErfDiagonal and the general Erf at c = q differ by an ulp, which
                // arccos amplifies to √ε at ρ = 1 in the next ReLU layer; off the diagonal agreement is to rounding.
                double tol = i == j ? 1e-7 : 1e-12;
                Assert.Equal(tw, wntk[i, j], tol);
                Assert.Equal(KernelRecursion.NextNngp(sw[2], sb[2], kt), nngp[i, j], tol);
            }
    }

    [Fact]
    public void BadInputsAreRejectedWithAFix()
    {
        var net = AnalyticMlp.Relu(3, 2);
        Assert.Throws<ArgumentException>(() => net.Ntk(Inputs(2, 4, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Wntk(Inputs(2, 3, 0), null, [1, 1, 1, 1, 1, -1]));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new AnalyticMlp(3, [new AnalyticHiddenLayer(AnalyticActivation.Relu, 0, 0)], new AnalyticReadout(1, 0)));
        Assert.Contains("σ_w²", ex.Message, StringComparison.Ordinal);
    }

    private static double[] Row(Tensor t, int i) => Enumerable.Range(0, t.Columns).Select(j => t[i, j]).ToArray();
}
