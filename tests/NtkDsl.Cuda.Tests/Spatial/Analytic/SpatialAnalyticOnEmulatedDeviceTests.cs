using NtkDsl.Cuda.Analytic.Spatial;
using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Spatial.Analytic;

/// <summary>
/// The spatial analytic device contract on the strict host emulation (nothing may be left alive; the generated duals and
/// the runtime layer rules are the CUDA C text, compiled by g++), plus what only the emulation can show: no launch before
/// the argument checks, batches sized to a small device with the same result, a pair that cannot fit.
/// </summary>
public sealed class SpatialAnalyticOnEmulatedDeviceTests : SpatialAnalyticConformance
{
    private readonly EmulatedGpu _gpu = new();

    protected override CudaDevice OpenDevice() => CudaDevice.Open(0, _gpu.CreateBackend());

    protected override void RequireKernelCompiler() => Emulated.RequireCompiler();

    protected override void AfterDispose()
    {
        try
        {
            _gpu.AssertClean();
        }
        finally
        {
            _gpu.Dispose();
        }
    }

    [Fact]
    public void BadInputLaunchesNothing()
    {
        Emulated.RequireCompiler();
        int d = 6 * 5 * 2;
        var nan = Reference.Random(2 * d, 9);
        nan[3] = double.PositiveInfinity;
        _ = Device.Name;
        long before = _gpu.LaunchCount;
        Assert.ThrowsAny<ArgumentException>(() => AnalyticResidual.AnalyticNtk(Device, Tensor.FromArray(nan, 2, d)));
        Assert.ThrowsAny<ArgumentException>(() => AnalyticResidual.AnalyticNngp(Device, Inputs(2, d - 1, 3)));
        Assert.Throws<NotSupportedException>(() => AnalyticTanhConv.AnalyticNtk(Device, Inputs(2, 16, 3)));
        Assert.ThrowsAny<ArgumentException>(() => AnalyticResidual.AnalyticNtkDiagonal(Device, Tensor.FromArray(nan, 2, d)));
        Assert.ThrowsAny<ArgumentException>(() => AnalyticResidual.AnalyticNngpDiagonal(Device, Inputs(2, d - 1, 3)));
        Assert.ThrowsAny<ArgumentException>(() => AnalyticWidthless.AnalyticNngpDiagonal(Device, Tensor.FromArray([1.0, double.NaN], 1, 2)));
        Assert.Throws<NotSupportedException>(() => AnalyticTanhConv.AnalyticNtkDiagonal(Device, Inputs(2, 16, 3)));
        Assert.Equal(before, _gpu.LaunchCount);
        AnalyticResidual.AnalyticNtkDiagonal(Device, Inputs(3, d, 5));
        Assert.True(_gpu.LaunchCount > before, "the valid diagonal must launch kernels");
        before = _gpu.LaunchCount;
        AnalyticResidual.AnalyticNtk(Device, Inputs(2, d, 4));
        Assert.True(_gpu.LaunchCount > before, "the valid call must launch kernels");
    }

    [Fact]
    public void BatchesOfAnySizeGiveTheSameBits()
    {
        Emulated.RequireCompiler();
        int d = 6 * 5 * 2;
        var x1 = Inputs(4, d, 11);
        var x2 = Inputs(3, d, 12);
        var plan = AnalyticResidualPlan();
        var all = AnalyticResidual.AnalyticNtk(Device, x1, x2).ToFlatArray();
        foreach (int batch in new[] { 1, 2, 5 })
        {
            var part = SpatialAnalyticOnDevice.Compute(Device, plan, SourceOf(), x1, x2, Ones(plan), true, null, default, maxBatch: batch).ToFlatArray();
            Assert.Equal(all, part);
        }
    }

