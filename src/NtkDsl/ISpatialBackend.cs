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
}
