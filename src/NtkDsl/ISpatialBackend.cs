using NtkDsl.Layers;

namespace NtkDsl;

/// <summary>
/// Infrastructure for generated code; not part of the supported API. The seam through which a non-CPU <see cref="Device"/>
/// runs the generated methods of a model on the <see cref="SpatialNetwork"/> engine (a model with <c>InputShape</c>, or
/// one declared without <c>Inputs</c>): the device executes the same plan, <see cref="SpatialNetwork.Steps"/> (one
/// <see cref="SpatialStep"/> per <c>LayerOp</c>), op by op, with its own twin of each layer kind, and the structured NTK in
/// the per-example-gradient order of <c>SpatialNetwork.Ntk</c> (Novak et al. 2022; docs/math.md §2).
/// Implemented by device packages (NtkDsl.Cuda's <c>CudaDevice</c>); the CPU has none (<see cref="Device.SpatialBackend"/> is null).
/// </summary>
/// <remarks>
/// Where results live: host tensors in, host tensors out; the parameters (one array per group, in
/// <see cref="ModelInfo.Groups"/> order) are copied to the device at the start of every call. Contract: results equal
/// <see cref="SpatialNetwork"/>'s CPU results to rounding (same shapes); the arguments reach the backend already checked by
/// <see cref="SpatialNetwork"/> (shapes, NaN/∞, group weights); overflow raises <see cref="NonFiniteResultException"/>;
/// nothing falls back to the CPU silently.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface ISpatialBackend
{
    /// <summary>Throws <see cref="NotSupportedException"/> naming what of <paramref name="network"/> this backend cannot run; returns otherwise.</summary>
    void RequireNetwork(SpatialNetwork network);

    /// <summary>f(x): N × K.</summary>
    Tensor Forward(SpatialDeviceModel model, double[][] parameters, Tensor x);

    /// <summary>J(x)·t: N × K for a float64 tangent of length P.</summary>
    Tensor Jvp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor tangent);

    /// <summary>J(x)ᵀ·u: length P for a float64 cotangent N × K.</summary>
    Tensor Vjp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor cotangent);

    /// <summary>The explicit Jacobian N × K × P in parameter order.</summary>
    Tensor Jacobian(SpatialDeviceModel model, double[][] parameters, Tensor x);

    /// <summary>
    /// The structured NTK with <c>SpatialNetwork.Ntk</c>'s arguments and output shapes (Trace N1 × N2, Full N1 × N2 × K × K,
    /// Diagonal N, DiagonalFull N × K × K; one tensor per group when <paramref name="perGroup"/>, else Σ_g w_g Θ^g).
    /// </summary>
    Tensor[] Ntk(SpatialDeviceModel model, double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// The infinite-width NNGP (<paramref name="ntk"/> false) or weighted NTK of <paramref name="network"/>, N1 × N2 float64,
    /// as <c>SpatialNetwork.Analytic</c> computes it on the CPU: the pixel-pair recursion of
    /// <see cref="SpatialNetwork.AnalyticPlan"/> (Novak et al. 2019; Arora et al. 2019), its exact-diagonal rule, the duals
    /// from the model's generated CUDA C. The arguments arrive checked as the CPU checks them. The default implementation
    /// throws <see cref="NotSupportedException"/>: a backend without the recursion never hands the call to the CPU.
    /// </summary>
    /// <param name="network">The plan.</param>
    /// <param name="cudaSource">The model's generated CUDA C.</param>
    /// <param name="unsupportedReason">Non-null when an activation has no device dual: the backend throws it as <see cref="NotSupportedException"/>.</param>
    /// <param name="x1">N1 × H·W·C inputs.</param>
    /// <param name="x2">N2 × H·W·C inputs, or null for x1 (symmetric).</param>
    /// <param name="groupWeight">One weight per parameter group (ones for the plain NTK; ignored for the NNGP).</param>
    /// <param name="ntk">The NTK (true) or the NNGP (false).</param>
    /// <param name="progress">Optional progress.</param>
    /// <param name="cancellationToken">Cancels between batches of pairs.</param>
    Tensor Analytic(SpatialNetwork network, string cudaSource, string? unsupportedReason, Tensor x1, Tensor? x2, double[] groupWeight, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{network.ModelName}: this device backend has no implementation of the infinite-width kernels; call {network.ModelName}.AnalyticNtk without a device (the CPU).");

    /// <summary>
    /// Θ(x_i, x_i) (unit group weights; <paramref name="ntk"/> true) or K(x_i, x_i) of every row: a vector of N float64, as
    /// <c>SpatialNetwork.AnalyticDiagonal</c> computes it on the CPU (each example's own run of the pixel-pair recursion,
    /// which is also the value <see cref="Analytic"/> gives a pair of bitwise-equal inputs). The argument arrives checked.
    /// The default implementation throws <see cref="NotSupportedException"/>.
    /// </summary>
    /// <param name="network">The plan.</param>
    /// <param name="cudaSource">The model's generated CUDA C.</param>
    /// <param name="unsupportedReason">Non-null when an activation has no device dual: the backend throws it as <see cref="NotSupportedException"/>.</param>
    /// <param name="x">N × H·W·C inputs.</param>
    /// <param name="ntk">The NTK (true) or the NNGP (false).</param>
    Tensor AnalyticDiagonal(SpatialNetwork network, string cudaSource, string? unsupportedReason, Tensor x, bool ntk) =>
        throw new NotSupportedException($"{network.ModelName}: this device backend has no implementation of the infinite-width kernels; call {network.ModelName}.AnalyticNtkDiagonal without a device (the CPU).");
}
