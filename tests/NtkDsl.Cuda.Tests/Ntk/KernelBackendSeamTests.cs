using System.Numerics;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The core seams themselves (no CUDA involved): generated constructors ask the device's backend; every generated
/// method of a Dense model (Forward, Jvp, Vjp, Jacobian, Ntk, NtkPerGroup, Wntk) goes to the device's
/// <see cref="IModelBackend"/> with the model's plan, CUDA C and parameter arrays, and none of them runs the CPU code
/// (the backend's fixed answers come back; the CPU assembler never sees the call); SetParameters advances the version
/// the device keys its parameter copy by. A device with a kernel backend but no model backend is refused, so no
/// forward pass can run silently on the host.
/// </summary>
public sealed class KernelBackendSeamTests
{
    private static Tensor Inputs(int n, int seed) => Tensor.FromArray(Reference.Random(n * 5, seed), n, 5);

    [Fact]
    public void ADeviceWithoutBackendRefusesGeneratedModels()
    {
        var e = Assert.Throws<NotSupportedException>(() => new DeviceDeep(1, new BareDevice()));
        Assert.Contains("DeviceDeep has no bare test device implementation", e.Message, StringComparison.Ordinal);
        Assert.Contains("Device.Cpu", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelsOfTheCpuEngineAreRefusedEvenByABackendThatAcceptsEverything()
    {
        // The width-less and spatial models compute their kernels in SpatialNetwork, whose device path is the device's
        // ISpatialBackend: a device without one (this one has kernel and model backends only) must refuse them, or their
        // kernels would silently run on the CPU.
        var backend = new RecordingBackend();
        var widthless = Assert.Throws<NotSupportedException>(() => new DeviceWidthless(5, 1, new RecordingDevice(backend)));
        Assert.Contains("DeviceWidthless: it is declared without Inputs", widthless.Message, StringComparison.Ordinal);
        Assert.Contains("Device.Cpu", widthless.Message, StringComparison.Ordinal);
        var conv = Assert.Throws<NotSupportedException>(() => new DeviceConv(1, new RecordingDevice(backend)));
        Assert.Contains("layer Features is Conv2D", conv.Message, StringComparison.Ordinal);
        Assert.Empty(backend.Calls);
        Assert.Equal(5, new DeviceWidthless(5, 1).Info.Inputs); // the CPU is fine
    }

    [Fact]
    public void EveryGeneratedMethodGoesThroughTheModelBackend()
    {
        var backend = new RecordingBackend();
        var models = new RecordingModelBackend();
        var device = new RecordingDevice(backend, models);
        var model = new DeviceDeep(2, device);
        Assert.Equal(["RequireModel DeviceDeep"], backend.Calls);
        var x1 = Inputs(4, 500);
        var x2 = Inputs(3, 501);
        int p = DeviceDeep.Info.ParameterCount;

        // The backend's answers (7 everywhere), never the CPU's.
        Assert.All(model.Forward(x1).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.All(model.Jvp(x1, Tensor.FromArray(new double[p], p)).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.All(model.Vjp(x1, Tensor.FromArray(new double[4 * 3], 4, 3)).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.Equal([4, 3, p], model.Jacobian(x1).Shape.ToArray());
        var theta = model.Ntk(x1, x2, NtkMode.Full);
        Assert.Equal(7.0, theta.ToFlatArray()[0]);
        model.NtkPerGroup(x1, null, NtkMode.Diagonal);
        var weights = new GroupWeights(0.5).Weights("Hidden2", 3.0);
        model.Wntk(x1, x2, weights);
        Assert.Equal(["Forward 4 v0", "Jvp 4 v0", "Vjp 4 v0", "Jacobian 4 v0", "Ntk Full 4×3 outputs 1 v0", "Ntk Diagonal 4×- outputs 8 v0", "Ntk Trace 4×3 outputs 1 v0"], models.Calls);
        Assert.Equal(["RequireModel DeviceDeep"], backend.Calls); // no host features reached the kernel backend
        Assert.Equal(weights.Resolve(DeviceDeep.Info), models.LastWeights);
        Assert.All(models.LastGroupOutput!, o => Assert.Equal(0, o));

        // The binding shares the model's parameter arrays (in layer order) and its generated CUDA C.
        var bound = models.LastModel!;
        Assert.Same(DeviceDeep.Info, bound.Info);
        Assert.Equal(DeviceDeep.CudaSource, bound.CudaSource);
        Assert.Equal(model.GetParameters(), bound.Weights.Zip(bound.Biases).SelectMany(wb => wb.First.Concat(wb.Second!)).ToArray());

        // SetParameters advances the version (the device re-uploads); a failed SetParameters does not.
        var changed = model.GetParameters();
        changed[0] += 1;
        model.SetParameters(changed);
        model.Forward(x1);
        Assert.Equal("Forward 4 v1", models.Calls[^1]);
        Assert.Equal(changed[0], bound.Weights[0][0]);
        changed[1] = double.NaN;
        Assert.Throws<ArgumentException>(() => model.SetParameters(changed));
        model.Forward(x1);
        Assert.Equal("Forward 4 v1", models.Calls[^1]);
        // A clone is a second binding on the same device.
        var clone = model.Clone();
        clone.Forward(x1);
        Assert.NotSame(bound, models.LastModel);
        Assert.Same(device, clone.Device);
    }

    [Fact]
    public void ADeviceWithOnlyAKernelBackendIsRefused()
    {
        var e = Assert.Throws<NotSupportedException>(() => new DeviceDeep(2, new RecordingDevice(new RecordingBackend(), null)));
        Assert.Contains("DeviceDeep has no recording test device implementation of its forward pass", e.Message, StringComparison.Ordinal);
        Assert.Contains("Device.Cpu", e.Message, StringComparison.Ordinal);
    }

    private sealed class BareDevice : Device
    {
        public override string Name => "bare test device";
        public override bool IsCpu => false;
    }

    private sealed class RecordingDevice(IKernelBackend backend, IModelBackend? models = null) : Device
    {
        public override string Name => "recording test device";
        public override bool IsCpu => false;
        public override IKernelBackend KernelBackend => backend;
        public override IModelBackend? ModelBackend => models;
    }

    private sealed class RecordingModelBackend : IModelBackend
    {
        public List<string> Calls { get; } = [];
        public double[]? LastWeights { get; private set; }
        public int[]? LastGroupOutput { get; private set; }
        public DeviceModel<double>? LastModel { get; private set; }

        private static Tensor Sevens(params int[] shape) => Tensor.FromArray(Enumerable.Repeat(7.0, shape.Aggregate(1, (p, s) => p * s)).ToArray(), shape);

        private string Seen<T>(DeviceModel<T> model, string what) where T : unmanaged, IFloatingPointIeee754<T>
        {
            LastModel = (DeviceModel<double>)(object)model;
            Calls.Add(what + " v" + model.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return what;
        }

        public Tensor Forward<T>(DeviceModel<T> model, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Seen(model, $"Forward {x.Rows}");
            return Sevens(x.Rows, model.Info.Outputs);
        }

        public Tensor Jvp<T>(DeviceModel<T> model, Tensor x, Tensor tangent) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Seen(model, $"Jvp {x.Rows}");
            return Sevens(x.Rows, model.Info.Outputs);
        }

        public Tensor Vjp<T>(DeviceModel<T> model, Tensor x, Tensor cotangent) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Seen(model, $"Vjp {x.Rows}");
            return Sevens(model.Info.ParameterCount);
        }

        public Tensor Jacobian<T>(DeviceModel<T> model, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Seen(model, $"Jacobian {x.Rows}");
            return Sevens(x.Rows, model.Info.Outputs, model.Info.ParameterCount);
        }

        public Tensor[] Ntk<T>(DeviceModel<T> model, Tensor x1, Tensor? x2, NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight,
            IProgress<NtkProgress>? progress, CancellationToken cancellationToken) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Seen(model, $"Ntk {mode} {x1.Rows}×{(x2 is null ? "-" : x2.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture))} outputs {outputCount}");
            LastWeights = groupWeight;
            LastGroupOutput = groupOutput;
            int n2 = x2?.Rows ?? x1.Rows, k = model.Info.Outputs;
            int[] shape = mode switch
            {
                NtkMode.Trace => [x1.Rows, n2],
                NtkMode.Full => [x1.Rows, n2, k, k],
                NtkMode.Diagonal => [x1.Rows],
                _ => [x1.Rows, k, k],
            };
            return Enumerable.Range(0, outputCount).Select(_ => Sevens(shape)).ToArray();
        }
    }

    private sealed class RecordingBackend : IKernelBackend
    {
        public List<string> Calls { get; } = [];
        public double[]? LastWeights { get; private set; }
        public int[]? LastGroupOutput { get; private set; }

        public void RequireModel(ModelInfo info) => Calls.Add("RequireModel " + info.Name);

        public Tensor[] AssembleNtk<T>(NtkFeatures<T> f1, NtkFeatures<T>? f2, NtkMode mode, int outputCount, int[] groupOutput,
            double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Calls.Add($"{mode} {f1.Rows}×{(f2 is null ? "-" : f2.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture))} outputs {outputCount}");
            LastWeights = groupWeight;
            LastGroupOutput = groupOutput;
            int n2 = f2?.Rows ?? f1.Rows, k = f1.Outputs;
            int[] shape = mode switch
            {
                NtkMode.Trace => [f1.Rows, n2],
                NtkMode.Full => [f1.Rows, n2, k, k],
                NtkMode.Diagonal => [f1.Rows],
                _ => [f1.Rows, k, k],
            };
            return Enumerable.Range(0, outputCount).Select(_ => Tensor.FromArray(Enumerable.Repeat(7.0, shape.Aggregate(1, (p, s) => p * s)).ToArray(), shape)).ToArray();
        }
    }
}
