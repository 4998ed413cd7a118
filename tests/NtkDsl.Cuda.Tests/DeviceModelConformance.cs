using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Generated;
using NtkDsl.Cuda.Tests.Ntk;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Training;

namespace NtkDsl.Cuda.Tests;

/// <summary>
/// Generated Dense models constructed on the device run Forward, Jvp, Vjp and Jacobian there (issue 12): each equals the
/// same model with the same parameters on the CPU (1e-12 float64, 1e-5 float32, relative to the largest entry) for
/// ReLU, tanh, erf, sigmoid, GELU, softplus, sin, |x|, leaky ReLU, custom activations, the standard parameterization,
/// layers without bias and an activated readout; parameters changed between calls are uploaded again (and only then);
/// a training run on the device equals the CPU's; bad inputs raise the CPU's exceptions. Runs on the emulation and on
/// the real libraries (skipped without a GPU).
/// </summary>
public abstract partial class DeviceConformance
{
    private static Tensor Values(int seed, bool f32, params int[] shape)
    {
        var v = Reference.Random(shape.Aggregate(1, (p, s) => p * s), seed, 0.8);
        return f32 ? Tensor.FromArray(Reference.ToFloat(v), shape) : Tensor.FromArray(v, shape);
    }

    /// <summary>Forward, Jvp, Vjp and Jacobian of the device model against the CPU model with the same parameters.</summary>
    private void MethodsMatchCpu(Func<Device, int, INtkModel> create, double tolerance)
    {
        var cpu = create(NtkDsl.Device.Cpu, 51);
        var gpu = create(Device, 51);
        Assert.Equal(cpu.GetParameters(), gpu.GetParameters());
        var info = cpu.Info;
        bool f32 = info.Precision == Precision.Float32;
        string name = info.Name;
        foreach (int rows in new[] { 1, 6 })
        {
            var x = Values(600 + rows, f32, rows, info.Inputs);
            Same(gpu.Forward(x), cpu.Forward(x), tolerance, $"{name} Forward, {rows} rows");
            var tangent = Values(610 + rows, f32, info.ParameterCount);
            Same(gpu.Jvp(x, tangent), cpu.Jvp(x, tangent), tolerance, $"{name} Jvp, {rows} rows");
            var cotangent = Values(620 + rows, f32, rows, info.Outputs);
            Same(gpu.Vjp(x, cotangent), cpu.Vjp(x, cotangent), tolerance, $"{name} Vjp, {rows} rows");
            Same(gpu.Jacobian(x), cpu.Jacobian(x), tolerance, $"{name} Jacobian, {rows} rows");
        }
        // A float64 tangent for a float32 model is converted as on the CPU.
        if (f32)
        {
            var x = Values(630, true, 3, info.Inputs);
            var t64 = Values(631, false, info.ParameterCount);
            Same(gpu.Jvp(x, t64), cpu.Jvp(x, t64), tolerance, $"{name} Jvp with a float64 tangent");
        }
    }

    [Fact]
    public void GeneratedFloat64ModelsRunForwardJvpVjpAndJacobianOnDevice()
    {
        RequireKernelCompiler();
        MethodsMatchCpu((d, s) => new DeviceDeep(s, d), 1e-12);      // tanh, ReLU, erf, linear readout
        MethodsMatchCpu((d, s) => new DeviceSquashed(s, d), 1e-12);  // standard parameterization, no bias, tanh readout
        MethodsMatchCpu((d, s) => new CustomSmooth(s, d), 1e-12);    // custom activations (the printed CUDA C)
        MethodsMatchCpu((d, s) => new AllBuiltins(s, d), 1e-12);     // every built-in activation
        MethodsMatchCpu((d, s) => new StandardReluErf(s, d), 1e-12); // standard, ReLU/erf, a hidden layer without bias
        MethodsMatchCpu((d, s) => new OutputErf(s, d), 1e-12);       // sin hidden, erf readout without bias
    }

