using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Spatial.Analytic;

/// <summary>
/// The generated AnalyticNtk/AnalyticNngp/AnalyticWntk(device, …) of models on the SpatialNetwork engine on a CUDA
/// device against the same static methods on the CPU (the CPU recursion, SpatialKernelRecursion): 1e-12 relative to the
/// largest entry (float64), every layer kind, padding mode and stride of <see cref="SpatialAnalyticModels"/>-style models,
/// symmetric and x1 ≠ x2, N = 1, float32 inputs, bitwise-equal rows, group weights. Run on the emulation
/// (<see cref="SpatialAnalyticOnEmulatedDeviceTests"/>) and on the real libraries (<c>SpatialAnalyticOnNativeDeviceTests</c>,
/// skipped without a GPU).
/// </summary>
public abstract class SpatialAnalyticConformance : IDisposable
{
    private CudaDevice? _device;

    protected abstract CudaDevice OpenDevice();

    protected virtual void RequireKernelCompiler() { }

    protected virtual void AfterDispose() { }

    protected CudaDevice Device => _device ??= OpenDevice();

    public void Dispose()
    {
        _device?.Dispose();
        if (_device is not null) AfterDispose();
        GC.SuppressFinalize(this);
    }

    protected const double Tolerance = 1e-12;

    protected static Tensor Inputs(int n, int d, int seed, double scale = 1.0) => Tensor.FromArray(Reference.Random(n * d, seed, scale), n, d);

    protected static void Same(Tensor device, Tensor cpu, string what, double tolerance = Tolerance)
    {
        Assert.Equal(cpu.Shape.ToArray(), device.Shape.ToArray());
        double err = Reference.MaxRelative(device.ToFlatArray(), cpu.ToFlatArray(), floor: 0);
        Assert.True(err < tolerance, $"{what}: relative error {err:G3} ≥ {tolerance:G1}");
    }

