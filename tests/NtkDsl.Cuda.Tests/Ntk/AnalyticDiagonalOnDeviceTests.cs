using NtkDsl.Cuda.Tests.Generated;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The generated AnalyticNtkDiagonal/AnalyticNngpDiagonal(device, x) of Dense models (issue 12) on the emulated GPU: the
/// model's generated pair kernel over the pairs (i, i) (two launches: the chain and the pairs; no DGEMM) against the CPU's
/// AnalyticNtkDiagonal/AnalyticNngpDiagonal at 1e-12, and bit for bit against the diagonal of the same device's symmetric
/// AnalyticNtk/AnalyticNngp (one recursion: the diagonal is that kernel's diagonal, not a second copy); N = 1, odd N,
/// float32 inputs; Device.Cpu is the CPU method itself; bad input is the CPU's exception with nothing launched; an
/// activation without a device dual is the NotSupportedException of the other device analytic methods.
/// </summary>
public sealed class AnalyticDiagonalOnDeviceTests
{
    private static Tensor Inputs(int n, int d, int seed, double scale = 1.3) => Tensor.FromArray(Reference.Random(n * d, seed, scale), n, d);

    private sealed record Case(int Inputs,
        Func<Device, Tensor, Tensor> NtkDiagonalOn, Func<Device, Tensor, Tensor> NngpDiagonalOn,
        Func<Tensor, Tensor> NtkDiagonal, Func<Tensor, Tensor> NngpDiagonal,
        Func<Device, Tensor, Tensor> NtkOn, Func<Device, Tensor, Tensor> NngpOn);

    public static TheoryData<string> ModelNames => ["mix", "sin", "relu2", "leaky", "standard", "output-erf"];

    private static Case Model(string name) => name switch
    {
        "mix" => new(5, AnalyticMix.AnalyticNtkDiagonal, AnalyticMix.AnalyticNngpDiagonal, AnalyticMix.AnalyticNtkDiagonal, AnalyticMix.AnalyticNngpDiagonal,
            (g, x) => AnalyticMix.AnalyticNtk(g, x), (g, x) => AnalyticMix.AnalyticNngp(g, x)),
        "sin" => new(4, AnalyticSinIdentity.AnalyticNtkDiagonal, AnalyticSinIdentity.AnalyticNngpDiagonal, AnalyticSinIdentity.AnalyticNtkDiagonal, AnalyticSinIdentity.AnalyticNngpDiagonal,
            (g, x) => AnalyticSinIdentity.AnalyticNtk(g, x), (g, x) => AnalyticSinIdentity.AnalyticNngp(g, x)),
        "relu2" => new(9, ReluDepth2.AnalyticNtkDiagonal, ReluDepth2.AnalyticNngpDiagonal, ReluDepth2.AnalyticNtkDiagonal, ReluDepth2.AnalyticNngpDiagonal,
            (g, x) => ReluDepth2.AnalyticNtk(g, x), (g, x) => ReluDepth2.AnalyticNngp(g, x)),
        "leaky" => new(3, LeakyPair.AnalyticNtkDiagonal, LeakyPair.AnalyticNngpDiagonal, LeakyPair.AnalyticNtkDiagonal, LeakyPair.AnalyticNngpDiagonal,
            (g, x) => LeakyPair.AnalyticNtk(g, x), (g, x) => LeakyPair.AnalyticNngp(g, x)),
        "standard" => new(4, StandardReluErf.AnalyticNtkDiagonal, StandardReluErf.AnalyticNngpDiagonal, StandardReluErf.AnalyticNtkDiagonal, StandardReluErf.AnalyticNngpDiagonal,
            (g, x) => StandardReluErf.AnalyticNtk(g, x), (g, x) => StandardReluErf.AnalyticNngp(g, x)),
        "output-erf" => new(3, OutputErf.AnalyticNtkDiagonal, OutputErf.AnalyticNngpDiagonal, OutputErf.AnalyticNtkDiagonal, OutputErf.AnalyticNngpDiagonal,
            (g, x) => OutputErf.AnalyticNtk(g, x), (g, x) => OutputErf.AnalyticNngp(g, x)),
        _ => throw new ArgumentException(name),
    };

    private static void Close(Tensor device, Tensor cpu, string what)
    {
        Assert.Equal(cpu.Shape.ToArray(), device.Shape.ToArray());
        double err = Reference.MaxRelative(device.ToFlatArray(), cpu.ToFlatArray(), floor: 0);
        Assert.True(err < 1e-12, $"{what}: relative error {err:G3}");
    }

