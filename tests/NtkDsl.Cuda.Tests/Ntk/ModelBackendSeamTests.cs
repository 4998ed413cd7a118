using System.Numerics;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The core seam itself (no CUDA involved): generated constructors ask the device's <see cref="IModelBackend"/>
/// (RequireModel); every generated method of a Dense model (Forward, Jvp, Vjp, Jacobian, Ntk, NtkPerGroup, Wntk) goes to
/// it with the model's plan, CUDA C and parameter arrays, and none of them runs the CPU code (the backend's fixed answers
/// come back); SetParameters advances the version. A device without a model backend is refused, and host features handed
/// to <see cref="NtkAssembler"/> with a non-CPU device are refused, so nothing runs silently on the host.
/// </summary>
public sealed class ModelBackendSeamTests
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
        // ISpatialBackend: a device without one (this one has a model backend only) must refuse them, or their kernels
        // would silently run on the CPU.
        var backend = new RecordingModelBackend();
        var widthless = Assert.Throws<NotSupportedException>(() => new DeviceWidthless(5, 1, new RecordingDevice(backend)));
        Assert.Contains("DeviceWidthless: it is declared without Inputs", widthless.Message, StringComparison.Ordinal);
        Assert.Contains("Device.Cpu", widthless.Message, StringComparison.Ordinal);
        var conv = Assert.Throws<NotSupportedException>(() => new DeviceConv(1, new RecordingDevice(backend)));
        Assert.Contains("layer Features is Conv2D", conv.Message, StringComparison.Ordinal);
        Assert.Empty(backend.Calls);
        Assert.Equal(5, new DeviceWidthless(5, 1).Info.Inputs); // the CPU is fine
    }

    [Fact]
    public void TheBackendsRefusalStopsTheConstructor()
    {
        var backend = new RecordingModelBackend { Refuse = true };
        var e = Assert.Throws<NotSupportedException>(() => new DeviceDeep(2, new RecordingDevice(backend)));
        Assert.Equal("refused DeviceDeep", e.Message);
        Assert.Equal(["RequireModel DeviceDeep"], backend.Calls);
    }

    [Fact]
    public void HostFeaturesHandedToTheAssemblerWithADeviceAreRefused()
    {
        // The generated CPU path passes its Device (always the CPU there); a non-CPU device must not get a host result.
        var layer = new LayerFeatures<double>(3, 4, 2, 2, DeltaForm.Unit, 1.0, false, 0, 0);
        layer.Inputs.AsSpan().Fill(0.5);
        var f = new NtkFeatures<double>(3, 2, [layer]);
        var e = Assert.Throws<NotSupportedException>(() =>
            NtkAssembler.Assemble(f, null, NtkMode.Trace, 1, [0, 0], [1.0, 1.0], null, CancellationToken.None, new RecordingDevice(new RecordingModelBackend())));
        Assert.Contains("recording test device computes the NTK of a model constructed on it", e.Message, StringComparison.Ordinal);
        Assert.Contains("Pass Device.Cpu", e.Message, StringComparison.Ordinal);
        // The CPU still assembles: unit deltas, so Θ = ⟨a, a'⟩ = 4 · 0.25 everywhere.
        var cpu = NtkAssembler.Assemble(f, null, NtkMode.Trace, 1, [0, 0], [1.0, 1.0], null, CancellationToken.None, Device.Cpu)[0];
        Assert.Equal([3, 3], cpu.Shape.ToArray());
        Assert.All(cpu.ToFlatArray(), v => Assert.Equal(1.0, v, 1e-15));
    }

    [Fact]
    public void EveryGeneratedMethodGoesThroughTheModelBackend()
    {
        var models = new RecordingModelBackend();
        var device = new RecordingDevice(models);
        var model = new DeviceDeep(2, device);
        Assert.Equal(["RequireModel DeviceDeep"], models.Calls);
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
        Assert.Equal(["RequireModel DeviceDeep", "Forward 4 v0", "Jvp 4 v0", "Vjp 4 v0", "Jacobian 4 v0", "Ntk Full 4×3 outputs 1 v0", "Ntk Diagonal 4×- outputs 8 v0", "Ntk Trace 4×3 outputs 1 v0"], models.Calls);
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

    private sealed class BareDevice : Device
    {
        public override string Name => "bare test device";
        public override bool IsCpu => false;
    }

    private sealed class RecordingDevice(IModelBackend models) : Device
    {
        public override string Name => "recording test device";
        public override bool IsCpu => false;
        public override IModelBackend ModelBackend => models;
    }

    private sealed class RecordingModelBackend : IModelBackend
    {
        public List<string> Calls { get; } = [];
        public double[]? LastWeights { get; private set; }
        public int[]? LastGroupOutput { get; private set; }
        public DeviceModel<double>? LastModel { get; private set; }
        public bool Refuse { get; init; }

        public void RequireModel(ModelInfo info)
        {
            Calls.Add("RequireModel " + info.Name);
            if (Refuse) throw new NotSupportedException("refused " + info.Name);
        }

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
}
