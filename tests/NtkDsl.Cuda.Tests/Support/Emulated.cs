using NtkDsl.Cuda.Emulation;

namespace NtkDsl.Cuda.Tests.Support;

/// <summary>An emulated GPU and a device opened on it; disposing closes the device and asserts nothing leaked.</summary>
internal sealed class Emulated : IDisposable
{
    public Emulated(EmulatedGpuOptions? options = null)
    {
        Gpu = new EmulatedGpu(options);
        Device = CudaDevice.Open(0, Gpu.CreateBackend());
    }

    public EmulatedGpu Gpu { get; }
    public CudaDevice Device { get; }

    public void Dispose()
    {
        Device.Dispose();
        try
        {
            Gpu.AssertClean();
        }
        finally
        {
            Gpu.Dispose();
        }
    }

    /// <summary>Skips the calling test when no host C++ compiler is available for the emulated NVRTC.</summary>
    public static void RequireCompiler() =>
        Assert.SkipWhen(EmulatedNvrtc.FindCompiler() is null,
            "g++ was not found (set NTKDSL_CXX or install g++): the emulated NVRTC compiles CUDA C kernels with the host C++ compiler, so kernel tests cannot run here.");
}
