using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Tests.Spatial;

/// <summary>
/// The spatial seam itself (no CUDA involved): generated constructors of InputShape and width-less models bind to the
/// device's <see cref="ISpatialBackend"/>; every generated method reaches it after the CPU's argument checks and none runs
/// the CPU engine; a device without one refuses such models; the plan the device reads (<see cref="SpatialNetwork.Steps"/>)
/// matches the declared geometry.
/// </summary>
public sealed class SpatialBackendSeamTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed), n, d);

    [Fact]
    public void EveryMethodGoesThroughTheSpatialBackend()
    {
        // A device whose spatial backend answers 7 everywhere: the generated methods must return its answers (the CPU
        // engine never runs) after the CPU's argument checks, with the model's plan and CUDA C.
        var backend = new RecordingSpatialBackend();
        var device = new RecordingSpatialDevice(backend);
        var model = new SpatialStrided(3, device);
        Assert.Equal(["RequireNetwork SpatialStrided"], backend.Calls);
        var x = Inputs(4, 126, 470);
        int p = model.GetParameters().Length;
        Assert.All(model.Forward(x).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.All(model.Jvp(x, Tensor.FromArray(new double[p], p)).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.All(model.Vjp(x, Tensor.FromArray(new double[8], 4, 2)).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.All(model.Jacobian(x).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.All(model.Ntk(x, null, NtkMode.Full).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.Equal(5, model.NtkPerGroup(x).Count); // Features (no bias), Mix and Readout weights and biases
        Assert.All(model.Wntk(x, null, new GroupWeights(2.0)).ToFlatArray(), v => Assert.Equal(7.0, v));
        Assert.Equal(["RequireNetwork SpatialStrided", "Forward", "Jvp", "Vjp", "Jacobian", "Ntk Full False", "Ntk Trace True", "Ntk Trace False"], backend.Calls);
        Assert.Contains("ntk_act_0_d", backend.LastSource, StringComparison.Ordinal);
        Assert.Contains("ntk_act_2_d", backend.LastSource, StringComparison.Ordinal);
        Assert.Equal([2.0, 2.0, 2.0, 2.0, 2.0], backend.LastWeights!);
        // A device without a spatial backend still refuses these models (nothing may run on the CPU behind its back).
        var refused = Assert.Throws<NotSupportedException>(() => new SpatialStrided(3, new BareDevice()));
        Assert.Contains("layer Features is Conv2D", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanStepsDescribeTheRunTimeOps()
    {
        // The device reads the plan from SpatialNetwork.Steps; check it against the declared geometry computed here.
        var info = SpatialStrided.Info;
        Assert.Equal(["Features", "Pool", "Mix", "Gap", "Readout"], info.Layers.Select(l => l.Name).ToArray());
        var c = new CapturingDevice();
        _ = new SpatialStrided(1, c);
        var steps = c.Network!.Steps;
        // Features: 9×7×2, 3×3 stride 2 Valid → 4×3×4; Pool 2×2 stride 1 Same → 4×3×4; Mix 2×2 stride 2 Same → 2×2×3.
        Assert.Equal((126, 12, 12 * 4), (steps[0].InSize, steps[0].Pixels, steps[0].OutSize));
        Assert.Equal(18, steps[0].FanIn);
        Assert.Equal(1.0, steps[0].WeightScale); // standard parameterization
        Assert.False(steps[0].UseBias);
        // Output pixel (1, 2) of the Valid convolution reads input rows 2..4 and columns 4..6.
        Assert.Equal(2 * 7 + 4, steps[0].WindowSource![(1 * 3 + 2) * 9 + 0]);
        Assert.Equal(4 * 7 + 6, steps[0].WindowSource![(1 * 3 + 2) * 9 + 8]);
        // Same padding of the 2×2 pool with stride 1 on 4×3: total padding 1, none before; the last column pads.
        Assert.Equal(-1, steps[1].WindowSource![(0 * 3 + 2) * 4 + 1]);
        Assert.Equal(4, steps[1].WindowOffsets);
        Assert.Equal(2 * 2 * 3, steps[2].OutSize);
        Assert.Equal(SpatialStepKind.GlobalAvgPool, steps[3].Kind);
        Assert.Equal((info.Layers[4].WeightOffset, info.Layers[4].BiasOffset), (steps[4].WeightOffset, steps[4].BiasOffset));
        Assert.False(steps[0].NeedsInputCotangent);
        Assert.True(steps[2].NeedsInputCotangent);
    }

    private sealed class BareDevice : Device
    {
        public override string Name => "bare test device";
        public override bool IsCpu => false;
    }

    private sealed class RecordingSpatialDevice(ISpatialBackend backend) : Device
    {
        public override string Name => "recording spatial device";
        public override bool IsCpu => false;
        public override ISpatialBackend SpatialBackend => backend;
    }

    /// <summary>Captures the plan a constructor binds (answers nothing else).</summary>
    private sealed class CapturingDevice : Device, ISpatialBackend
    {
        public SpatialNetwork? Network { get; private set; }
        public override string Name => "capturing device";
        public override bool IsCpu => false;
        public override ISpatialBackend SpatialBackend => this;
        public void RequireNetwork(SpatialNetwork network) => Network = network;
        public Tensor Forward(SpatialDeviceModel model, double[][] parameters, Tensor x) => throw new NotSupportedException();
        public Tensor Jvp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor tangent) => throw new NotSupportedException();
        public Tensor Vjp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor cotangent) => throw new NotSupportedException();
        public Tensor Jacobian(SpatialDeviceModel model, double[][] parameters, Tensor x) => throw new NotSupportedException();
        public Tensor[] Ntk(SpatialDeviceModel model, double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
            IProgress<NtkProgress>? progress, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class RecordingSpatialBackend : ISpatialBackend
    {
        public List<string> Calls { get; } = [];
        public string LastSource { get; private set; } = "";
        public double[]? LastWeights { get; private set; }

        private static Tensor Sevens(params int[] shape)
        {
            var t = Tensor.Zeros(DType.Float64, shape);
            t.AsSpan().Fill(7.0);
            return t;
        }

        public void RequireNetwork(SpatialNetwork network) => Calls.Add("RequireNetwork " + network.ModelName);

        public Tensor Forward(SpatialDeviceModel model, double[][] parameters, Tensor x)
        {
            Calls.Add("Forward");
            LastSource = model.CudaSource;
            return Sevens(x.Rows, model.Network.Outputs);
        }

        public Tensor Jvp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor tangent)
        {
            Calls.Add("Jvp");
            return Sevens(x.Rows, model.Network.Outputs);
        }

        public Tensor Vjp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor cotangent)
        {
            Calls.Add("Vjp");
            return Sevens(model.Network.ParameterCount);
        }

        public Tensor Jacobian(SpatialDeviceModel model, double[][] parameters, Tensor x)
        {
            Calls.Add("Jacobian");
            return Sevens(x.Rows, model.Network.Outputs, model.Network.ParameterCount);
        }

        public Tensor[] Ntk(SpatialDeviceModel model, double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
            IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
        {
            Calls.Add($"Ntk {mode} {perGroup}");
            LastWeights = groupWeight;
            int k = model.Network.Outputs, n2 = x2?.Rows ?? x1.Rows;
            return Enumerable.Range(0, perGroup ? groupWeight.Length : 1)
                .Select(_ => mode == NtkMode.Full ? Sevens(x1.Rows, n2, k, k) : Sevens(x1.Rows, n2)).ToArray();
        }
    }
}
