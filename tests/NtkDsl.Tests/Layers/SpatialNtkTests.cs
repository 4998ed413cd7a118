using NtkDsl.Layers;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Layers;

/// <summary>The structured NTK of SpatialNetwork (every mode, both contraction orders) against explicit J·Jᵀ from Jacobian.</summary>
public sealed class SpatialNtkTests
{
    public static TheoryData<string, NtkMode, int> Cases()
    {
        var data = new TheoryData<string, NtkMode, int>();
        foreach (var name in SpatialModels.Names)
            foreach (var mode in Enum.GetValues<NtkMode>())
                foreach (var order in new[] { ContractionOrder.Auto, ContractionOrder.PixelPairs, ContractionOrder.Gradients })
                    data.Add(name, mode, (int)order);
        return data;
    }

    private static double[] Ones(SpatialNetwork net) => Enumerable.Repeat(1.0, net.Info.Groups.Count).ToArray();

    /// <summary>Explicit Θ from J (N × K × P): Σ_p J[n,c,p]·w_p·J'[m,c',p], in the mode's shape (Trace: mean over c = c').</summary>
    internal static Tensor Explicit(SpatialNetwork net, Tensor j1, Tensor j2, NtkMode mode, double[] perParameter)
    {
        int n1 = j1.Shape[0], n2 = j2.Shape[0], k = j1.Shape[1], p = j1.Shape[2];
        var a = j1.ToFlatArray();
        var b = j2.ToFlatArray();
        double Dot(int n, int c, int m, int c2)
        {
            double s = 0;
            for (int q = 0; q < p; q++) s += a[(n * k + c) * p + q] * perParameter[q] * b[(m * k + c2) * p + q];
            return s;
        }
        switch (mode)
        {
            case NtkMode.Full:
            {
                var t = new double[n1 * n2 * k * k];
                for (int n = 0; n < n1; n++)
                    for (int m = 0; m < n2; m++)
                        for (int c = 0; c < k; c++)
                            for (int c2 = 0; c2 < k; c2++) t[((n * n2 + m) * k + c) * k + c2] = Dot(n, c, m, c2);
                return Tensor.Wrap(t, n1, n2, k, k);
            }
            case NtkMode.Trace:
            {
                var t = new double[n1 * n2];
                for (int n = 0; n < n1; n++)
                    for (int m = 0; m < n2; m++)
                    {
                        double s = 0;
                        for (int c = 0; c < k; c++) s += Dot(n, c, m, c);
                        t[n * n2 + m] = s / k;
                    }
                return Tensor.Wrap(t, n1, n2);
            }
            case NtkMode.Diagonal:
            {
                var t = new double[n1];
                for (int n = 0; n < n1; n++)
                {
                    double s = 0;
                    for (int c = 0; c < k; c++) s += Dot(n, c, n, c);
                    t[n] = s / k;
                }
                return Tensor.Wrap(t, n1);
            }
            default:
            {
                var t = new double[n1 * k * k];
                for (int n = 0; n < n1; n++)
                    for (int c = 0; c < k; c++)
                        for (int c2 = 0; c2 < k; c2++) t[(n * k + c) * k + c2] = Dot(n, c, n, c2);
                return Tensor.Wrap(t, n1, k, k);
            }
        }
    }

    private static double[] PerParameter(SpatialNetwork net, double[] groupWeight)
    {
        var w = new double[net.ParameterCount];
        for (int g = 0; g < groupWeight.Length; g++)
            for (int i = 0; i < net.Info.Groups[g].Count; i++) w[net.Info.Groups[g].Offset + i] = groupWeight[g];
        return w;
    }

