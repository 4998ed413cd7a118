using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Training;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// Linearize/LinearizedModel and Trainer (per-group learning rates, α, centring, momentum, minibatches) on device
/// models: against the same calls on the CPU (1e-12), with the emulation's launch counts and a recording backend
/// proving that every Forward, Jvp and Vjp went to the device.
/// </summary>
public sealed class LinearizedAndTrainingOnDeviceTests
{
    private static Tensor Values(int seed, params int[] shape) =>
        Tensor.FromArray(Reference.Random(shape.Aggregate(1, (p, s) => p * s), seed, 1.2), shape);

    private static void Close(Tensor actual, Tensor expected, string what) => Close(actual.ToFlatArray(), expected.ToFlatArray(), what);

    private static void Close(double[] actual, double[] expected, string what)
    {
        double err = Reference.MaxRelative(actual, expected, floor: 0);
        Assert.True(err < 1e-12, $"{what}: relative error {err:G3}");
    }

    private static double[] Moved(double[] theta, int seed)
    {
        var d = Reference.Random(theta.Length, seed, 0.05);
        return theta.Zip(d, (a, b) => a + b).ToArray();
    }

    private static void SameTraining(TrainingResult gpu, TrainingResult cpu)
    {
        Assert.Equal(cpu.History.Count, gpu.History.Count);
        for (int i = 0; i < cpu.History.Count; i++)
        {
            Assert.Equal(cpu.History[i].Step, gpu.History[i].Step);
            Assert.True(Math.Abs(cpu.History[i].Loss - gpu.History[i].Loss) <= 1e-12 * Math.Abs(cpu.History[i].Loss), $"loss at record {i}");
        }
    }

    [Fact]
    public void TheLinearizationOfADeviceModelRunsOnTheDeviceAndEqualsTheCpus()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(60, emu.Device).Linearize();
        var cpu = new DeviceDeep(60).Linearize();
        var x = Values(800, 6, 5);
        Close(gpu.Forward(x), cpu.Forward(x), "f_lin at θ0");
        var theta = Moved(gpu.GetParameters(), 801);
        gpu.SetParameters(theta);
        cpu.SetParameters(theta);
        long launches = emu.Gpu.LaunchCount, calls = emu.Gpu.LibraryCallCount;
        Close(gpu.Forward(x), cpu.Forward(x), "f_lin away from θ0");
        // A forward pass and a Jvp of DeviceDeep (4 layers): 4 + 4 GEMMs on the device at least.
        Assert.True(emu.Gpu.LibraryCallCount - calls >= 8, $"{emu.Gpu.LibraryCallCount - calls} library calls");
        Assert.True(emu.Gpu.LaunchCount > launches);
        int p = DeviceDeep.Info.ParameterCount;
        var t = Values(802, p);
        var u = Values(803, 6, 3);
        Close(gpu.Jvp(x, t), cpu.Jvp(x, t), "Jvp at θ0");
        Close(gpu.Vjp(x, u), cpu.Vjp(x, u), "Vjp at θ0");
    }

    [Fact]
    public void TrainingTheLinearizationAndTheModelOnTheDeviceEqualsTheCpu()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var x = Values(810, 8, 5);
        var y = Values(811, 8, 3);
        var options = new TrainerOptions
        {
            LearningRate = 0.04, GroupLearningRates = new GroupWeights(1.0).Layer("Hidden2", 0.5).Bias("Readout", 2.0),
            Momentum = 0.4, OutputScale = 1.7, Centered = true,
        };
        var linGpu = new DeviceDeep(61, emu.Device).Linearize();
        var linCpu = new DeviceDeep(61).Linearize();
        long launches = emu.Gpu.LaunchCount;
        var rGpu = new Trainer(options).Train(linGpu, x, y, 5, 1);
        Assert.True(emu.Gpu.LaunchCount > launches, "training ran on the device");
        SameTraining(rGpu, new Trainer(options).Train(linCpu, x, y, 5, 1));
        Close(linGpu.GetParameters(), linCpu.GetParameters(), "trained linearized parameters");
        Close(linGpu.Forward(x), linCpu.Forward(x), "trained f_lin");

        // Minibatch SGD of the model itself with α and momentum.
        var sgd = new TrainerOptions
        {
            LearningRate = 0.04, GroupLearningRates = options.GroupLearningRates, Momentum = 0.4, OutputScale = 1.7, BatchSize = 3, Seed = 7,
        };
        var gpu = new DeviceDeep(62, emu.Device);
        var cpu = new DeviceDeep(62);
        SameTraining(new Trainer(sgd).Train(gpu, x, y, 6, 2), new Trainer(sgd).Train(cpu, x, y, 6, 2));
        Close(gpu.GetParameters(), cpu.GetParameters(), "SGD parameters");
    }

    [Fact]
    public void EveryModelCallOfLinearizeAndTrainerGoesThroughTheModelBackend()
    {
        // The recording backend computes with a CPU twin of the bound parameters: real values, and a log of the calls.
        var device = new RecordingModelDevice(() => new DeviceDeep(0));
        var model = new DeviceDeep(63, device);
        var x = Values(820, 5, 5);
        var y = Values(821, 5, 3);
        var lin = model.Linearize();
        var cpuLin = new DeviceDeep(63).Linearize();
        Close(lin.Forward(x), cpuLin.Forward(x), "f_lin at θ0");
        Assert.Equal(["Forward 5"], device.Calls);
        var theta = Moved(lin.GetParameters(), 822);
        lin.SetParameters(theta);
        cpuLin.SetParameters(theta);
        Close(lin.Forward(x), cpuLin.Forward(x), "f_lin away from θ0");
        Assert.Equal(["Forward 5", "Forward 5", "Jvp 5"], device.Calls);

        device.Calls.Clear();
        var options = new TrainerOptions { LearningRate = 0.05, GroupLearningRates = new GroupWeights(1.0).Layer("Hidden1", 0.3), Momentum = 0.2, OutputScale = 2.0 };
        var result = new Trainer(options).Train(lin, x, y, 4, 1);
        SameTraining(result, new Trainer(options).Train(cpuLin, x, y, 4, 1));
        Assert.NotEmpty(device.Calls);
        Assert.All(device.Calls, c => Assert.Matches("^(Forward|Jvp|Vjp) 5$", c));
        Assert.Contains("Vjp 5", device.Calls);

        device.Calls.Clear();
        var cpu = new DeviceDeep(63);
        SameTraining(new Trainer(options).Train(model, x, y, 4, 1), new Trainer(options).Train(cpu, x, y, 4, 1));
        Assert.Contains("Forward 5", device.Calls);
        Assert.Contains("Vjp 5", device.Calls);
        Assert.All(device.Calls, c => Assert.Matches("^(Forward|Jvp|Vjp) 5$", c));
        Close(model.GetParameters(), cpu.GetParameters(), "trained parameters");
    }
}
