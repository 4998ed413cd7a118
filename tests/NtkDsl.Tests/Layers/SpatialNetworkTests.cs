using NtkDsl.Layers;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Layers;

/// <summary>Forward, Jacobian, Jvp and Vjp of SpatialNetwork against a loop reference, finite differences and J products.</summary>
public sealed class SpatialNetworkTests
{
    public static TheoryData<string> Names => SpatialModels.All();

    [Theory, MemberData(nameof(Names))]
    public void ForwardMatchesNaiveReference(string name)
    {
        var net = SpatialModels.Create(name);
        var p = SpatialModels.Parameters(net, 3);
        var x = SpatialModels.Inputs(net, 5, 7);
        var f = net.Forward(p, x);
        var reference = SpatialReference.Forward(net.Ops.Select(o => o.Spec).ToList(), net.Info.InputShape!.ToArray(), net.Parameterization, p, x.ToFlatArray(), x.Rows);
        Assert.Equal(new[] { x.Rows, net.Outputs }, f.Shape.ToArray());
        Close.Relative(Tensor.FromArray(reference), f, 1e-13, name);
    }

    [Theory, MemberData(nameof(Names))]
    public void JacobianMatchesCentralFiniteDifferences(string name)
    {
        var net = SpatialModels.Create(name);
        var p = SpatialModels.Parameters(net, 3);
        var x = SpatialModels.Inputs(net, 3, 8);
        var j = net.Jacobian(p, x);
        int n = x.Rows, k = net.Outputs, pc = net.ParameterCount;
        Assert.Equal(new[] { n, k, pc }, j.Shape.ToArray());
        var fd = new double[n * k * pc];
        const double h = 1e-5;
        int q = 0;
        for (int g = 0; g < p.Length; g++)
            for (int i = 0; i < p[g].Length; i++, q++)
            {
                double v = p[g][i];
                p[g][i] = v + h;
                var fp = net.Forward(p, x).ToFlatArray();
                p[g][i] = v - h;
                var fm = net.Forward(p, x).ToFlatArray();
                p[g][i] = v;
                for (int r = 0; r < n * k; r++) fd[r * pc + q] = (fp[r] - fm[r]) / (2 * h);
            }
        Close.Relative(fd, j.ToFlatArray(), 1e-6, name);
    }

    [Theory, MemberData(nameof(Names))]
    public void JvpAndVjpAreProductsWithTheJacobian(string name)
    {
        var net = SpatialModels.Create(name);
        var p = SpatialModels.Parameters(net, 4);
        var x = SpatialModels.Inputs(net, 4, 9);
        var j = net.Jacobian(p, x).ToFlatArray();
        int n = x.Rows, k = net.Outputs, pc = net.ParameterCount;
        var v = SpatialModels.Inputs(net, 1, 10).ToFlatArray().Concat(new double[pc]).Take(pc).ToArray();
        new NormalSampler(12).FillNormal(v, 1.0);
        var u = new double[n * k];
        new NormalSampler(13).FillNormal(u, 1.0);
        var jv = new double[n * k];
        var ju = new double[pc];
        for (int r = 0; r < n * k; r++)
            for (int q = 0; q < pc; q++)
            {
                jv[r] += j[r * pc + q] * v[q];
                ju[q] += j[r * pc + q] * u[r];
            }
        Close.Relative(jv, net.Jvp(p, x, Tensor.Wrap(v, pc)).ToFlatArray(), 1e-12, name + " Jvp");
        Close.Relative(ju, net.Vjp(p, x, Tensor.Wrap(u, n, k)).ToFlatArray(), 1e-12, name + " Vjp");
    }