    [Theory, MemberData(nameof(Cases))]
    public void NtkMatchesExplicitJJt(string name, NtkMode mode, int order)
    {
        var net = SpatialModels.Create(name);
        var p = SpatialModels.Parameters(net, 21);
        var x1 = SpatialModels.Inputs(net, 5, 22);
        var x2 = SpatialModels.Inputs(net, 3, 23);
        var ones = Ones(net);
        var j1 = net.Jacobian(p, x1);
        var perParameter = PerParameter(net, ones);
        bool diagonal = mode is NtkMode.Diagonal or NtkMode.DiagonalFull;
        var symmetric = net.Ntk(p, x1, null, mode, ones, false, null, default, (ContractionOrder)order)[0];
        Close.Relative(Explicit(net, j1, j1, mode, perParameter), symmetric, 1e-12, $"{name} {mode} symmetric");
        if (diagonal) return;
        var j2 = net.Jacobian(p, x2);
        var cross = net.Ntk(p, x1, x2, mode, ones, false, null, default, (ContractionOrder)order)[0];
        Close.Relative(Explicit(net, j1, j2, mode, perParameter), cross, 1e-12, $"{name} {mode} x1, x2");
        // x2 = null is Θ(x, x) and exactly symmetric.
        var same = net.Ntk(p, x1, x1, mode, ones, false, null, default, (ContractionOrder)order)[0];
        Close.Relative(same, symmetric, 1e-13, $"{name} {mode} Θ(x, x)");
        var s = symmetric.ToFlatArray();
        int n = x1.Rows, kk = mode == NtkMode.Full ? net.Outputs * net.Outputs : 1, k = net.Outputs;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                for (int c = 0; c < kk; c++)
                {
                    int cT = kk == 1 ? 0 : (c % k) * k + c / k;
                    Assert.Equal(s[(a * n + b) * kk + c], s[(b * n + a) * kk + cT]);
                }
    }

    [Theory]
    [InlineData("Mixed", NtkMode.Trace)]
    [InlineData("Mixed", NtkMode.Full)]
    [InlineData("Strided", NtkMode.DiagonalFull)]
    [InlineData("MixedStandard", NtkMode.Diagonal)]
    [InlineData("EvenValid", NtkMode.Full)]
    public void PerGroupBlocksAreJacobianSlicesAndSumToTheNtk(string name, NtkMode mode)
    {
        var net = SpatialModels.Create(name);
        var p = SpatialModels.Parameters(net, 31);
        var x = SpatialModels.Inputs(net, 4, 32);
        var j = net.Jacobian(p, x);
        int groups = net.Info.Groups.Count;
        foreach (var order in new[] { ContractionOrder.PixelPairs, ContractionOrder.Gradients })
        {
            var blocks = net.Ntk(p, x, null, mode, Ones(net), true, null, default, order);
            Assert.Equal(groups, blocks.Length);
            var sum = Tensor.Zeros(blocks[0].Shape.ToArray());
            for (int g = 0; g < groups; g++)
            {
                var only = new double[groups];
                only[g] = 1;
                Close.Relative(Explicit(net, j, j, mode, PerParameter(net, only)), blocks[g], 1e-12, $"{name} {mode} {order} {net.Info.Groups[g].Key}");
                TensorOps.AddScaled(sum, blocks[g], 1.0);
            }
            Close.Relative(net.Ntk(p, x, null, mode, Ones(net), false, null, default, order)[0], sum, 1e-13, "Σ blocks");
        }
    }

    [Theory]
    [InlineData(NtkMode.Trace)]
    [InlineData(NtkMode.Full)]
    [InlineData(NtkMode.Diagonal)]
    [InlineData(NtkMode.DiagonalFull)]
    public void WeightedNtkIsJDJt(NtkMode mode)
    {
        var net = SpatialModels.Create("Mixed");
        var p = SpatialModels.Parameters(net, 41);
        var x = SpatialModels.Inputs(net, 4, 42);
        var j = net.Jacobian(p, x);
        var w = new[] { 0.5, 2.0, 0.0, 1.5, 3.0, 0.25, 1.0, 0.7, 4.0 };
        Assert.Equal(net.Info.Groups.Count, w.Length);
        foreach (var order in new[] { ContractionOrder.PixelPairs, ContractionOrder.Gradients })
            Close.Relative(Explicit(net, j, j, mode, PerParameter(net, w)), net.Ntk(p, x, null, mode, w, false, null, default, order)[0], 1e-12, $"{mode} {order}");
    }

