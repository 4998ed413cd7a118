using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Ntk;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Training;

namespace NtkDsl.Cuda.Tests;

/// <summary>
/// Issue 12's dense-model items on the emulation and on the real libraries (skipped without a GPU): the NTK from blocks
/// of features, the generated AnalyticNtk/AnalyticNngp/AnalyticWntk/AnalyticNtkDiagonal/AnalyticNngpDiagonal(device, …) overloads and a trained linearization,
/// each against the CPU model (1e-12).
/// </summary>
public abstract partial class DeviceConformance
{
    private static void Within(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double err = Reference.MaxRelative(actual.ToFlatArray(), expected.ToFlatArray(), floor: 0);
        Assert.True(err < 1e-12, $"{what}: relative error {err:G3}");
    }

    [Fact]
    public void TheNtkFromBlocksOfFeaturesMatchesTheCpuInEveryMode()
    {
        RequireKernelCompiler();
        var gpu = new DeviceDeep(70, Device);
        var cpu = new DeviceDeep(70);
        var x1 = Inputs(11, 5, 710);
        var x2 = Inputs(7, 5, 711);
        var saved = Device.KernelOptions;
        long before = Device.FeatureBlockPairs;
        try
        {
            Device.KernelOptions = saved with { FeatureBlockRows = 4 };
            foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
            {
                Within(gpu.Ntk(x1, x2, mode), cpu.Ntk(x1, x2, mode), $"{mode}, x1 ≠ x2");
                Within(gpu.Ntk(x1, null, mode), cpu.Ntk(x1, null, mode), $"{mode}, x1 = x2");
            }
            Within(gpu.Ntk(x1, null, NtkMode.DiagonalFull), cpu.Ntk(x1, null, NtkMode.DiagonalFull), "DiagonalFull");
            var weights = new GroupWeights(0.4).Layer("Hidden2", 1.5);
            Within(gpu.Wntk(x1, x2, weights, NtkMode.Full), cpu.Wntk(x1, x2, weights, NtkMode.Full), "Wntk");
        }
        finally
        {
            Device.KernelOptions = saved;
        }
        // 3 × 2 pairs (x1 ≠ x2) and 6 (x1 = x2) per mode, 3 diagonal blocks, 6 for the Wntk.
        Assert.Equal(2 * (6 + 6) + 3 + 6, Device.FeatureBlockPairs - before);
    }

    [Fact]
    public void TheModelsAnalyticOverloadsMatchTheCpu()
    {
        RequireKernelCompiler();
        var x1 = Inputs(13, 5, 712, 1.2);
        var x2 = Inputs(8, 5, 713, 1.2);
        var weights = new GroupWeights(0.8).Weights("Hidden1", 2.0).Bias("Readout", 0.5);
        Within(AnalyticMix.AnalyticNtk(Device, x1, x2), AnalyticMix.AnalyticNtk(x1, x2), "AnalyticNtk");
        Within(AnalyticMix.AnalyticNngp(Device, x1), AnalyticMix.AnalyticNngp(x1), "AnalyticNngp, x1 = x2");
        Within(AnalyticMix.AnalyticWntk(Device, x1, x2, weights), AnalyticMix.AnalyticWntk(x1, x2, weights), "AnalyticWntk");
        Assert.Throws<NotSupportedException>(() => TanhPair.AnalyticNtk(Device, Inputs(3, 7, 714)));
        Within(AnalyticMix.AnalyticNtkDiagonal(Device, x1), AnalyticMix.AnalyticNtkDiagonal(x1), "AnalyticNtkDiagonal");
        Within(AnalyticMix.AnalyticNngpDiagonal(Device, x2.SliceRows(0, 1)), AnalyticMix.AnalyticNngpDiagonal(x2.SliceRows(0, 1)), "AnalyticNngpDiagonal, N = 1");
        Assert.Throws<NotSupportedException>(() => TanhPair.AnalyticNtkDiagonal(Device, Inputs(3, 7, 714)));
    }

    [Fact]
    public void ATrainedLinearizationOnTheDeviceMatchesTheCpu()
    {
        RequireKernelCompiler();
        var x = Inputs(7, 5, 715, 1.0);
        var y = Inputs(7, 3, 716, 1.0);
        var options = new TrainerOptions { LearningRate = 0.05, GroupLearningRates = new GroupWeights(1.0).Layer("Hidden3", 0.4), Momentum = 0.3, OutputScale = 1.5 };
        var gpu = new DeviceDeep(71, Device).Linearize();
        var cpu = new DeviceDeep(71).Linearize();
        var rGpu = new Trainer(options).Train(gpu, x, y, 4, 1);
        var rCpu = new Trainer(options).Train(cpu, x, y, 4, 1);
        Assert.Equal(rCpu.History.Count, rGpu.History.Count);
        for (int i = 0; i < rCpu.History.Count; i++)
            Assert.True(Math.Abs(rCpu.History[i].Loss - rGpu.History[i].Loss) <= 1e-12 * Math.Abs(rCpu.History[i].Loss), $"loss at record {i}");
        Within(gpu.Forward(x), cpu.Forward(x), "trained f_lin");
    }
}
