using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// The delta and feature helpers of the structured NTK (<see cref="DenseOps{T}"/> OutputDeltas, ReducedOutputDeltas,
/// BackpropDeltas, Affine, BackwardInput, <see cref="FeatureOps"/>.ScaleInto and <see cref="ElementwiseOps{T}"/>)
/// against scalar loops written here from their docstrings (math.md §2), in float64 and float32, for odd widths (vector
/// tails), one row, and sizes large enough for the parallel bands. The vectorized products must equal the scalar ones
/// exactly (one IEEE product per element), and the outputs allocated without zeroing must be written everywhere: the
/// pool is first filled with NaN-laden garbage of the same sizes, which would show through any unwritten element.
/// </summary>
public sealed class FeatureOpsTests
{
    public static TheoryData<int, int, int, int> Sizes => new()
    {
        { 1, 1, 1, 1 },
        { 1, 3, 7, 5 },
        { 5, 2, 13, 9 },
        { 37, 10, 33, 17 },   // rows·K·n below TileRows.ParallelElements: one band
        { 130, 10, 67, 31 },  // rows·K·n = 87,100 and 40,300: split over the cores
    };

    private static double[] Random(int length, int seed, double zeroFraction = 0)
    {
        var r = new Random(seed);
        var a = new double[length];
        for (int i = 0; i < length; i++) a[i] = r.NextDouble() < zeroFraction ? 0.0 : r.NextDouble() * 2 - 1;
        return a;
    }

