using NtkDsl.Kernels;

namespace NtkDsl.Tests.Cost;

/// <summary>
/// The generated <c>Cost</c> against what the code really does: GEMM flops counted by the instrumented kernel,
/// allocations measured by the runtime, and a hand derivation of every figure for a tiny model.
/// </summary>
public sealed class ModelCostTests
{
    private static Tensor Input(int rows, int cols, DType dtype, int seed)
    {
        var data = new double[rows * cols];
        new NormalSampler(seed).FillNormal(data, 1.0);
        var t = Tensor.FromArray(data, rows, cols);
        return dtype == DType.Float64 ? t : t.To(dtype);
    }

    private static (long Flops, long Allocated) Measure(Action action)
    {
        action(); // warm-up: JIT and static initialization must not count
        long before = GC.GetAllocatedBytesForCurrentThread();
        FlopCounter.Start();
        action();
        var (flops, _) = FlopCounter.Stop();
        return (flops, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertMatches(OperationCost cost, (long Flops, long Allocated) measured, string what)
    {
        Assert.True(cost.GemmFlops == measured.Flops, $"{what}: modelled GEMM flops {cost.GemmFlops}, counted {measured.Flops}");
        // Allocations: every modelled array is allocated; the rest is object headers, Tensor objects and task plumbing.
        Assert.True(measured.Allocated >= cost.AllocatedBytes, $"{what}: allocated {measured.Allocated} < modelled {cost.AllocatedBytes}");
        Assert.True(measured.Allocated <= cost.AllocatedBytes * 1.05 + 64_000, $"{what}: allocated {measured.Allocated} ≫ modelled {cost.AllocatedBytes}");
        Assert.True(cost.Bytes <= cost.AllocatedBytes);
    }

    public static TheoryData<string> Models => new() { "Deep", "ActivatedOutput", "Single", "Float32", "Tiny" };

    private static (INtkModel Model, ModelCost Cost, DType DType) Create(string name) => name switch
    {
        "Deep" => (new DeepCostNet(1), DeepCostNet.Cost, DType.Float64),
        "ActivatedOutput" => (new ActivatedOutputNet(2), ActivatedOutputNet.Cost, DType.Float64),
        "Single" => (new SingleLayerNet(3), SingleLayerNet.Cost, DType.Float64),
        "Float32" => (new SingleCostNet(4), SingleCostNet.Cost, DType.Float32),
        _ => (new TinyCostNet(5), TinyCostNet.Cost, DType.Float64),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void GemmFlopsAndAllocationsMatchTheKernelsForEveryModeSymmetricOrNot(string name)
    {
        var (model, cost, dtype) = Create(name);
        int d = cost.Model.Inputs;
        var x1 = Input(37, d, dtype, 10);
        var x2 = Input(23, d, dtype, 11);
        AssertMatches(cost.Forward(37), Measure(() => model.Forward(x1)), name + " Forward");
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
        {
            AssertMatches(cost.Ntk(37, null, mode), Measure(() => model.Ntk(x1, null, mode)), $"{name} Ntk {mode} symmetric");
            AssertMatches(cost.Ntk(37, 23, mode), Measure(() => model.Ntk(x1, x2, mode)), $"{name} Ntk {mode} x1, x2");
        }
        foreach (var mode in new[] { NtkMode.Diagonal, NtkMode.DiagonalFull })
            AssertMatches(cost.Ntk(37, null, mode), Measure(() => model.Ntk(x1, null, mode)), $"{name} Ntk {mode}");
        AssertMatches(cost.Jacobian(23), Measure(() => model.Jacobian(x2)), name + " Jacobian");
    }

    [Fact]
    public void PartialTilesAndSeveralFeatureBlocksAreCounted()
    {
        // 1030 rows: two feature blocks (1024 + 6) and a 512-row tile grid with a partial last tile; Full mode with
        // K = 3 uses 170-row tiles, so 180 rows leave a partial tile too.
        var model = new DeepCostNet(7);
        var big = Input(1030, 7, DType.Float64, 12);
        var other = Input(600, 7, DType.Float64, 13);
        AssertMatches(DeepCostNet.Cost.Ntk(1030), Measure(() => model.Ntk(big)), "Trace symmetric 1030");
        AssertMatches(DeepCostNet.Cost.Ntk(1030, 600), Measure(() => model.Ntk(big, other)), "Trace 1030 × 600");
        var x = Input(180, 7, DType.Float64, 14);
        AssertMatches(DeepCostNet.Cost.Ntk(180, null, NtkMode.Full), Measure(() => model.Ntk(x, null, NtkMode.Full)), "Full symmetric 180");
    }

    [Fact]
    public void TinyModelFiguresMatchAHandDerivation()
    {
        // TinyCostNet: 3 → 5 (ReLU, bias) → 2 (identity, bias). K = 2, P = 3·5 + 5 + 5·2 + 2 = 32.
        var c = TinyCostNet.Cost;
        Assert.Equal(32, c.ParameterCount);
        Assert.Equal(32, TinyCostNet.Info.ParameterCount);
        // Forward per example: Hidden 2·3·5 + 2·5 + 5 = 45, Readout 2·5·2 + 2·2 = 24.
        Assert.Equal([45L, 24L], c.Layers.Select(l => l.ForwardFlopsPerExample));
        Assert.Equal(69, c.ForwardFlopsPerExample);

        // Ntk(x), Trace, N = 4: features then one diagonal 4 × 4 tile.
        // Features: forward GEMMs 2·4·5·3 = 120 and 2·4·2·5 = 80; biases 2·4·5 + 2·4·2 = 56; φ and φ' of Hidden 2·4·5 = 40;
        // input scaling 4·3 + 4·5 = 32; traced reduction of Hidden: column norms 2·5·2 + 2·5 = 30, then 4·5 = 20.
        // Tile (diagonal, so lower-triangle SYRKs: n(n + 1)·k flops over the 10 pairs j ≤ i): Hidden input Gram 4·5·3 = 60,
        // reduced-delta Gram 4·5·5 = 100; Readout input Gram 4·5·5 = 100 (unit deltas: no Gram); bias weight per layer
        // 2 + 2; accumulation (3 + 2)·10 per layer = 100; lower-triangle writes 10.
        var ntk = c.Ntk(4);
        Assert.Equal(120 + 80 + 60 + 100 + 100, ntk.GemmFlops);
        Assert.Equal(56 + 40 + 32 + 30 + 20 + 4 + 100 + 10, ntk.ElementwiseFlops);
        // Resident: features (4·3 + 4·5 reduced deltas) + (4·5 + 0 unit deltas) values, the 4 × 4 result, and the
        // 1024 × 1024 accumulator (float64), Gram and delta-Gram tile buffers (Trace tiles are 1024 rows).
        Assert.Equal(8L * (4 * 3 + 4 * 5 + 4 * 5) + 8L * 16 + 3L * 8 * 1024 * 1024, ntk.Bytes);

        // Jacobian, N = 4: features with per-output deltas of Hidden (2·4·2·5 = 80 flops, 4·2·5 stored), J = 4·2·32.
        // Assembly: Hidden 4·2·5·(3 + 1) = 160, Readout (unit deltas) 4·2·1·(5 + 1) = 48.
        var jac = c.Jacobian(4);
        Assert.Equal(120 + 80, jac.GemmFlops);
        Assert.Equal(56 + 40 + 32 + 80 + 160 + 48, jac.ElementwiseFlops);
        Assert.Equal(8L * (4 * 3 + 4 * 2 * 5 + 4 * 5) + 8L * 4 * 2 * 32, jac.Bytes);
        Assert.Equal(8L * 4 * 2 * 32, c.JacobianBytes(4));
    }

    [Fact]
    public void JacobianResultIsTheModelledSizeAndForwardKeepsEveryActivation()
    {
        var model = new DeepCostNet(3);
        var x = Input(11, 7, DType.Float64, 15);
        var j = model.Jacobian(x);
        Assert.Equal(DeepCostNet.Cost.JacobianBytes(11), j.Length * 8L);
        // Forward keeps every layer's activation: 11·(9 + 6 + 5 + 3) float64 values.
        Assert.Equal(8L * 11 * (9 + 6 + 5 + 3), DeepCostNet.Cost.Forward(11).Bytes);
    }

    [Fact]
    public void AnalyticNtkGramIsASyrkWhenSymmetric()
    {
        // Input Gram: SYRK lower triangle n(n+1)·d, or 2·n1·n2·d; one dual per hidden layer per entry (identity output).
        var c = DeepCostNet.Cost;
        Assert.Equal(40L * 41 * 7, c.AnalyticNtk(40).GemmFlops);
        Assert.Equal(2L * 40 * 30 * 7, c.AnalyticNtk(40, 30).GemmFlops);
        Assert.Equal(40L * 41 / 2 * 3 + 40L * 3, c.AnalyticNtk(40).DualEvaluations);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheReason()
    {
        var ex = Assert.Throws<ArgumentException>(() => TinyCostNet.Cost.Ntk(5, 6, NtkMode.Diagonal));
        Assert.Contains("n2 = null", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyCostNet.Cost.Forward(-1));
        Assert.Contains("32 parameters", TinyCostNet.Cost.Summary(10));
    }
}
