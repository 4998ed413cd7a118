namespace NtkDsl.Layers;

// Infinite-width kernels of a SpatialNetwork (issue 14): the pixel-pair covariance recursion.
public sealed partial class SpatialNetwork
{
    /// <summary>Infinite-width NNGP (<paramref name="ntk"/> false) or (weighted) NTK, N1 × N2, for one output.</summary>
    public Tensor Analytic(Tensor x1, Tensor? x2, double[] groupWeight, bool ntk, IProgress<NtkProgress>? progress,
        CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Infinite-width NNGP or NTK of each row with itself: length N.</summary>
    public Tensor AnalyticDiagonal(Tensor x, bool ntk) => throw new NotImplementedException();
}
