using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// The NTK assembly's parallel tile schedule (whole tiles on several workers, each tile's GEMMs and passes on one
/// thread) against the sequential one (tile by tile, each split over the cores) and against a double loop written here
/// from math.md §2: the kernels must be bitwise equal (every element is the same chain of operations), in Trace and Full
/// mode, symmetric and x1 ≠ x2, float64 and float32, with ragged last tiles, one row, and per-group outputs. Errors,
/// cancellation and progress must behave as in the sequential order.
/// </summary>
public sealed class NtkTileScheduleTests
{
    private const int K = 3;

    /// <summary>Rows per Trace tile: the sizes below are placed relative to it (ragged last tiles, tile rows).</summary>
    private const int T = NtkAssembler.TraceTile;
    private static readonly double[] Weights = [1.0, 0.5, 2.0, 1.0, 0.25, 1.5, 0.75];

    private static NtkFeatures<T> Features<T>(int rows, int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var layers = new LayerFeatures<T>[]
        {
            new(rows, 5, 7, K, DeltaForm.General, 0.5, true, 0, 1),
            new(rows, 7, 4, K, DeltaForm.Reduced, 1.0, false, 2, -1),
            new(rows, 4, K, K, DeltaForm.Diagonal, 1.5, true, 3, 4),
            new(rows, 4, K, K, DeltaForm.Unit, 2.0, true, 5, 6),
        };
        var s = new NormalSampler(seed);
        foreach (var l in layers)
        {
            var inputs = new double[l.Inputs.Length];
            var deltas = new double[l.Deltas.Length];
            s.FillNormal(inputs, 1.0);
            s.FillNormal(deltas, 1.0);
            for (int i = 0; i < inputs.Length; i++) l.Inputs[i] = T.CreateTruncating(inputs[i]);
            for (int i = 0; i < deltas.Length; i++) l.Deltas[i] = T.CreateTruncating(deltas[i]);
        }
        return new NtkFeatures<T>(rows, K, layers);
    }

    /// <summary>Full-mode features: General deltas in the first two layers (Full needs per-output deltas), Unit output.</summary>
    private static NtkFeatures<double> FullFeatures(int rows, int seed)
    {
        var layers = new LayerFeatures<double>[]
        {
            new(rows, 5, 7, K, DeltaForm.General, 0.5, true, 0, 1),
            new(rows, 7, 4, K, DeltaForm.General, 1.0, false, 2, -1),
            new(rows, 4, K, K, DeltaForm.Unit, 2.0, true, 5, 6),
        };
        var s = new NormalSampler(seed);
        foreach (var l in layers)
        {
            s.FillNormal(l.Inputs, 1.0);
            s.FillNormal(l.Deltas, 1.0);
        }
        return new NtkFeatures<double>(rows, K, layers);
    }

