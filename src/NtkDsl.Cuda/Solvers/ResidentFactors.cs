using System.Runtime.CompilerServices;
using NtkDsl.Cuda.Memory;

namespace NtkDsl.Cuda.Solvers;

/// <summary>
/// The device copy of at most one <see cref="CudaCholeskyFactor"/> per <see cref="CudaDevice"/>: the factor whose
/// solves ran last stays on the device, so its next solve uploads only the right-hand sides. One slot bounds the device
/// memory held between calls to a single n × n matrix; solving with another factor replaces it,
/// <see cref="OutOfMemory.Describe{T}"/> evicts it before it retries a call that ran out of memory, and the device's
/// disposal releases it with every other block.
/// </summary>
/// <remarks>Not thread-safe (like its device). The owner is held weakly: a collected factor's copy is evicted by the next one.</remarks>
internal sealed class ResidentFactors
{
    private static readonly ConditionalWeakTable<CudaDevice, ResidentFactors> Slots = new();
    private readonly CudaDevice _device;
    private WeakReference<object>? _owner;
    private DeviceBuffer<double>? _buffer;

    private ResidentFactors(CudaDevice device) => _device = device;

    /// <summary>The slot of <paramref name="device"/>.</summary>
    public static ResidentFactors Of(CudaDevice device) => Slots.GetValue(device, d => new ResidentFactors(d));

    /// <summary>Whether a factor's copy is resident (tests).</summary>
    public bool HasResident => _buffer is not null;

    /// <summary>Host-to-device copies of factors made through this slot (tests).</summary>
    public int Uploads { get; private set; }

    /// <summary>The device copy of <paramref name="owner"/>'s <paramref name="values"/>: the resident one, or a new upload that replaces any other.</summary>
    public DeviceBuffer<double> Get(object owner, double[] values)
    {
        if (_buffer is not null && _owner is not null && _owner.TryGetTarget(out var current) && ReferenceEquals(current, owner) && !_device.IsDisposed)
            return _buffer;
        Evict();
        var buffer = _device.Upload<double>(values);
        Uploads++;
        _buffer = buffer;
        _owner = new WeakReference<object>(owner);
        return buffer;
    }

    /// <summary>Makes <paramref name="buffer"/> (already holding <paramref name="owner"/>'s values) the resident copy, releasing any other; the slot owns it from now on.</summary>
    public void Adopt(object owner, DeviceBuffer<double> buffer)
    {
        Evict();
        _buffer = buffer;
        _owner = new WeakReference<object>(owner);
    }

    /// <summary>Releases the resident copy (back to the device's pool); true when there was one.</summary>
    public bool Evict()
    {
        var held = _buffer;
        _buffer = null;
        _owner = null;
        if (held is null) return false;
        held.Dispose();
        return true;
    }
}
