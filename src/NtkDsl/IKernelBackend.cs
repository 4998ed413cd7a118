using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl;

/// <summary>
/// Infrastructure for generated code; not part of the supported API. The seam through which a non-CPU <see cref="Device"/> runs the kernel assembly of generated models.
/// Generated code never calls it directly: the generated constructor calls <see cref="Device.RequireModelSupport"/> and
/// the generated kernel methods pass their model's <see cref="Device"/> to <see cref="NtkAssembler.Assemble{T}"/>, which
/// hands the per-layer features (the one plan of math.md §2, computed on the host as for the CPU) to this backend.
/// Implemented by device packages (NtkDsl.Cuda's <c>CudaDevice</c>); the CPU has none (<see cref="Device.KernelBackend"/> is null).
/// </summary>
/// <remarks>
/// Contract: results equal <see cref="NtkAssembler"/>'s CPU results to rounding (same per-layer terms, group weights and
/// output shapes); bad input and overflow raise the same exception types; nothing falls back to the CPU silently.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IKernelBackend
{
    /// <summary>
    /// Throws <see cref="NotSupportedException"/> naming the first layer or property of <paramref name="info"/> this
    /// backend cannot run and the fix; returns normally when every generated kernel method of the model can use it.
    /// </summary>
    void RequireModel(ModelInfo info);

    /// <summary>
    /// The kernels of <see cref="NtkAssembler.Assemble{T}"/> (same arguments, same output shapes: Trace N1 × N2, Full
    /// N1 × N2 × K × K, Diagonal N, DiagonalFull N × K × K; one tensor per output) computed on this device. The features
    /// have already been checked for ∞/NaN.
    /// </summary>
    Tensor[] AssembleNtk<T>(NtkFeatures<T> f1, NtkFeatures<T>? f2, NtkMode mode, int outputCount, int[] groupOutput,
        double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
