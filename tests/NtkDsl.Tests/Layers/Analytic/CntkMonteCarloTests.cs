using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;
using static NtkDsl.Tests.Layers.Analytic.CntkTestModels;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>
/// Wide finite networks (<see cref="NaiveConvNet"/>) converge to the analytic NNGP: the mean over seeds of the
/// readout's conditional covariance σ_w²·g·g'/C + σ_b² approaches the kernel with error ∝ C^(−1/2). The residual
/// models decide the cross-covariance question: the sum of the two branches' kernels alone (neural-tangents'
/// FanInSum, exact only for independent zero-mean branches) is far from the finite networks.
/// </summary>
public sealed class CntkMonteCarloTests
{
    private static readonly int[] Shape = [3, 3, 2];

    private static LayerSpec[] Residual(bool norm) =>
    [
        Conv("C1", 8, 3, Relu, sw: 1.4, sb: 0.2),
        Conv("C2", 8, 3, Relu, sw: 1.2, sb: 0.1),
        new AddSpec("Skip", "C1"),
        .. norm ? new LayerSpec[] { new LayerNormSpec("Norm", 1e-6) } : [],
        new AvgPool2DSpec("Pool", 2, 1, Padding.Valid),
        new GlobalAvgPoolSpec("Gap"),
        Dense("Out", 1, Identity, sw: 1.0, sb: 0.1),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WideResidualNetworksConvergeToTheAnalyticNngp(bool norm)
    {
        var layers = Residual(norm);
        var x = Images(4, Shape, 70);
        var rows = Enumerable.Range(0, 4).Select(i => Row(x, i)).ToArray();
        int groups = SpatialKernelRecursion.GroupCount(layers, Shape, Parameterization.Ntk);
        var analytic = SpatialKernelRecursion.Kernel(layers, Shape, Parameterization.Ntk, x, null, new double[groups], false, null, default);
        int[] widths = [64, 256, 1024];
        const int seeds = 12;
        var spread = new double[widths.Length]; // RMS over seeds of one network's relative error: ∝ C^(−1/2)
        var errors = new double[widths.Length]; // relative error of the mean over seeds
        for (int wi = 0; wi < widths.Length; wi++)
        {
            var mean = new double[4, 4];
            var rng = new Random(1000 + wi);
            for (int s = 0; s < seeds; s++)
            {
                var g = NaiveConvNet.Features(layers, Shape, rows, widths[wi], rng);
                var one = new double[4, 4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                    {
                        one[i, j] = 1.0 * g[i].Zip(g[j], (a, b) => a * b).Sum() / widths[wi] + 0.01;
                        mean[i, j] += one[i, j] / seeds;
                    }
                spread[wi] += Math.Pow(Relative(one, analytic), 2) / seeds;
            }
            spread[wi] = Math.Sqrt(spread[wi]);
            errors[wi] = Relative(mean, analytic);
        }
        double slope = Slope(widths.Select(v => (double)v).ToArray(), spread);
        string report = $"per-network errors {string.Join(", ", spread.Select(e => e.ToString("E2")))}; errors of the means {string.Join(", ", errors.Select(e => e.ToString("E2")))}";
        Assert.True(slope is > -0.7 and < -0.35, $"slope {slope:F2} of the error vs width ({report})");
        Assert.True(errors[^1] < 0.01, $"error of the mean at width {widths[^1]}: {errors[^1]:E2} ({report})");
        // The plain sum of the branch kernels (no cross-covariance) is far outside the Monte Carlo error.
        var plain = new CntkReference(layers, Shape, Parameterization.Ntk) { IndependentBranches = true };
        var plainKernel = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) plainKernel[i, j] = plain.Pair(rows[i], rows[j], new double[groups]).Nngp;
        double plainError = Relative(plainKernel, analytic);
        Assert.True(plainError > 10 * errors[^1], $"the kernel without cross-covariances differs by {plainError:E2} only (Monte Carlo error {errors[^1]:E2}; {report})");
    }

    /// <summary>
    /// The empirical NTK (hand-written backprop, <see cref="NaiveConvNtk"/>) of wide residual networks converges to the
    /// analytic NTK: this checks the claims that the cross-NTK between a fresh layer and an earlier one vanishes and
    /// that LayerNorm divides Θ like the covariance.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WideResidualNetworksConvergeToTheAnalyticNtk(bool norm)
    {
        var layers = Residual(norm);
        var x = Images(4, Shape, 71);
        var rows = Enumerable.Range(0, 4).Select(i => Row(x, i)).ToArray();
        int groups = SpatialKernelRecursion.GroupCount(layers, Shape, Parameterization.Ntk);
        var analytic = SpatialKernelRecursion.Kernel(layers, Shape, Parameterization.Ntk, x, null, Enumerable.Repeat(1.0, groups).ToArray(), true, null, default);
        int[] widths = [64, 256, 1024];
        const int seeds = 8;
        var spread = new double[widths.Length];
        var errors = new double[widths.Length];
        for (int wi = 0; wi < widths.Length; wi++)
        {
            var mean = new double[4, 4];
            var rng = new Random(2000 + wi);
            for (int s = 0; s < seeds; s++)
            {
                var one = NaiveConvNtk.Ntk(layers, Shape, rows, widths[wi], rng);
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) mean[i, j] += one[i, j] / seeds;
                spread[wi] += Math.Pow(Relative(one, analytic), 2) / seeds;
            }
            spread[wi] = Math.Sqrt(spread[wi]);
            errors[wi] = Relative(mean, analytic);
        }
        double slope = Slope(widths.Select(v => (double)v).ToArray(), spread);
        string report = $"per-network errors {string.Join(", ", spread.Select(e => e.ToString("E2")))}; errors of the means {string.Join(", ", errors.Select(e => e.ToString("E2")))}";
        Assert.True(slope is > -0.7 and < -0.35, $"slope {slope:F2} of the NTK error vs width ({report})");
        // The mean over seeds must agree within three of its standard errors (spread/√seeds: about 1.3% at width 1024),
        // i.e. no bias is visible at this resolution.
        double standardError = spread[^1] / Math.Sqrt(seeds);
        Assert.True(errors[^1] < 3 * standardError && errors[^1] < 0.03, $"NTK error of the mean at width {widths[^1]}: {errors[^1]:E2} vs standard error {standardError:E2} ({report})");
    }

    private static double Relative(double[,] a, Tensor b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
            {
                num += Math.Pow(a[i, j] - b[i, j], 2);
                den += b[i, j] * b[i, j];
            }
        return Math.Sqrt(num / den);
    }

    private static double Slope(double[] x, double[] y)
    {
        var lx = x.Select(v => Math.Log(v)).ToArray();
        var ly = y.Select(v => Math.Log(v)).ToArray();
        double mx = lx.Average(), my = ly.Average();
        return lx.Zip(ly, (a, b) => (a - mx) * (b - my)).Sum() / lx.Sum(a => (a - mx) * (a - mx));
    }
}
