using NtkDsl.Analytic;
using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;
using static NtkDsl.Tests.Layers.Analytic.CntkTestModels;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>Architectures whose CNN kernel is known in closed form from the MLP kernels or from linear algebra.</summary>
public sealed class CntkClosedFormTests
{
    private static readonly double[] Ones6 = [1, 1, 1, 1, 1, 1];

    /// <summary>A 1 × 1 × C image flattened into a Dense MLP is that MLP: the kernels equal <see cref="AnalyticMlp"/>'s, block by block.</summary>
    [Fact]
    public void FlattenedOnePixelImageIsTheDenseMlp()
    {
        LayerSpec[] layers =
        [
            new FlattenSpec("Flat"),
            Dense("Hidden1", 8, Relu, sw: Math.Sqrt(2), sb: 0.1),
            Dense("Hidden2", 8, Erf, sw: 1.3, sb: 0.2),
            Dense("Readout", 1, Identity, sw: 0.9, sb: 0.3),
        ];
        int[] shape = [1, 1, 5];
        var mlp = new AnalyticMlp(5, [new AnalyticHiddenLayer(AnalyticActivation.Relu, 2, 0.01), new AnalyticHiddenLayer(AnalyticActivation.Erf, 1.69, 0.04)],
            new AnalyticReadout(0.81, 0.09));
        var x1 = Images(5, shape, 1);
        var x2 = Images(3, shape, 2);
        var blocks = mlp.Kernels(x1, x2);
        double[] gw = [0.3, 1.7, 0.2, 2.5, 0.9, 0.4];
        Support.Close.Relative(blocks.Nngp, SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, gw, false, null, default), 1e-13, "NNGP");
        Support.Close.Relative(blocks.Ntk, SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, Ones6, true, null, default), 1e-13, "NTK");
        Support.Close.Relative(blocks.Combine(gw), SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, gw, true, null, default), 1e-13, "WNTK");
    }

    /// <summary>
    /// With 1 × 1 convolutions every pixel runs the MLP on its own channel vector, and GlobalAvgPool then the affine
    /// readout are linear: the kernel is the mean over pixel pairs (p, p') of the MLP kernel of (x_p, x'_p').
    /// </summary>
    [Fact]
    public void OneByOneConvolutionsWithGlobalPoolingAverageTheMlpKernelOverPixelPairs()
    {
        LayerSpec[] layers =
        [
            Conv("C1", 4, 1, Relu, sw: Math.Sqrt(2), sb: 0.1),
            Conv("C2", 4, 1, Erf, sw: 1.3, sb: 0.2),
            new GlobalAvgPoolSpec("Gap"),
            Dense("Readout", 1, Identity, sw: 0.9, sb: 0.3),
        ];
        int[] shape = [3, 2, 3];
        var mlp = new AnalyticMlp(3, [new AnalyticHiddenLayer(AnalyticActivation.Relu, 2, 0.01), new AnalyticHiddenLayer(AnalyticActivation.Erf, 1.69, 0.04)],
            new AnalyticReadout(0.81, 0.09));
        var x1 = Images(3, shape, 3);
        var x2 = Images(2, shape, 4);
        var nngp = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, Ones6, false, null, default);
        var ntk = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, Ones6, true, null, default);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                var k = mlp.Kernels(Pixels(x1, i, shape), Pixels(x2, j, shape));
                CntkReferenceTests.AssertClose(Mean(k.Nngp), nngp[i, j], 1e-13, $"NNGP[{i},{j}]");
                CntkReferenceTests.AssertClose(Mean(k.Ntk), ntk[i, j], 1e-13, $"NTK[{i},{j}]");
            }
    }

    /// <summary>
    /// A linear network f = readout(GAP(conv(x))) is a Gaussian linear function of x: with S_{o,c}(x) the image mean of
    /// the input shifted by the window offset o (zero padded), E[f f'] = σ_r²·(σ_w²/(k²C)·Σ_{o,c} S_{o,c}(x)S_{o,c}(x') + σ_b²) + σ_rb²,
    /// and the NTK is 2·σ_r²·(…) + σ_rb² (both layers contribute the same term).
    /// </summary>
    [Theory]
    [InlineData(Padding.Same, 1)]
    [InlineData(Padding.Circular, 1)]
    [InlineData(Padding.Valid, 1)]
    [InlineData(Padding.Same, 2)]
    public void IdentityConvolutionNetworksAreLinearModels(Padding padding, int stride)
    {
        const double sw = 1.2, sb = 0.3, sr = 0.8, srb = 0.5;
        const int k = 3, h = 4, w = 5, c = 2;
        LayerSpec[] layers = [Conv("C", 3, k, Identity, stride: stride, padding: padding, sw: sw, sb: sb), new GlobalAvgPoolSpec("Gap"), Dense("Out", 1, Identity, sw: sr, sb: srb)];
        int[] shape = [h, w, c];
        var x1 = Images(3, shape, 5);
        var x2 = Images(2, shape, 6);
        var nngp = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, [1, 1, 1, 1], false, null, default);
        var ntk = SpatialKernelRecursion.Kernel(layers, shape, Parameterization.Ntk, x1, x2, [1, 1, 1, 1], true, null, default);
        int oh = SpatialGeometry.OutputSize(h, k, stride, padding), ow = SpatialGeometry.OutputSize(w, k, stride, padding);
        double[] Features(Tensor x, int i)
        {
            var s = new double[k * k * c];
            for (int qh = 0; qh < oh; qh++)
                for (int qw = 0; qw < ow; qw++)
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++)
                        {
                            int ph = SpatialGeometry.SourceIndex(qh, a, h, k, stride, padding), pw = SpatialGeometry.SourceIndex(qw, b, w, k, stride, padding);
                            if (ph < 0 || pw < 0) continue;
                            for (int ch = 0; ch < c; ch++) s[(a * k + b) * c + ch] += x[i, (ph * w + pw) * c + ch] / (oh * ow);
                        }
            return s;
        }
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                double g = sw * sw / (k * k * c) * Features(x1, i).Zip(Features(x2, j), (u, v) => u * v).Sum() + sb * sb;
                CntkReferenceTests.AssertClose(sr * sr * g + srb * srb, nngp[i, j], 1e-13, $"NNGP[{i},{j}]");
                CntkReferenceTests.AssertClose(2 * sr * sr * g + srb * srb, ntk[i, j], 1e-13, $"NTK[{i},{j}]");
            }
    }

    /// <summary>Add(C1) right after C1 doubles the activations: 4·K, not the 2·K of a sum of independent kernels.</summary>
    [Fact]
    public void AddingALayerToItselfQuadruplesTheKernel()
    {
        int[] shape = [3, 3, 2];
        LayerSpec[] plain = [Conv("C1", 3, 3, Relu), new GlobalAvgPoolSpec("Gap"), Dense("Out", 1, Identity, sb: 0.0, bias: false)];
        LayerSpec[] doubled = [Conv("C1", 3, 3, Relu), new AddSpec("Twice", "C1"), new GlobalAvgPoolSpec("Gap"), Dense("Out", 1, Identity, sb: 0.0, bias: false)];
        var x = Images(4, shape, 7);
        foreach (bool ntk in new[] { false, true })
        {
            var a = SpatialKernelRecursion.Kernel(plain, shape, Parameterization.Ntk, x, null, [1, 1, 1], ntk, null, default);
            var b = SpatialKernelRecursion.Kernel(doubled, shape, Parameterization.Ntk, x, null, [1, 1, 1], ntk, null, default);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    CntkReferenceTests.AssertClose(4 * a[i, j], b[i, j], 1e-14, $"{(ntk ? "NTK" : "NNGP")}[{i},{j}]");
        }
    }

    private static Tensor Pixels(Tensor x, int row, int[] shape)
    {
        int n = shape[0] * shape[1], c = shape[2];
        var v = new double[n * c];
        for (int i = 0; i < v.Length; i++) v[i] = x[row, i];
        return Tensor.Wrap(v, n, c);
    }

    private static double Mean(Tensor t)
    {
        double s = 0;
        for (long i = 0; i < t.Length; i++) s += t.GetFlat(i);
        return s / t.Length;
    }
}