    /// <summary>Allocates and drops NaN-filled arrays so that uninitialized allocations are likely to reuse dirty memory.</summary>
    private static void Dirty(int length)
    {
        for (int i = 0; i < 4; i++)
        {
            var junk = GC.AllocateUninitializedArray<double>(length);
            Array.Fill(junk, double.NaN);
            GC.KeepAlive(junk);
        }
        GC.Collect();
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void DeltaHelpersMatchScalarLoopsExactly(int rows, int k, int n, int nNext)
    {
        var w = Random(k * nNext, 1);
        var dphiNext = Random(rows * nNext, 2, zeroFraction: 0.4); // ReLU-like masks with zeros
        var g = Random(rows * k, 3);
        var w2 = Random(nNext * n, 4);
        var dphi = Random(rows * n, 5, zeroFraction: 0.4);
        const double cW = 0.37;

        Dirty(rows * k * nNext);
        var outD = DenseOps<double>.OutputDeltas(rows, k, nNext, w, cW, dphiNext, g);
        var outUnit = DenseOps<double>.OutputDeltas(rows, k, nNext, w, cW, dphiNext, default);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < k; c++)
                for (int i = 0; i < nNext; i++)
                {
                    int p = (r * k + c) * nNext + i;
                    Assert.Equal(cW * g[r * k + c] * w[c * nNext + i] * dphiNext[r * nNext + i], outD[p]);
                    Assert.Equal(cW * w[c * nNext + i] * dphiNext[r * nNext + i], outUnit[p]);
                }

        Dirty(rows * nNext);
        var reduced = DenseOps<double>.ReducedOutputDeltas(rows, k, nNext, w, cW, dphiNext);
        for (int i = 0; i < nNext; i++)
        {
            double s = 0;
            for (int c = 0; c < k; c++) s += w[c * nNext + i] * w[c * nNext + i];
            double scale = cW * Math.Sqrt(s);
            for (int r = 0; r < rows; r++) Assert.Equal(dphiNext[r * nNext + i] * scale, reduced[r * nNext + i]);
        }

        Dirty(rows * k * n);
        var back = DenseOps<double>.BackpropDeltas(outUnit, rows, k, nNext, w2, n, cW, dphi);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < k; c++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0, abs = 0;
                    for (int i = 0; i < nNext; i++)
                    {
                        double t = outUnit[(r * k + c) * nNext + i] * w2[i * n + j];
                        s += t;
                        abs += Math.Abs(t);
                    }
                    double expected = cW * s * dphi[r * n + j];
                    double got = back[(r * k + c) * n + j];
                    Assert.True(Math.Abs(got - expected) <= 1e-14 * (cW * abs * Math.Abs(dphi[r * n + j]) + 1e-300),
                        $"δ[{r},{c},{j}] = {got:R}, expected {expected:R}");
                }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(70, 33, 19)]
    public void AffineAndBackwardInputWriteEveryElement(int rows, int m, int n)
    {
        var x = Random(rows * m, 6);
        var w = Random(n * m, 7);
        var b = Random(n, 8);
        Dirty(rows * n);
        var h = DenseOps<double>.Affine(x, rows, m, w, b, n, 0.5, 0.25);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int i = 0; i < m; i++) { s += x[r * m + i] * w[j * m + i]; abs += Math.Abs(x[r * m + i] * w[j * m + i]); }
                Assert.True(Math.Abs(h[r * n + j] - (0.5 * s + 0.25 * b[j])) <= 1e-14 * (abs + 1), $"h[{r},{j}]");
            }
        var delta = Random(rows * n, 9);
        Dirty(rows * m);
        var gIn = DenseOps<double>.BackwardInput(delta, rows, n, w, m, 0.5);
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < m; i++)
            {
                double s = 0, abs = 0;
                for (int j = 0; j < n; j++) { s += delta[r * n + j] * w[j * m + i]; abs += Math.Abs(delta[r * n + j] * w[j * m + i]); }
                Assert.True(Math.Abs(gIn[r * m + i] - 0.5 * s) <= 1e-14 * (abs + 1), $"g[{r},{i}]");
            }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(1031)]
    public void VectorProductsEqualTheScalarLoop(int length)
    {
        var a = Random(length, 10);
        var b = Random(length, 11);
        var prod = new double[length];
        ElementwiseOps<double>.Multiply(a, b, prod);
        var scaled = new double[length];
        FeatureOps.ScaleInto(a, 0.3, scaled);
        var af = a.Select(v => (float)v).ToArray();
        var bf = b.Select(v => (float)v).ToArray();
        var prodF = new float[length];
        ElementwiseOps<float>.Multiply(af, bf, prodF);
        var scaledF = new float[length];
        FeatureOps.ScaleInto(af, 0.3, scaledF);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(a[i] * b[i], prod[i]);
            Assert.Equal(0.3 * a[i], scaled[i]);
            Assert.Equal(af[i] * bf[i], prodF[i]);
            Assert.Equal(0.3f * af[i], scaledF[i]);
        }
        // In place (dst = a), as the derivative masks are applied.
        var inPlace = (double[])a.Clone();
        ElementwiseOps<double>.Multiply(inPlace, b, inPlace);
        Assert.Equal(prod, inPlace);
        // The one-pass (a·s)·b of the output deltas: the two products in that order, element by element.
        var sm = new double[length];
        ElementwiseOps<double>.ScaleMultiply(a, 0.3, b, sm);
        var smF = new float[length];
        ElementwiseOps<float>.ScaleMultiply(af, 0.3f, bf, smF);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(a[i] * 0.3 * b[i], sm[i]);
            Assert.Equal(af[i] * 0.3f * bf[i], smF[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void BackpropDeltasIntoASliceMatchesTheLoopAndLeavesTheRestAlone(int rows, int k, int n, int nNext)
    {
        // The NTK features write each row block's deltas into a slice of the layer's array: the slice is overwritten
        // (NaN garbage there must not show), the values around it are untouched, and the result equals the
        // allocating BackpropDeltas bit for bit and the scalar loop to rounding.
        var deltaNext = Random(rows * k * nNext, 6);
        var w = Random(nNext * n, 7);
        var dphi = Random(rows * n, 8, zeroFraction: 0.4);
        const double cW = 0.61;
        int size = rows * k * n, offset = 5;
        var target = new double[offset + size + 3];
        Array.Fill(target, double.NaN);
        target[0] = 1.5;
        target[^1] = -2.5;
        DenseOps<double>.BackpropDeltasInto(deltaNext, rows, k, nNext, w, n, cW, dphi, target.AsSpan(offset, size));
        var allocated = DenseOps<double>.BackpropDeltas(deltaNext, rows, k, nNext, w, n, cW, dphi);
        Assert.Equal(1.5, target[0]);
        Assert.True(double.IsNaN(target[offset - 1]) && double.IsNaN(target[offset + size]), "values outside the slice were written");
        Assert.Equal(-2.5, target[^1]);
        for (int p = 0; p < size; p++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(allocated[p]), BitConverter.DoubleToInt64Bits(target[offset + p]));
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < k; c++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0, abs = 0;
                    for (int i = 0; i < nNext; i++)
                    {
                        double t = deltaNext[(r * k + c) * nNext + i] * w[i * n + j];
                        sum += t;
                        abs += Math.Abs(t);
                    }
                    double expected = cW * sum * dphi[r * n + j];
                    double got = target[offset + (r * k + c) * n + j];
                    Assert.True(Math.Abs(got - expected) <= 1e-14 * (cW * abs * Math.Abs(dphi[r * n + j]) + 1e-300),
                        $"δ[{r},{c},{j}] = {got:R}, expected {expected:R}");
                }
    }

    [Fact]
    public void BackpropDeltasIntoAShortDestinationNamesTheSizes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            DenseOps<double>.BackpropDeltasInto(new double[2 * 3 * 4], 2, 3, 4, new double[4 * 5], 5, 1.0, new double[2 * 5], new double[29]));
        Assert.Equal("destination", e.ParamName);
        Assert.Contains("29", e.Message);
        Assert.Contains("2·3·5 = 30", e.Message);
    }

    [Fact]
    public void Float32BackpropDeltasIntoEqualsTheAllocatingVersion()
    {
        const int rows = 40, k = 10, n = 19, nNext = 23; // rows·K·n = 7,600: one band; and 130 rows: split over the cores
        foreach (int r in new[] { rows, 130 })
        {
            var deltaNext = Random(r * k * nNext, 14).Select(v => (float)v).ToArray();
            var w = Random(nNext * n, 15).Select(v => (float)v).ToArray();
            var dphi = Random(r * n, 16, 0.3).Select(v => (float)v).ToArray();
            var target = Enumerable.Repeat(float.NaN, r * k * n).ToArray();
            DenseOps<float>.BackpropDeltasInto(deltaNext, r, k, nNext, w, n, 0.25, dphi, target);
            Assert.Equal(DenseOps<float>.BackpropDeltas(deltaNext, r, k, nNext, w, n, 0.25, dphi), target);
        }
    }

    [Fact]
    public void Float32DeltaHelpersMatchScalarLoopsExactly()
    {
        const int rows = 9, k = 3, n = 21;
        var w = Random(k * n, 12).Select(v => (float)v).ToArray();
        var dphi = Random(rows * n, 13, 0.3).Select(v => (float)v).ToArray();
        var d = DenseOps<float>.OutputDeltas(rows, k, n, w, 0.5, dphi, default);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < k; c++)
                for (int i = 0; i < n; i++)
                    Assert.Equal(0.5f * w[c * n + i] * dphi[r * n + i], d[(r * k + c) * n + i]);
    }
}