    private static double[] DiagonalOf(Tensor square) => Enumerable.Range(0, square.Rows).Select(i => square[i, i]).ToArray();

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void TheDiagonalsMatchTheCpuAndTheDevicesOwnKernel(string name)
    {
        Emulated.RequireCompiler();
        var m = Model(name);
        using var e = new Emulated();
        foreach (int n in new[] { 1, 7 })
        {
            var x = Inputs(n, m.Inputs, 720 + n);
            long launches = e.Gpu.LaunchCount, calls = e.Gpu.LibraryCallCount;
            var ntk = m.NtkDiagonalOn(e.Device, x);
            Assert.Equal(2, e.Gpu.LaunchCount - launches); // the chain, then the pair kernel over (i, i)
            Assert.Equal(calls, e.Gpu.LibraryCallCount);   // no Gram GEMM: x·x'/d of (x_i, x_i) is the chain's |x_i|²/d
            Close(ntk, m.NtkDiagonal(x), $"AnalyticNtkDiagonal, N = {n}");
            var nngp = m.NngpDiagonalOn(e.Device, x);
            Close(nngp, m.NngpDiagonal(x), $"AnalyticNngpDiagonal, N = {n}");
            // The same recursion as the device's full kernel: its diagonal, bit for bit.
            Assert.Equal(DiagonalOf(m.NtkOn(e.Device, x)), ntk.ToFlatArray());
            Assert.Equal(DiagonalOf(m.NngpOn(e.Device, x)), nngp.ToFlatArray());
            // Device.Cpu is the CPU method.
            Assert.Equal(m.NtkDiagonal(x).ToFlatArray(), m.NtkDiagonalOn(Device.Cpu, x).ToFlatArray());
            Assert.Equal(m.NngpDiagonal(x).ToFlatArray(), m.NngpDiagonalOn(Device.Cpu, x).ToFlatArray());
        }
        // float32 inputs are widened to float64 as on the CPU.
        var f32 = Inputs(5, m.Inputs, 729).To(DType.Float32);
        Close(m.NtkDiagonalOn(e.Device, f32), m.NtkDiagonal(f32), "AnalyticNtkDiagonal of float32 inputs");
        Close(m.NngpDiagonalOn(e.Device, f32), m.NngpDiagonal(f32), "AnalyticNngpDiagonal of float32 inputs");
    }

    [Fact]
    public void TheDiagonalIsTheClosedFormOfADepthOneLeakyReluNetwork()
    {
        // An independent reference for one case: LeakyPair (slope a = 0.2, NTK parameterization, biases). On the diagonal
        // (math.md §3): K⁰ = Θ⁰ = σ_w0²·|x|²/d + σ_b0²; the leaky-ReLU dual at c = q gives E[φ(u)²] = (1 + a²)/2·K⁰ and
        // E[φ'(u)²] = (1 + a²)/2, so K¹ = σ_w1²·(1 + a²)/2·K⁰ + σ_b1² and Θ¹ = K¹ + σ_w1²·(1 + a²)/2·Θ⁰.
        Emulated.RequireCompiler();
        var (hidden, readout) = (LeakyPair.Info.Layers[0], LeakyPair.Info.Layers[1]);
        Assert.True(hidden.UseBias && readout.UseBias);
        double w0 = hidden.WeightStd * hidden.WeightStd, b0 = hidden.BiasStd * hidden.BiasStd;
        double w1 = readout.WeightStd * readout.WeightStd, b1 = readout.BiasStd * readout.BiasStd;
        var x = Inputs(3, 3, 730);
        var flat = x.ToFlatArray();
        using var e = new Emulated();
        var ntk = LeakyPair.AnalyticNtkDiagonal(e.Device, x).ToFlatArray();
        var nngp = LeakyPair.AnalyticNngpDiagonal(e.Device, x).ToFlatArray();
        const double a = 0.2, half = (1 + a * a) / 2;
        for (int i = 0; i < 3; i++)
        {
            double q = (flat[3 * i] * flat[3 * i] + flat[3 * i + 1] * flat[3 * i + 1] + flat[3 * i + 2] * flat[3 * i + 2]) / 3;
            double k0 = w0 * q + b0;
            double k1 = w1 * half * k0 + b1;
            double t1 = k1 + w1 * half * k0;
            Assert.True(Math.Abs(nngp[i] - k1) <= 1e-13 * k1, $"NNGP diagonal {i}: {nngp[i]} vs {k1}");
            Assert.True(Math.Abs(ntk[i] - t1) <= 1e-13 * t1, $"NTK diagonal {i}: {ntk[i]} vs {t1}");
        }
    }

