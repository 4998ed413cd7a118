using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Emulation;

/// <summary>The driver API over an <see cref="EmulatedGpu"/>, returning the statuses the real driver documents.</summary>
internal sealed unsafe class EmulatedDriver(EmulatedGpu gpu) : ICudaDriver
{
    public CudaResult Init(uint flags)
    {
        if (flags != 0) return CudaResult.InvalidValue;
        if (!gpu.Options.DriverWorks) return CudaResult.NoDevice;
        gpu.Initialized = true;
        return CudaResult.Success;
    }

    public CudaResult DeviceGetCount(out int count)
    {
        count = 0;
        if (!gpu.Initialized) return CudaResult.NotInitialized;
        count = gpu.Options.DeviceCount;
        return CudaResult.Success;
    }

    public CudaResult DeviceGet(out int device, int ordinal)
    {
        device = -1;
        if (!gpu.Initialized) return CudaResult.NotInitialized;
        if (ordinal < 0 || ordinal >= gpu.Options.DeviceCount) return CudaResult.InvalidDevice;
        device = ordinal;
        return CudaResult.Success;
    }

    private CudaResult CheckDevice(int device) =>
        !gpu.Initialized ? CudaResult.NotInitialized : device < 0 || device >= gpu.Options.DeviceCount ? CudaResult.InvalidDevice : CudaResult.Success;

    public CudaResult DeviceGetName(int device, out string name)
    {
        name = "";
        var r = CheckDevice(device);
        if (r == CudaResult.Success) name = gpu.Options.Name;
        return r;
    }

    public CudaResult DeviceGetAttribute(out int value, CudaDeviceAttribute attribute, int device)
    {
        value = 0;
        var r = CheckDevice(device);
        if (r != CudaResult.Success) return r;
        switch (attribute)
        {
            case CudaDeviceAttribute.ComputeCapabilityMajor: value = gpu.Options.ComputeCapability.Major; break;
            case CudaDeviceAttribute.ComputeCapabilityMinor: value = gpu.Options.ComputeCapability.Minor; break;
            case CudaDeviceAttribute.MultiprocessorCount: value = 1; break;
            default: return CudaResult.InvalidValue;
        }
        return CudaResult.Success;
    }

    public CudaResult DeviceTotalMem(out ulong bytes, int device)
    {
        bytes = 0;
        var r = CheckDevice(device);
        if (r == CudaResult.Success) bytes = gpu.Options.TotalMemoryBytes;
        return r;
    }

    public CudaResult DevicePrimaryCtxRetain(out IntPtr context, int device)
    {
        context = IntPtr.Zero;
        var r = CheckDevice(device);
        if (r != CudaResult.Success) return r;
        lock (gpu.Gate) gpu.PrimaryRetains++;
        context = gpu.PrimaryContext;
        return CudaResult.Success;
    }

    public CudaResult DevicePrimaryCtxRelease(int device)
    {
        var r = CheckDevice(device);
        if (r != CudaResult.Success) return r;
        lock (gpu.Gate)
        {
            if (gpu.PrimaryRetains == 0) return CudaResult.InvalidContext;
            gpu.PrimaryRetains--;
        }
        return CudaResult.Success;
    }

    public CudaResult CtxSetCurrent(IntPtr context)
    {
        if (!gpu.Initialized) return CudaResult.NotInitialized;
        if (context != IntPtr.Zero && (context != gpu.PrimaryContext || gpu.PrimaryRetains == 0)) return CudaResult.InvalidContext;
        gpu.CurrentContext = context;
        return CudaResult.Success;
    }

    public CudaResult CtxSynchronize()
    {
        var r = gpu.RequireContext();
        if (r == CudaResult.Success) gpu.SynchronizeAll();
        return r;
    }

    public CudaResult MemGetInfo(out ulong free, out ulong total)
    {
        free = total = 0;
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        total = gpu.Options.TotalMemoryBytes;
        free = total - gpu.UsedBytes;
        return CudaResult.Success;
    }

