using NtkDsl.Layers.Analytic;

namespace NtkDsl.Layers;

// Infinite-width kernels of a SpatialNetwork (issue 14): the pixel-pair covariance recursion (Layers/Analytic).
public sealed partial class SpatialNetwork
{
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
        SpatialKernelRecursion.Kernel(_layers, _inputShape, _parameterization, x1, x2, groupWeight, ntk, progress, cancellationToken);

    /// <summary>Infinite-width NNGP or NTK of each row with itself: length N, equal bit for bit to the diagonal of <see cref="Analytic"/>.</summary>
    /// <exception cref="ArgumentException">A bad input shape or a non-finite input.</exception>
    public Tensor AnalyticDiagonal(Tensor x, bool ntk) =>
        SpatialKernelRecursion.Diagonal(_layers, _inputShape, _parameterization, x, ntk);
}
