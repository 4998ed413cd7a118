using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Memory;

/// <summary>
/// A caching allocator over cuMemAlloc: freed blocks are kept by size class and reused, because cuMemAlloc/cuMemFree
/// synchronize the device and are slow. Size classes: multiples of 512 bytes up to 1 MiB, of 2 MiB above (exact
/// sizes when <see cref="Interop.CudaBackend.ExactSizePool"/> is set, as the emulation does). On
/// CUDA_ERROR_OUT_OF_MEMORY the cache is released and the allocation retried once; a second failure becomes a
/// <see cref="CudaOutOfMemoryException"/> with the sizes. All blocks, live or cached, are freed with the device.
/// With <see cref="Interop.CudaBackend.PoisonReusedBlocks"/> (the emulation) a reused block is filled with NaN bytes first.
/// </summary>
internal sealed class DeviceAllocator(CudaDevice device)
{
    private readonly Dictionary<ulong, Stack<ulong>> _cache = new();
    private readonly Dictionary<ulong, ulong> _live = new();

    /// <summary>Bytes in blocks handed out and not yet returned.</summary>
    public ulong LiveBytes { get; private set; }

    /// <summary>Bytes in cached (returned) blocks.</summary>
    public ulong CachedBytes { get; private set; }

    internal static ulong SizeClass(ulong bytes) =>
        bytes <= 1UL << 20 ? Math.Max(512, (bytes + 511) / 512 * 512) : (bytes + (2UL << 20) - 1) / (2UL << 20) * (2UL << 20);

    public (ulong Pointer, ulong Bytes) Rent(ulong bytes, string what)
    {
        ulong size = device.Backend.ExactSizePool ? bytes : SizeClass(bytes);
        if (_cache.TryGetValue(size, out var stack) && stack.Count > 0)
        {
            var p = stack.Pop();
            CachedBytes -= size;
            if (device.Backend.PoisonReusedBlocks)
            {
                // Stale values of the block's previous user would pass for results; NaN bytes do not (queued in stream order).
                device.MakeCurrent();
                CudaCheck.Driver(device.Driver.MemsetD8Async(p, 0xFF, size, device.Stream), "cuMemsetD8Async");
            }
            return Hand(p, size);
        }
        device.MakeCurrent();
        var r = device.Driver.MemAlloc(out var ptr, size);
        if (r == CudaResult.OutOfMemory)
        {
            ReleaseCache();
            r = device.Driver.MemAlloc(out ptr, size);
            if (r == CudaResult.OutOfMemory)
            {
                device.Driver.MemGetInfo(out var free, out var total);
                throw new CudaOutOfMemoryException(what, bytes, free, total, LiveBytes);
            }
        }
        CudaCheck.Driver(r, "cuMemAlloc_v2");
        return Hand(ptr, size);
    }

    private (ulong, ulong) Hand(ulong p, ulong size)
    {
        _live[p] = size;
        LiveBytes += size;
        return (p, size);
    }

    /// <summary>Returns a block to the cache (queued work on the device's one stream stays ordered before any reuse).</summary>
    public void Return(ulong pointer)
    {
        if (!_live.Remove(pointer, out var size)) return;
        LiveBytes -= size;
        if (!_cache.TryGetValue(size, out var stack)) _cache[size] = stack = new Stack<ulong>();
        stack.Push(pointer);
        CachedBytes += size;
    }

    /// <summary>Frees the cached blocks (after waiting for queued work).</summary>
    public void ReleaseCache()
    {
        if (CachedBytes == 0) return;
        device.MakeCurrent();
        CudaCheck.Driver(device.Driver.StreamSynchronize(device.Stream), "cuStreamSynchronize");
        foreach (var stack in _cache.Values)
            while (stack.Count > 0) CudaCheck.Driver(device.Driver.MemFree(stack.Pop()), "cuMemFree_v2");
        _cache.Clear();
        CachedBytes = 0;
    }

    /// <summary>Frees everything, live blocks included (the device is going away).</summary>
    public void ReleaseAll()
    {
        ReleaseCache();
        foreach (var p in _live.Keys) CudaCheck.Driver(device.Driver.MemFree(p), "cuMemFree_v2");
        _live.Clear();
        LiveBytes = 0;
    }
}