    [Fact]
    public void ASmallDeviceUsesSmallerBatchesWithTheSameResult()
    {
        Emulated.RequireCompiler();
        int d = 6 * 5 * 2;
        var x = Inputs(6, d, 13);
        var plan = AnalyticResidualPlan();
        long perPair = DevicePixelPairRecursion.BytesPerPair(plan);
        var big = AnalyticResidual.AnalyticNngp(Device, x).ToFlatArray();
        // Room for the traces and about three pairs' matrices: the 21 pairs of a symmetric 6 × 6 kernel go in several batches.
        ulong total = (ulong)(perPair * 4 + (64 << 10));
        using var small = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = total });
        int batch = SpatialAnalyticOnDevice.BatchSize(small.Device, plan, 21, SpatialAnalyticOnDevice.MaxBatch);
        Assert.InRange(batch, 1, 20);
        Assert.Equal(big, AnalyticResidual.AnalyticNngp(small.Device, x).ToFlatArray());
    }

    [Fact]
    public void APairThatCannotFitIsAnOutOfMemoryExceptionWithTheSizes()
    {
        Emulated.RequireCompiler();
        var plan = AnalyticResidualPlan();
        long perPair = DevicePixelPairRecursion.BytesPerPair(plan);
        using var tiny = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = (ulong)(perPair / 2) });
        var e = Assert.Throws<CudaOutOfMemoryException>(() => AnalyticResidual.AnalyticNtk(tiny.Device, Inputs(2, 60, 14)));
        Assert.Contains("pixel-pair matrices of one example pair", e.Message, StringComparison.Ordinal);
        Assert.Contains("(H·W)² = 900", e.Message, StringComparison.Ordinal);
        Assert.Equal((ulong)perPair, e.RequestedBytes);
        // Disposing the Emulated device asserts that the failed call leaked nothing.
    }

    [Fact]
    public void TraceBytesAreWhatTheTracesAllocate()
    {
        // ExampleTraces.Bytes (the out-of-memory pre-check) against the bytes the constructor really takes from the
        // device's pool (exact sizes in the emulation), over plans that between them use every optional array.
        var plans = new[] { typeof(AnalyticConvGap), typeof(AnalyticResidual), typeof(AnalyticPooledStandard), typeof(AnalyticNormFirst), typeof(AnalyticTwoSources) }
            .Select(t => ((Layers.SpatialNetwork)t.GetField("__ntkNetwork", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!).AnalyticPlan)
            .Append(((Layers.SpatialNetwork)typeof(AnalyticWidthless).GetMethod("__ntkNetworkFor", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .Invoke(null, [7, null])!).AnalyticPlan)
            .ToArray();
        Assert.Contains(plans, p => p.InputPoolSteps != 0);
        Assert.Contains(plans, p => p.NeedsMeans);
        Assert.Contains(plans, p => !p.NeedsMeans);
        Assert.Contains(plans, p => p.Steps.Any(s => s.Kind == Layers.AnalyticStepKind.LayerNorm));
        Assert.Contains(plans, p => p.Steps.Any(s => s.Kind == Layers.AnalyticStepKind.Affine && s.IsIdentity));
        foreach (var plan in plans)
            foreach (int n in new[] { 1, 3 })
            {
                ulong before = Device.Allocator.LiveBytes;
                using (new ExampleTraces(Device, plan, Reference.Random(n * plan.Features, 15), n))
                    Assert.Equal((ulong)ExampleTraces.Bytes(plan, n), Device.Allocator.LiveBytes - before);
                Assert.Equal(before, Device.Allocator.LiveBytes);
            }
    }

    private static Layers.AnalyticPlan AnalyticResidualPlan() => AnalyticResidualNetwork().AnalyticPlan;

    private static Layers.SpatialNetwork AnalyticResidualNetwork() =>
        (Layers.SpatialNetwork)typeof(AnalyticResidual).GetField("__ntkNetwork", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    private static string SourceOf() =>
        (string)typeof(AnalyticResidual).GetField("__ntkCudaSource", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    private static double[] Ones(Layers.AnalyticPlan plan) => Enumerable.Repeat(1.0, plan.GroupCount).ToArray();
}
