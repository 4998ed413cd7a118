using System.Numerics;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The core seam itself (no CUDA involved): generated constructors ask the device's backend, and every kernel method
/// of a generated model (Ntk, NtkPerGroup, Wntk) hands its features to that backend instead of the CPU assembler.
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
        // The width-less and spatial models compute their kernels in SpatialNetwork, which has no device path: a device
        // must never receive them, or their kernels would silently run on the CPU.
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
    public void EveryKernelMethodGoesThroughTheBackend()
    {
        var backend = new RecordingBackend();
        var device = new RecordingDevice(backend);
        var model = new DeviceDeep(2, device);
        Assert.Equal(["RequireModel DeviceDeep"], backend.Calls);
        var x1 = Inputs(4, 500);
        var x2 = Inputs(3, 501);

        var theta = model.Ntk(x1, x2, NtkMode.Full);
        Assert.Equal(7.0, theta.ToFlatArray()[0]); // the backend's answer, not the CPU's
        model.NtkPerGroup(x1, null, NtkMode.Diagonal);
        var weights = new GroupWeights(0.5).Weights("Hidden2", 3.0);
        model.Wntk(x1, x2, weights);
        Assert.Equal(["RequireModel DeviceDeep", "Full 4×3 outputs 1", "Diagonal 4×- outputs 8", "Trace 4×3 outputs 1"], backend.Calls);
        Assert.Equal(weights.Resolve(DeviceDeep.Info), backend.LastWeights);
        Assert.All(backend.LastGroupOutput!, o => Assert.Equal(0, o));
    }

    private sealed class BareDevice : Device
    {
        public override string Name => "bare test device";
        public override bool IsCpu => false;
    }

    private sealed class RecordingDevice(IKernelBackend backend) : Device
    {
        public override string Name => "recording test device";
        public override bool IsCpu => false;
        public override IKernelBackend KernelBackend => backend;
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