    [Fact]
    public void GeneratedFloat32ModelRunsForwardJvpVjpAndJacobianOnDevice()
    {
        RequireKernelCompiler();
        MethodsMatchCpu((d, s) => new DeviceDeep32(s, d), 1e-5);
    }

    [Fact]
    public void DeviceModelNtkOfEveryKindOfModelMatchesCpu()
    {
        RequireKernelCompiler();
        foreach (var create in new Func<Device, int, INtkModel>[] { (d, s) => new CustomSmooth(s, d), (d, s) => new AllBuiltins(s, d), (d, s) => new StandardReluErf(s, d), (d, s) => new OutputErf(s, d) })
        {
            var cpu = create(NtkDsl.Device.Cpu, 52);
            var gpu = create(Device, 52);
            var x1 = Values(640, false, 5, cpu.Info.Inputs);
            var x2 = Values(641, false, 4, cpu.Info.Inputs);
            foreach (var mode in AllModes)
            {
                var second = mode is NtkMode.Diagonal or NtkMode.DiagonalFull ? null : x2;
                Same(gpu.Ntk(x1, second, mode), cpu.Ntk(x1, second, mode), 1e-12, $"{cpu.Info.Name} Ntk {mode}");
            }
        }
    }

    [Fact]
    public void ParametersAreUploadedOnEveryCallSoNoWriteIsMissed()
    {
        RequireKernelCompiler();
        var cpu = new DeviceDeep(53);
        var gpu = new DeviceDeep(53, Device);
        var x = Values(650, false, 4, 5);
        Same(gpu.Forward(x), cpu.Forward(x), 1e-12, "first call");
        gpu.Jvp(x, Values(651, false, DeviceDeep.Info.ParameterCount));
        gpu.Ntk(x, null);
        var state = Device.ParametersOf(Binding(gpu));
        Assert.Equal(3, state.Uploads); // one upload per call

        var changed = cpu.GetParameters().Select((v, i) => v + 0.01 * Math.Sin(i)).ToArray();
        gpu.SetParameters(changed);
        cpu.SetParameters(changed);
        Same(gpu.Forward(x), cpu.Forward(x), 1e-12, "after SetParameters");
        Same(gpu.Ntk(x, null), cpu.Ntk(x, null), 1e-12, "NTK after SetParameters");
        var u = Values(652, false, 4, 3);
        Same(gpu.Vjp(x, u), cpu.Vjp(x, u), 1e-12, "Vjp after SetParameters");
        Assert.Equal(6, state.Uploads);

        // Direct writes into a layer's span bypass SetParameters (no version change) and must still be seen:
        // a cached device copy would compute with the old weights silently.
        long version = Binding(gpu).Version;
        gpu.Hidden1.Weights.AsSpan()[0] += 0.5;
        cpu.Hidden1.Weights.AsSpan()[0] += 0.5;
        gpu.Readout.Weights.AsSpan()[1] -= 0.25;
        cpu.Readout.Weights.AsSpan()[1] -= 0.25;
        Assert.Equal(version, Binding(gpu).Version);
        Same(gpu.Forward(x), cpu.Forward(x), 1e-12, "after span writes");
        Same(gpu.Vjp(x, u), cpu.Vjp(x, u), 1e-12, "Vjp after span writes");
        Same(gpu.Ntk(x, null), cpu.Ntk(x, null), 1e-12, "NTK after span writes");

        // A clone is a second model on the device with its own copy of the parameters.
        var clone = gpu.Clone();
        Same(clone.Forward(x), cpu.Forward(x), 1e-12, "clone");
        Assert.NotSame(state, Device.ParametersOf(Binding(clone)));
    }

