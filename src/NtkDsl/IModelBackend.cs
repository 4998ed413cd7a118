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
    /// x2 (math.md §2) computed on this device; when those of the whole batches do not fit in device memory, in blocks
    /// of rows of x1 and x2.
    /// </summary>
    Tensor[] Ntk<T>(DeviceModel<T> model, Tensor x1, Tensor? x2, NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The generated static <c>AnalyticNtk</c>/<c>AnalyticNngp</c>/<c>AnalyticWntk(device, …)</c> on this device: the
    /// infinite-width kernel (math.md §3–4) of the Dense model <paramref name="info"/> describes, N1 × N2 float64,
    /// weighted per parameter group by <paramref name="groupWeights"/> (NTK) or the NNGP, from the recursion in the
    /// model's generated CUDA C. Inputs arrive checked (shape, ∞/NaN). The default implementation throws
    /// <see cref="NotSupportedException"/>: a backend without the recursion never hands the call to the CPU.
    /// </summary>
    /// <param name="info">The model's plan (flat inputs, Dense layers).</param>
    /// <param name="cudaSource">The model's generated CUDA C (<see cref="IDeviceSource.CudaSource"/>).</param>
    /// <param name="unsupportedReason">The model's <see cref="IDeviceSource.CudaAnalyticUnsupportedReason"/>: non-null
    /// when an activation has no device dual; the backend throws it as a <see cref="NotSupportedException"/>.</param>
    /// <param name="x1">N1 × d inputs.</param>
    /// <param name="x2">N2 × d inputs, or null for x1 (a symmetric kernel).</param>
    /// <param name="groupWeights">One weight per parameter group (ones for the plain NTK; ignored for the NNGP).</param>
    /// <param name="ntk">The NTK (true) or the NNGP (false).</param>
    /// <param name="progress">Optional progress.</param>
    /// <param name="cancellationToken">Cancels between row tiles.</param>
    Tensor Analytic(ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x1, Tensor? x2, double[] groupWeights, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{info.Name}: this device backend has no implementation of the infinite-width kernels; call {info.Name}.AnalyticNtk without a device (the CPU).");

    /// <summary>
    /// The generated static <c>AnalyticNtkDiagonal</c>/<c>AnalyticNngpDiagonal(device, x)</c> on this device: Θ(x_i, x_i)
    /// (unit group weights) or K(x_i, x_i) of every row, a vector of N float64, equal to the diagonal of
    /// <see cref="Analytic"/> of x with itself (the exact-diagonal rule: the pair (x_i, x_i) with x·x'/d = |x_i|²/d exactly).
    /// Inputs arrive checked (shape, ∞/NaN). The default implementation throws <see cref="NotSupportedException"/>.
    /// </summary>
    /// <param name="info">The model's plan (flat inputs, Dense layers).</param>
    /// <param name="cudaSource">The model's generated CUDA C.</param>
    /// <param name="unsupportedReason">Non-null when an activation has no device dual (thrown as <see cref="NotSupportedException"/>).</param>
    /// <param name="x">N × d inputs.</param>
    /// <param name="ntk">The NTK (true) or the NNGP (false).</param>
    Tensor AnalyticDiagonal(ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x, bool ntk) =>
        throw new NotSupportedException($"{info.Name}: this device backend has no implementation of the infinite-width kernels; call {info.Name}.AnalyticNtkDiagonal without a device (the CPU).");
}

/// <summary>
/// Infrastructure for generated code; not part of the supported API. The entry of the generated
/// <c>AnalyticNtk</c>/<c>AnalyticNngp</c>/<c>AnalyticWntk</c>/<c>AnalyticNtkDiagonal</c>/<c>AnalyticNngpDiagonal(Device device, …)</c>
/// overloads for a non-CPU device: hands the call to <see cref="Device.ModelBackend"/> (<see cref="IModelBackend.Analytic"/>,
/// <see cref="IModelBackend.AnalyticDiagonal"/>) or throws.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class DeviceAnalytic
{
    /// <summary>The kernel on <paramref name="device"/> (not the CPU: the generated code runs its own recursion there).</summary>
    /// <exception cref="NotSupportedException">The device has no model backend, or the model has an activation without a device dual.</exception>
    public static Tensor Run(Device device, ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x1, Tensor? x2, double[] groupWeights, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
        => BackendOf(device, info, "AnalyticNtk").Analytic(info, cudaSource, unsupportedReason, x1, x2, groupWeights, ntk, progress, cancellationToken);

    /// <summary>The kernel's diagonal on <paramref name="device"/> (the generated <c>AnalyticNtkDiagonal/AnalyticNngpDiagonal(device, x)</c>; not the CPU).</summary>
    /// <exception cref="NotSupportedException">The device has no model backend, or the model has an activation without a device dual.</exception>
    public static Tensor RunDiagonal(Device device, ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x, bool ntk)
        => BackendOf(device, info, "AnalyticNtkDiagonal").AnalyticDiagonal(info, cudaSource, unsupportedReason, x, ntk);

    /// <summary>The device's model backend, or <see cref="NotSupportedException"/> naming <paramref name="method"/> to call on the CPU instead.</summary>
    private static IModelBackend BackendOf(Device device, ModelInfo info, string method)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(info);
        return device.ModelBackend
            ?? throw new NotSupportedException($"{info.Name}: {device.Name} has no implementation of the infinite-width kernels in this build of NtkDsl; pass Device.Cpu (or call {info.Name}.{method} without a device).");
    }
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
