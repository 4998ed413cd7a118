using NtkDsl.Dynamics;
using NtkDsl.Memory;
using NtkDsl.Tests.Training;

namespace NtkDsl.Tests.Memory;

/// <summary>
/// Issue 13 item 13: large results are checked against the available memory before anything is allocated, and an
/// oversized request is a <see cref="NotEnoughMemoryException"/> with the size, what is available and the fix.
/// The available memory is injected with the async-local test hook, so parallel tests are unaffected.
/// </summary>
public sealed class MemoryBudgetTests
{
    private static Tensor X(int rows, int seed) => TrainingData.X(rows, seed);

    private static void AssertAdvice(NotEnoughMemoryException e, long limit)
    {
        Assert.Equal(limit, e.AvailableBytes);
        Assert.Contains(ModelCost.FormatBytes(e.RequestedBytes), e.Message, StringComparison.Ordinal);
        Assert.Contains("only " + ModelCost.FormatBytes(limit) + " is available", e.Message, StringComparison.Ordinal);
        Assert.Contains("SliceRows", e.Message, StringComparison.Ordinal);
        Assert.Contains("KernelStream.NtkToNpy", e.Message, StringComparison.Ordinal);
        Assert.Contains("Precision.Float32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NtkChecksItsWholeWorkingSetAndFitsExactlyAtTheLimit()
    {
        var model = new TrainTanh2(1);
        var x = X(40, 2);
        // Independent count of what Ntk (Full mode, symmetric) holds at once: the N × N × K × K result, the per-layer
        // features (layer 0: 3 scaled inputs + K·8 deltas per row; layer 1, the output with identity: 8 inputs) and
        // the tile buffers (a float64 accumulator, a Gram and a delta Gram per tile; tile side max(16, 512/K) = 256).
        const int n = 40, k = 2;
        long result = (long)n * n * k * k * 8;
        long features = n * (3 + k * 8 + 8) * 8L;
        long tile = 256L * 256, tiles = tile * k * k * 8 + tile * 8 + tile * k * k * 8;
        long expected = result + features + tiles;
        Assert.Equal(expected, TrainTanh2.Cost.Ntk(n, null, NtkMode.Full).Bytes);

        using (MemoryBudget.LimitForTesting(expected - 1))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(() => model.Ntk(x, mode: NtkMode.Full));
            Assert.Equal(expected, e.RequestedBytes);
            Assert.Equal("TrainTanh2.Ntk", e.Operation);
            AssertAdvice(e, expected - 1);
            Assert.Contains("40 × 40 × 2 × 2", e.Message, StringComparison.Ordinal);
            Assert.Contains("NtkMode.Trace needs K² = 4 times less", e.Message, StringComparison.Ordinal);
        }
        using (MemoryBudget.LimitForTesting(expected))
        {
            var k1 = model.Ntk(x, mode: NtkMode.Full);
            Assert.Equal(new[] { n, n, k, k }, k1.Shape.ToArray());
        }
    }

    [Fact]
    public void NtkPerGroupCountsOneResultPerGroup()
    {
        var model = new TrainTanh(3);
        var x = X(30, 4);
        long ntk = TrainTanh.Cost.Ntk(30).Bytes;
        long expected = ntk + 3L * 30 * 30 * 8; // four groups (two layers' weights and biases): three more 30 × 30 results
        using var _ = MemoryBudget.LimitForTesting(expected - 1);
        var e = Assert.Throws<NotEnoughMemoryException>(() => model.NtkPerGroup(x));
        Assert.Equal(expected, e.RequestedBytes);
        Assert.Equal("TrainTanh.NtkPerGroup", e.Operation);
        Assert.Contains("each of 4 groups", e.Message, StringComparison.Ordinal);
        // The single kernel fits in the same budget.
        Assert.Equal(new[] { 30, 30 }, model.Ntk(x).Shape.ToArray());
    }

    [Fact]
    public void JacobianAndAnalyticKernelsAreCheckedToo()
    {
        var model = new TrainTanh(5);
        var x = X(25, 6);
        long p = TrainTanh.Info.ParameterCount;
        long jacobian = TrainTanh.Cost.Jacobian(25).Bytes;
        Assert.True(jacobian >= 25L * 1 * p * 8);
        using (MemoryBudget.LimitForTesting(jacobian - 1))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(() => model.Jacobian(x));
            Assert.Equal(jacobian, e.RequestedBytes);
            Assert.Contains("Jvp/Vjp", e.Message, StringComparison.Ordinal);
            AssertAdvice(e, jacobian - 1);
        }

        // Analytic: inputs copied (25 × 3), the 25 × 25 Gram that becomes the result, the diagonal chains.
        long analytic = TrainTanh.Cost.AnalyticNtk(25).Bytes;
        Assert.True(analytic >= 25L * 25 * 8 + 25L * 3 * 8);
        using (MemoryBudget.LimitForTesting(analytic - 1))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(() => TrainTanh.AnalyticNtk(x));
            Assert.Equal(analytic, e.RequestedBytes);
            Assert.Contains("AnalyticNtkDiagonal", e.Message, StringComparison.Ordinal);
            Assert.Throws<NotEnoughMemoryException>(() => TrainTanh.AnalyticNngp(x));
        }
        using (MemoryBudget.LimitForTesting(analytic))
            Assert.Equal(new[] { 25, 25 }, TrainTanh.AnalyticNtk(x).Shape.ToArray());
    }

    [Fact]
    public void DynamicsAndRuntimeAllocationsAreChecked()
    {
        var model = new TrainTanh(7);
        var x = X(20, 8);
        var kernel = model.Ntk(x);
        var y = Tensor.FromArray(new double[20], 20, 1);
        using var _ = MemoryBudget.LimitForTesting(4L * 20 * 20 * 8 - 1);
        var e = Assert.Throws<NotEnoughMemoryException>(() => new GradientDescentMse(kernel, y));
        Assert.Equal(4L * 20 * 20 * 8, e.RequestedBytes);
        Assert.Contains("KernelRegression", e.Message, StringComparison.Ordinal);

        var z = Assert.Throws<NotEnoughMemoryException>(() => Tensor.Zeros(DType.Float32, 100, 100));
        Assert.Equal(100L * 100 * 4, z.RequestedBytes);
        // Transient feature buffers, for callers that build them directly.
        Assert.Throws<NotEnoughMemoryException>(() => new NtkDsl.Kernels.LayerFeatures<double>(1000, 100, 50, 2, NtkDsl.Kernels.DeltaForm.General, 1.0, true, 0, 1));
    }

    [Fact]
    public void AnOversizedKernelFailsUpFrontWithoutAnyHook()
    {
        // 400,000² float64 is 1.28 TB: no test machine has it, and nothing may be allocated before the exception.
        var model = new TrainTanh(9);
        var x = Tensor.Zeros(400_000, 3);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<NotEnoughMemoryException>(() => model.Ntk(x));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "features were allocated before the check");
        Assert.True(e.RequestedBytes >= 400_000L * 400_000 * 8);
        Assert.True(e.AvailableBytes < e.RequestedBytes);
        Assert.IsAssignableFrom<OutOfMemoryException>(e);
    }

    [Fact]
    public void AvailableIsTheLeastOfItsSources()
    {
        var a = MemoryBudget.Available();
        Assert.True(a.Bytes > 0);
        Assert.True(a.Bytes <= a.GcBytes);
        if (a.CgroupBytes is long c) Assert.True(a.Bytes <= c);
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(a.MemAvailableBytes);
            Assert.True(a.Bytes <= a.MemAvailableBytes!.Value);
            // MemAvailable as /proc/meminfo states it (kB), read here independently; memory moves, so within 25 %.
            var line = File.ReadAllLines("/proc/meminfo").Single(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            long kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(a.MemAvailableBytes!.Value, kb * 1024 * 3 / 4, kb * 1024 * 5 / 4);
        }
        using (MemoryBudget.LimitForTesting(12345))
            Assert.Equal(12345, MemoryBudget.Available().Bytes);
        Assert.Null(MemoryBudget.Available().OverrideBytes);
    }

    [Fact]
    public void WntkIsCheckedLikeNtk()
    {
        var model = new TrainTanh2(24);
        var x = X(30, 25);
        long need = TrainTanh2.Cost.Ntk(30, 10, NtkMode.Full).Bytes;
        var x2 = X(10, 26);
        using var _ = MemoryBudget.LimitForTesting(need - 1);
        var e = Assert.Throws<NotEnoughMemoryException>(() => model.Wntk(x, x2, GroupWeights.Ones, NtkMode.Full));
        Assert.Equal(need, e.RequestedBytes);
    }

    [Theory]
    [InlineData("40000000", 40_000_000L)]
    [InlineData("40MB", 40_000_000L)]
    [InlineData(" 40 mb ", 40_000_000L)]
    [InlineData("512MiB", 512L * 1024 * 1024)]
    [InlineData("8GB", 8_000_000_000L)]
    [InlineData("2gib", 2L * 1024 * 1024 * 1024)]
    [InlineData("7k", 7_000L)]
    [InlineData("3KiB", 3_072L)]
    public void TheLimitVariableTakesBytesOrAUnit(string text, long bytes) => Assert.Equal(bytes, MemoryBudget.ParseLimit(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void AnUnsetLimitVariableMeansNoLimit(string? text) => Assert.Null(MemoryBudget.ParseLimit(text));

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("0MB")]
    [InlineData("-5")]
    [InlineData("1.5GB")]
    [InlineData("40XB")]
    [InlineData("MB")]
    [InlineData("99999999999TB")]
    [InlineData("99999999999999999999")]
    public void AMistypedLimitVariableIsAnErrorNotIgnored(string text)
    {
        // A new user's report: "40MB", "abc" and "-5" were silently ignored, so no limit applied and nothing said so.
        var e = Assert.Throws<InvalidOperationException>(() => MemoryBudget.ParseLimit(text));
        Assert.Contains(MemoryBudget.LimitVariable, e.Message, StringComparison.Ordinal);
        Assert.Contains("'" + text + "'", e.Message, StringComparison.Ordinal);
        Assert.Contains("8GB", e.Message, StringComparison.Ordinal);
    }
}