    public CudaResult MemAlloc(out ulong pointer, ulong bytes)
    {
        pointer = 0;
        var r = gpu.RequireContext();
        return r != CudaResult.Success ? r : gpu.Allocate(bytes, out pointer);
    }

    public CudaResult MemFree(ulong pointer)
    {
        var r = gpu.RequireContext();
        return r != CudaResult.Success ? r : gpu.Free(pointer);
    }

    public CudaResult MemcpyHtoDAsync(ulong destination, nint source, ulong bytes, IntPtr stream)
    {
        const string call = "cuMemcpyHtoDAsync_v2";
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        if (bytes == 0) return CudaResult.Success;
        if (source == 0) return CudaResult.InvalidValue;
        gpu.Stream(stream, call);
        var a = gpu.Resolve(destination, bytes, call, "destination");
        gpu.OnWrite(a, stream, call, "destination");
        Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);
        return CudaResult.Success;
    }

    public CudaResult MemcpyDtoHAsync(nint destination, ulong source, ulong bytes, IntPtr stream)
    {
        const string call = "cuMemcpyDtoHAsync_v2";
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        if (bytes == 0) return CudaResult.Success;
        if (destination == 0) return CudaResult.InvalidValue;
        var s = gpu.Stream(stream, call);
        var a = gpu.Resolve(source, bytes, call, "source");
        gpu.OnRead(a, stream, call, "source");
        // The data is taken now (stream order) but lands in host memory only when the stream is synchronized; until
        // then the destination holds NaN bytes, so a host read before synchronization shows up in results.
        var snapshot = new byte[bytes];
        fixed (byte* p = snapshot) Buffer.MemoryCopy((void*)source, p, bytes, bytes);
        new Span<byte>((void*)destination, checked((int)bytes)).Fill(0xFF);
        lock (gpu.Gate)
            s.PendingHostCopies.Add(() =>
            {
                fixed (byte* p = snapshot) Buffer.MemoryCopy(p, (void*)destination, bytes, bytes);
            });
        return CudaResult.Success;
    }

    public CudaResult MemcpyDtoDAsync(ulong destination, ulong source, ulong bytes, IntPtr stream)
    {
        const string call = "cuMemcpyDtoDAsync_v2";
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        if (bytes == 0) return CudaResult.Success;
        gpu.Stream(stream, call);
        var src = gpu.Resolve(source, bytes, call, "source");
        var dst = gpu.Resolve(destination, bytes, call, "destination");
        gpu.OnRead(src, stream, call, "source");
        gpu.OnWrite(dst, stream, call, "destination");
        Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);
        return CudaResult.Success;
    }

    public CudaResult MemsetD8Async(ulong destination, byte value, ulong count, IntPtr stream)
    {
        const string call = "cuMemsetD8Async";
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        if (count == 0) return CudaResult.Success;
        gpu.Stream(stream, call);
        var dst = gpu.Resolve(destination, count, call, "destination");
        gpu.OnWrite(dst, stream, call, "destination");
        for (ulong off = 0; off < count; off += int.MaxValue)
            new Span<byte>((byte*)destination + off, (int)Math.Min(int.MaxValue, count - off)).Fill(value);
        return CudaResult.Success;
    }

    public CudaResult StreamCreate(out IntPtr stream, uint flags)
    {
        stream = IntPtr.Zero;
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        if (flags > 1) return CudaResult.InvalidValue;
        stream = gpu.NewHandle();
        lock (gpu.Gate) gpu.Streams[stream] = new StreamState(stream, Blocking: flags == 0);
        return CudaResult.Success;
    }

    public CudaResult StreamDestroy(IntPtr stream)
    {
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        lock (gpu.Gate)
        {
            if (stream == IntPtr.Zero || !gpu.Streams.ContainsKey(stream)) return CudaResult.InvalidHandle;
            // Work still queued completes before the stream's resources are released (cuStreamDestroy semantics).
            gpu.Synchronize(stream);
            gpu.Streams.Remove(stream);
        }
        return CudaResult.Success;
    }

    public CudaResult StreamSynchronize(IntPtr stream)
    {
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        lock (gpu.Gate)
        {
            if (!gpu.Streams.ContainsKey(stream)) return CudaResult.InvalidHandle;
            gpu.Synchronize(stream);
        }
        return CudaResult.Success;
    }

    public CudaResult ModuleLoadData(out IntPtr module, byte[] image)
    {
        module = IntPtr.Zero;
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        var m = EmulatedModule.Load(image);
        if (m is null) return CudaResult.InvalidImage;
        module = gpu.NewHandle();
        lock (gpu.Gate) gpu.Modules[module] = m;
        return CudaResult.Success;
    }

    public CudaResult ModuleUnload(IntPtr module)
    {
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        lock (gpu.Gate)
        {
            if (!gpu.Modules.Remove(module, out var m)) return CudaResult.InvalidHandle;
            foreach (var f in gpu.Functions.Where(f => f.Value.Module == m).Select(f => f.Key).ToList()) gpu.Functions.Remove(f);
            m.Unload();
        }
        return CudaResult.Success;
    }

    public CudaResult ModuleGetFunction(out IntPtr function, IntPtr module, string name)
    {
        function = IntPtr.Zero;
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        lock (gpu.Gate)
        {
            if (!gpu.Modules.TryGetValue(module, out var m)) return CudaResult.InvalidHandle;
            var f = m.GetFunction(name);
            if (f is null) return CudaResult.NotFound;
            function = gpu.NewHandle();
            gpu.Functions[function] = f;
        }
        return CudaResult.Success;
    }

    public CudaResult LaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemBytes, IntPtr stream, nint kernelParams)
    {
        const string call = "cuLaunchKernel";
        var r = gpu.RequireContext();
        if (r != CudaResult.Success) return r;
        EmulatedFunction? f;
        lock (gpu.Gate) gpu.Functions.TryGetValue(function, out f);
        if (f is null) return CudaResult.InvalidHandle;
        // Limits of compute capability 9.0 (the CUDA programming guide's table of technical specifications).
        if (gridX == 0 || gridY == 0 || gridZ == 0 || blockX == 0 || blockY == 0 || blockZ == 0) return CudaResult.InvalidValue;
        if (gridX > int.MaxValue || gridY > 65535 || gridZ > 65535) return CudaResult.InvalidValue;
        if (blockX > 1024 || blockY > 1024 || blockZ > 64 || (ulong)blockX * blockY * blockZ > 1024) return CudaResult.InvalidValue;
        if (sharedMemBytes > 48 * 1024) return CudaResult.InvalidValue;
        gpu.Stream(stream, call);
        if (kernelParams == 0 && f.Signature.Length > 0) return CudaResult.InvalidValue;
        var args = (void**)kernelParams;
        var touched = new List<Allocation>();
        for (int i = 0; i < f.Signature.Length; i++)
        {
            char c = f.Signature[i];
            if (c is not ('P' or 'C')) continue;
            ulong p = *(ulong*)args[i];
            if (p == 0) continue;
            string arg = $"parameter {i} of {f.Name}";
            var a = gpu.Resolve(p, 0, call, arg);
            if (c == 'P') gpu.OnWrite(a, stream, call, arg);
            else gpu.OnRead(a, stream, call, arg);
            touched.Add(a);
        }
        int rc = f.Launch(gridX, gridY, gridZ, blockX, blockY, blockZ, args);
        gpu.LaunchCount++;
        foreach (var a in touched) gpu.CheckRedZones(a, $"{call} ({f.Name})");
        return rc == 0 ? CudaResult.Success : CudaResult.LaunchFailed;
    }
}