    private static DeviceModel<double> Binding(DeviceDeep model) =>
        (DeviceModel<double>)typeof(DeviceDeep).GetField("__ntkDevice", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(model)!;

    [Fact]
    public void TrainingADeviceModelEqualsTrainingOnTheCpu()
    {
        RequireKernelCompiler();
        var cpu = new DeviceDeep(54);
        var gpu = new DeviceDeep(54, Device);
        var x = Values(660, false, 8, 5);
        var y = Values(661, false, 8, 3);
        var options = new TrainerOptions { LearningRate = 0.05, GroupLearningRates = new GroupWeights(1.0).Layer("Hidden2", 0.5), Momentum = 0.3 };
        var hCpu = new Trainer(options).Train(cpu, x, y, 6, 2);
        var hGpu = new Trainer(options).Train(gpu, x, y, 6, 2);
        Assert.Equal(hCpu.History.Count, hGpu.History.Count);
        for (int i = 0; i < hCpu.History.Count; i++)
        {
            Assert.Equal(hCpu.History[i].Step, hGpu.History[i].Step);
            Assert.True(Math.Abs(hCpu.History[i].Loss - hGpu.History[i].Loss) <= 1e-12 * Math.Abs(hCpu.History[i].Loss), $"loss at record {i}");
        }
        Assert.True(Reference.MaxRelative(gpu.GetParameters(), cpu.GetParameters(), floor: 0) < 1e-12, "trained parameters");
        Assert.NotEqual(new DeviceDeep(54).GetParameters(), gpu.GetParameters());
        Same(gpu.Forward(x), cpu.Forward(x), 1e-12, "forward after training");
    }

    [Fact]
    public void BadInputsToDeviceModelsRaiseTheCpuExceptions()
    {
        var gpu = new DeviceDeep(55, Device);
        var cpu = new DeviceDeep(55);
        var bad = Tensor.FromArray(Reference.Random(15, 670).Select((v, i) => i == 8 ? double.NaN : v).ToArray(), 3, 5);
        int p = DeviceDeep.Info.ParameterCount;
        var tangent = Values(671, false, p);
        var u = Values(672, false, 3, 3);
        foreach (var call in new Func<INtkModel, object>[] { m => m.Forward(bad), m => m.Jvp(bad, tangent), m => m.Vjp(bad, u), m => m.Jacobian(bad) })
        {
            var eGpu = Assert.Throws<ArgumentException>(() => call(gpu));
            var eCpu = Assert.Throws<ArgumentException>(() => call(cpu));
            Assert.Equal(eCpu.Message, eGpu.Message);
            Assert.Contains("row 1, column 3", eGpu.Message, StringComparison.Ordinal);
        }
        var x = Values(673, false, 3, 5);
        var badTangent = Tensor.FromArray(new double[p - 1], p - 1);
        Assert.Equal(Assert.Throws<ArgumentException>(() => cpu.Jvp(x, badTangent)).Message, Assert.Throws<ArgumentException>(() => gpu.Jvp(x, badTangent)).Message);
        var badU = Values(674, false, 2, 3);
        Assert.Equal(Assert.Throws<ArgumentException>(() => cpu.Vjp(x, badU)).Message, Assert.Throws<ArgumentException>(() => gpu.Vjp(x, badU)).Message);
        // Outputs that overflow on the device are an exception naming the device, never ∞ or NaN.
        RequireKernelCompiler();
        var huge = new DeviceDeep(55, Device);
        var parameters = huge.GetParameters();
        // Hidden3 = erf(0.3·1000) = 1 for every unit, then a readout of weights 1e308: cW·Σ_j 1e308 overflows.
        var h3 = DeviceDeep.Info.Layers[2];
        var top = DeviceDeep.Info.Layers[3];
        for (int i = 0; i < h3.WeightCount; i++) parameters[h3.WeightOffset + i] = 0;
        for (int i = 0; i < h3.BiasCount; i++) parameters[h3.BiasOffset + i] = 1000;
        for (int i = 0; i < top.WeightCount; i++) parameters[top.WeightOffset + i] = 1e308;
        huge.SetParameters(parameters);
        var cpuHuge = new DeviceDeep(55);
        cpuHuge.SetParameters(parameters);
        Assert.Throws<NonFiniteResultException>(() => cpuHuge.Forward(x));
        var e = Assert.Throws<NonFiniteResultException>(() => huge.Forward(x));
        Assert.Contains(Device.Name, e.Message, StringComparison.Ordinal);
    }
}
