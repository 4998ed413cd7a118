using System.Globalization;
using System.Runtime.InteropServices;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Emulation;

/// <summary>
/// A strict host emulation of one CUDA device: device memory is host memory with red zones, every library call and
/// launch is executed at once on the host, and what real hardware punishes late (or never) is reported at the call:
/// pointers outside live allocations, use after free, ranges past the end of a buffer, kernels writing outside their
/// buffers, reads of data written on another stream without synchronization, and leaks (<see cref="AssertClean"/>).
/// Asynchronous device-to-host copies land in host memory only when their stream is synchronized (the destination
/// reads as NaN until then), as on a GPU. <see cref="CreateBackend"/> gives the four library interfaces over it.
/// </summary>
public sealed unsafe class EmulatedGpu : IDisposable
{
    internal const int RedZone = 256;

    /// <summary>
    /// What the red zones around every allocation hold: this 32-bit word at every 4-byte-aligned address (little-endian),
    /// so that a kernel READING past either end of a buffer gets a value that cannot pass for data. Read as float32 it
    /// is a quiet NaN (exponent bits 0xFF, mantissa 0x78CDCD with the quiet bit 22 set); as float64 at any 4-aligned
    /// address the word twice, 0x7FF8CDCD7FF8CDCD, is a quiet NaN (exponent 0x7FF, quiet bit 51 set); as int32 it is
    /// 2 147 012 045 and as int64 about 9.2e18, far past any index. (The former fill, bytes 0xCD, read as the finite
    /// −6.3e66 in float64 and −4.3e8 in float32: a kernel reading one element too far could pass unnoticed.) Writes are
    /// caught as before: after every launch and at free each red-zone byte is compared with this pattern.
    /// </summary>
    internal const uint RedZoneWord = 0x7FF8CDCD;

    /// <summary><see cref="RedZoneWord"/> repeated over <see cref="RedZone"/> + 4 bytes: the red zone starting at address a is the slice from a % 4.</summary>
    private static readonly byte[] RedZoneFill = BuildRedZoneFill();

    private static byte[] BuildRedZoneFill()
    {
        var fill = new byte[RedZone + 4];
        for (int i = 0; i < fill.Length; i += 4) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(fill.AsSpan(i), RedZoneWord);
        return fill;
    }

    /// <summary>The red-zone bytes for the <see cref="RedZone"/> bytes starting at <paramref name="start"/> (aligned to the word by address).</summary>
    private static ReadOnlySpan<byte> RedZoneAt(byte* start) => RedZoneFill.AsSpan((int)((nuint)start % 4), RedZone);
    private const int QuarantineLimit = 256;

    internal readonly Lock Gate = new();
    private readonly SortedList<ulong, Allocation> _live = new();
    private readonly LinkedList<Allocation> _quarantine = new();
    private readonly Dictionary<IntPtr, StreamState> _streams = new();
    private readonly ThreadLocal<IntPtr> _current = new();
    private long _nextHandle = 0x1000;
    private long _nextAllocationId = 1;
    private ulong _used;
    private bool _disposed;

    /// <summary>Creates an emulated device.</summary>
    public EmulatedGpu(EmulatedGpuOptions? options = null)
    {
        Options = options ?? new EmulatedGpuOptions();
        Streams[IntPtr.Zero] = new StreamState(IntPtr.Zero, Blocking: true);
    }

    /// <summary>The device's shape.</summary>
    public EmulatedGpuOptions Options { get; }

    /// <summary>The context handle of the primary context (one device).</summary>
    internal IntPtr PrimaryContext { get; } = (IntPtr)0xC0;

    internal int PrimaryRetains { get; set; }
    internal bool Initialized { get; set; }
    internal Dictionary<IntPtr, StreamState> Streams => _streams;
    internal Dictionary<IntPtr, string> Handles { get; } = new();
    internal Dictionary<IntPtr, EmulatedModule> Modules { get; } = new();
    internal Dictionary<IntPtr, EmulatedFunction> Functions { get; } = new();

    /// <summary>Bytes in live allocations.</summary>
    public ulong UsedBytes { get { lock (Gate) return _used; } }

    /// <summary>Number of live allocations.</summary>
    public int LiveAllocationCount { get { lock (Gate) return _live.Count; } }

    /// <summary>Kernel launches run so far.</summary>
    public long LaunchCount { get; internal set; }

    /// <summary>Library calls (cuBLAS, cuSOLVER) run so far.</summary>
    public long LibraryCallCount { get; internal set; }

    /// <summary>The driver, NVRTC (through g++), cuBLAS and cuSOLVER over this device.</summary>
    public CudaBackend CreateBackend() =>
        new("emulated", new EmulatedDriver(this), new EmulatedNvrtc(), new EmulatedCublas(this), new EmulatedCusolver(this)) { ExactSizePool = true, PoisonReusedBlocks = true };

