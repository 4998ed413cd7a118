using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Ntk;

public sealed class ForwardTests
{
    [Fact]
    public void ForwardMatchesAHandComputedNetwork()
    {
        // ReluNtk: 3 → 5 (ReLU) → 2, NTK parameterization, σ_w = σ_b = 1: h1 = W1 x/√3 + b1, f = W2 relu(h1)/√5 + b2.
        var model = new ReluNtk(0);
        var p = Enumerable.Range(0, ReluNtk.Info.ParameterCount).Select(i => Math.Sin(1.7 * i + 0.3)).ToArray();
        model.SetParameters(p);
        double[] x = [0.5, -1.25, 2.0];
        var f = model.Forward(Tensor.FromArray(x, 1, 3)).ToFlatArray();
        var a = new double[5];
        for (int i = 0; i < 5; i++)
        {
            double h = p[15 + i];
            for (int j = 0; j < 3; j++) h += p[i * 3 + j] * x[j] / Math.Sqrt(3);
            a[i] = Math.Max(h, 0);
        }
        for (int c = 0; c < 2; c++)
        {
            double o = p[30 + c];
            for (int i = 0; i < 5; i++) o += p[20 + c * 5 + i] * a[i] / Math.Sqrt(5);
            Assert.Equal(o, f[c], 1e-14);
        }
    }

    [Fact]
    public void SameSeedSameParametersDifferentSeedDifferent()
    {
        Assert.Equal(new DeepNet(42).GetParameters(), new DeepNet(42).GetParameters());
        Assert.NotEqual(new DeepNet(42).GetParameters(), new DeepNet(43).GetParameters());
    }

    [Fact]
    public void InitializationFollowsTheParameterization()
    {
        // Standard parameterization: W1 ~ N(0, σ_w²/3) with σ_w = 1.3; b1 ~ N(0, σ_b²) with σ_b = 0.4. Check on many seeds.
        var w = new List<double>();
        var b = new List<double>();
        for (int s = 0; s < 400; s++)
        {
            var m = new StandardTanhNet(s);
            w.AddRange(m.H1.Weights.AsSpan().ToArray());
            b.AddRange(m.H1.Bias!.AsSpan().ToArray());
        }
        double sw = Math.Sqrt(w.Average(v => v * v)), sb = Math.Sqrt(b.Average(v => v * v));
        Assert.InRange(sw, 1.3 / Math.Sqrt(3) * 0.95, 1.3 / Math.Sqrt(3) * 1.05);
        Assert.InRange(sb, 0.4 * 0.95, 0.4 * 1.05);
    }

    [Fact]
    public void LayerViewsShareStorageWithTheModel()
    {
        var m = new ReluNet(3);
        Assert.Equal(new[] { 4, 3 }, m.H1.Weights.Shape.ToArray());
        m.H1.Weights.AsSpan()[0] = 123.0;
        Assert.Equal(123.0, m.GetParameters()[0]);
        Assert.Null(new NoBiasNet(1).H1.Bias);
        Assert.Equal(ReluNet.Info.Layers[0].WeightCount + ReluNet.Info.Layers[0].BiasCount, ReluNet.Info.Layers[1].WeightOffset);
    }
}
