using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;
using static NtkDsl.Tests.Layers.Analytic.CntkTestModels;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>
/// The pixel-pair recursion's buffers are sized for the tensors it holds pairs of: after leading AvgPool2D layers
/// (pooled once per example) the (H·W)² matrices are those of the pooled image, not of the input. Checked through the
/// values an instance allocates and its <see cref="PixelPairRecursion.Bytes"/> figure (both against the formula written
/// here), and the kernel of such a model against <see cref="CntkReference"/>.
/// </summary>
public sealed class PixelPairBufferTests
{
    /// <summary>28 × 28 × 1 pooled 4 × 4 to 7 × 7, then a convolution, GAP and a readout (no residual: one live tensor).</summary>
    private static LayerSpec[] PooledMnistLike() =>
    [
        new AvgPool2DSpec("P0", 4, 4, Padding.Valid),
        Conv("C1", 3, 3, Relu, sw: 1.3, sb: 0.2),
        new GlobalAvgPoolSpec("Gap"),
        Dense("Out", 1, Identity, sw: 0.9, sb: 0.2),
    ];

    [Fact]
    public void ALeadingPoolShrinksThePairBuffersToThePooledImage()
    {
        var plan = new SpatialKernelPlan(PooledMnistLike(), [28, 28, 1], Parameterization.Ntk, "M");
        Assert.Equal(1, plan.InputPoolSteps);
        Assert.Equal(1, plan.MaxLive);
        Assert.Equal(28 * 28, plan.MaxPixels);
        Assert.Equal(7 * 7, plan.PairPixels);
        // 2·MaxLive² + 3 = 5 matrices of 49² values and two vectors of 49: 96,824 bytes (it was 5·784²·8 + 16·784 = 24,598,784 bytes).
        const long expected = 8L * 49 * 49 * 5 + 16L * 49;
        Assert.Equal(expected, PixelPairRecursion.Bytes(plan));
        Assert.Equal(expected, 8 * new PixelPairRecursion(plan).AllocatedValues);
    }

    [Fact]
    public void WithoutALeadingPoolTheBuffersHoldTheInputImage()
    {
        LayerSpec[] layers = [Conv("C1", 3, 3, Relu), new AvgPool2DSpec("P0", 2, 2, Padding.Valid), new GlobalAvgPoolSpec("Gap"), Dense("Out", 1, Identity)];
        var plan = new SpatialKernelPlan(layers, [6, 6, 1], Parameterization.Ntk, "M");
        Assert.Equal(0, plan.InputPoolSteps);
        Assert.Equal(36, plan.PairPixels);
        Assert.Equal(8L * 36 * 36 * 5 + 16L * 36, 8 * new PixelPairRecursion(plan).AllocatedValues);
    }

    [Fact]
    public void APoolToOnePixelWithLayerNormMatchesTheReference()
    {
        // 8 × 8 × 3 pooled to 1 × 1: the pair buffers hold one value each, while the means through the pool (LayerNorm
        // needs them) pool an 8 × 8 map, so they must not borrow the pair scratch.
        LayerSpec[] layers =
        [
            new AvgPool2DSpec("P0", 8, 8, Padding.Valid),
            Conv("C1", 4, 1, Relu, sw: 1.2, sb: 0.3),
            new LayerNormSpec("Norm", 1e-3),
            new GlobalAvgPoolSpec("Gap"),
            Dense("Out", 1, Identity, sw: 0.9, sb: 0.2),
        ];
        int[] shape = [8, 8, 3];
        var plan = new SpatialKernelPlan(layers, shape, Parameterization.Ntk, "M");
        Assert.Equal(1, plan.PairPixels);
        Assert.True(plan.NeedsMeans);
        var x1 = Images(3, shape, 31);
        var x2 = Images(2, shape, 32);
        int groups = SpatialKernelRecursion.GroupCount(layers, shape, Parameterization.Ntk);
        var gw = Enumerable.Range(0, groups).Select(g => 0.5 + 0.25 * g).ToArray();
        var nngp = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, gw, false, null, default);
        var wntk = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, gw, true, null, default);
        var reference = new CntkReference(layers, shape, Parameterization.Ntk);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                var (k, t) = reference.Pair(Row(x1, i), Row(x2, j), gw);
                CntkReferenceTests.AssertClose(k, nngp[i, j], 1e-12, $"NNGP[{i},{j}]");
                CntkReferenceTests.AssertClose(t, wntk[i, j], 1e-12, $"WNTK[{i},{j}]");
            }
    }
}
