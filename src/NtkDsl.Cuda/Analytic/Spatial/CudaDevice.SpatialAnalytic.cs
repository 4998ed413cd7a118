using NtkDsl.Cuda.Analytic.Spatial;
using NtkDsl.Layers;

namespace NtkDsl.Cuda;

/// <summary>The infinite-width kernels of models on the SpatialNetwork engine on this device (<see cref="ISpatialBackend.Analytic"/>, <see cref="ISpatialBackend.AnalyticDiagonal"/>; issue 12).</summary>
public sealed partial class CudaDevice
{
    Tensor ISpatialBackend.Analytic(SpatialNetwork network, string cudaSource, string? unsupportedReason, Tensor x1, Tensor? x2, double[] groupWeight, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(cudaSource);
        ThrowIfDisposed();
        if (unsupportedReason is not null) throw new NotSupportedException(unsupportedReason);
        MakeCurrent();
        return SpatialAnalyticOnDevice.Compute(this, network.AnalyticPlan, cudaSource, x1, x2, groupWeight, ntk, progress, cancellationToken);
    }

    Tensor ISpatialBackend.AnalyticDiagonal(SpatialNetwork network, string cudaSource, string? unsupportedReason, Tensor x, bool ntk)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(cudaSource);
        ThrowIfDisposed();
        if (unsupportedReason is not null) throw new NotSupportedException(unsupportedReason);
        MakeCurrent();
        return SpatialAnalyticOnDevice.Diagonal(this, network.AnalyticPlan, cudaSource, x, ntk);
    }
}