    /// <summary>Everything still alive: allocations, streams, library handles, modules (empty when clean).</summary>
    public IReadOnlyList<string> Leaks()
    {
        lock (Gate)
        {
            var list = new List<string>();
            foreach (var a in _live.Values) list.Add($"allocation #{a.Id} of {a.Bytes} bytes");
            foreach (var s in _streams.Keys) if (s != IntPtr.Zero) list.Add($"stream 0x{s:x}");
            foreach (var h in Handles) list.Add($"{h.Value} handle 0x{h.Key:x}");
            foreach (var m in Modules.Keys) list.Add($"module 0x{m:x}");
            if (PrimaryRetains > 0) list.Add($"primary context retained {PrimaryRetains} time(s)");
            return list;
        }
    }

    /// <summary>Throws <see cref="CudaEmulationException"/> (Leak) listing everything still alive.</summary>
    public void AssertClean()
    {
        var leaks = Leaks();
        if (leaks.Count > 0)
            throw new CudaEmulationException(EmulationViolation.Leak, "Still alive: " + string.Join("; ", leaks) + ". Dispose every buffer and the CudaDevice.");
    }

    /// <summary>Frees the host memory behind the emulation (even if leaked; call <see cref="AssertClean"/> first to check).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var a in _live.Values) NativeMemory.AlignedFree((void*)a.Raw);
            foreach (var a in _quarantine) NativeMemory.AlignedFree((void*)a.Raw);
            _live.Clear();
            _quarantine.Clear();
            foreach (var m in Modules.Values) m.Unload();
            Modules.Clear();
            _current.Dispose();
        }
    }

    // ---- contexts and handles -------------------------------------------------------------------------------

    internal IntPtr CurrentContext { get => _current.Value; set => _current.Value = value; }

    internal IntPtr NewHandle() => (IntPtr)Interlocked.Add(ref _nextHandle, 0x10);

    /// <summary>CUDA_ERROR_NOT_INITIALIZED / INVALID_CONTEXT as the driver would return them, or success.</summary>
    internal CudaResult RequireContext()
    {
        if (!Initialized) return CudaResult.NotInitialized;
        if (CurrentContext != PrimaryContext || PrimaryRetains == 0) return CudaResult.InvalidContext;
        return CudaResult.Success;
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    internal CudaResult Allocate(ulong bytes, out ulong pointer)
    {
        pointer = 0;
        if (bytes == 0) return CudaResult.InvalidValue;
        lock (Gate)
        {
            if (bytes > Options.TotalMemoryBytes - _used) return CudaResult.OutOfMemory;
            var raw = (byte*)NativeMemory.AlignedAlloc((nuint)(bytes + 2 * RedZone), 256);
            RedZoneAt(raw).CopyTo(new Span<byte>(raw, RedZone));
            RedZoneAt(raw + RedZone + bytes).CopyTo(new Span<byte>(raw + RedZone + bytes, RedZone));
            // Fresh device memory is uninitialized: fill it with NaN bytes so that reading it before writing shows.
            for (ulong off = 0; off < bytes; off += int.MaxValue)
                new Span<byte>(raw + RedZone + off, (int)Math.Min(int.MaxValue, bytes - off)).Fill(0xFF);
            var a = new Allocation(_nextAllocationId++, (ulong)(raw + RedZone), bytes, (nint)raw);
            _live.Add(a.Base, a);
            _used += bytes;
            pointer = a.Base;
            return CudaResult.Success;
        }
    }

    internal CudaResult Free(ulong pointer)
    {
        lock (Gate)
        {
            if (!_live.TryGetValue(pointer, out var a))
            {
                var freed = FindFreed(pointer, 0);
                if (freed is not null && freed.Base == pointer)
                    throw new CudaEmulationException(EmulationViolation.UseAfterFree, $"cuMemFree_v2: allocation #{freed.Id} ({freed.Bytes} bytes) at 0x{pointer:x} was already freed (double free).");
                return CudaResult.InvalidValue;
            }
            CheckRedZones(a, "cuMemFree_v2");
            _live.Remove(pointer);
            _used -= a.Bytes;
            a.Freed = true;
            _quarantine.AddLast(a);
            if (_quarantine.Count > QuarantineLimit)
            {
                NativeMemory.AlignedFree((void*)_quarantine.First!.Value.Raw);
                _quarantine.RemoveFirst();
            }
            return CudaResult.Success;
        }
    }

    /// <summary>
    /// The allocation holding [pointer, pointer + bytes), or a <see cref="CudaEmulationException"/> naming the call and
    /// the argument (invalid pointer, use after free, or out of bounds).
    /// </summary>
    internal Allocation Resolve(ulong pointer, ulong bytes, string call, string argument)
    {
        lock (Gate)
        {
            var a = FindLive(pointer);
            if (a is null)
            {
                var freed = FindFreed(pointer, bytes);
                if (freed is not null)
                    throw new CudaEmulationException(EmulationViolation.UseAfterFree,
                        $"{call}: {argument} points into allocation #{freed.Id} ({freed.Bytes} bytes), which was freed.");
                throw new CudaEmulationException(EmulationViolation.InvalidPointer,
                    string.Create(CultureInfo.InvariantCulture, $"{call}: {argument} = 0x{pointer:x} is not inside any live device allocation."));
            }
            ulong offset = pointer - a.Base;
            if (bytes > a.Bytes - offset)
                throw new CudaEmulationException(EmulationViolation.OutOfBounds,
                    string.Create(CultureInfo.InvariantCulture,
                        $"{call}: {argument} needs {bytes} bytes from offset {offset} of allocation #{a.Id}, which has {a.Bytes} bytes ({bytes - (a.Bytes - offset)} bytes past its end)."));
            return a;
        }
    }

    private Allocation? FindLive(ulong pointer)
    {
        var keys = _live.Keys;
        int lo = 0, hi = keys.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] <= pointer) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found < 0) return null;
        var a = _live.Values[found];
        return pointer <= a.Base + a.Bytes ? a : null;
    }

    private Allocation? FindFreed(ulong pointer, ulong bytes)
    {
        for (var n = _quarantine.Last; n is not null; n = n.Previous)
            if (pointer >= n.Value.Base && pointer <= n.Value.Base + n.Value.Bytes) return n.Value;
        return null;
    }

    internal void CheckRedZones(Allocation a, string call)
    {
        var raw = (byte*)a.Raw;
        byte* after = raw + RedZone + a.Bytes;
        if (!new ReadOnlySpan<byte>(raw, RedZone).SequenceEqual(RedZoneAt(raw)) || !new ReadOnlySpan<byte>(after, RedZone).SequenceEqual(RedZoneAt(after)))
            throw new CudaEmulationException(EmulationViolation.KernelOutOfBounds,
                $"{call}: memory just before or after allocation #{a.Id} ({a.Bytes} bytes) was overwritten: a kernel wrote outside its buffer.");
    }

    // ---- streams and ordering ------------------------------------------------------------------------------

    internal StreamState Stream(IntPtr stream, string call)
    {
        lock (Gate)
        {
            if (_streams.TryGetValue(stream, out var s)) return s;
            throw new CudaEmulationException(EmulationViolation.InvalidUse, $"{call}: stream 0x{stream:x} was never created or was destroyed.");
        }
    }

    /// <summary>A device read on <paramref name="stream"/>: throws when the last write came from another stream and was not synchronized.</summary>
    internal void OnRead(Allocation a, IntPtr stream, string call, string argument)
    {
        lock (Gate)
        {
            if (a.PendingWriter is { } w && w != stream && !ImplicitlyOrdered(w, stream))
                throw new CudaEmulationException(EmulationViolation.UnsynchronizedAccess,
                    $"{call}: {argument} (allocation #{a.Id}) was written by an operation on stream 0x{w:x} that has not been synchronized; synchronize that stream (or use one stream) before reading it on stream 0x{stream:x}.");
        }
    }

    /// <summary>A device write on <paramref name="stream"/>.</summary>
    internal void OnWrite(Allocation a, IntPtr stream, string call, string argument)
    {
        OnRead(a, stream, call, argument);
        lock (Gate) a.PendingWriter = stream;
    }

    private bool ImplicitlyOrdered(IntPtr a, IntPtr b) =>
        (a == IntPtr.Zero && _streams.TryGetValue(b, out var sb) && sb.Blocking) || (b == IntPtr.Zero && _streams.TryGetValue(a, out var sa) && sa.Blocking);

    internal void Synchronize(IntPtr stream)
    {
        lock (Gate)
        {
            foreach (var a in _live.Values)
            {
                CheckRedZones(a, stream == IntPtr.Zero ? "cuCtxSynchronize" : "cuStreamSynchronize");
                if (a.PendingWriter == stream) a.PendingWriter = null;
            }
            var s = _streams[stream];
            foreach (var copy in s.PendingHostCopies) copy();
            s.PendingHostCopies.Clear();
        }
    }

    internal void SynchronizeAll()
    {
        lock (Gate)
        {
            foreach (var s in _streams.Keys.ToList()) Synchronize(s);
        }
    }
}

/// <summary>One emulated device allocation.</summary>
internal sealed class Allocation(long id, ulong @base, ulong bytes, nint raw)
{
    public long Id { get; } = id;
    public ulong Base { get; } = @base;
    public ulong Bytes { get; } = bytes;
    public nint Raw { get; } = raw;
    public bool Freed { get; set; }
    public IntPtr? PendingWriter { get; set; }
}

/// <summary>One emulated stream.</summary>
internal sealed record StreamState(IntPtr Handle, bool Blocking)
{
    public List<Action> PendingHostCopies { get; } = new();
}
