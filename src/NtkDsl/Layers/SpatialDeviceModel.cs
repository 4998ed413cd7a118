namespace NtkDsl.Layers;

/// <summary>
/// Infrastructure for generated code; not part of the supported API. What a device needs of one model instance on the
/// <see cref="SpatialNetwork"/> engine: the device and its <see cref="ISpatialBackend"/>, the plan (<see cref="Network"/>)
/// and the model's generated CUDA C (φ/φ' and the fused <c>ntk_act_l</c> kernel of every layer with parameters, indexed
/// by the layer's position in the plan). Generated constructors create one through <see cref="For"/>; the generated
/// methods pass it to <see cref="SpatialNetwork"/>, which hands the call to the backend after its argument checks.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class SpatialDeviceModel
{
    private SpatialDeviceModel(Device device, ISpatialBackend backend, SpatialNetwork network, string cudaSource)
    {
        Device = device;
        Backend = backend;
        Network = network;
        CudaSource = cudaSource;
    }

    /// <summary>The device the model was constructed on.</summary>
    public Device Device { get; }

    /// <summary>The device's backend.</summary>
    public ISpatialBackend Backend { get; }

    /// <summary>The plan every call of this model runs.</summary>
    public SpatialNetwork Network { get; }

    /// <summary>The model's generated CUDA C (<c>ntk_act_l_d</c> per layer with parameters, l its index in the plan).</summary>
    public string CudaSource { get; }

    /// <summary>
    /// The binding of a model constructed on <paramref name="device"/>: null for the CPU (the model runs
    /// <see cref="SpatialNetwork"/>'s managed code); a binding when the device has an <see cref="Device.SpatialBackend"/>
    /// that accepts the plan.
    /// </summary>
    /// <exception cref="NotSupportedException">The device has no spatial backend (<see cref="Device.RequireCpuEngine"/>'s message), or its backend cannot run this plan.</exception>
    public static SpatialDeviceModel? For(Device device, SpatialNetwork network, string cudaSource)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(cudaSource);
        if (device.IsCpu) return null;
        var backend = device.SpatialBackend;
        if (backend is null)
        {
            Device.RequireCpuEngine(device, network.Info);
            throw new NotSupportedException($"{network.ModelName} has no {device.Name} implementation; construct it on Device.Cpu."); // unreachable: RequireCpuEngine throws
        }
        backend.RequireNetwork(network);
        return new SpatialDeviceModel(device, backend, network, cudaSource);
    }
}