    private static Tensor[] Run<T>(NtkFeatures<T> f1, NtkFeatures<T>? f2, bool full, int workers, int outputs = 1,
        IProgress<NtkProgress>? progress = null, CancellationToken ct = default)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var groupOutput = outputs == 1 ? new int[Weights.Length] : Enumerable.Range(0, Weights.Length).ToArray();
        return NtkAssembler.AssembleTiles(f1, f2, full, outputs, groupOutput, Weights, progress, ct, workers);
    }

    private static void AssertBitwiseEqual(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToFlatArray();
        var a = actual.ToFlatArray();
        for (int i = 0; i < e.Length; i++)
            if (BitConverter.DoubleToInt64Bits(e[i]) != BitConverter.DoubleToInt64Bits(a[i]))
                Assert.Fail($"{what}: element {i} is {a[i]:R} with parallel tiles, {e[i]:R} tile by tile");
    }

    /// <summary>Θ(i, j) traced, from the features by plain loops (math.md §2), as in NtkAssemblyTests.</summary>
    private static (double Value, double Abs) TraceReference(NtkFeatures<double> f1, NtkFeatures<double> f2, int i, int j)
    {
        double sum = 0, abs = 0;
        foreach (var (l1, l2) in f1.Layers.Zip(f2.Layers))
        {
            double d = l1.Form == DeltaForm.Unit ? K : Dot(l1.Deltas, l2.Deltas, l1.DeltaWidth, i, j, out _);
            Dot(l1.Deltas, l2.Deltas, l1.DeltaWidth, i, j, out double dAbs);
            if (l1.Form == DeltaForm.Unit) dAbs = K;
            double a = Dot(l1.Inputs, l2.Inputs, l1.InputWidth, i, j, out double aAbs);
            double wB = l1.HasBias ? Weights[l1.BiasGroup] * l1.BiasScale * l1.BiasScale : 0.0;
            sum += d * (Weights[l1.WeightGroup] * a + wB);
            abs += dAbs * (Weights[l1.WeightGroup] * aAbs + wB);
        }
        return (sum / K, abs / K);
    }

    private static double Dot(double[] x, double[] y, int width, int i, int j, out double abs)
    {
        double s = 0;
        abs = 0;
        for (int p = 0; p < width; p++)
        {
            double t = x[i * width + p] * y[j * width + p];
            s += t;
            abs += Math.Abs(t);
        }
        return s;
    }

    [Theory]
    [InlineData(2 * T + 76, 0, 2)]      // 3 tile rows (ragged last): 6 tiles, 3 of them diagonal SYRKs
    [InlineData(2 * T + 76, 0, 5)]      // more workers than cores
    [InlineData(2 * T + 76, T + 18, 3)] // x1 ≠ x2: 3 × 2 tiles, ragged in both directions
    [InlineData(1, 0, 2)]               // one row, one tile
    [InlineData(1, 2 * T + 6, 2)]       // one row against three tiles
    [InlineData(T + 1, 0, 2)]           // a last tile of one row
    public void TraceKernelIsBitwiseTheSameAsTileByTileAndMatchesTheDoubleLoop(int n1, int n2, int workers)
    {
        var f1 = Features<double>(n1, 50);
        var f2 = n2 == 0 ? null : Features<double>(n2, 51);
        var sequential = Run(f1, f2, full: false, workers: 1)[0];
        var parallel = Run(f1, f2, full: false, workers)[0];
        AssertBitwiseEqual(sequential, parallel, $"Trace {n1}×{(n2 == 0 ? n1 : n2)}");
        int cols = n2 == 0 ? n1 : n2;
        var theta = parallel.ToFlatArray();
        var rnd = new Random(n1 + n2);
        for (int s = 0; s < 600; s++)
        {
            int i = rnd.Next(n1), j = rnd.Next(cols);
            var (e, abs) = TraceReference(f1, f2 ?? f1, i, j);
            Assert.True(Math.Abs(theta[i * cols + j] - e) <= 1e-13 * abs + 1e-300, $"Θ[{i},{j}] = {theta[i * cols + j]:R}, expected {e:R}");
            if (n2 == 0) Assert.Equal(theta[i * cols + j], theta[j * cols + i]);
        }
    }

    [Fact]
    public void PerGroupOutputsAreBitwiseTheSameAsTileByTile()
    {
        var f = Features<double>(2 * T + 6, 52);
        var sequential = Run(f, null, full: false, workers: 1, outputs: Weights.Length);
        var parallel = Run(f, null, full: false, workers: 2, outputs: Weights.Length);
        for (int g = 0; g < Weights.Length; g++) AssertBitwiseEqual(sequential[g], parallel[g], $"group {g}");
    }

    [Fact]
    public void Float32KernelIsBitwiseTheSameAsTileByTileAndMatchesTheDoubleLoop()
    {
        var f = Features<float>(1040, 53);
        var g = Features<float>(600, 54);
        foreach (var f2 in new[] { null, g })
        {
            var sequential = Run(f, f2, full: false, workers: 1)[0];
            var parallel = Run(f, f2, full: false, workers: 2)[0];
            Assert.Equal(DType.Float32, parallel.DType);
            AssertBitwiseEqual(sequential, parallel, "float32");
            // The reference in float64 from the same (float32-rounded) features: float32 Grams agree to ~1e-5.
            var f64 = Widen(f);
            var g64 = f2 is null ? f64 : Widen(f2);
            int cols = f2?.Rows ?? f.Rows;
            var theta = parallel.ToFlatArray();
            var rnd = new Random(3);
            for (int s = 0; s < 200; s++)
            {
                int i = rnd.Next(f.Rows), j = rnd.Next(cols);
                var (e, abs) = TraceReference(f64, g64, i, j);
                Assert.True(Math.Abs(theta[i * cols + j] - e) <= 2e-5 * abs, $"Θ[{i},{j}] = {theta[i * cols + j]:R}, expected {e:R}");
            }
        }
    }

    private static NtkFeatures<double> Widen(NtkFeatures<float> f)
    {
        var layers = f.Layers.Select(l =>
        {
            var w = new LayerFeatures<double>(f.Rows, l.InputWidth, l.Width, f.Outputs, l.Form, l.BiasScale, l.HasBias, l.WeightGroup, l.BiasGroup);
            for (int i = 0; i < l.Inputs.Length; i++) w.Inputs[i] = l.Inputs[i];
            for (int i = 0; i < l.Deltas.Length; i++) w.Deltas[i] = l.Deltas[i];
            return w;
        }).ToArray();
        return new NtkFeatures<double>(f.Rows, f.Outputs, layers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(400)]
    public void FullKernelIsBitwiseTheSameAsTileByTileAndMatchesTheDoubleLoop(int n2)
    {
        // Full tiles are max(16, 512 / K) = 170 rows: 600 rows make 4 tile rows, the last ragged.
        const int n1 = 600;
        var f1 = FullFeatures(n1, 55);
        var f2 = n2 == 0 ? null : FullFeatures(n2, 56);
        var sequential = Run(f1, f2, full: true, workers: 1)[0];
        var parallel = Run(f1, f2, full: true, workers: 2)[0];
        AssertBitwiseEqual(sequential, parallel, "Full");
        var other = f2 ?? f1;
        int cols = other.Rows;
        var theta = parallel.ToFlatArray();
        var rnd = new Random(9);
        for (int s = 0; s < 300; s++)
        {
            int i = rnd.Next(n1), j = rnd.Next(cols), c = rnd.Next(K), c2 = rnd.Next(K);
            double e = 0, abs = 0;
            foreach (var (l1, l2) in f1.Layers.Zip(other.Layers))
            {
                double d, dAbs;
                if (l1.Form == DeltaForm.Unit) d = dAbs = c == c2 ? 1.0 : 0.0;
                else
                {
                    int n = l1.Width;
                    d = 0;
                    dAbs = 0;
                    for (int p = 0; p < n; p++)
                    {
                        double t = l1.Deltas[(i * K + c) * n + p] * l2.Deltas[(j * K + c2) * n + p];
                        d += t;
                        dAbs += Math.Abs(t);
                    }
                }
                double a = Dot(l1.Inputs, l2.Inputs, l1.InputWidth, i, j, out double aAbs);
                double wB = l1.HasBias ? Weights[l1.BiasGroup] * l1.BiasScale * l1.BiasScale : 0.0;
                e += d * (Weights[l1.WeightGroup] * a + wB);
                abs += dAbs * (Weights[l1.WeightGroup] * aAbs + wB);
            }
            double got = theta[((long)i * cols + j) * K * K + c * K + c2];
            Assert.True(Math.Abs(got - e) <= 1e-13 * abs + 1e-300, $"Θ[{i},{j},{c},{c2}] = {got:R}, expected {e:R}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void WithinOneTileTheFirstNonFiniteEntryInRowOrderIsReported(int outputs)
    {
        // One 512-row tile, split into a band per core for the Hadamard pass (which also scans for ∞/NaN). Deltas of
        // 1e160 in rows 100 and 400 make their delta Gram entries overflow only where both rows are among {100, 400}: the
        // lower triangle's first such entry in row order is (100, 100), a band before (400, 100). With x2 ≠ x1 (x2's
        // huge row 300), the first is (100, 300). Per-group outputs (7) scan the separate bias accumulators too.
        var f = Features<double>(512, 58);
        var g = Features<double>(512, 59);
        var l0 = f.Layers[0];
        for (int p = 0; p < l0.DeltaWidth; p++)
        {
            l0.Deltas[100 * l0.DeltaWidth + p] = 1e160;
            l0.Deltas[400 * l0.DeltaWidth + p] = 1e160;
            g.Layers[0].Deltas[300 * l0.DeltaWidth + p] = 1e160;
        }
        var sym = Assert.Throws<NonFiniteResultException>(() => Run(f, null, full: false, workers: 1, outputs));
        Assert.Equal((100, 100), (sym.Row, sym.Column));
        Assert.Contains("dense layer 1 of 4", sym.Message, StringComparison.Ordinal);
        var cross = Assert.Throws<NonFiniteResultException>(() => Run(f, g, full: false, workers: 1, outputs));
        Assert.Equal((100, 300), (cross.Row, cross.Column));
    }

    [Fact]
    public void TheFirstFailingTileInSequentialOrderIsReportedAsTileByTile()
    {
        // Deltas of 1e160 in rows T + 188 (tile row 1) and 2T + 26 (tile row 2): their Grams with ordinary rows stay
        // finite, with each other and themselves they overflow, in tiles (1, 1), (2, 1) and (2, 2). Tile by tile, (1, 1)
        // fails first and names row T + 188; parallel tiles run the off-diagonal (2, 1) first but must report the same tile.
        var f = Features<double>(2 * T + 76, 57);
        var l0 = f.Layers[0];
        for (int p = 0; p < l0.DeltaWidth; p++)
        {
            l0.Deltas[(T + 188) * l0.DeltaWidth + p] = 1e160;
            l0.Deltas[(2 * T + 26) * l0.DeltaWidth + p] = 1e160;
        }
        var expected = Assert.Throws<NonFiniteResultException>(() => Run(f, null, full: false, workers: 1));
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var actual = Assert.Throws<NonFiniteResultException>(() => Run(f, null, full: false, workers: 2));
            Assert.Equal(expected.Message, actual.Message);
            Assert.Equal(expected.Row, actual.Row);
            Assert.Equal(expected.Column, actual.Column);
        }
        Assert.Equal(T + 188, expected.Row);
    }

    [Fact]
    public void ProgressCountsEveryTileOnceInOrderAndCancellationStopsTheAssembly()
    {
        var f = Features<double>(3 * T + 52, 58);
        var reports = new List<NtkProgress>();
        Run(f, null, full: false, workers: 2, progress: new SyncProgress(reports.Add));
        Assert.Equal(10, reports.Count); // 4 tile rows (the last of 52): 10 tiles of the lower triangle
        for (int r = 0; r < reports.Count; r++)
        {
            Assert.Equal(r + 1, reports[r].Done);
            Assert.Equal(10, reports[r].Total);
        }

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Run(f, null, full: false, workers: 2, ct: cts.Token));
    }

    [Fact]
    public void ParallelTilesNeedALargeKernelAndTwoTilesPerCore()
    {
        int cores = Environment.ProcessorCount;
        Assert.Equal(1, NtkAssembler.TileWorkers(100, 1000, parallelTiles: true)); // too small a kernel
        Assert.Equal(1, NtkAssembler.TileWorkers(2 * cores - 1, 1L << 22, parallelTiles: true)); // too few tiles per core
        Assert.Equal(cores > 1 ? cores : 1, NtkAssembler.TileWorkers(2 * cores, 1L << 22, parallelTiles: true));
        Assert.Equal(1, NtkAssembler.TileWorkers(2 * cores, 1L << 22, parallelTiles: false));
    }

    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