    [Fact]
    public void BadInputIsTheCpusExceptionWithNothingLaunched()
    {
        Emulated.RequireCompiler();
        using var e = new Emulated();
        _ = e.Device.Name;
        var nan = Inputs(4, 5, 731).ToFlatArray();
        nan[2 * 5 + 3] = double.NaN;
        var inf = Inputs(3, 5, 732).ToFlatArray();
        inf[4] = double.NegativeInfinity;
        long launches = e.Gpu.LaunchCount;
        foreach (var bad in new[] { Tensor.FromArray(nan, 4, 5), Tensor.FromArray(inf, 3, 5), Inputs(2, 4, 733), Tensor.FromArray(new double[5], 5) })
        {
            var cpu = Assert.ThrowsAny<ArgumentException>(() => AnalyticMix.AnalyticNtkDiagonal(bad));
            var gpu = Assert.ThrowsAny<ArgumentException>(() => AnalyticMix.AnalyticNtkDiagonal(e.Device, bad));
            Assert.Equal(cpu.GetType(), gpu.GetType());
            Assert.Equal(cpu.Message, gpu.Message);
            Assert.Equal(cpu.Message, Assert.ThrowsAny<ArgumentException>(() => AnalyticMix.AnalyticNngpDiagonal(e.Device, bad)).Message);
        }
        Assert.Contains("row 2, column 3", Assert.ThrowsAny<ArgumentException>(() => AnalyticMix.AnalyticNtkDiagonal(e.Device, Tensor.FromArray(nan, 4, 5))).Message);
        Assert.Throws<ArgumentNullException>(() => AnalyticMix.AnalyticNtkDiagonal(e.Device, null!));
        Assert.Throws<ArgumentNullException>(() => AnalyticMix.AnalyticNtkDiagonal((Device)null!, Inputs(2, 5, 734)));
        Assert.Equal(launches, e.Gpu.LaunchCount);
    }

    [Fact]
    public void AnActivationWithoutADeviceDualIsTheSameNotSupportedException()
    {
        using var e = new Emulated();
        var x = Inputs(3, 7, 735);
        long launches = e.Gpu.LaunchCount;
        var full = Assert.Throws<NotSupportedException>(() => TanhPair.AnalyticNtk(e.Device, x));
        var ntk = Assert.Throws<NotSupportedException>(() => TanhPair.AnalyticNtkDiagonal(e.Device, x));
        var nngp = Assert.Throws<NotSupportedException>(() => TanhPair.AnalyticNngpDiagonal(e.Device, x));
        Assert.Equal(full.Message, ntk.Message);
        Assert.Equal(full.Message, nngp.Message);
        Assert.Equal(TanhPair.CudaAnalyticUnsupportedReason, ntk.Message);
        Assert.Equal(launches, e.Gpu.LaunchCount);
        Assert.True(TanhPair.AnalyticNtkDiagonal(Device.Cpu, x).ToFlatArray()[0] > 0, "the CPU computes it by quadrature");
    }

    [Fact]
    public void TheCallReachesTheModelBackendAndABareDeviceIsNotSupported()
    {
        var device = new RecordingModelDevice(() => new AnalyticMix(1));
        var x = Inputs(4, 5, 736);
        Assert.All(AnalyticMix.AnalyticNtkDiagonal(device, x).ToFlatArray(), v => Assert.Equal(7.0, v));
        AnalyticMix.AnalyticNngpDiagonal(device, x);
        Assert.Equal(["AnalyticDiagonal AnalyticMix NTK 4", "AnalyticDiagonal AnalyticMix NNGP 4"], device.Calls);
        Assert.Equal(AnalyticMix.CudaSource, device.LastSource);
        Assert.Null(device.LastReason);
        TanhPair.AnalyticNtkDiagonal(device, Inputs(2, 7, 737));
        Assert.Equal(TanhPair.CudaAnalyticUnsupportedReason, device.LastReason);

        var e = Assert.Throws<NotSupportedException>(() => AnalyticMix.AnalyticNtkDiagonal(new BareDevice(), x));
        Assert.Contains("bare test device has no implementation of the infinite-width kernels", e.Message, StringComparison.Ordinal);
        Assert.Contains("AnalyticNtkDiagonal without a device", e.Message, StringComparison.Ordinal);
    }

    private sealed class BareDevice : Device
    {
        public override string Name => "bare test device";
        public override bool IsCpu => false;
    }
}
