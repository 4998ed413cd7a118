namespace NtkDsl.Cuda.Interop;

/// <summary>
/// The subset of the CUDA driver API NtkDsl uses, one method per entry point (the native implementation calls the
/// <c>_v2</c> entry points where they exist). Device pointers are <see cref="ulong"/> (CUdeviceptr), handles
/// <see cref="IntPtr"/>, host pointers <see cref="nint"/>. Every method returns the library's status; callers check
/// it (see <c>CudaCheck</c>). Implemented by <c>NativeCudaDriver</c> and the strict host <c>EmulatedDriver</c>.
/// </summary>
public interface ICudaDriver
{
    /// <summary>cuInit.</summary>
    CudaResult Init(uint flags);
    /// <summary>cuDeviceGetCount.</summary>
    CudaResult DeviceGetCount(out int count);
    /// <summary>cuDeviceGet.</summary>
    CudaResult DeviceGet(out int device, int ordinal);
    /// <summary>cuDeviceGetName.</summary>
    CudaResult DeviceGetName(int device, out string name);
    /// <summary>cuDeviceGetAttribute.</summary>
    CudaResult DeviceGetAttribute(out int value, CudaDeviceAttribute attribute, int device);
    /// <summary>cuDeviceTotalMem_v2.</summary>
    CudaResult DeviceTotalMem(out ulong bytes, int device);
    /// <summary>cuDevicePrimaryCtxRetain.</summary>
    CudaResult DevicePrimaryCtxRetain(out IntPtr context, int device);
    /// <summary>cuDevicePrimaryCtxRelease_v2.</summary>
    CudaResult DevicePrimaryCtxRelease(int device);
    /// <summary>cuCtxSetCurrent.</summary>
    CudaResult CtxSetCurrent(IntPtr context);
    /// <summary>cuCtxSynchronize.</summary>
    CudaResult CtxSynchronize();
    /// <summary>cuMemGetInfo_v2.</summary>
    CudaResult MemGetInfo(out ulong free, out ulong total);
    /// <summary>cuMemAlloc_v2.</summary>
    CudaResult MemAlloc(out ulong pointer, ulong bytes);
    /// <summary>cuMemFree_v2.</summary>
    CudaResult MemFree(ulong pointer);
    /// <summary>cuMemcpyHtoDAsync_v2.</summary>
    CudaResult MemcpyHtoDAsync(ulong destination, nint source, ulong bytes, IntPtr stream);
    /// <summary>cuMemcpyDtoHAsync_v2.</summary>
    CudaResult MemcpyDtoHAsync(nint destination, ulong source, ulong bytes, IntPtr stream);
    /// <summary>cuMemcpyDtoDAsync_v2.</summary>
    CudaResult MemcpyDtoDAsync(ulong destination, ulong source, ulong bytes, IntPtr stream);
    /// <summary>cuMemsetD8Async.</summary>
    CudaResult MemsetD8Async(ulong destination, byte value, ulong count, IntPtr stream);
    /// <summary>cuStreamCreate (flags: 1 = CU_STREAM_NON_BLOCKING).</summary>
    CudaResult StreamCreate(out IntPtr stream, uint flags);
    /// <summary>cuStreamDestroy_v2.</summary>
    CudaResult StreamDestroy(IntPtr stream);
    /// <summary>cuStreamSynchronize.</summary>
    CudaResult StreamSynchronize(IntPtr stream);
    /// <summary>cuModuleLoadData (a CUBIN image from NVRTC).</summary>
    CudaResult ModuleLoadData(out IntPtr module, byte[] image);
    /// <summary>cuModuleUnload.</summary>
    CudaResult ModuleUnload(IntPtr module);
    /// <summary>cuModuleGetFunction.</summary>
    CudaResult ModuleGetFunction(out IntPtr function, IntPtr module, string name);
    /// <summary>cuLaunchKernel (<paramref name="kernelParams"/>: a void** array with one pointer per kernel parameter).</summary>
    CudaResult LaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemBytes, IntPtr stream, nint kernelParams);
}