    /// <summary>
    /// NTK (symmetric), NNGP (x1 ≠ x2, with a row of x2 a copy of a row of x1), WNTK with unequal group weights (x1 ≠ x2), and
    /// the symmetric NNGP, each against the CPU; the diagonal of the symmetric kernels against AnalyticNtkDiagonal.
    /// </summary>
    private void Matches(
        Func<Device, Tensor, Tensor?, Tensor> ntk, Func<Device, Tensor, Tensor?, Tensor> nngp, Func<Device, Tensor, Tensor?, GroupWeights, Tensor> wntk,
        Func<Tensor, Tensor> ntkDiagonal, GroupWeights weights, int d, int seed, bool float32 = true)
    {
        RequireKernelCompiler();
        var cpu = NtkDsl.Device.Cpu;
        var x1 = Inputs(5, d, seed);
        var x2Values = Reference.Random(4 * d, seed + 1);
        Array.Copy(x1.ToFlatArray(), 2 * d, x2Values, d, d); // x2[1] = x1[2]: the exact-diagonal rule inside an x1 ≠ x2 call
        var x2 = Tensor.FromArray(x2Values, 4, d);

        var theta = ntk(Device, x1, null);
        Same(theta, ntk(cpu, x1, null), "AnalyticNtk(x1)");
        Same(Tensor.FromArray(Enumerable.Range(0, 5).Select(i => theta[i, i]).ToArray(), 5), ntkDiagonal(x1), "diagonal of AnalyticNtk(x1) vs AnalyticNtkDiagonal");
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < i; j++)
                Assert.Equal(theta[i, j], theta[j, i]);
        var k12 = nngp(Device, x1, x2);
        Same(k12, nngp(cpu, x1, x2), "AnalyticNngp(x1, x2)");
        Same(nngp(Device, x1, null), nngp(cpu, x1, null), "AnalyticNngp(x1)");
        var w12 = wntk(Device, x1, x2, weights);
        Same(w12, wntk(cpu, x1, x2, weights), "AnalyticWntk(x1, x2)");
        // The copied row takes the trace's value, exactly what the symmetric call has on its diagonal.
        Assert.Equal(BitConverter.DoubleToInt64Bits(theta[2, 2]), BitConverter.DoubleToInt64Bits(ntk(Device, x1, x2)[2, 1]));
        // N = 1 and float32 inputs (converted to float64 as on the CPU).
        var one = Inputs(1, d, seed + 2);
        Same(ntk(Device, one, null), ntk(cpu, one, null), "AnalyticNtk of one row");
        Same(ntk(Device, one, x2), ntk(cpu, one, x2), "AnalyticNtk(one row, x2)");
        var f32 = x1.To(DType.Float32);
        if (float32) Same(nngp(Device, f32, null), nngp(cpu, f32, null), "AnalyticNngp of float32 inputs");
        else Assert.Equal(Assert.ThrowsAny<ArgumentException>(() => nngp(cpu, f32, null)).Message, Assert.ThrowsAny<ArgumentException>(() => nngp(Device, f32, null)).Message);
    }

    [Fact]
    public void ConvolutionsAndGlobalAvgPoolMatchTheCpu() => Matches(
        (dev, a, b) => AnalyticConvGap.AnalyticNtk(dev, a, b), (dev, a, b) => AnalyticConvGap.AnalyticNngp(dev, a, b),
        (dev, a, b, w) => AnalyticConvGap.AnalyticWntk(dev, a, b, w), AnalyticConvGap.AnalyticNtkDiagonal,
        new GroupWeights().Weights("C1", 0.5).Bias("C2", 2.0).Weights("Readout", 0.25), 5 * 6 * 2, 100);

    [Fact]
    public void ResidualAddLayerNormAvgPoolFlattenMatchTheCpu() => Matches(
        (dev, a, b) => AnalyticResidual.AnalyticNtk(dev, a, b), (dev, a, b) => AnalyticResidual.AnalyticNngp(dev, a, b),
        (dev, a, b, w) => AnalyticResidual.AnalyticWntk(dev, a, b, w), AnalyticResidual.AnalyticNtkDiagonal,
        new GroupWeights().Weights("C1", 3.0).Weights("C2", 0.5).Bias("Hidden", 0.0), 6 * 5 * 2, 200);

    [Fact]
    public void LeadingPoolingStridedSameConvolutionAndStandardParameterizationMatchTheCpu() => Matches(
        (dev, a, b) => AnalyticPooledStandard.AnalyticNtk(dev, a, b), (dev, a, b) => AnalyticPooledStandard.AnalyticNngp(dev, a, b),
        (dev, a, b, w) => AnalyticPooledStandard.AnalyticWntk(dev, a, b, w), AnalyticPooledStandard.AnalyticNtkDiagonal,
        new GroupWeights().Weights("C1", 0.3).Weights("Readout", 1.7), 8 * 6 * 3, 300);

    [Fact]
    public void LayerNormFirstAndAParameterFreeResidualSourceMatchTheCpu() => Matches(
        (dev, a, b) => AnalyticNormFirst.AnalyticNtk(dev, a, b), (dev, a, b) => AnalyticNormFirst.AnalyticNngp(dev, a, b),
        (dev, a, b, w) => AnalyticNormFirst.AnalyticWntk(dev, a, b, w), AnalyticNormFirst.AnalyticNtkDiagonal,
        new GroupWeights().Bias("C1", 4.0).Weights("Readout", 0.5), 4 * 4 * 2, 400);

    [Fact]
    public void TwoHeldSourcesAcrossPoolingAndLayerNormMatchTheCpu() => Matches(
        (dev, a, b) => AnalyticTwoSources.AnalyticNtk(dev, a, b), (dev, a, b) => AnalyticTwoSources.AnalyticNngp(dev, a, b),
        (dev, a, b, w) => AnalyticTwoSources.AnalyticWntk(dev, a, b, w), AnalyticTwoSources.AnalyticNtkDiagonal,
        new GroupWeights().Weights("C2", 2.5).Bias("C3", 0.5).Weights("Readout", 0.75), 5 * 5 * 2, 600);

    [Fact]
    public void WidthlessDenseModelsMatchTheCpu() => Matches(
        (dev, a, b) => AnalyticWidthless.AnalyticNtk(dev, a, b), (dev, a, b) => AnalyticWidthless.AnalyticNngp(dev, a, b),
        (dev, a, b, w) => AnalyticWidthless.AnalyticWntk(dev, a, b, w), AnalyticWidthless.AnalyticNtkDiagonal,
        new GroupWeights().Weights("Hidden", 2.0).Bias("Readout", 0.1), 7, 500, float32: false); // width-less models take float64 only, on the CPU too

    private sealed record DiagonalCase(int Features, bool Float32,
        Func<Device, Tensor, Tensor> NtkDiagonal, Func<Device, Tensor, Tensor> NngpDiagonal, Func<Device, Tensor, Tensor> Ntk, Func<Device, Tensor, Tensor> Nngp);

    public static TheoryData<string> DiagonalModels => ["conv-gap", "residual", "pooled-standard", "norm-first", "two-sources", "widthless"];

    private static DiagonalCase Diagonals(string name) => name switch
    {
        "conv-gap" => new(5 * 6 * 2, true, AnalyticConvGap.AnalyticNtkDiagonal, AnalyticConvGap.AnalyticNngpDiagonal, (g, x) => AnalyticConvGap.AnalyticNtk(g, x), (g, x) => AnalyticConvGap.AnalyticNngp(g, x)),
        "residual" => new(6 * 5 * 2, true, AnalyticResidual.AnalyticNtkDiagonal, AnalyticResidual.AnalyticNngpDiagonal, (g, x) => AnalyticResidual.AnalyticNtk(g, x), (g, x) => AnalyticResidual.AnalyticNngp(g, x)),
        "pooled-standard" => new(8 * 6 * 3, true, AnalyticPooledStandard.AnalyticNtkDiagonal, AnalyticPooledStandard.AnalyticNngpDiagonal, (g, x) => AnalyticPooledStandard.AnalyticNtk(g, x), (g, x) => AnalyticPooledStandard.AnalyticNngp(g, x)),
        "norm-first" => new(4 * 4 * 2, true, AnalyticNormFirst.AnalyticNtkDiagonal, AnalyticNormFirst.AnalyticNngpDiagonal, (g, x) => AnalyticNormFirst.AnalyticNtk(g, x), (g, x) => AnalyticNormFirst.AnalyticNngp(g, x)),
        "two-sources" => new(5 * 5 * 2, true, AnalyticTwoSources.AnalyticNtkDiagonal, AnalyticTwoSources.AnalyticNngpDiagonal, (g, x) => AnalyticTwoSources.AnalyticNtk(g, x), (g, x) => AnalyticTwoSources.AnalyticNngp(g, x)),
        "widthless" => new(7, false, AnalyticWidthless.AnalyticNtkDiagonal, AnalyticWidthless.AnalyticNngpDiagonal, (g, x) => AnalyticWidthless.AnalyticNtk(g, x), (g, x) => AnalyticWidthless.AnalyticNngp(g, x)),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// AnalyticNtkDiagonal/AnalyticNngpDiagonal(device, x) against the CPU's AnalyticNtkDiagonal/AnalyticNngpDiagonal (1e-12) and bit for
    /// bit against the diagonal of the same device's symmetric kernel (the traces: one recursion); N = 1, odd N, float32 inputs
    /// (width-less models take float64 only, with the CPU's exception); Device.Cpu is the CPU method.
    /// </summary>
    [Theory]
    [MemberData(nameof(DiagonalModels))]
    public void TheDiagonalsMatchTheCpuAndTheDevicesOwnKernel(string name)
    {
        RequireKernelCompiler();
        var m = Diagonals(name);
        var cpu = NtkDsl.Device.Cpu;
        foreach (int n in new[] { 1, 5 })
        {
            var x = Inputs(n, m.Features, 800 + n);
            var ntk = m.NtkDiagonal(Device, x);
            var nngp = m.NngpDiagonal(Device, x);
            Same(ntk, m.NtkDiagonal(cpu, x), $"AnalyticNtkDiagonal, N = {n}");
            Same(nngp, m.NngpDiagonal(cpu, x), $"AnalyticNngpDiagonal, N = {n}");
            var theta = m.Ntk(Device, x);
            var k = m.Nngp(Device, x);
            Assert.Equal(Enumerable.Range(0, n).Select(i => theta[i, i]).ToArray(), ntk.ToFlatArray());
            Assert.Equal(Enumerable.Range(0, n).Select(i => k[i, i]).ToArray(), nngp.ToFlatArray());
        }
        var f32 = Inputs(3, m.Features, 809).To(DType.Float32);
        if (m.Float32)
        {
            Same(m.NtkDiagonal(Device, f32), m.NtkDiagonal(cpu, f32), "AnalyticNtkDiagonal of float32 inputs");
            Same(m.NngpDiagonal(Device, f32), m.NngpDiagonal(cpu, f32), "AnalyticNngpDiagonal of float32 inputs");
        }
        else Assert.Equal(Assert.ThrowsAny<ArgumentException>(() => m.NtkDiagonal(cpu, f32)).Message, Assert.ThrowsAny<ArgumentException>(() => m.NtkDiagonal(Device, f32)).Message);
    }

    [Fact]
    public void BadInputToTheDiagonalsRaisesTheCpuExceptions()
    {
        RequireKernelCompiler();
        var cpu = NtkDsl.Device.Cpu;
        int d = 5 * 6 * 2;
        var nan = Reference.Random(3 * d, 21);
        nan[2 * d + 7] = double.NaN;
        foreach (var x in new[] { Tensor.FromArray(nan, 3, d), Inputs(2, d + 1, 22), Tensor.FromArray(new double[d], d) })
        {
            var e1 = Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticNtkDiagonal(cpu, x));
            var e2 = Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticNtkDiagonal(Device, x));
            Assert.Equal(e1.GetType(), e2.GetType());
            Assert.Equal(e1.Message, e2.Message);
            Assert.Equal(e1.Message, Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticNngpDiagonal(Device, x)).Message);
        }
        var w = Reference.Random(2 * 7, 23);
        w[3] = double.PositiveInfinity;
        var bad = Tensor.FromArray(w, 2, 7);
        Assert.Equal(Assert.ThrowsAny<ArgumentException>(() => AnalyticWidthless.AnalyticNtkDiagonal(cpu, bad)).Message,
            Assert.ThrowsAny<ArgumentException>(() => AnalyticWidthless.AnalyticNtkDiagonal(Device, bad)).Message);
        // Finite inputs whose variances overflow: the CPU's NonFiniteResultException stage, never NaN.
        var huge = Inputs(2, d, 24, 1e160);
        var o1 = Assert.Throws<NonFiniteResultException>(() => AnalyticConvGap.AnalyticNtkDiagonal(cpu, huge));
        var o2 = Assert.Throws<NonFiniteResultException>(() => AnalyticConvGap.AnalyticNtkDiagonal(Device, huge));
        Assert.Equal(o1.Stage, o2.Stage);
    }

    [Fact]
    public void BadInputRaisesTheCpuExceptions()
    {
        RequireKernelCompiler();
        var cpu = NtkDsl.Device.Cpu;
        int d = 5 * 6 * 2;
        var nan = Reference.Random(3 * d, 1);
        nan[7] = double.NaN;
        var bad = Tensor.FromArray(nan, 3, d);
        var wrong = Inputs(2, d + 1, 2);
        var good = Inputs(2, d, 3);
        foreach (var (x1, x2) in new[] { (bad, (Tensor?)null), (good, bad), (wrong, null), (good, wrong) })
        {
            var e1 = Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticNtk(cpu, x1, x2));
            var e2 = Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticNtk(Device, x1, x2));
            Assert.Equal(e1.GetType(), e2.GetType());
            Assert.Equal(e1.Message, e2.Message);
        }
        var negative = new GroupWeights().Weights(string.Concat("Con", "v1"), 2.0); // not a layer of the model (built at run time: the NTK1021 analyzer would refuse a literal)
        var w1 = Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticWntk(cpu, good, null, negative));
        var w2 = Assert.ThrowsAny<ArgumentException>(() => AnalyticConvGap.AnalyticWntk(Device, good, null, negative));
        Assert.Equal(w1.Message, w2.Message);
        // Finite inputs whose covariances overflow: the CPU's NonFiniteResultException stage, never NaN.
        var huge = Inputs(2, d, 4, 1e160);
        var o1 = Assert.Throws<NonFiniteResultException>(() => AnalyticConvGap.AnalyticNtk(cpu, huge));
        var o2 = Assert.Throws<NonFiniteResultException>(() => AnalyticConvGap.AnalyticNtk(Device, huge));
        Assert.Equal(o1.Stage, o2.Stage);
    }

    [Fact]
    public void AnActivationWithoutADeviceDualIsNotSupportedNamingIt()
    {
        var x = Inputs(2, 16, 5);
        var e = Assert.Throws<NotSupportedException>(() => AnalyticTanhConv.AnalyticNtk(Device, x));
        Assert.Contains("layer C1 uses activation Tanh", e.Message, StringComparison.Ordinal);
        Assert.Contains("AnalyticNtk/AnalyticNngp/AnalyticWntk on the CPU", e.Message, StringComparison.Ordinal);
        Assert.True(AnalyticTanhConv.AnalyticNtk(NtkDsl.Device.Cpu, x)[0, 0] > 0);
        Assert.Equal(e.Message, Assert.Throws<NotSupportedException>(() => AnalyticTanhConv.AnalyticNtkDiagonal(Device, x)).Message);
        Assert.Equal(e.Message, Assert.Throws<NotSupportedException>(() => AnalyticTanhConv.AnalyticNngpDiagonal(Device, x)).Message);
        Assert.True(AnalyticTanhConv.AnalyticNtkDiagonal(NtkDsl.Device.Cpu, x).ToFlatArray()[0] > 0);
    }

    [Fact]
    public void ProgressAndCancellation()
    {
        RequireKernelCompiler();
        var x = Inputs(4, 7, 6);
        var reports = new List<NtkProgress>();
        var progress = new SynchronousProgress(reports.Add);
        AnalyticWidthless.AnalyticNtk(Device, x, null, progress);
        Assert.Contains(reports, r => r.Stage == "Analytic CNTK traces" && r.Done == 4 && r.Total == 4);
        var last = reports.Last(r => r.Stage == "Analytic CNTK pairs");
        Assert.Equal(last.Total, last.Done);
        Assert.Equal(10, last.Total);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => AnalyticWidthless.AnalyticNtk(Device, x, null, null, cts.Token));
    }

    private sealed class SynchronousProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
