using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Emulation;

/// <summary>The device contract on the strict host emulation; after every test nothing may be left alive.</summary>
public sealed class EmulatedConformanceTests : DeviceConformance
{
    private readonly EmulatedGpu _gpu = new();

    protected override CudaDevice OpenDevice() => CudaDevice.Open(0, _gpu.CreateBackend());

    protected override void RequireKernelCompiler() => Emulated.RequireCompiler();

    protected override void AfterDispose()
    {
        try
        {
            _gpu.AssertClean();
        }
        finally
        {
            _gpu.Dispose();
        }
    }
}
