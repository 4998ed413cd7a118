using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl;

/// <summary>
/// Infrastructure for generated code; not part of the supported API. The seam through which a non-CPU <see cref="Device"/>
/// runs a generated Dense model's <c>Forward</c>, <c>Jvp</c>, <c>Vjp</c>, <c>Jacobian</c> and the per-layer NTK features
/// (math.md §2) of <c>Ntk</c>/<c>NtkPerGroup</c>/<c>Wntk</c>, driven by the model's plan (<see cref="DeviceModel{T}.Info"/>),
/// its parameters and φ/φ' from its generated CUDA C (<see cref="DeviceModel{T}.CudaSource"/>).
/// Implemented by device packages (NtkDsl.Cuda's <c>CudaDevice</c>); the CPU has none (<see cref="Device.ModelBackend"/> is null).
/// </summary>
/// <remarks>
/// Where results live: host tensors in, host tensors out. Inputs (x, tangents, cotangents) are copied to the device per
/// call; the parameters stay on the device between calls and are uploaded again only after
/// <see cref="DeviceModel{T}.Version"/> changed; every result is copied back into a new host <see cref="Tensor"/>.
/// Contract: results equal the generated CPU code's to rounding (same shapes and dtype); inputs reach the backend already
/// checked (shape, dtype, ∞/NaN) by the generated method; nothing falls back to the CPU silently.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IModelBackend
{
    /// <summary>
    /// Called by the generated constructor (through <see cref="Device.RequireModelSupport"/>) before anything else: throws
    /// <see cref="NotSupportedException"/> naming the first layer or property of <paramref name="info"/> this backend
    /// cannot run and the fix; returns normally when every generated method of the model can use it.
    /// </summary>
    void RequireModel(ModelInfo info);

    /// <summary>f(x): N × d in, N × K out (the generated <c>Forward</c>).</summary>
    Tensor Forward<T>(DeviceModel<T> model, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>J(x)·t: N × K for a tangent of length P in the model's dtype (the generated <c>Jvp</c>).</summary>
    Tensor Jvp<T>(DeviceModel<T> model, Tensor x, Tensor tangent) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>J(x)ᵀ·u: length P for a cotangent N × K in the model's dtype (the generated <c>Vjp</c>).</summary>
    Tensor Vjp<T>(DeviceModel<T> model, Tensor x, Tensor cotangent) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The explicit Jacobian N × K × P in parameter order (the generated <c>Jacobian</c>).</summary>
    Tensor Jacobian<T>(DeviceModel<T> model, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The kernels of <see cref="NtkAssembler.Assemble{T}"/> (same arguments and output shapes: Trace N1 × N2, Full
    /// N1 × N2 × K × K, Diagonal N, DiagonalFull N × K × K; one tensor per output) with the per-layer features of x1 and
    /// x2 (math.md §2) computed on this device.
    /// </summary>
    Tensor[] Ntk<T>(DeviceModel<T> model, Tensor x1, Tensor? x2, NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Infrastructure for generated code; not part of the supported API. What a device needs of one generated Dense model
/// instance: its plan (<see cref="Info"/>), its generated CUDA C, views of its parameter arrays (shared with the model,
/// not copied) and a <see cref="Version"/> that the generated <c>SetParameters</c> advances. Generated constructors create one when the device has a
/// <see cref="Device.ModelBackend"/>; the generated methods then call it instead of their CPU code.
/// </summary>
/// <remarks>
/// Backends copy the parameters to the device at the start of every call rather than trusting <see cref="Version"/>:
/// writes into a layer's <c>Weights</c>/<c>Bias</c> spans do not advance it, and a cached copy would then give stale
/// results silently. <see cref="Version"/> is informational (tests, diagnostics).
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class DeviceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private long _version;

    /// <summary>Binds a model's parameter arrays (one weight array per layer, out × in row-major; a bias array or null).</summary>
    /// <exception cref="ArgumentException">The arrays do not match <paramref name="info"/>'s layers.</exception>
    /// <exception cref="NotSupportedException"><paramref name="device"/> has no <see cref="Device.ModelBackend"/>.</exception>
    public DeviceModel(Device device, ModelInfo info, string cudaSource, T[][] weights, T[]?[] biases)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(cudaSource);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        Backend = device.ModelBackend
            ?? throw new NotSupportedException($"{info.Name} has no {device.Name} implementation of its forward pass in this build of NtkDsl; pass Device.Cpu (or no device).");
        if (weights.Length != info.Layers.Count || biases.Length != info.Layers.Count)
            throw new ArgumentException($"{info.Name}: {weights.Length} weight and {biases.Length} bias arrays for {info.Layers.Count} layers.", nameof(weights));
        for (int l = 0; l < weights.Length; l++)
        {
            var layer = info.Layers[l];
            if (weights[l] is null || weights[l].Length != layer.WeightCount || (biases[l]?.Length ?? 0) != layer.BiasCount)
                throw new ArgumentException($"{info.Name}: the parameter arrays of layer {layer.Name} do not match its {layer.WeightCount} weights and {layer.BiasCount} biases.", nameof(weights));
        }
        Device = device;
        Info = info;
        CudaSource = cudaSource;
        Weights = weights;
        Biases = biases;
    }

    /// <summary>The device the model was constructed on.</summary>
    public Device Device { get; }

    /// <summary>The device's backend.</summary>
    public IModelBackend Backend { get; }

    /// <summary>The plan: layers, widths, activations, parameterization, parameter layout.</summary>
    public ModelInfo Info { get; }

    /// <summary>The model's generated CUDA C (<see cref="IDeviceSource.CudaSource"/>): φ/φ' per layer and the <c>ntk_act_l</c> kernels.</summary>
    public string CudaSource { get; }

    /// <summary>Per layer the weight array (Width × FanIn, row-major), shared with the model.</summary>
    public IReadOnlyList<T[]> Weights { get; }

    /// <summary>Per layer the bias array (Width) or null, shared with the model.</summary>
    public IReadOnlyList<T[]?> Biases { get; }

    /// <summary>Advances on every parameter change the model knows of (<c>SetParameters</c>); starts at 0.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Records that the parameters changed (advances <see cref="Version"/>).</summary>
    public void MarkChanged() => Interlocked.Increment(ref _version);

    /// <summary>Runs <c>Forward</c> on the device (the caller holds the model's read scope and has checked x).</summary>
    public Tensor Forward(Tensor x) => Backend.Forward(this, x);

    /// <summary>Runs <c>Jvp</c> on the device.</summary>
    public Tensor Jvp(Tensor x, Tensor tangent) => Backend.Jvp(this, x, tangent);

    /// <summary>Runs <c>Vjp</c> on the device.</summary>
    public Tensor Vjp(Tensor x, Tensor cotangent) => Backend.Vjp(this, x, cotangent);

    /// <summary>Runs <c>Jacobian</c> on the device.</summary>
    public Tensor Jacobian(Tensor x) => Backend.Jacobian(this, x);

    /// <summary>Runs the NTK (features and assembly) on the device.</summary>
    public Tensor[] Ntk(Tensor x1, Tensor? x2, NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) =>
        Backend.Ntk(this, x1, x2, mode, outputCount, groupOutput, groupWeight, progress, cancellationToken);

    /// <summary>A binding for a model constructed on <paramref name="device"/>, or null when the device runs the model's own CPU code.</summary>
    public static DeviceModel<T>? For(Device device, ModelInfo info, string cudaSource, T[][] weights, T[]?[] biases)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.IsCpu ? null : new DeviceModel<T>(device, info, cudaSource, weights, biases);
    }
}
