using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Tests.Native;

/// <summary>
/// The same device contract against the real driver, NVRTC, cuBLAS and cuSOLVER. Without an NVIDIA driver, the CUDA
/// libraries or a device, every test is skipped with the reason (the loader's list of paths tried, or the driver status).
/// </summary>
public sealed class NativeConformanceTests : DeviceConformance
{
    protected override CudaDevice OpenDevice() => NativeGpu.OpenOrSkip();
}

internal static class NativeGpu
{
    public static CudaDevice OpenOrSkip()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
            Assert.Skip("The CUDA backend is built for linux-x64; this is another platform.");
        try
        {
            return CudaDevice.Open(0, CudaBackend.LoadNative());
        }
        catch (CudaLibraryNotFoundException e)
        {
            Assert.Skip("No GPU here: " + e.Message.Split('\n')[0] + " (" + string.Join("; ", e.Tried.Take(3)) + (e.Tried.Count > 3 ? "; …" : "") + ")");
        }
        catch (CudaException e) when (e.Status is "CUDA_ERROR_NO_DEVICE" or "0 devices" or "CUDA_ERROR_INVALID_DEVICE")
        {
            Assert.Skip("The CUDA driver loaded but reports no usable device: " + e.Message);
        }
        throw new InvalidOperationException("unreachable");
    }
}