    [Fact]
    public void InfoDescribesEveryLayerAndTheGroupsInOrder()
    {
        var net = SpatialModels.Create("Mixed");
        var info = net.Info;
        Assert.Equal(new[] { 6, 5, 2 }, info.InputShape!.ToArray());
        Assert.Equal(60, info.Inputs);
        Assert.Equal(["C1", "C2", "Skip", "Norm", "Pool", "C3", "Flat", "Hidden", "Out"], info.Layers.Select(l => l.Name));
        Assert.Equal(["Conv2D", "Conv2D", "Add", "LayerNorm", "AvgPool2D", "Conv2D", "Flatten", "Dense", "Dense"], info.Layers.Select(l => l.Kind));
        Assert.Equal(["C1.Weights", "C1.Bias", "C2.Weights", "C3.Weights", "C3.Bias", "Hidden.Weights", "Hidden.Bias", "Out.Weights", "Out.Bias"], info.Groups.Select(g => g.Key));
        var c1 = info.Layers[0];
        Assert.Equal((18, 3), (c1.FanIn, c1.Width));
        Assert.Equal("6×5×2 → 6×5×3, 3×3, stride 1, Same", c1.Detail);
        Assert.Equal("3×2×3 → 2×1×4, 3×3, stride 2, Circular", info.Layers[5].Detail);
        Assert.Equal("6×5×3 → 3×2×3, 2×2, stride 2, Valid", info.Layers[4].Detail);
        var pool = info.Layers[4];
        Assert.Equal((0, 18, false, Activation.Identity, 0), (pool.FanIn, pool.Width, pool.UseBias, pool.Activation, pool.WeightCount));
        Assert.Null(info.Layers[7].Detail);
        Assert.Equal((8, 5), (info.Layers[7].FanIn, info.Layers[7].Width));
        Assert.Equal(3, info.Outputs);
        // 3·18+3 + 3·12 + 4·27+4 + 5·8+5 + 3·5+3
        Assert.Equal(57 + 36 + 112 + 45 + 18, info.ParameterCount);
        Assert.Equal(new[] { 3, 3, 3, 2 }, net.GroupShapes[0]);
        Assert.Equal(new[] { 3, 2, 2, 3 }, net.GroupShapes[2]);
        Assert.Equal(new[] { 5, 8 }, net.GroupShapes[5]);
        // Offsets are the running sums of the group sizes.
        int offset = 0;
        for (int g = 0; g < info.Groups.Count; g++)
        {
            Assert.Equal(offset, info.Groups[g].Offset);
            Assert.Equal(net.GroupShapes[g].Aggregate(1, (a, b) => a * b), info.Groups[g].Count);
            offset += info.Groups[g].Count;
        }
    }

    [Fact]
    public void InitializationFollowsTheParameterization()
    {
        // NTK: N(0, 1) entries; standard: weights N(0, σ_w²/fan-in), biases N(0, σ_b²), drawn group by group from one sampler.
        var ntk = SpatialModels.Create("Mixed");
        var std = SpatialModels.Create("MixedStandard");
        var a = ntk.InitializeParameters(new NormalSampler(5));
        var b = std.InitializeParameters(new NormalSampler(5));
        var s = new NormalSampler(5);
        var expected = new double[a[0].Length];
        s.FillNormal(expected, 1.0);
        Assert.Equal(expected, a[0]);
        Assert.Equal(expected.Select(v => v * 1.3 / Math.Sqrt(18)).ToArray(), b[0], (u, v) => Math.Abs(u - v) <= 1e-15 * Math.Max(1, Math.Abs(u)));
        for (int i = 0; i < a[1].Length; i++) Assert.Equal(a[1][i] * 0.2, b[1][i], 15);
        // Same function at initialization (docs/math.md §1).
        var x = SpatialModels.Inputs(ntk, 3, 1);
        Close.Relative(ntk.Forward(a, x), std.Forward(b, x), 1e-13, "NTK vs standard at init");
    }

    [Fact]
    public void ManyRowsCrossRowBlocks()
    {
        // Block boundaries must not change results: 1500 rows (more than the 1024-row block cap) against row-by-row calls.
        var net = SpatialModels.Create("DenseOnly");
        var p = SpatialModels.Parameters(net, 2);
        var x = SpatialModels.Inputs(net, 1500, 3);
        var f = net.Forward(p, x);
        for (int r = 0; r < 1500; r += 499)
            Close.Relative(net.Forward(p, x.SliceRows(r, 1)), f.SliceRows(r, 1), 0, "row " + r);
    }
}
