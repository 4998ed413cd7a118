using System.Numerics;

namespace NtkDsl.Kernels;

/// <summary>
/// Assembles the structured empirical NTK from per-layer features (math.md §2): for every tile of the output, per
/// layer one Gram of scaled inputs, one Gram of deltas (none for the output layer, the traced reduction for the last
/// hidden layer) and a Hadamard product. Symmetric kernels (x2 = x1) compute the lower triangle of tiles and mirror.
/// Tiles run one after another, each tile's products and passes split over the cores; a schedule that runs whole tiles
/// in parallel instead exists (see <see cref="ParallelTilesByDefault"/>) and gives the bitwise same result.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>
/// Overflow is an exception, never NaN output: the features of both batches are scanned once, every tile accumulator
/// after each layer's contribution and every float32 store, and the first ∞/NaN throws
/// <see cref="NonFiniteResultException"/> naming the layer, the stage and the rows.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class NtkAssembler
{
    /// <summary>Rows per output tile in Trace mode (the cost model's value, see CostCalculator.TraceTile).</summary>
    public const int TraceTile = NtkDsl.Costing.CostCalculator.TraceTile;

    /// <summary>Full mode's tiles hold max(16, FullTile / K) example rows.</summary>
    internal const int FullTile = NtkDsl.Costing.CostCalculator.FullTile;

    /// <summary>
    /// Computes one or more kernels. Parameter group g contributes to output <paramref name="groupOutput"/>[g] with weight
    /// <paramref name="groupWeight"/>[g]: all groups to output 0 gives the (weighted) NTK, group g to output g gives the
    /// per-group blocks. <paramref name="device"/> is the model's device: generated code reaches this method only for
    /// models on the CPU (a model constructed on a device computes its features and kernels there, through
    /// <see cref="Device.ModelBackend"/>), so a non-CPU device here is refused rather than computed on the host.
    /// </summary>
    /// <exception cref="NotSupportedException"><paramref name="device"/> is not the CPU.</exception>
    public static Tensor[] Assemble<T>(NtkFeatures<T> f1, NtkFeatures<T>? f2, NtkMode mode, int outputCount,
        int[] groupOutput, double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken cancellationToken, Device? device = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f1);
        ArgumentNullException.ThrowIfNull(groupOutput);
        ArgumentNullException.ThrowIfNull(groupWeight);
        long t0 = NtkPhaseTimes.Now();
        CheckFeatures(f1, "NTK", f2 is null ? "x" : "x1");
        if (f2 is not null) CheckFeatures(f2, "NTK", "x2");
        NtkPhaseTimes.Add(NtkPhaseTimes.Phase.CheckFeatures, t0);
        if (device is { IsCpu: false })
            throw new NotSupportedException(
                $"NtkAssembler.Assemble combines host features on the CPU; {device.Name} computes the NTK of a model constructed on it through its model backend " +
                "(the generated Ntk/NtkPerGroup/Wntk of that model). Pass Device.Cpu (or no device) here.");
        return mode switch
        {
            NtkMode.Diagonal or NtkMode.DiagonalFull => AssembleDiagonal(f1, mode == NtkMode.DiagonalFull, outputCount, groupOutput, groupWeight, progress, cancellationToken),
            _ => AssembleTiles(f1, f2, mode == NtkMode.Full, outputCount, groupOutput, groupWeight, progress, cancellationToken),
        };
    }

    /// <summary>
    /// Output elements (N1·N2·K² for Full) from which tiles run in parallel, one whole tile per core, when there are at
    /// least two tiles per core; smaller kernels split each tile's products and passes over the cores instead.
    /// </summary>
    internal const long TileParallelElements = 1L << 18;

    /// <summary>
    /// Whether large kernels run whole tiles in parallel by default: off. Measured on the loaded 2-core development box
    /// (`ntk-tiles-ab --rounds 7`, N = 2048 Trace, load ≈ 85): whole tiles in parallel took a median 1.045× the CPU time of
    /// tile by tile (each GEMM split over the cores), with 512-row tiles then. Packing halves; a likely but unverified reason it
    /// does not pay: one 512 × 512 tile's result (2 MB) plus its packed operands exceed one core's 2 MB L2, while a quarter
    /// tile fits (Trace tiles are now 1024 rows, which makes that worse). Set
    /// <c>NTKDSL_PARALLEL_TILES=1</c> to turn the parallel schedule on (to re-measure on a quiet machine); the kernel is
    /// bitwise the same either way.
    /// </summary>
    internal static readonly bool ParallelTilesByDefault = Environment.GetEnvironmentVariable("NTKDSL_PARALLEL_TILES") == "1";

    /// <summary>
    /// How many tiles run at once: with <see cref="ParallelTilesByDefault"/>, one per core for a large kernel with at
    /// least two tiles per core (each tile's GEMMs then pack their operands once, on one core, and no pass waits for the
    /// other cores), else 1 (each tile's work is split over the cores).
    /// </summary>
    internal static int TileWorkers(int tileCount, long outputElements) => TileWorkers(tileCount, outputElements, ParallelTilesByDefault);

    /// <summary><see cref="TileWorkers(int, long)"/> with the default schedule given.</summary>
    internal static int TileWorkers(int tileCount, long outputElements, bool parallelTiles)
    {
        int cores = Environment.ProcessorCount;
        return parallelTiles && cores > 1 && tileCount >= 2 * cores && outputElements >= TileParallelElements ? cores : 1;
    }

    /// <summary>
    /// The tiled Trace or Full assembly; <paramref name="workers"/> fixes how many tiles run at once (1: one after
    /// another, each split over the cores; 0: <see cref="TileWorkers(int, long)"/> decides). Internal so tests can compare both.
    /// </summary>
    internal static Tensor[] AssembleTiles<T>(NtkFeatures<T> f1, NtkFeatures<T>? f2In, bool full, int outputCount,
        int[] groupOutput, double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken ct, int workers = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool symmetric = f2In is null;
        var f2 = f2In ?? f1;
        int n1 = f1.Rows, n2 = f2.Rows, k = f1.Outputs;
        int block = full ? Math.Max(16, FullTile / k) : TraceTile;
        int kk = full ? k * k : 1;
        var dtype = ScalarType.Of<T>();
        var outputs = new Tensor[outputCount];
        for (int o = 0; o < outputCount; o++)
            outputs[o] = full ? Tensor.Zeros(dtype, n1, n2, k, k) : Tensor.Zeros(dtype, n1, n2);

        // The tiles in sequential order: the lower triangle row by row for a symmetric kernel, else every tile.
        int tiles1 = (n1 + block - 1) / block, tiles2 = (n2 + block - 1) / block;
        var tiles = new List<(int Bi, int Bj)>();
        for (int bi = 0; bi < tiles1; bi++)
            for (int bj = 0; bj < (symmetric ? bi + 1 : tiles2); bj++)
                tiles.Add((bi, bj));
        var plan = new TilePlan<T>(f1, f2, full, symmetric, block, k, kk, groupOutput, groupWeight, outputs);
        int threads = workers > 0 ? workers : TileWorkers(tiles.Count, (long)n1 * n2 * kk);
        long done = 0;
        if (threads == 1)
        {
            var scratch = new TileScratch<T>(outputCount, block, kk);
            foreach (var (bi, bj) in tiles)
            {
                ct.ThrowIfCancellationRequested();
                plan.Run(bi, bj, scratch, parallelInside: true);
                done++;
                progress?.Report(new NtkProgress("NTK tiles", done, tiles.Count));
            }
            return outputs;
        }
        return AssembleTilesInParallel(plan, tiles, threads, outputCount, block, kk, progress, ct);
    }

    /// <summary>
    /// Runs whole tiles on <paramref name="threads"/> cores, largest first, each worker with its own accumulators and
    /// Gram buffers and every product and pass of a tile on one core. The model's <c>Cost</c> (computed at compile time)
    /// counts one set of tile buffers; each further worker holds another (block²·(1 + K²·(outputs + 1)) values, 24 MB in
    /// Trace mode). Each
    /// output element is computed by the same operations as in the sequential order, so the kernel is bitwise the same.
    /// Errors behave as in the sequential order: the exception of the first failing tile in that order is rethrown
    /// (tiles after it are skipped; tiles before it all run). Progress is reported under a lock, one tile at a time.
    /// </summary>
    private static Tensor[] AssembleTilesInParallel<T>(TilePlan<T> plan, List<(int Bi, int Bj)> tiles, int threads, int outputCount,
        int block, int kk, IProgress<NtkProgress>? progress, CancellationToken ct)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Largest tiles first (diagonal tiles of a symmetric kernel are half a product, ragged ones smaller), so the
        // small ones fill in at the end; ties keep the sequential order.
        var order = Enumerable.Range(0, tiles.Count)
            .OrderByDescending(t => plan.Work(tiles[t].Bi, tiles[t].Bj)).ThenBy(t => t).ToArray();
        var gate = new object();
        int next = -1, firstFailed = int.MaxValue;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        long done = 0;
        var flops = FlopCounter.Fork();
        ParallelLoop.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            // A worker's buffers are allocated when it claims its first tile, on its own thread: a loop iteration that
            // starts after the others took every tile allocates nothing.
            TileScratch<T>? s = null;
            var counting = FlopCounter.Enter(flops);
            try
            {
                int q;
                while ((q = Interlocked.Increment(ref next)) < order.Length)
                {
                    int t = order[q];
                    if (t > Volatile.Read(ref firstFailed)) continue;
                    try
                    {
                        ct.ThrowIfCancellationRequested();
                        s ??= new TileScratch<T>(outputCount, block, kk);
                        plan.Run(tiles[t].Bi, tiles[t].Bj, s, parallelInside: false);
                    }
                    catch (Exception e)
                    {
                        lock (gate)
                            if (t < firstFailed)
                            {
                                firstFailed = t;
                                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                            }
                        continue;
                    }
                    lock (gate)
                    {
                        done++;
                        progress?.Report(new NtkProgress("NTK tiles", done, tiles.Count));
                    }
                }
            }
            finally
            {
                FlopCounter.Exit(counting);
            }
        });
        FlopCounter.Join(flops);
        failure?.Throw();
        return plan.Outputs;
    }

    /// <summary>One worker's tile buffers: an accumulator per output, the input Gram and the delta Gram.</summary>
    private sealed class TileScratch<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public TileScratch(int outputCount, int block, int kk)
        {
            Acc = new double[outputCount][];
            for (int o = 0; o < outputCount; o++) Acc[o] = new double[block * block * kk];
            Ga = new T[block * block];
            Gd = new T[block * block * kk];
        }

        public double[][] Acc { get; }
        public T[] Ga { get; }
        public T[] Gd { get; }
    }

    /// <summary>What every tile of one assembly shares: the features, the mode, the weights and the outputs.</summary>
    private sealed record TilePlan<T>(NtkFeatures<T> F1, NtkFeatures<T> F2, bool Full, bool Symmetric, int Block, int K, int Kk,
        int[] GroupOutput, double[] GroupWeight, Tensor[] Outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Relative work of tile (bi, bj): its area, halved for a diagonal tile of a symmetric kernel.</summary>
        public long Work(int bi, int bj)
        {
            long ti = Math.Min(Block, F1.Rows - bi * Block), tj = Math.Min(Block, F2.Rows - bj * Block);
            return Symmetric && bi == bj ? ti * tj / 2 : ti * tj;
        }

        /// <summary>
        /// Computes tile (bi, bj) into the outputs (and its mirror for a symmetric kernel). With
        /// <paramref name="parallelInside"/> its GEMMs and passes use every core, else only the calling thread.
        /// </summary>
        public void Run(int bi, int bj, TileScratch<T> s, bool parallelInside)
        {
            int i0 = bi * Block, ti = Math.Min(Block, F1.Rows - i0);
            int j0 = bj * Block, tj = Math.Min(Block, F2.Rows - j0);
            int maxThreads = parallelInside ? int.MaxValue : 1;
            var acc = s.Acc;
            foreach (var a in acc) Array.Clear(a, 0, ti * tj * Kk);
            for (int l = 0; l < F1.Layers.Length; l++)
            {
                var L1 = F1.Layers[l];
                var L2 = F2.Layers[l];
                double wW = GroupWeight[L1.WeightGroup];
                double wB = L1.HasBias ? GroupWeight[L1.BiasGroup] * L1.BiasScale * L1.BiasScale : 0.0;
                if (wW == 0 && wB == 0) continue;
                int m = L1.InputWidth;
                // A diagonal tile of a symmetric Trace kernel needs only its lower triangle (j ≤ i): its Grams are
                // SYRKs of one row block, half the work of the full products.
                bool lowerOnly = !Full && Symmetric && bi == bj;
                long tp = NtkPhaseTimes.Now();
                Gram(L1.Inputs, L2.Inputs, m, i0, ti, j0, tj, lowerOnly, s.Ga, maxThreads);
                NtkPhaseTimes.Add(NtkPhaseTimes.Phase.InputGram, tp);
                var accW = acc[GroupOutput[L1.WeightGroup]];
                var accB = L1.HasBias ? acc[GroupOutput[L1.BiasGroup]] : null;
                // With every group summed into one output the bias accumulator is the weight accumulator.
                bool checkB = accB is not null && !ReferenceEquals(accB, accW);
                if (Full)
                {
                    AccumulateFull(L1, L2, i0, ti, j0, tj, K, s.Ga, s.Gd, wW, wB, accW, accB, maxThreads);
                    tp = NtkPhaseTimes.Now();
                    CheckTile(accW, l, F1.Layers.Length, i0, ti, j0, tj, Kk);
                    if (checkB) CheckTile(accB!, l, F1.Layers.Length, i0, ti, j0, tj, Kk);
                    NtkPhaseTimes.Add(NtkPhaseTimes.Phase.CheckTile, tp);
                }
                else
                {
                    // The Trace pass scans each band of rows it has just accumulated (still in cache, on every core)
                    // and returns the first non-finite index of each accumulator: the same answer as a scan afterwards.
                    var (badW, badB) = AccumulateTrace(L1, L2, i0, ti, j0, tj, K, s.Ga, s.Gd, wW, wB, accW, accB, checkB, lowerOnly, maxThreads);
                    if (badW >= 0) ThrowTile(accW, badW, l, F1.Layers.Length, i0, j0, tj, Kk);
                    if (badB >= 0) ThrowTile(accB!, badB, l, F1.Layers.Length, i0, j0, tj, Kk);
                }
            }
            long tw = NtkPhaseTimes.Now();
            WriteTile(Outputs, acc, i0, ti, j0, tj, F2.Rows, K, Full, Symmetric && bi == bj, Symmetric && bi != bj, parallelInside);
            NtkPhaseTimes.Add(NtkPhaseTimes.Phase.WriteTile, tw);
        }
    }

    /// <summary>
    /// G[i, j] = ⟨a1[i0 + i], a2[j0 + j]⟩ for the ti × tj tile (row stride tj); with <paramref name="lowerOnly"/> (a1 = a2,
    /// i0 = j0) only j ≤ i is written, by a SYRK without the mirror.
    /// </summary>
    private static void Gram<T>(T[] a1, T[] a2, int width, int i0, int ti, int j0, int tj, bool lowerOnly, T[] g, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (lowerOnly)
            BlasEntry<T>.SyrkLower(GemmKernels.Best, ti, width, T.One, a1.AsSpan(i0 * width, ti * width), width, T.Zero, g, tj, maxThreads);
        else
            BlasEntry<T>.Gemm(GemmKernels.Best, Transpose.No, Transpose.Yes, ti, tj, width, T.One,
                a1.AsSpan(i0 * width, ti * width), width, a2.AsSpan(j0 * width, tj * width), width, T.Zero, g, tj, maxThreads);
    }

    /// <summary>
    /// accW += wW·G_in ⊙ G_δ and accB += wB·G_δ over the tile (G_δ = K for unit deltas); only j ≤ i when
    /// <paramref name="lowerOnly"/>. Rows are split over the cores when the tile is large; each band then scans the rows
    /// it has just updated for ∞/NaN. Returns the first non-finite index (row-major in the tile, −1 if none) of accW
    /// and, with <paramref name="checkB"/>, of accB — what a scan of each whole accumulator afterwards finds, since
    /// the bands cover every row and entries no layer wrote stay zero.
    /// </summary>
    private static (int BadW, int BadB) AccumulateTrace<T>(LayerFeatures<T> L1, LayerFeatures<T> L2, int i0, int ti, int j0, int tj, int k,
        T[] ga, T[] gd, double wW, double wB, double[] accW, double[]? accB, bool checkB, bool lowerOnly, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool unit = L1.Form == DeltaForm.Unit;
        if (!unit)
        {
            int dw = L1.DeltaWidth;
            long tg = NtkPhaseTimes.Now();
            Gram(L1.Deltas, L2.Deltas, dw, i0, ti, j0, tj, lowerOnly, gd, maxThreads);
            NtkPhaseTimes.Add(NtkPhaseTimes.Phase.DeltaGram, tg);
        }
        long th = NtkPhaseTimes.Now();
        int badW = int.MaxValue, badB = int.MaxValue;
        TileRows.For(ti, tj, maxThreads > 1, (r0, r1) =>
        {
            for (int i = r0; i < r1; i++)
            {
                int p0 = i * tj, p1 = p0 + (lowerOnly ? i + 1 : tj);
                if (unit) TileMath.AddScaled(accW, accB, p0, p1, ga, k, wW, wB);
                else TileMath.AddHadamard(accW, accB, p0, p1, ga, gd, wW, wB);
            }
            LowerTo(ref badW, FirstNonFinite(accW, r0 * tj, (r1 - r0) * tj));
            if (checkB) LowerTo(ref badB, FirstNonFinite(accB!, r0 * tj, (r1 - r0) * tj));
        });
        NtkPhaseTimes.Add(NtkPhaseTimes.Phase.Hadamard, th);
        return (badW == int.MaxValue ? -1 : badW, badB == int.MaxValue ? -1 : badB);
    }

    /// <summary>start + the first non-finite index in acc[start .. start + count), or −1.</summary>
    private static int FirstNonFinite(double[] acc, int start, int count)
    {
        int bad = FiniteChecks.IndexOfNonFinite<double>(acc.AsSpan(start, count));
        return bad < 0 ? -1 : start + bad;
    }

    /// <summary>target = min(target, value) for value ≥ 0, atomically (bands finish in any order).</summary>
    private static void LowerTo(ref int target, int value)
    {
        if (value < 0) return;
        int seen;
        while (value < (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private static void AccumulateFull<T>(LayerFeatures<T> L1, LayerFeatures<T> L2, int i0, int ti, int j0, int tj, int k,
        T[] ga, T[] gd, double wW, double wB, double[] accW, double[]? accB, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (L1.Form)
        {
            case DeltaForm.General:
            {
                int n = L1.Width;
                // Rows of the General deltas are (example, output) pairs of width n.
                long tg = NtkPhaseTimes.Now();
                BlasEntry<T>.Gemm(GemmKernels.Best, Transpose.No, Transpose.Yes, ti * k, tj * k, n, T.One,
                    L1.Deltas.AsSpan(i0 * k * n, ti * k * n), n, L2.Deltas.AsSpan(j0 * k * n, tj * k * n), n, T.Zero, gd, tj * k, maxThreads);
                NtkPhaseTimes.Add(NtkPhaseTimes.Phase.DeltaGram, tg);
                for (int i = 0; i < ti; i++)
                    for (int j = 0; j < tj; j++)
                    {
                        double s = wW * double.CreateTruncating(ga[i * tj + j]);
                        int baseIdx = (i * tj + j) * k * k;
                        for (int c = 0; c < k; c++)
                            for (int c2 = 0; c2 < k; c2++)
                            {
                                double d = double.CreateTruncating(gd[(i * k + c) * (tj * k) + j * k + c2]);
                                accW[baseIdx + c * k + c2] += s * d;
                                if (accB is not null) accB[baseIdx + c * k + c2] += wB * d;
                            }
                    }
                break;
            }
            case DeltaForm.Unit:
            case DeltaForm.Diagonal:
            {
                bool unit = L1.Form == DeltaForm.Unit;
                for (int i = 0; i < ti; i++)
                    for (int j = 0; j < tj; j++)
                    {
                        double s = wW * double.CreateTruncating(ga[i * tj + j]);
                        int baseIdx = (i * tj + j) * k * k;
                        for (int c = 0; c < k; c++)
                        {
                            double d = unit ? 1.0 : double.CreateTruncating(L1.Deltas[(i0 + i) * k + c]) * double.CreateTruncating(L2.Deltas[(j0 + j) * k + c]);
                            accW[baseIdx + c * k + c] += s * d;
                            if (accB is not null) accB[baseIdx + c * k + c] += wB * d;
                        }
                    }
                break;
            }
            default:
                throw new InvalidOperationException("Full-mode NTK needs General deltas; the traced reduction cannot produce off-diagonal output pairs.");
        }
    }

    private static void WriteTile(Tensor[] outputs, double[][] acc, int i0, int ti, int j0, int tj, int n2, int k, bool full, bool diagonalTile, bool mirror,
        bool parallel)
    {
        if (!full && Array.TrueForAll(outputs, o => o.DType == DType.Float64))
        {
            for (int o = 0; o < outputs.Length; o++)
                WriteTraceTile(outputs[o].F64, acc[o], i0, ti, j0, tj, n2, 1.0 / k, diagonalTile, mirror || diagonalTile, parallel);
            return;
        }
        int kk = full ? k * k : 1;
        double scale = full ? 1.0 : 1.0 / k;
        for (int o = 0; o < outputs.Length; o++)
        {
            var a = acc[o];
            var t = outputs[o];
            for (int i = 0; i < ti; i++)
            {
                int jEnd = diagonalTile ? i + 1 : tj;
                for (int j = 0; j < jEnd; j++)
                {
                    for (int c = 0; c < kk; c++)
                    {
                        double v = a[(i * tj + j) * kk + c] * scale;
                        long idx = ((long)(i0 + i) * n2 + (j0 + j)) * kk + c;
                        Set(t, idx, v);
                        if (mirror || (diagonalTile && j != i))
                        {
                            int cT = full ? (c % k) * k + c / k : 0;
                            Set(t, ((long)(j0 + j) * n2 + (i0 + i)) * kk + cT, v);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes a float64 Trace tile: t[i0 + i, j0 + j] = scale·a[i, j] (j ≤ i on a diagonal tile), and with
    /// <paramref name="mirror"/> also t[j0 + j, i0 + i] (j &lt; i on a diagonal tile). The mirror is written in bands of
    /// 16 output rows, so both the tile and the kernel are walked along rows.
    /// </summary>
    private static void WriteTraceTile(double[] t, double[] a, int i0, int ti, int j0, int tj, int n2, double scale, bool diagonalTile, bool mirror,
        bool parallel)
    {
        TileRows.For(ti, tj, parallel, (r0, r1) =>
        {
            for (int i = r0; i < r1; i++)
            {
                int jEnd = diagonalTile ? i + 1 : tj;
                var src = a.AsSpan(i * tj, jEnd);
                var dst = t.AsSpan((int)((long)(i0 + i) * n2 + j0), jEnd);
                for (int j = 0; j < src.Length; j++) dst[j] = src[j] * scale;
            }
        });
        if (!mirror) return;
        const int band = 16;
        int bands = (tj + band - 1) / band;
        TileRows.For(bands, band * ti, parallel, (b0, b1) =>
        {
            for (int jb = b0 * band; jb < Math.Min(tj, b1 * band); jb += band)
            {
                int jw = Math.Min(band, tj - jb);
                for (int i = diagonalTile ? jb + 1 : 0; i < ti; i++)
                {
                    int jEnd = diagonalTile ? Math.Min(jw, i - jb) : jw;
                    long col = i0 + i;
                    for (int j = 0; j < jEnd; j++) t[(long)(j0 + jb + j) * n2 + col] = a[i * tj + jb + j] * scale;
                }
            }
        });
    }

    private static void Set(Tensor t, long idx, double v)
    {
        if (t.DType == DType.Float64) t.F64[idx] = v;
        else
        {
            float f = (float)v;
            if (float.IsInfinity(f))
                throw new NonFiniteResultException("NTK (Float32 result): an entry of " + v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) + " exceeds the float32 range",
                    (int)(idx / Math.Max(1, t.Length / Math.Max(1, t.Rows))), -1, f);
            t.F32[idx] = f;
        }
    }

    /// <summary>Scans every layer's scaled inputs and deltas of one batch (O(N·Σ widths), once per call).</summary>
    internal static void CheckFeatures<T>(NtkFeatures<T> f, string what, string batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int l = 0; l < f.Layers.Length; l++)
        {
            var L = f.Layers[l];
            int bad = FirstNonFinite(L.Inputs);
            if (bad >= 0)
                throw new NonFiniteResultException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{what}: the inputs of dense layer {l + 1} of {f.Layers.Length} (the previous layer's activations for {batch}; the forward pass overflowed)"),
                    bad / Math.Max(1, L.InputWidth), bad % Math.Max(1, L.InputWidth), double.CreateTruncating(L.Inputs[bad]));
            if (L.Form == DeltaForm.Unit) continue;
            bad = FirstNonFinite(L.Deltas);
            if (bad >= 0)
            {
                int perRow = Math.Max(1, L.Deltas.Length / Math.Max(1, f.Rows));
                throw new NonFiniteResultException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{what}: the backpropagated deltas ∂f/∂h of dense layer {l + 1} of {f.Layers.Length} for {batch} (the backward pass overflowed)"),
                    bad / perRow, -1, double.CreateTruncating(L.Deltas[bad]));
            }
        }
    }

    /// <summary>Values per chunk of the parallel ∞/NaN scan of a feature array (smaller arrays are scanned on this thread).</summary>
    internal const int ScanChunk = 1 << 18;

    /// <summary>
    /// The first index of a non-finite value in <paramref name="a"/>, or −1: the same answer as one sequential scan, with
    /// large arrays (the per-output deltas are N·K·width values) scanned in chunks on every core.
    /// </summary>
    internal static int FirstNonFinite<T>(T[] a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < 2 * ScanChunk || Environment.ProcessorCount < 2) return FiniteChecks.IndexOfNonFinite<T>(a);
        int chunks = (a.Length + ScanChunk - 1) / ScanChunk;
        int first = int.MaxValue;
        ParallelLoop.For(0, chunks, c =>
        {
            int start = c * ScanChunk;
            if (start > Volatile.Read(ref first)) return; // an earlier chunk already failed
            int bad = FiniteChecks.IndexOfNonFinite<T>(a.AsSpan(start, Math.Min(ScanChunk, a.Length - start)));
            if (bad < 0) return;
            int index = start + bad, seen;
            while (index < (seen = Volatile.Read(ref first)) && Interlocked.CompareExchange(ref first, index, seen) != seen) { }
        });
        return first == int.MaxValue ? -1 : first;
    }

    /// <summary>Throws if a tile accumulator became non-finite after layer l's Gram products.</summary>
    private static void CheckTile(double[] acc, int l, int layers, int i0, int ti, int j0, int tj, int kk)
    {
        int bad = FiniteChecks.IndexOfNonFinite<double>(acc.AsSpan(0, ti * tj * kk));
        if (bad >= 0) ThrowTile(acc, bad, l, layers, i0, j0, tj, kk);
    }

    /// <summary>Throws for the non-finite accumulator entry <paramref name="bad"/> after layer l's Gram products.</summary>
    private static void ThrowTile(double[] acc, int bad, int l, int layers, int i0, int j0, int tj, int kk)
    {
        int p = bad / kk;
        throw new NonFiniteResultException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"NTK: the Gram products of dense layer {l + 1} of {layers} (scaled inputs · deltas, summed over that layer's parameters)"),
            i0 + p / tj, j0 + p % tj, acc[bad]);
    }

    private static Tensor[] AssembleDiagonal<T>(NtkFeatures<T> f, bool full, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken ct)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = f.Rows, k = f.Outputs, kk = full ? k * k : 1;
        var dtype = ScalarType.Of<T>();
        var outputs = new Tensor[outputCount];
        for (int o = 0; o < outputCount; o++) outputs[o] = full ? Tensor.Zeros(dtype, n, k, k) : Tensor.Zeros(dtype, n);
        var acc = new double[outputCount][];
        for (int o = 0; o < outputCount; o++) acc[o] = new double[kk];
        for (int i = 0; i < n; i++)
        {
            if ((i & 255) == 0) ct.ThrowIfCancellationRequested();
            foreach (var a in acc) Array.Clear(a);
            foreach (var L in f.Layers)
            {
                double wW = groupWeight[L.WeightGroup];
                double wB = L.HasBias ? groupWeight[L.BiasGroup] * L.BiasScale * L.BiasScale : 0.0;
                double sa = Dot(L.Inputs.AsSpan(i * L.InputWidth, L.InputWidth), L.Inputs.AsSpan(i * L.InputWidth, L.InputWidth));
                var accW = acc[groupOutput[L.WeightGroup]];
                var accB = L.HasBias ? acc[groupOutput[L.BiasGroup]] : null;
                if (full)
                {
                    for (int c = 0; c < k; c++)
                        for (int c2 = 0; c2 < k; c2++)
                        {
                            double d = DeltaProduct(L, i, k, c, c2);
                            accW[c * k + c2] += wW * sa * d;
                            if (accB is not null) accB[c * k + c2] += wB * d;
                        }
                }
                else
                {
                    double d = TracedDeltaProduct(L, i, k);
                    accW[0] += wW * sa * d;
                    if (accB is not null) accB[0] += wB * d;
                }
                double sum = 0; // ∞/NaN anywhere makes the sum non-finite
                for (int c = 0; c < kk; c++) sum += accW[c] * 0.0 + (accB is null ? 0.0 : accB[c] * 0.0);
                if (!double.IsFinite(sum))
                    throw new NonFiniteResultException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"NTK diagonal: the products of dense layer {Array.IndexOf(f.Layers, L) + 1} of {f.Layers.Length} (|scaled inputs|² · |deltas|²)"), i, -1, sum);
            }
            for (int o = 0; o < outputCount; o++)
                for (int c = 0; c < kk; c++)
                    Set(outputs[o], (long)i * kk + c, full ? acc[o][c] : acc[o][c] / k);
            if (progress is not null && (i % 1024 == 1023 || i == n - 1)) progress.Report(new NtkProgress("NTK diagonal", i + 1, n));
        }
        return outputs;
    }

    private static double DeltaProduct<T>(LayerFeatures<T> L, int i, int k, int c, int c2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (L.Form)
        {
            case DeltaForm.Unit: return c == c2 ? 1.0 : 0.0;
            case DeltaForm.Diagonal:
                return c == c2 ? Sq(double.CreateTruncating(L.Deltas[i * k + c])) : 0.0;
            case DeltaForm.General:
            {
                int n = L.Width;
                return Dot(L.Deltas.AsSpan((i * k + c) * n, n), L.Deltas.AsSpan((i * k + c2) * n, n));
            }
            default:
                throw new InvalidOperationException("DiagonalFull needs per-output deltas; the traced reduction only knows Σ_c⟨δ_c, δ_c⟩.");
        }
    }

    /// <summary>Σ_c ⟨δ_c(x_i), δ_c(x_i)⟩ in every storage form (Unit: K; Diagonal: Σ g²; Reduced: ‖r‖²; General: ‖δ‖²_F).</summary>
    private static double TracedDeltaProduct<T>(LayerFeatures<T> L, int i, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (L.Form == DeltaForm.Unit) return k;
        var row = L.Deltas.AsSpan(i * L.DeltaWidth, L.DeltaWidth);
        return Dot<T>(row, row);
    }

    private static double Sq(double x) => x * x;

    private static double Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += double.CreateTruncating(a[i]) * double.CreateTruncating(b[i]);
        return s;
    }
}