/// <summary>The chunked parallel ∞/NaN scan of the NTK features against a sequential scan written here.</summary>
public sealed class FeatureScanTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(2 * NtkAssembler.ScanChunk + 17)]   // chunked, with a ragged last chunk
    [InlineData(5 * NtkAssembler.ScanChunk)]
    public void FirstNonFiniteIsTheFirstIndexInArrayOrder(int length)
    {
        var a = new double[length];
        for (int i = 0; i < length; i++) a[i] = Math.Sin(i);
        Assert.Equal(-1, NtkAssembler.FirstNonFinite(a));
        if (length == 0) return;
        var rnd = new Random(length);
        for (int trial = 0; trial < 6; trial++)
        {
            var b = (double[])a.Clone();
            // Several bad values, one in the last chunk and one at a chunk boundary, so chunks finish out of order.
            int[] bad = [rnd.Next(length), length - 1, Math.Min(length - 1, NtkAssembler.ScanChunk), rnd.Next(length)];
            b[bad[0]] = double.NaN;
            b[bad[1]] = double.PositiveInfinity;
            b[bad[2]] = double.NegativeInfinity;
            b[bad[3]] = double.NaN;
            int expected = -1;
            for (int i = 0; i < length && expected < 0; i++) if (!double.IsFinite(b[i])) expected = i;
            Assert.Equal(expected, NtkAssembler.FirstNonFinite(b));
            var f = b.Select(v => (float)v).ToArray();
            Assert.Equal(expected, NtkAssembler.FirstNonFinite(f));
        }
    }
}
