using NtkDsl.Layers;
using NtkDsl.Memory;

namespace NtkDsl.Tests.Layers;

/// <summary>Bad inputs, bad plans, overflow and memory limits give clear exceptions.</summary>
public sealed class SpatialInputTests
{
    private static readonly LayerActivation Tanh = SpatialModels.Act(Activation.Tanh);
    private static readonly LayerActivation Identity = SpatialModels.Act(Activation.Identity);

    private static SpatialNetwork Build(int[] shape, params LayerSpec[] layers) =>
        new("Bad", shape, Parameterization.Ntk, Precision.Float64, 1.0, false, layers);

    [Fact]
    public void BadInputsThrowNamingTheProblem()
    {
        var net = SpatialModels.Create("Mixed");
        var p = SpatialModels.Parameters(net, 1);
        var x = SpatialModels.Inputs(net, 3, 2);
        var ones = Enumerable.Repeat(1.0, net.Info.Groups.Count).ToArray();

        var wrongWidth = Tensor.Zeros(3, 59);
        var widthError = Assert.Throws<ArgumentException>(() => net.Forward(p, wrongWidth)).Message;
        Assert.Contains("59 features per row", widthError);
        Assert.Contains("6×5×2 needs 60", widthError);
        var nan = x.Clone();
        nan.AsSpan()[65] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => net.Ntk(p, nan, null, NtkMode.Trace, ones, false, null, default));
        Assert.Contains("row 1, column 5", e.Message);
        Assert.Contains("finite", e.Message);
        var inf = x.Clone();
        inf.AsSpan()[0] = double.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => net.Jacobian(p, inf));
        Assert.Throws<ArgumentException>(() => net.Forward(p, x.To(DType.Float32)));
        Assert.Throws<ArgumentException>(() => net.Forward(p, Tensor.Zeros(0, 60)));
        Assert.Contains("x2 == null", Assert.Throws<ArgumentException>(() => net.Ntk(p, x, x, NtkMode.Diagonal, ones, false, null, default)).Message);
        Assert.Contains("group weights", Assert.Throws<ArgumentException>(() => net.Ntk(p, x, null, NtkMode.Trace, [1.0], false, null, default)).Message);
        // Groups are named Model.Layer.Kind, the Model.Layer convention of layer messages with the key (docs/dsl.md) as its tail.
        Assert.StartsWith($"{net.ModelName}.{net.Info.Groups[0].Key}: the group weight is NaN; group weights must be finite.",
            Assert.Throws<ArgumentException>(() => net.Ntk(p, x, null, NtkMode.Trace, ones.Select(_ => double.NaN).ToArray(), false, null, default)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Ntk(p, x, null, (NtkMode)9, ones, false, null, default));
        Assert.Equal("C1.Bias", net.Info.Groups[1].Key);
        Assert.StartsWith($"{net.ModelName}.C1.Bias: the parameter array has 2 values but the group needs 3 (3).",
            Assert.Throws<ArgumentException>(() => net.Forward([p[0], new double[2], .. p[2..]], x)).Message);
        Assert.Contains("parameter groups", Assert.Throws<ArgumentException>(() => net.Forward(p[1..], x)).Message);
        Assert.Throws<ArgumentException>(() => net.Jvp(p, x, Tensor.Zeros(net.ParameterCount + 1)));
        Assert.Throws<ArgumentException>(() => net.Vjp(p, x, Tensor.Zeros(3, 2)));
    }

    [Fact]
    public void BadPlansThrowNamingTheLayer()
    {
        Assert.Contains("Float64", Assert.Throws<NotSupportedException>(() => new SpatialNetwork("F", [4, 4, 1], Parameterization.Ntk, Precision.Float32, 1, false,
            [new FlattenSpec("F"), new DenseSpec("O", 1, Identity, 1, 1, true)])).Message);
        // Every message names the layer as "Model.Layer (Kind)", as the generated Dense models do.
        Assert.Contains("Bad.C (Conv2D): A 4×4 window with Valid padding does not fit a 3×3 image", Assert.Throws<ArgumentException>(() => Build([3, 3, 1],
            new Conv2DSpec("C", 1, 4, 1, Padding.Valid, Tanh, 1, 1, true), new FlattenSpec("F"), new DenseSpec("O", 1, Identity, 1, 1, true))).Message);
        Assert.Contains("Bad.O (Dense) follows a", Assert.Throws<ArgumentException>(() => Build([3, 3, 1], new DenseSpec("O", 1, Identity, 1, 1, true))).Message);
        Assert.Contains("Bad.O (Dense): Units must be positive", Assert.Throws<ArgumentException>(() => Build([1, 1, 2], new DenseSpec("O", 0, Identity, 1, 1, true))).Message);
        Assert.Contains("Bad.P (AvgPool2D): window and stride must be positive", Assert.Throws<ArgumentException>(() => Build([2, 2, 1],
            new AvgPool2DSpec("P", 0, 0, Padding.Valid), new FlattenSpec("F"), new DenseSpec("O", 1, Identity, 1, 1, true))).Message);
        Assert.Contains("Bad.A (Add): the output of C", Assert.Throws<ArgumentException>(() => Build([4, 4, 1],
            new Conv2DSpec("C", 2, 3, 1, Padding.Same, Tanh, 1, 1, true), new AvgPool2DSpec("P", 2, 2, Padding.Valid), new AddSpec("A", "C"),
            new FlattenSpec("F"), new DenseSpec("O", 1, Identity, 1, 1, true))).Message);
        Assert.Contains("Bad.A (Add) names Later, which is not an earlier layer", Assert.Throws<ArgumentException>(() => Build([4, 4, 1],
            new AddSpec("A", "Later"), new Conv2DSpec("Later", 1, 3, 1, Padding.Same, Tanh, 1, 1, true), new FlattenSpec("F"), new DenseSpec("O", 1, Identity, 1, 1, true))).Message);
        Assert.Contains("the last layer (Bad.F) must be a Dense layer", Assert.Throws<ArgumentException>(() => Build([4, 4, 1], new FlattenSpec("F"))).Message);
    }

    [Fact]
    public void OverflowIsNonFiniteResultException()
    {
        var net = Build([2, 2, 1], new Conv2DSpec("C", 1, 1, 1, Padding.Same, SpatialModels.Act(Activation.Softplus), 1, 0, false),
            new FlattenSpec("F"), new DenseSpec("O", 1, Identity, 1, 1, true));
        var p = net.InitializeParameters(new NormalSampler(1));
        p[0][0] = 1e300;
        var x = Tensor.FromArray([1e10, 1, 1, 1], 1, 4);
        Assert.Throws<NonFiniteResultException>(() => net.Forward(p, x));
        Assert.Throws<NonFiniteResultException>(() => net.Ntk(p, x, null, NtkMode.Trace, [1.0, 1.0, 1.0], false, null, default));
    }

    [Fact]
    public void CostAndMemoryChecks()
    {
        var net = SpatialModels.Create("Mixed");
        var cost = net.Cost;
        Assert.Equal(net.ParameterCount, cost.ParameterCount);
        Assert.Equal(net.Info.Layers.Count, cost.Layers.Count);
        // Conv C1: 6·5 pixels · 3 channels · (2·18 GEMM + 2 bias + 1 tanh).
        Assert.Equal(30L * 3 * (2 * 18 + 2 + 1), cost.Layers[0].ForwardFlopsPerExample);
        Assert.Equal(3L * 18 + 3, cost.Layers[0].Parameters);
        Assert.Equal(100L * 3 * net.ParameterCount * 8, cost.JacobianBytes(100));
        var small = cost.Ntk(100);
        var large = cost.Ntk(1000);
        Assert.True(large.Flops > 10 * small.Flops && large.Bytes > 1000L * 1000 * 8 && small.Bytes > 100L * 100 * 8);
        Assert.True(cost.Ntk(100, null, NtkMode.Full).Bytes >= 100L * 100 * 9 * 8);
        Assert.True(cost.Ntk(100).Bytes >= 100L * 100 * 8);

        var p = SpatialModels.Parameters(net, 1);
        var x = SpatialModels.Inputs(net, 50, 2);
        var ones = Enumerable.Repeat(1.0, net.Info.Groups.Count).ToArray();
        using (MemoryBudget.LimitForTesting(10_000))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(() => net.Ntk(p, x, null, NtkMode.Full, ones, false, null, default));
            Assert.Contains("Full", e.Message);
            Assert.Throws<NotEnoughMemoryException>(() => net.Jacobian(p, x));
        }
    }
}
