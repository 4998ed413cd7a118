namespace NtkDsl;

/// <summary>Where tensors live and kernels run. <see cref="Cpu"/> is the default and always available.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public abstract class Device
{
    /// <summary>The managed CPU backend (SIMD, all cores).</summary>
    public static Device Cpu { get; } = new CpuDevice();

    /// <summary>A human-readable name of the device.</summary>
    public abstract string Name { get; }

    /// <summary>True for the CPU backend.</summary>
    public abstract bool IsCpu { get; }

    /// <summary>
    /// Infrastructure: the backend that runs the dense linear algebra (symmetric eigendecomposition, Cholesky, products)
    /// of the dynamics, kernel regression and GP predictors given this device, or null for the managed CPU code. Device
    /// packages (NtkDsl.Cuda: cuSOLVER and cuBLAS) override it; see <see cref="ILinearAlgebraBackend"/>.
    /// <para>Infrastructure for device packages; not part of the supported API.</para>
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public virtual ILinearAlgebraBackend? LinearAlgebra => null;

    /// <summary>
    /// Infrastructure: the backend that runs generated Dense models' forward pass, Jvp, Vjp, Jacobian and NTK features on
    /// this device, or null for the managed CPU code. Device packages (NtkDsl.Cuda) override it; see <see cref="IModelBackend"/>.
    /// <para>Infrastructure for generated code; not part of the supported API.</para>
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public virtual IModelBackend? ModelBackend => null;

    /// <summary>
    /// Infrastructure: the backend that runs the generated methods of models on the <see cref="Layers.SpatialNetwork"/>
    /// engine (spatial layers, or no declared input width) on this device, or null when the device has none. Device
    /// packages (NtkDsl.Cuda) override it; see <see cref="ISpatialBackend"/>. Generated constructors bind a model to it
    /// through <see cref="Layers.SpatialDeviceModel.For"/>; a non-CPU device without one refuses such models
    /// (<see cref="RequireCpuEngine"/>).
    /// <para>Infrastructure for generated code; not part of the supported API.</para>
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public virtual ISpatialBackend? SpatialBackend => null;

    /// <summary>
    /// Called by generated constructors: returns when <paramref name="device"/> (null means the CPU) can run the generated
    /// methods of a model with architecture <paramref name="info"/>; otherwise throws.
    /// </summary>
    /// <exception cref="NotSupportedException">The device has no <see cref="ModelBackend"/>, or its backend cannot run a
    /// layer or property of this model (the message names it and the fix).</exception>
    /// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void RequireModelSupport(Device? device, ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (device is null || device.IsCpu) return;
        var backend = device.ModelBackend
            ?? throw new NotSupportedException($"{info.Name} has no {device.Name} implementation in this build of NtkDsl; pass Device.Cpu (or no device).");
        backend.RequireModel(info);
    }

    /// <summary>
    /// Called (through <see cref="Layers.SpatialDeviceModel.For"/>) for models that run on the engine
    /// <see cref="Layers.SpatialNetwork"/> (spatial layers, or no declared input width) when the device has no
    /// <see cref="SpatialBackend"/>: returns when <paramref name="device"/> is the CPU (or null); otherwise throws, whatever
    /// other backends the device has, because these models' kernels must not be computed on the CPU behind the device's back.
    /// </summary>
    /// <exception cref="NotSupportedException">A non-CPU device; the message names the first spatial layer (or the
    /// missing input width) and the fix.</exception>
    /// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void RequireCpuEngine(Device? device, ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (device is null || device.IsCpu) return;
        string why = "it is declared without Inputs (its input width is given at construction)";
        foreach (var layer in info.Layers)
            if (layer.Kind != "Dense")
            {
                why = $"layer {layer.Name} is {layer.Kind}";
                break;
            }
        throw new NotSupportedException(
            $"{info.Name}: {why}; such models need a device with a spatial backend (Device.SpatialBackend: Device.Cuda has one), and " +
            $"{device.Name} has none, so their kernels would run on the CPU behind its back. Construct {info.Name} on Device.Cpu (omit the device argument) or on Device.Cuda.");
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The CPU backend.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
internal sealed class CpuDevice : Device
{
    internal CpuDevice() { }

    /// <inheritdoc />
    public override string Name => $"CPU ({Environment.ProcessorCount} cores)";

    /// <inheritdoc />
    public override bool IsCpu => true;
}
