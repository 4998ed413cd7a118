using System.Text;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Native;

/// <summary>The CUDA driver API through function pointers into libcuda.so.1 (the <c>_v2</c> entry points).</summary>
internal sealed unsafe class NativeCudaDriver : ICudaDriver
{
    private readonly delegate* unmanaged<uint, int> _init;
    private readonly delegate* unmanaged<int*, int> _deviceGetCount;
    private readonly delegate* unmanaged<int*, int, int> _deviceGet;
    private readonly delegate* unmanaged<byte*, int, int, int> _deviceGetName;
    private readonly delegate* unmanaged<int*, int, int, int> _deviceGetAttribute;
    private readonly delegate* unmanaged<nuint*, int, int> _deviceTotalMem;
    private readonly delegate* unmanaged<IntPtr*, int, int> _primaryCtxRetain;
    private readonly delegate* unmanaged<int, int> _primaryCtxRelease;
    private readonly delegate* unmanaged<IntPtr, int> _ctxSetCurrent;
    private readonly delegate* unmanaged<int> _ctxSynchronize;
    private readonly delegate* unmanaged<nuint*, nuint*, int> _memGetInfo;
    private readonly delegate* unmanaged<ulong*, nuint, int> _memAlloc;
    private readonly delegate* unmanaged<ulong, int> _memFree;
    private readonly delegate* unmanaged<ulong, void*, nuint, IntPtr, int> _memcpyHtoDAsync;
    private readonly delegate* unmanaged<void*, ulong, nuint, IntPtr, int> _memcpyDtoHAsync;
    private readonly delegate* unmanaged<ulong, ulong, nuint, IntPtr, int> _memcpyDtoDAsync;
    private readonly delegate* unmanaged<ulong, byte, nuint, IntPtr, int> _memsetD8Async;
    private readonly delegate* unmanaged<IntPtr*, uint, int> _streamCreate;
    private readonly delegate* unmanaged<IntPtr, int> _streamDestroy;
    private readonly delegate* unmanaged<IntPtr, int> _streamSynchronize;
    private readonly delegate* unmanaged<IntPtr*, void*, int> _moduleLoadData;
    private readonly delegate* unmanaged<IntPtr, int> _moduleUnload;
    private readonly delegate* unmanaged<IntPtr*, IntPtr, byte*, int> _moduleGetFunction;
    private readonly delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int> _launchKernel;

