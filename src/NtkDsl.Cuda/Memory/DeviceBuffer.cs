using System.Globalization;
using System.Runtime.CompilerServices;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Memory;

/// <summary>
/// A typed buffer in device memory, released deterministically by <see cref="Dispose"/> (back to the device's pool).
/// Copies are queued on the device's stream and wait for it, so data is complete when they return.
/// </summary>
/// <typeparam name="T">double, float or int.</typeparam>
public sealed class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    private readonly ulong _pointer;
    private bool _disposed;

    internal DeviceBuffer(CudaDevice device, long length)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float) && typeof(T) != typeof(int))
            throw new NotSupportedException($"Device buffers hold double, float or int, not {typeof(T).Name}.");
        Device = device;
        Length = length;
        if (length > 0)
            (_pointer, _) = device.Allocator.Rent(checked((ulong)length * (ulong)Unsafe.SizeOf<T>()),
                string.Create(CultureInfo.InvariantCulture, $"a buffer of {length} {typeof(T).Name}"));
    }

    /// <summary>The device the buffer lives on.</summary>
    public CudaDevice Device { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>The device address of element 0.</summary>
    /// <exception cref="ObjectDisposedException">The buffer or its device was disposed.</exception>
    public ulong Pointer
    {
        get
        {
            ThrowIfDisposed();
            return _pointer;
        }
    }

    internal void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Device.ThrowIfDisposed();
    }

    /// <summary>The whole buffer as a view.</summary>
    public DeviceMemory<T> AsMemory() => new(this, 0, Length);

    /// <summary>A view of <paramref name="length"/> elements from <paramref name="offset"/>.</summary>
    public DeviceMemory<T> Slice(long offset, long length) => AsMemory().Slice(offset, length);

    /// <summary>Copies host values into the buffer from element <paramref name="offset"/> and waits.</summary>
    public void CopyFrom(ReadOnlySpan<T> source, long offset = 0) => AsMemory().Slice(offset, source.Length).CopyFrom(source);

    /// <summary>Copies elements from <paramref name="offset"/> into host memory (after all queued work) and waits.</summary>
    public void CopyTo(Span<T> destination, long offset = 0) => AsMemory().Slice(offset, destination.Length).CopyTo(destination);

    /// <summary>The buffer's contents as a new array.</summary>
    public T[] ToArray()
    {
        var a = new T[Length];
        CopyTo(a);
        return a;
    }

    /// <summary>Sets every byte to zero (queued on the stream).</summary>
    public void Clear() => AsMemory().Clear();

    /// <summary>Returns the memory to the device's pool. Further use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_pointer != 0 && !Device.IsDisposed) Device.Allocator.Return(_pointer); // a disposed device released everything
    }
}

/// <summary>A view of part of a <see cref="DeviceBuffer{T}"/>: what GPU BLAS calls and kernel launches take.</summary>
public readonly struct DeviceMemory<T> where T : unmanaged
{
    internal DeviceMemory(DeviceBuffer<T> buffer, long offset, long length)
    {
        Buffer = buffer;
        Offset = offset;
        Length = length;
    }

    /// <summary>The buffer viewed.</summary>
    public DeviceBuffer<T> Buffer { get; }

    /// <summary>First element of the view in the buffer.</summary>
    public long Offset { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>The device.</summary>
    public CudaDevice Device => Buffer?.Device ?? throw new InvalidOperationException("This DeviceMemory is default (no buffer).");

    /// <summary>Device address of the view's first element.</summary>
    public ulong Pointer => Buffer.Pointer + (ulong)(Offset * Unsafe.SizeOf<T>());

    /// <summary>The buffer as a view.</summary>
    public static implicit operator DeviceMemory<T>(DeviceBuffer<T> buffer) => buffer.AsMemory();

    /// <summary>A sub-view.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It does not fit in this view.</exception>
    public DeviceMemory<T> Slice(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), string.Create(CultureInfo.InvariantCulture,
                $"[{offset}, {offset + length}) is not inside a device view of {Length} elements."));
        return new DeviceMemory<T>(Buffer, Offset + offset, length);
    }

    /// <summary>Copies host values into this view (length must match) and waits.</summary>
    public unsafe void CopyFrom(ReadOnlySpan<T> source)
    {
        if (source.Length != Length) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The source has {source.Length} elements, the device view {Length}."), nameof(source));
        if (Length == 0) return;
        var dev = Device;
        dev.MakeCurrent();
        ulong bytes = (ulong)Length * (ulong)Unsafe.SizeOf<T>();
        fixed (T* p = source)
        {
            CudaCheck.Driver(dev.Driver.MemcpyHtoDAsync(Pointer, (nint)p, bytes, dev.Stream), "cuMemcpyHtoDAsync_v2");
            CudaCheck.Driver(dev.Driver.StreamSynchronize(dev.Stream), "cuStreamSynchronize");
        }
    }

    /// <summary>Copies this view into host memory (length must match) after all queued work, and waits.</summary>
    public unsafe void CopyTo(Span<T> destination)
    {
        if (destination.Length != Length) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The destination has {destination.Length} elements, the device view {Length}."), nameof(destination));
        if (Length == 0) return;
        var dev = Device;
        dev.MakeCurrent();
        ulong bytes = (ulong)Length * (ulong)Unsafe.SizeOf<T>();
        fixed (T* p = destination)
        {
            CudaCheck.Driver(dev.Driver.MemcpyDtoHAsync((nint)p, Pointer, bytes, dev.Stream), "cuMemcpyDtoHAsync_v2");
            CudaCheck.Driver(dev.Driver.StreamSynchronize(dev.Stream), "cuStreamSynchronize");
        }
    }

    /// <summary>Copies this view into another device view of the same length (queued on the stream).</summary>
    public void CopyTo(DeviceMemory<T> destination)
    {
        if (destination.Length != Length) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The destination has {destination.Length} elements, the source {Length}."), nameof(destination));
        SameDevice.Check(Device, destination.Buffer, "destination");
        if (Length == 0) return;
        var dev = Device;
        dev.MakeCurrent();
        CudaCheck.Driver(dev.Driver.MemcpyDtoDAsync(destination.Pointer, Pointer, (ulong)Length * (ulong)Unsafe.SizeOf<T>(), dev.Stream), "cuMemcpyDtoDAsync_v2");
    }

    /// <summary>Sets every byte of the view to zero (queued on the stream).</summary>
    public void Clear()
    {
        if (Length == 0) return;
        var dev = Device;
        dev.MakeCurrent();
        CudaCheck.Driver(dev.Driver.MemsetD8Async(Pointer, 0, (ulong)Length * (ulong)Unsafe.SizeOf<T>(), dev.Stream), "cuMemsetD8Async");
    }
}

/// <summary>The check that every operand of an operation lives on the device that runs it.</summary>
internal static class SameDevice
{
    public static void Check<T>(CudaDevice device, DeviceBuffer<T>? buffer, string name) where T : unmanaged
    {
        if (buffer is null) throw new ArgumentException($"{name} is a default DeviceMemory with no buffer.", name);
        buffer.ThrowIfDisposed();
        if (!ReferenceEquals(buffer.Device, device))
            throw new ArgumentException($"{name} lives on {buffer.Device.Name}, but the operation runs on {device.Name}; copy it to the host and upload it to this device first.", name);
    }
}
