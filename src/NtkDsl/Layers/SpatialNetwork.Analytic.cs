using NtkDsl.Layers.Analytic;

namespace NtkDsl.Layers;

// Infinite-width kernels of a SpatialNetwork (issue 14): the pixel-pair covariance recursion (Layers/Analytic).
public sealed partial class SpatialNetwork
{
    private AnalyticPlan? _analyticPlan;

    /// <summary>
    /// Infinite-width NNGP (<paramref name="ntk"/> false) or weighted NTK Σ_g w_g Θ^g (<paramref name="ntk"/> true; the
    /// NTK for unit weights), N1 × N2, for one output (the K outputs are independent: the full kernel is K ⊗ I_K).
    /// The pixel-pair covariance recursion of Novak et al. 2019 and Arora et al. 2019 with neural-tangents' conventions;
    /// the layer rules, including the residual cross-covariances and LayerNorm, are documented on
    /// <see cref="PixelPairRecursion"/>.
    /// </summary>
    /// <param name="x1">N1 × H·W·C inputs (NHWC rows, finite).</param>
    /// <param name="x2">N2 × H·W·C inputs, or null for x1 (the symmetric kernel).</param>
    /// <param name="groupWeight">One weight ≥ 0 per parameter group in <see cref="ModelInfo.Groups"/> order (ignored for the NNGP).</param>
    /// <param name="ntk">NTK (true) or NNGP (false).</param>
    /// <param name="progress">Progress of the per-example traces and of the example pairs.</param>
    /// <param name="cancellationToken">Cancels between pairs and layers.</param>
    /// <exception cref="ArgumentException">A bad input shape, a non-finite input or bad group weights.</exception>
    /// <exception cref="NonFiniteResultException">The recursion overflowed on finite inputs.</exception>
    /// <exception cref="Memory.NotEnoughMemoryException">The result and working set do not fit.</exception>
    public Tensor Analytic(Tensor x1, Tensor? x2, double[] groupWeight, bool ntk, IProgress<NtkProgress>? progress,
        CancellationToken cancellationToken) =>
        SpatialKernelRecursion.Kernel(_layers, _inputShape, _parameterization, x1, x2, groupWeight, ntk, progress, cancellationToken, ModelName);

    /// <summary>
    /// <see cref="Analytic(Tensor, Tensor?, double[], bool, IProgress{NtkProgress}?, CancellationToken)"/> on
    /// <paramref name="device"/> (issue 12): Device.Cpu runs the CPU recursion; any other device gets the call, after the
    /// CPU's own argument checks (same exceptions and messages, nothing launched), through its
    /// <see cref="ISpatialBackend.Analytic"/>, which runs this plan (<see cref="AnalyticPlan"/>) with the model's generated
    /// duals (<paramref name="cudaSource"/>) or throws <see cref="NotSupportedException"/>: never a CPU fallback.
    /// </summary>
    /// <param name="x1">N1 × H·W·C inputs (NHWC rows, finite).</param>
    /// <param name="x2">N2 × H·W·C inputs, or null for x1 (the symmetric kernel).</param>
    /// <param name="groupWeight">One weight ≥ 0 per parameter group (ignored for the NNGP).</param>
    /// <param name="ntk">NTK (true) or NNGP (false).</param>
    /// <param name="progress">Progress of the traces and of the pairs.</param>
    /// <param name="cancellationToken">Cancels between batches of pairs.</param>
    /// <param name="device">Where to compute.</param>
    /// <param name="cudaSource">The model's generated CUDA C (φ/φ', and the pixel-pair duals when every activation has one).</param>
    /// <param name="unsupportedReason">Null when the source holds a device dual for every activation; otherwise the message
    /// naming the first activation without one (thrown as <see cref="NotSupportedException"/>).</param>
    /// <exception cref="NotSupportedException">The device has no spatial backend, or an activation has no device dual.</exception>
    public Tensor Analytic(Tensor x1, Tensor? x2, double[] groupWeight, bool ntk, IProgress<NtkProgress>? progress,
        CancellationToken cancellationToken, Device device, string cudaSource, string? unsupportedReason)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.IsCpu) return Analytic(x1, x2, groupWeight, ntk, progress, cancellationToken);
        ArgumentNullException.ThrowIfNull(cudaSource);
        SpatialKernelRecursion.Check(_layers, _inputShape, _parameterization, x1, x2, groupWeight, ModelName);
        return SpatialBackendOf(device, "AnalyticNtk").Analytic(this, cudaSource, unsupportedReason, x1, x2, groupWeight, ntk, progress, cancellationToken);
    }

    /// <summary>The infinite-width plan as device backends read it: the CPU recursion's own resolved steps.</summary>
    /// <exception cref="ArgumentException">The network has no infinite-width rule (as <see cref="Analytic(Tensor, Tensor?, double[], bool, IProgress{NtkProgress}?, CancellationToken)"/>).</exception>
    public AnalyticPlan AnalyticPlan => _analyticPlan ??= new AnalyticPlan(new SpatialKernelPlan(_layers, _inputShape, _parameterization, ModelName));

    /// <summary>Infinite-width NNGP or NTK of each row with itself: length N, equal bit for bit to the diagonal of <see cref="Analytic(Tensor, Tensor?, double[], bool, IProgress{NtkProgress}?, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentException">A bad input shape or a non-finite input.</exception>
    public Tensor AnalyticDiagonal(Tensor x, bool ntk) =>
        SpatialKernelRecursion.Diagonal(_layers, _inputShape, _parameterization, x, ntk, ModelName);

    /// <summary>
    /// <see cref="AnalyticDiagonal(Tensor, bool)"/> on <paramref name="device"/> (issue 12): Device.Cpu runs the CPU
    /// recursion; any other device gets the call, after the CPU's own argument check (same exception and message, nothing
    /// launched), through its <see cref="ISpatialBackend.AnalyticDiagonal"/>, or throws <see cref="NotSupportedException"/>:
    /// never a CPU fallback.
    /// </summary>
    /// <param name="x">N × H·W·C inputs (NHWC rows, finite).</param>
    /// <param name="ntk">NTK (true) or NNGP (false).</param>
    /// <param name="device">Where to compute.</param>
    /// <param name="cudaSource">The model's generated CUDA C.</param>
    /// <param name="unsupportedReason">Null when the source holds a device dual for every activation; otherwise the message
    /// naming the first activation without one (thrown as <see cref="NotSupportedException"/>).</param>
    /// <exception cref="ArgumentException">A bad input shape or a non-finite input.</exception>
    /// <exception cref="NotSupportedException">The device has no spatial backend, or an activation has no device dual.</exception>
    public Tensor AnalyticDiagonal(Tensor x, bool ntk, Device device, string cudaSource, string? unsupportedReason)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.IsCpu) return AnalyticDiagonal(x, ntk);
        ArgumentNullException.ThrowIfNull(cudaSource);
        SpatialKernelRecursion.CheckDiagonal(_layers, _inputShape, _parameterization, x, ModelName);
        return SpatialBackendOf(device, "AnalyticNtkDiagonal").AnalyticDiagonal(this, cudaSource, unsupportedReason, x, ntk);
    }

    /// <summary>The device's spatial backend, or <see cref="NotSupportedException"/> naming <paramref name="method"/> to call on the CPU instead.</summary>
    private ISpatialBackend SpatialBackendOf(Device device, string method) =>
        device.SpatialBackend
            ?? throw new NotSupportedException($"{ModelName}: {device.Name} has no implementation of the infinite-width kernels of convolutional and width-less models (it has no Device.SpatialBackend); pass Device.Cpu (or call {ModelName}.{method} without a device).");
}