    public NativeCudaDriver(IntPtr lib)
    {
        const string L = "libcuda.so.1";
        _init = (delegate* unmanaged<uint, int>)NativeExports.Get(lib, "cuInit", L);
        _deviceGetCount = (delegate* unmanaged<int*, int>)NativeExports.Get(lib, "cuDeviceGetCount", L);
        _deviceGet = (delegate* unmanaged<int*, int, int>)NativeExports.Get(lib, "cuDeviceGet", L);
        _deviceGetName = (delegate* unmanaged<byte*, int, int, int>)NativeExports.Get(lib, "cuDeviceGetName", L);
        _deviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)NativeExports.Get(lib, "cuDeviceGetAttribute", L);
        _deviceTotalMem = (delegate* unmanaged<nuint*, int, int>)NativeExports.Get(lib, "cuDeviceTotalMem_v2", L);
        _primaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)NativeExports.Get(lib, "cuDevicePrimaryCtxRetain", L);
        _primaryCtxRelease = (delegate* unmanaged<int, int>)NativeExports.Get(lib, "cuDevicePrimaryCtxRelease_v2", L);
        _ctxSetCurrent = (delegate* unmanaged<IntPtr, int>)NativeExports.Get(lib, "cuCtxSetCurrent", L);
        _ctxSynchronize = (delegate* unmanaged<int>)NativeExports.Get(lib, "cuCtxSynchronize", L);
        _memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)NativeExports.Get(lib, "cuMemGetInfo_v2", L);
        _memAlloc = (delegate* unmanaged<ulong*, nuint, int>)NativeExports.Get(lib, "cuMemAlloc_v2", L);
        _memFree = (delegate* unmanaged<ulong, int>)NativeExports.Get(lib, "cuMemFree_v2", L);
        _memcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, IntPtr, int>)NativeExports.Get(lib, "cuMemcpyHtoDAsync_v2", L);
        _memcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, IntPtr, int>)NativeExports.Get(lib, "cuMemcpyDtoHAsync_v2", L);
        _memcpyDtoDAsync = (delegate* unmanaged<ulong, ulong, nuint, IntPtr, int>)NativeExports.Get(lib, "cuMemcpyDtoDAsync_v2", L);
        _memsetD8Async = (delegate* unmanaged<ulong, byte, nuint, IntPtr, int>)NativeExports.Get(lib, "cuMemsetD8Async", L);
        _streamCreate = (delegate* unmanaged<IntPtr*, uint, int>)NativeExports.Get(lib, "cuStreamCreate", L);
        _streamDestroy = (delegate* unmanaged<IntPtr, int>)NativeExports.Get(lib, "cuStreamDestroy_v2", L);
        _streamSynchronize = (delegate* unmanaged<IntPtr, int>)NativeExports.Get(lib, "cuStreamSynchronize", L);
        _moduleLoadData = (delegate* unmanaged<IntPtr*, void*, int>)NativeExports.Get(lib, "cuModuleLoadData", L);
        _moduleUnload = (delegate* unmanaged<IntPtr, int>)NativeExports.Get(lib, "cuModuleUnload", L);
        _moduleGetFunction = (delegate* unmanaged<IntPtr*, IntPtr, byte*, int>)NativeExports.Get(lib, "cuModuleGetFunction", L);
        _launchKernel = (delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int>)NativeExports.Get(lib, "cuLaunchKernel", L);
    }

    public CudaResult Init(uint flags) => (CudaResult)_init(flags);

    public CudaResult DeviceGetCount(out int count)
    {
        int c;
        var r = _deviceGetCount(&c);
        count = c;
        return (CudaResult)r;
    }

    public CudaResult DeviceGet(out int device, int ordinal)
    {
        int d;
        var r = _deviceGet(&d, ordinal);
        device = d;
        return (CudaResult)r;
    }

    public CudaResult DeviceGetName(int device, out string name)
    {
        byte* buf = stackalloc byte[256];
        var r = _deviceGetName(buf, 256, device);
        name = r == 0 ? NativeExports.Utf8(buf) : "";
        return (CudaResult)r;
    }

    public CudaResult DeviceGetAttribute(out int value, CudaDeviceAttribute attribute, int device)
    {
        int v;
        var r = _deviceGetAttribute(&v, (int)attribute, device);
        value = v;
        return (CudaResult)r;
    }

    public CudaResult DeviceTotalMem(out ulong bytes, int device)
    {
        nuint b;
        var r = _deviceTotalMem(&b, device);
        bytes = b;
        return (CudaResult)r;
    }

    public CudaResult DevicePrimaryCtxRetain(out IntPtr context, int device)
    {
        IntPtr c;
        var r = _primaryCtxRetain(&c, device);
        context = c;
        return (CudaResult)r;
    }

    public CudaResult DevicePrimaryCtxRelease(int device) => (CudaResult)_primaryCtxRelease(device);
    public CudaResult CtxSetCurrent(IntPtr context) => (CudaResult)_ctxSetCurrent(context);
    public CudaResult CtxSynchronize() => (CudaResult)_ctxSynchronize();

    public CudaResult MemGetInfo(out ulong free, out ulong total)
    {
        nuint f, t;
        var r = _memGetInfo(&f, &t);
        free = f;
        total = t;
        return (CudaResult)r;
    }

    public CudaResult MemAlloc(out ulong pointer, ulong bytes)
    {
        ulong p;
        var r = _memAlloc(&p, (nuint)bytes);
        pointer = p;
        return (CudaResult)r;
    }

    public CudaResult MemFree(ulong pointer) => (CudaResult)_memFree(pointer);
    public CudaResult MemcpyHtoDAsync(ulong destination, nint source, ulong bytes, IntPtr stream) => (CudaResult)_memcpyHtoDAsync(destination, (void*)source, (nuint)bytes, stream);
    public CudaResult MemcpyDtoHAsync(nint destination, ulong source, ulong bytes, IntPtr stream) => (CudaResult)_memcpyDtoHAsync((void*)destination, source, (nuint)bytes, stream);
    public CudaResult MemcpyDtoDAsync(ulong destination, ulong source, ulong bytes, IntPtr stream) => (CudaResult)_memcpyDtoDAsync(destination, source, (nuint)bytes, stream);
    public CudaResult MemsetD8Async(ulong destination, byte value, ulong count, IntPtr stream) => (CudaResult)_memsetD8Async(destination, value, (nuint)count, stream);

    public CudaResult StreamCreate(out IntPtr stream, uint flags)
    {
        IntPtr s;
        var r = _streamCreate(&s, flags);
        stream = s;
        return (CudaResult)r;
    }

    public CudaResult StreamDestroy(IntPtr stream) => (CudaResult)_streamDestroy(stream);
    public CudaResult StreamSynchronize(IntPtr stream) => (CudaResult)_streamSynchronize(stream);

    public CudaResult ModuleLoadData(out IntPtr module, byte[] image)
    {
        IntPtr m;
        int r;
        fixed (byte* p = image) r = _moduleLoadData(&m, p);
        module = m;
        return (CudaResult)r;
    }

    public CudaResult ModuleUnload(IntPtr module) => (CudaResult)_moduleUnload(module);

    public CudaResult ModuleGetFunction(out IntPtr function, IntPtr module, string name)
    {
        IntPtr f;
        int r;
        fixed (byte* n = Encoding.UTF8.GetBytes(name + "\0")) r = _moduleGetFunction(&f, module, n);
        function = f;
        return (CudaResult)r;
    }

    public CudaResult LaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemBytes, IntPtr stream, nint kernelParams)
        => (CudaResult)_launchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedMemBytes, stream, (void**)kernelParams, null);
}
