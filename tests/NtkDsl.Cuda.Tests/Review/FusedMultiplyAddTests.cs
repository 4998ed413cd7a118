using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Review;

/// <summary>
/// NVRTC contracts a·b + c into one fused multiply-add unless told --fmad=false, while the CPU engine rounds the product
/// first. The device's modules are compiled with --fmad=false, so the hand-written runtime kernels (LayerNorm, the
/// Jvp's tangent step, the NTK accumulation) round as their CPU twins; the emulation contracts exactly when NVRTC
/// would, so a module compiled without the option is caught here. Reference: a·b + c with a = 1 + 2⁻³⁰, b = 1 − 2⁻³⁰,
/// c = −1 is 0 when a·b is rounded first (a·b = 1 − 2⁻⁶⁰ rounds to 1) and −2⁻⁶⁰ when fused.
/// </summary>
public sealed class FusedMultiplyAddTests
{
    private const string Source = """
        extern "C" __global__ void muladd(const double* a, const double* b, const double* c, double* y, long long n)
        {
            long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) y[i] = a[i] * b[i] + c[i];
        }
        """;

    private static readonly double A = 1 + Math.Pow(2, -30), B = 1 - Math.Pow(2, -30), C = -1;

    private static double MulAdd(CudaDevice device)
    {
        using var a = device.Upload<double>([A]);
        using var b = device.Upload<double>([B]);
        using var c = device.Upload<double>([C]);
        using var y = device.Allocate<double>(1);
        device.Compile(Source).Kernel("muladd").LaunchLinear(1, 32, a, b, c, y, 1L);
        return y.ToArray()[0];
    }

    private static void RequireFma()
    {
        Emulated.RequireCompiler();
        Assert.SkipUnless(EmulatedNvrtc.HostHasFma, "The host CPU has no fused multiply-add, so the emulation cannot contract as NVRTC's default does.");
    }

    [Fact]
    public void DeviceModulesRoundProductsBeforeSums()
    {
        RequireFma();
        Assert.Equal(0.0, A * B + C); // the CPU's answer (.NET does not contract)
        using var e = new Emulated();
        Assert.Equal(0.0, MulAdd(e.Device));
    }

    [Fact]
    public void WithoutTheOptionTheEmulationContractsAsNvrtcDoes()
    {
        RequireFma();
        using var gpu = new EmulatedGpu();
        var backend = gpu.CreateBackend();
        using (var device = CudaDevice.Open(0, backend with { Nvrtc = new WithoutFmadOption(backend.Nvrtc) }))
            Assert.Equal(-Math.Pow(2, -60), MulAdd(device));
        gpu.AssertClean();
    }

    /// <summary>NVRTC as the device calls it, minus any --fmad option (NVRTC's default then applies).</summary>
    private sealed class WithoutFmadOption(INvrtc inner) : INvrtc
    {
        public NvrtcResult Version(out int major, out int minor) => inner.Version(out major, out minor);
        public NvrtcResult CreateProgram(out IntPtr program, string source, string name) => inner.CreateProgram(out program, source, name);
        public NvrtcResult CompileProgram(IntPtr program, string[] options) =>
            inner.CompileProgram(program, options.Where(o => !o.Contains("fmad", StringComparison.Ordinal)).ToArray());
        public NvrtcResult GetProgramLog(IntPtr program, out string log) => inner.GetProgramLog(program, out log);
        public NvrtcResult GetCubin(IntPtr program, out byte[] cubin) => inner.GetCubin(program, out cubin);
        public NvrtcResult DestroyProgram(IntPtr program) => inner.DestroyProgram(program);
    }
}
