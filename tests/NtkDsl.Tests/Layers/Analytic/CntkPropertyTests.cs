using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;
using static NtkDsl.Tests.Layers.Analytic.CntkTestModels;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>Symmetry, positive semi-definiteness, exact diagonals, WNTK linearity, input checks, progress and cancellation.</summary>
public sealed class CntkPropertyTests
{
    private static readonly LayerSpec[] Layers = Mixed();
    private static readonly int Groups = SpatialKernelRecursion.GroupCount(Layers, MixedShape, Parameterization.Ntk);
    private static double[] Ones => Enumerable.Repeat(1.0, Groups).ToArray();

    private static Tensor Kernel(Tensor x1, Tensor? x2, double[] gw, bool ntk) =>
        SpatialKernelRecursion.Kernel(Layers, MixedShape, Parameterization.Ntk, x1, x2, gw, ntk, null, default);

    [Fact]
    public void SymmetricKernelIsExactlySymmetricPsdAndEqualsTheCrossCallOnACopy()
    {
        var x = Images(8, MixedShape, 20);
        foreach (bool ntk in new[] { false, true })
        {
            var sym = Kernel(x, null, Ones, ntk);
            var cross = Kernel(x, x.Clone(), Ones, ntk);
            var m = new double[8, 8];
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                {
                    Assert.Equal(sym[i, j], sym[j, i]);
                    Assert.Equal(sym[i, j], cross[i, j], 1e-13);
                    m[i, j] = sym[i, j];
                }
            var evd = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(m).Evd();
            double max = evd.EigenValues.Max(v => v.Real);
            Assert.True(evd.EigenValues.Min(v => v.Real) >= -1e-12 * max, "the kernel matrix has a negative eigenvalue");
        }
    }

    [Fact]
    public void DiagonalEqualsTheKernelsDiagonalBitForBit()
    {
        var x = Images(5, MixedShape, 21);
        var xx = Tensor.Wrap(x.ToFlatArray().Concat(x.ToFlatArray()).ToArray(), 10, x.Columns); // duplicates across rows
        foreach (bool ntk in new[] { false, true })
        {
            var d = SpatialKernelRecursion.Diagonal(Layers, MixedShape, Parameterization.Ntk, x, ntk);
            var k = Kernel(xx, null, Ones, ntk);
            var cross = Kernel(x, x.Clone(), Ones, ntk);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(d.GetFlat(i), k[i, i]);
                Assert.Equal(d.GetFlat(i), k[i + 5, i]);
                Assert.Equal(d.GetFlat(i), cross[i, i]);
            }
        }
    }

    [Fact]
    public void WeightedNtkIsLinearInTheGroupWeightsAndTheNngpIgnoresThem()
    {
        var x1 = Images(3, MixedShape, 22);
        var x2 = Images(4, MixedShape, 23);
        var ntk = Kernel(x1, x2, Ones, true);
        var sum = new double[12];
        for (int g = 0; g < Groups; g++)
        {
            var w = new double[Groups];
            w[g] = 1;
            var block = Kernel(x1, x2, w, true).ToFlatArray();
            for (int e = 0; e < 12; e++) sum[e] += block[e];
        }
        Support.Close.Relative(ntk.ToFlatArray(), sum, 1e-13, "Σ_g Θ^g");
        Assert.Equal(Kernel(x1, x2, Ones, false).ToFlatArray(), Kernel(x1, x2, new double[Groups], false).ToFlatArray());
    }

    [Fact]
    public void BadInputsThrowClearArgumentExceptions()
    {
        var x = Images(2, MixedShape, 24);
        var e1 = Assert.Throws<ArgumentException>(() => Kernel(Tensor.Zeros(2, 31), null, Ones, true));
        Assert.Contains("4 × 4 × 2", e1.Message);
        var flat = x.ToFlatArray();
        flat[x.Columns + 3] = double.NaN;
        var bad = Tensor.Wrap(flat, 2, x.Columns);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => Kernel(x, bad, Ones, true)).Message);
        Assert.Throws<ArgumentException>(() => Kernel(x, null, [1.0], true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Kernel(x, null, Ones.Select((v, i) => i == 0 ? -1.0 : v).ToArray(), true));
        Assert.Throws<ArgumentNullException>(() => Kernel(null!, null, Ones, true));
        Assert.Throws<ArgumentException>(() => SpatialKernelRecursion.Diagonal(Layers, MixedShape, Parameterization.Ntk, Tensor.Zeros(2, 33), true));
        LayerSpec[] addLater = [Conv("C1", 2, 3, Relu), new AddSpec("A", "C9"), new GlobalAvgPoolSpec("G"), Dense("Out", 1, Identity)];
        Assert.Contains("C9", Assert.Throws<ArgumentException>(() => SpatialKernelRecursion.Kernel(addLater, MixedShape, Parameterization.Ntk, x, null, [1, 1, 1, 1], true, null, default)).Message);
    }

    [Fact]
    public void OverflowIsANonFiniteResultException()
    {
        var x = Images(2, MixedShape, 25);
        var huge = Tensor.Wrap(x.ToFlatArray().Select(v => v * 1e200).ToArray(), 2, x.Columns);
        var e = Assert.Throws<NonFiniteResultException>(() => Kernel(huge, null, Ones, true));
        Assert.Contains("C1", e.Message);
    }

    [Fact]
    public void ReportsProgressAndHonoursCancellation()
    {
        var x = Images(6, MixedShape, 26);
        var reports = new List<NtkProgress>();
        var progress = new SyncProgress(reports);
        SpatialKernelRecursion.Kernel(Layers, MixedShape, Parameterization.Ntk, x, null, Ones, true, progress, default);
        Assert.Contains(reports, r => r.Stage == "Analytic CNTK traces" && r.Done == 6 && r.Total == 6);
        Assert.Contains(reports, r => r.Stage == "Analytic CNTK pairs" && r.Done == r.Total && r.Total == 21);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SpatialKernelRecursion.Kernel(Layers, MixedShape, Parameterization.Ntk, x, null, Ones, true, null, cts.Token));
    }

    private sealed class SyncProgress(List<NtkProgress> reports) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
