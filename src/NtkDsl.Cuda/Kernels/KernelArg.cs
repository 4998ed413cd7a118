using NtkDsl.Cuda.Memory;

namespace NtkDsl.Cuda.Kernels;

/// <summary>One kernel argument: a scalar (double, float, int, long) or a device pointer (a <see cref="DeviceMemory{T}"/>).</summary>
public readonly struct KernelArg
{
    private readonly CudaDevice? _device;
    private readonly Action? _check;

    private KernelArg(ulong bits, char kind, CudaDevice? device = null, Action? check = null)
    {
        Bits = bits;
        Kind = kind;
        _device = device;
        _check = check;
    }

    /// <summary>The argument's bytes (little-endian, zero-extended to 8).</summary>
    internal ulong Bits { get; }

    /// <summary>
    /// Its C type as a code: d double, f float, i int, l long long; pointers D double*, F float*, I int*
    /// (see <see cref="KernelSignature"/>).
    /// </summary>
    internal char Kind { get; }

    internal void CheckDevice(CudaDevice device)
    {
        _check?.Invoke();
        if (_device is not null && !ReferenceEquals(_device, device))
            throw new ArgumentException($"A kernel argument lives on {_device.Name}, but the kernel runs on {device.Name}; copy it to this device first.");
    }

    /// <summary>A double parameter.</summary>
    public static implicit operator KernelArg(double v) => new(BitConverter.DoubleToUInt64Bits(v), 'd');
    /// <summary>A float parameter.</summary>
    public static implicit operator KernelArg(float v) => new(BitConverter.SingleToUInt32Bits(v), 'f');
    /// <summary>An int parameter.</summary>
    public static implicit operator KernelArg(int v) => new(unchecked((uint)v), 'i');
    /// <summary>A 64-bit integer parameter (long long).</summary>
    public static implicit operator KernelArg(long v) => new(unchecked((ulong)v), 'l');
    /// <summary>A double* parameter.</summary>
    public static implicit operator KernelArg(DeviceMemory<double> m) => Pointer(m);
    /// <summary>A float* parameter.</summary>
    public static implicit operator KernelArg(DeviceMemory<float> m) => Pointer(m);
    /// <summary>An int* parameter.</summary>
    public static implicit operator KernelArg(DeviceMemory<int> m) => Pointer(m);
    /// <summary>A double* parameter.</summary>
    public static implicit operator KernelArg(DeviceBuffer<double> b) => Pointer(b.AsMemory());
    /// <summary>A float* parameter.</summary>
    public static implicit operator KernelArg(DeviceBuffer<float> b) => Pointer(b.AsMemory());
    /// <summary>An int* parameter.</summary>
    public static implicit operator KernelArg(DeviceBuffer<int> b) => Pointer(b.AsMemory());

    /// <summary>A pointer parameter to the first element of <paramref name="memory"/>.</summary>
    public static KernelArg Pointer<T>(DeviceMemory<T> memory) where T : unmanaged
    {
        var buffer = memory.Buffer ?? throw new ArgumentException("A default DeviceMemory has no buffer to pass to a kernel.", nameof(memory));
        char kind = typeof(T) == typeof(double) ? 'D' : typeof(T) == typeof(float) ? 'F' : 'I';
        return new KernelArg(memory.Pointer, kind, buffer.Device, buffer.ThrowIfDisposed);
    }
}