    [Theory]
    [InlineData(NtkMode.Trace, 300, 0)]
    [InlineData(NtkMode.Full, 100, 0)]
    [InlineData(NtkMode.Trace, 300, 1)]
    [InlineData(NtkMode.Full, 100, 1)]
    public void ManyRowsCrossTilesAndSubTiles(NtkMode mode, int rows, int asymmetric)
    {
        // Trace tiles hold 256 rows and Full tiles max(4, 256/K) = 85 (K = 3) or 128 (K = 2): "Strided" (K = 2) at 300
        // rows crosses the Trace tile; "Mixed" (K = 3) at 100 rows crosses the 85-row Full tile and many 5-row pixel-pair sub-tiles; with x2 of
        // 90 rows, the asymmetric tiles too.
        var net = SpatialModels.Create(mode == NtkMode.Trace ? "Strided" : "Mixed");
        var p = SpatialModels.Parameters(net, 51);
        var x = SpatialModels.Inputs(net, rows, 52);
        var x2 = asymmetric == 1 ? SpatialModels.Inputs(net, mode == NtkMode.Trace ? 260 : 90, 53) : null;
        var j = net.Jacobian(p, x);
        var j2 = x2 is null ? j : net.Jacobian(p, x2);
        var expected = Explicit(net, j, j2, mode, PerParameter(net, Ones(net)));
        foreach (var order in new[] { ContractionOrder.PixelPairs, ContractionOrder.Gradients })
            Close.Relative(expected, net.Ntk(p, x, x2, mode, Ones(net), false, null, default, order)[0], 1e-12, $"{mode} {order}");
    }

    [Fact]
    public void AutoPicksTheCheaperOrderPerLayer()
    {
        // A Dense layer (one pixel) prefers pixel pairs (δδᵀ ⊙ aaᵀ); a conv layer with many pixels and few channels
        // prefers gradients once its pixel-pair Gram would cost more.
        var net = new SpatialNetwork("Orders", [16, 16, 1], Parameterization.Ntk, Precision.Float64, 1.0, false,
        [
            new Conv2DSpec("Wide", 2, 3, 1, Padding.Same, SpatialModels.Act(Activation.Tanh), 1, 0, true),
            new GlobalAvgPoolSpec("Gap"),
            new DenseSpec("Out", 10, SpatialModels.Act(Activation.Identity), 1, 0, true),
        ]);
        var orders = net.ChooseOrders(100, null, false, ContractionOrder.Auto);
        Assert.Equal(ContractionOrder.Gradients, orders[0]);
        Assert.Equal(ContractionOrder.PixelPairs, orders[2]);
        var (pixel, gradient) = net.OrderFlops((PatchLayerOp)net.Ops[0], 100, null, false);
        Assert.True(gradient < pixel);
        // 256 pixels: per pair 2·256²·(9 + 20 + 1) flops against 2·10·2·9 per pair plus formation.
        Assert.Equal(100 * 101 / 2.0 * (2.0 * 256 * 256 * 9 + 2.0 * 256 * 256 * 20 + 2.0 * 256 * 256), pixel);
        Assert.Equal(100 * 2.0 * 10 * 2 * 256 * 9 + 100 * 101 / 2.0 * 2 * 10 * 2 * 9, gradient);
    }

    [Fact]
    public void ProgressAndCancellation()
    {
        var net = SpatialModels.Create("Strided");
        var p = SpatialModels.Parameters(net, 61);
        var x = SpatialModels.Inputs(net, 600, 62);
        var reports = new List<NtkProgress>();
        net.Ntk(p, x, null, NtkMode.Trace, Ones(net), false, new SyncProgress(reports.Add), default);
        Assert.Equal(6, reports.Count); // 3 row tiles of 256: the lower triangle has 6 tiles.
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), reports.Select(r => r.Done));
        Assert.All(reports, r => Assert.Equal(6, r.Total));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => net.Ntk(p, x, null, NtkMode.Trace, Ones(net), false, null, cts.Token));
    }

    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
