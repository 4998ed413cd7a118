using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Tests.Spatial.Analytic;

/// <summary>
/// The generated AnalyticNtk/AnalyticNngp/AnalyticWntk(Device, …) overloads of spatial and width-less models reach a
/// device's <see cref="ISpatialBackend.Analytic"/> (a recording backend, no GPU or compiler needed) with the plan, the
/// model's generated duals, the resolved group weights and the mode; the CPU overload is the static method; checks come
/// first; a device without a spatial backend refuses.
/// </summary>
public sealed class SpatialAnalyticSeamTests
{
    private sealed class RecordingSpatialDevice : Device, ISpatialBackend
    {
        public override string Name => "recording spatial device";
        public override bool IsCpu => false;
        public override ISpatialBackend SpatialBackend => this;

        public List<(SpatialNetwork Network, string Source, string? Reason, int Rows1, int? Rows2, double[] Weights, bool Ntk)> Calls { get; } = [];

        public void RequireNetwork(SpatialNetwork network) { }
        public Tensor Forward(SpatialDeviceModel model, double[][] parameters, Tensor x) => throw new NotSupportedException();
        public Tensor Jvp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor tangent) => throw new NotSupportedException();
        public Tensor Vjp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor cotangent) => throw new NotSupportedException();
        public Tensor Jacobian(SpatialDeviceModel model, double[][] parameters, Tensor x) => throw new NotSupportedException();
        public Tensor[] Ntk(SpatialDeviceModel model, double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
            IProgress<NtkProgress>? progress, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Tensor Analytic(SpatialNetwork network, string cudaSource, string? unsupportedReason, Tensor x1, Tensor? x2, double[] groupWeight, bool ntk,
            IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
        {
            Calls.Add((network, cudaSource, unsupportedReason, x1.Rows, x2?.Rows, (double[])groupWeight.Clone(), ntk));
            int n2 = x2?.Rows ?? x1.Rows;
            return Tensor.FromArray(Enumerable.Repeat(7.0, x1.Rows * n2).ToArray(), x1.Rows, n2);
        }
    }

    /// <summary>A spatial backend that does not implement the analytic kernels: the interface's default refuses.</summary>
    private sealed class PlainSpatialDevice : Device, ISpatialBackend
    {
        public override string Name => "plain spatial device";
        public override bool IsCpu => false;
        public override ISpatialBackend SpatialBackend => this;
        public void RequireNetwork(SpatialNetwork network) { }
        public Tensor Forward(SpatialDeviceModel model, double[][] parameters, Tensor x) => throw new NotSupportedException();
        public Tensor Jvp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor tangent) => throw new NotSupportedException();
        public Tensor Vjp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor cotangent) => throw new NotSupportedException();
        public Tensor Jacobian(SpatialDeviceModel model, double[][] parameters, Tensor x) => throw new NotSupportedException();
        public Tensor[] Ntk(SpatialDeviceModel model, double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
            IProgress<NtkProgress>? progress, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Fact]
    public void ABackendWithoutTheRecursionRefusesInsteadOfUsingTheCpu()
    {
        var e = Assert.Throws<NotSupportedException>(() => AnalyticConvGap.AnalyticNngp(new PlainSpatialDevice(), Inputs(2, 60, 8)));
        Assert.Contains("this device backend has no implementation of the infinite-width kernels", e.Message, StringComparison.Ordinal);
    }

    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed), n, d);

    [Fact]
    public void TheGeneratedOverloadsReachTheSpatialBackend()
    {
        var device = new RecordingSpatialDevice();
        int d = 6 * 5 * 2;
        var x1 = Inputs(3, d, 1);
        var x2 = Inputs(2, d, 2);
        var weights = new GroupWeights().Weights("C2", 0.5).Bias("Readout", 3.0);
        var w = AnalyticResidual.AnalyticWntk(device, x1, x2, weights);
        Assert.Equal([3, 2], w.Shape.ToArray());
        Assert.All(w.ToFlatArray(), v => Assert.Equal(7.0, v));
        var call = Assert.Single(device.Calls);
        Assert.Equal(weights.Resolve(AnalyticResidual.Info), call.Weights);
        Assert.True(call.Ntk);
        Assert.Null(call.Reason);
        Assert.Equal((3, (int?)2), (call.Rows1, call.Rows2));
        Assert.Equal(8, call.Network.AnalyticPlan.Steps.Count);
        // The generated duals of the two convolutions and the hidden Dense layer (plan indices 0, 1, 6); the identity readout has none.
        foreach (int l in new[] { 0, 1, 6 })
        {
            Assert.Contains("void ntk_pp_dual_" + l + "(", call.Source, StringComparison.Ordinal);
            Assert.Contains("void ntk_pp_mean_" + l + "(", call.Source, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("ntk_pp_dual_7", call.Source, StringComparison.Ordinal);
        AnalyticResidual.AnalyticNngp(device, x1);
        Assert.False(device.Calls[1].Ntk);
        Assert.Null(device.Calls[1].Rows2);
        AnalyticResidual.AnalyticNtk(device, x1);
        Assert.True(device.Calls[2].Ntk);
        Assert.All(device.Calls[2].Weights, v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void WidthlessModelsPassThePlanOfTheirInputWidth()
    {
        var device = new RecordingSpatialDevice();
        AnalyticWidthless.AnalyticNtk(device, Inputs(2, 9, 3));
        var call = Assert.Single(device.Calls);
        Assert.Equal(9, call.Network.Info.Inputs);
        Assert.Equal(9, call.Network.AnalyticPlan.Features);
    }

    [Fact]
    public void ModelsWithoutDeviceDualsPassTheReasonAndNoDuals()
    {
        var device = new RecordingSpatialDevice();
        AnalyticTanhConv.AnalyticNtk(device, Inputs(2, 16, 4));
        var call = Assert.Single(device.Calls);
        Assert.NotNull(call.Reason);
        Assert.StartsWith("AnalyticTanhConv: layer C1 uses activation Tanh", call.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("ntk_pp_dual", call.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCpuOverloadIsTheStaticMethodAndChecksComeFirst()
    {
        int d = 5 * 6 * 2;
        var x = Inputs(3, d, 5);
        Assert.Equal(AnalyticConvGap.AnalyticNtk(x).ToFlatArray(), AnalyticConvGap.AnalyticNtk(NtkDsl.Device.Cpu, x).ToFlatArray());
        var device = new RecordingSpatialDevice();
        Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticNtk(device, Inputs(2, d + 1, 6)));
        Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticNtk(device, x, Inputs(2, d - 1, 6)));
        Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticWntk(device, x, null, new GroupWeights().Weights(string.Concat("No", "pe"), 1.0)));
        Assert.Empty(device.Calls);
    }

    [Fact]
    public void ADeviceWithoutASpatialBackendRefuses()
    {
        var device = new RecordingModelDevice(() => throw new InvalidOperationException("unused"));
        var e = Assert.Throws<NotSupportedException>(() => AnalyticConvGap.AnalyticNtk(device, Inputs(2, 60, 7)));
        Assert.Contains("no Device.SpatialBackend", e.Message, StringComparison.Ordinal);
        Assert.Contains("Device.Cpu", e.Message, StringComparison.Ordinal);
    }
}
