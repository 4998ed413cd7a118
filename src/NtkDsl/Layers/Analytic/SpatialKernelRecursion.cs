using System.Collections.Concurrent;
using System.Globalization;
using NtkDsl.Analytic;

namespace NtkDsl.Layers.Analytic;

/// <summary>
/// Infinite-width NNGP, NTK and weighted NTK of a network of Conv2D, AvgPool2D, GlobalAvgPool, Flatten, Add, LayerNorm
/// and Dense layers on H × W × C images (issue 14): the pixel-pair covariance recursion of Novak et al. 2019
/// ("Bayesian deep convolutional networks with many channels are Gaussian processes", §2) and Arora et al. 2019
/// ("On exact computation with an infinitely wide neural net", §4 CNTK), with neural-tangents' conventions (stax:
/// channel-mean input covariance, fan-in k²·C_in, full-window normalization of padded windows, Flatten keeps the pixel
/// diagonal, GlobalAvgPool the mean of all pixel pairs). The layer rules are documented on
/// <see cref="PixelPairRecursion"/>.
/// </summary>
/// <remarks>
/// <para><b>Cost.</b> Per example pair, each layer costs O((H·W)²·k) for a k × k convolution (the window sum is
/// separable) plus one dual activation per pixel pair; memory per worker thread is a few (H·W)² matrices per held
/// tensor (<see cref="PixelPairRecursion.Bytes"/>). Fast paths (each tested against the general rule): leading
/// AvgPool2D layers are applied to each example once (<see cref="SpatialKernelPlan.InputPoolSteps"/>), the window sums
/// add contiguous runs (<see cref="WindowRuns"/>), the first layer skips the window sum of the zero input NTK, and
/// ReLU, leaky ReLU and |x| evaluate their duals a row of pixel pairs at a time in SIMD registers
/// (<see cref="PiecewiseLinearDualRow"/>). First every example runs the recursion against itself (its
/// <see cref="ExampleTrace"/>: the variances the duals need, the means, K(x, x), Θ(x, x)); then the pairs, tile by tile
/// of examples, in parallel.</para>
/// <para><b>Exact diagonal.</b> Pairs of bitwise-equal inputs (the diagonal of a symmetric call, duplicates, x2 a copy
/// of x1) take the trace's value, so Kernel(x)[i, i] equals Diagonal(x)[i] bit for bit; inside every pair, the pixel
/// pairs of the same example and pixel see c = q exactly, the condition of the duals' exact diagonal.</para>
/// <para><b>Quadrature activations.</b> The trace of an example tabulates its own duals (a <see cref="DualSeries"/> over
/// its H·W variances); the pairs use one table per layer and tile of examples, the tile sized so the tables stay under
/// <see cref="TableBudgetBytes"/>.</para>
/// </remarks>
internal static class SpatialKernelRecursion
{
    /// <summary>Memory allowed for the DualSeries tables of one tile (both sides, all quadrature layers).</summary>
    public const long TableBudgetBytes = 256L << 20;

    private const long TableBytesPerVariance = 8L * (2 * DualSeries.Terms + 12);

    /// <summary>
    /// The kernel N1 × N2 between the rows of <paramref name="x1"/> and of <paramref name="x2"/> (x1 when null):
    /// the NNGP (<paramref name="ntk"/> false) or the weighted NTK Σ_g w_g Θ^g (the NTK for unit weights).
    /// </summary>
    /// <param name="layers">The layer specs (the last a Dense layer of one or more units; the kernel is per output).</param>
    /// <param name="inputShape">{ H, W, C }; each input row holds H·W·C values, NHWC.</param>
    /// <param name="parameterization">NTK or standard (docs/math.md §1).</param>
    /// <param name="x1">N1 × H·W·C inputs (float64 or float32, finite).</param>
    /// <param name="x2">N2 × H·W·C inputs, or null for x1 (symmetric).</param>
    /// <param name="groupWeight">One finite weight ≥ 0 per parameter group in <see cref="ModelInfo.Groups"/> order.</param>
    /// <param name="ntk">NTK (true) or NNGP (false; the weights are then ignored).</param>
    /// <param name="progress">Reports "Analytic CNTK traces" (examples) and "Analytic CNTK pairs" (example pairs).</param>
    /// <param name="cancellationToken">Cancels between pairs and layers.</param>
    /// <param name="model">The model name for messages.</param>
    /// <exception cref="ArgumentException">A bad shape, non-finite input or bad group weights.</exception>
    /// <exception cref="NonFiniteResultException">The recursion overflowed.</exception>
    /// <exception cref="Memory.NotEnoughMemoryException">The result and buffers do not fit.</exception>
    /// <exception cref="DualActivationException">A quadrature activation cannot be integrated at some variance.</exception>
    public static Tensor Kernel(IReadOnlyList<LayerSpec> layers, IReadOnlyList<int> inputShape, Parameterization parameterization,
        Tensor x1, Tensor? x2, double[] groupWeight, bool ntk, IProgress<NtkProgress>? progress, CancellationToken cancellationToken,
        string model = nameof(SpatialNetwork))
    {
        var plan = Check(layers, inputShape, parameterization, x1, x2, groupWeight, model);
        int n1 = x1.Rows, n2 = x2?.Rows ?? n1;
        bool symmetric = x2 is null;
        int threads = Math.Max(1, Environment.ProcessorCount);
        long traceBytes = TraceBytes(plan) * (n1 + (symmetric ? 0 : n2));
        Memory.MemoryBudget.Ensure((long)n1 * n2 * 8 + traceBytes + threads * PixelPairRecursion.Bytes(plan), model + ".AnalyticNtk",
            string.Create(CultureInfo.InvariantCulture, $"the {n1} × {n2} infinite-width kernel (float64) with the per-example traces and {threads} workers' pixel-pair matrices ((H·W)² = {(long)plan.PairPixels * plan.PairPixels} entries each)"),
            "AnalyticNtkDiagonal gives Θ(x_i, x_i) alone in O(N).");
        var pool = new ConcurrentBag<PixelPairRecursion>();
        var t1 = Traces(plan, x1, groupWeight, pool, progress, cancellationToken);
        var t2 = symmetric ? t1 : Traces(plan, x2!, groupWeight, pool, progress, cancellationToken);
        var hash1 = Hashes(t1);
        var hash2 = symmetric ? hash1 : Hashes(t2);
        var result = new double[(long)n1 * n2];
        int tile = TileSize(plan, Math.Max(n1, n2));
        long total = symmetric ? (long)n1 * (n1 + 1) / 2 : (long)n1 * n2, done = 0;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        bool flat = FlatPairRecursion.Applies(plan); // Dense layers on a flat input: the scalar form of the same recursion
        for (int r0 = 0; r0 < n1; r0 += tile)
        {
            int rows = Math.Min(tile, n1 - r0);
            for (int c0 = 0; c0 < n2 && (!symmetric || c0 <= r0); c0 += tile)
            {
                int cols = Math.Min(tile, n2 - c0);
                var tables = Tables(plan, t1, r0, rows, t2, c0, cols, cancellationToken);
                long count = (long)rows * cols;
                global::NtkDsl.Kernels.ParallelLoop.Run(() => Parallel.For(0L, count, options, () => Rent(pool, plan), (index, _, run) =>
                {
                    int i = r0 + (int)(index / cols), j = c0 + (int)(index % cols);
                    if (symmetric && j > i) return run;
                    var a = t1[i];
                    var b = t2[j];
                    double v;
                    if (hash1[i] == hash2[j] && a.Input.AsSpan().SequenceEqual(b.Input)) v = ntk ? a.Ntk : a.Nngp; // x = x': the trace, exactly
                    else if (flat)
                    {
                        FlatPairRecursion.Run(plan, a, b, groupWeight, tables, i - r0, j - c0, out double k, out double t);
                        v = ntk ? t : k;
                    }
                    else
                    {
                        run.Run(a, b, false, groupWeight, tables, i - r0, j - c0, cancellationToken, out double k, out double t);
                        v = ntk ? t : k;
                    }
                    result[(long)i * n2 + j] = v;
                    if (symmetric) result[(long)j * n2 + i] = v;
                    return run;
                }, pool.Add));
                done += symmetric && c0 == r0 ? (long)rows * (rows + 1) / 2 : count;
                progress?.Report(new NtkProgress("Analytic CNTK pairs", done, total));
            }
        }
        FiniteChecks.Block<double>(result, n2, model + ": infinite-width kernel recursion (pixel-pair covariances)");
        return Tensor.Wrap(result, n1, n2);
    }

    /// <summary>
    /// The plan and the argument checks of <see cref="Kernel"/> (shapes, NaN/∞, group weights), in its order and with its
    /// messages: a device backend runs them before anything reaches the device.
    /// </summary>
    public static SpatialKernelPlan Check(IReadOnlyList<LayerSpec> layers, IReadOnlyList<int> inputShape, Parameterization parameterization,
        Tensor x1, Tensor? x2, double[] groupWeight, string model = nameof(SpatialNetwork))
    {
        var plan = new SpatialKernelPlan(layers, inputShape, parameterization, model);
        CheckInput(plan, x1, nameof(x1));
        if (x2 is not null) CheckInput(plan, x2, nameof(x2));
        ArgumentNullException.ThrowIfNull(groupWeight);
        AnalyticMlp.CheckWeights(groupWeight, plan.GroupCount);
        return plan;
    }

    /// <summary>K(x_i, x_i) or Θ(x_i, x_i) (unit group weights) for every row: a vector of N, equal bit for bit to the diagonal of <see cref="Kernel"/>.</summary>
    public static Tensor Diagonal(IReadOnlyList<LayerSpec> layers, IReadOnlyList<int> inputShape, Parameterization parameterization,
        Tensor x, bool ntk, string model = nameof(SpatialNetwork))
    {
        var plan = CheckDiagonal(layers, inputShape, parameterization, x, model);
        var ones = Enumerable.Repeat(1.0, plan.GroupCount).ToArray();
        var traces = Traces(plan, x, ones, new ConcurrentBag<PixelPairRecursion>(), null, CancellationToken.None);
        var result = traces.Select(t => ntk ? t.Ntk : t.Nngp).ToArray();
        FiniteChecks.Block<double>(result, 1, model + ": infinite-width kernel diagonal (pixel-pair covariances)");
        return Tensor.Wrap(result, result.Length);
    }

    /// <summary>The plan and the argument check of <see cref="Diagonal"/>, with its message: a device backend runs it before anything reaches the device.</summary>
    public static SpatialKernelPlan CheckDiagonal(IReadOnlyList<LayerSpec> layers, IReadOnlyList<int> inputShape, Parameterization parameterization,
        Tensor x, string model = nameof(SpatialNetwork))
    {
        var plan = new SpatialKernelPlan(layers, inputShape, parameterization, model);
        CheckInput(plan, x, nameof(x));
        return plan;
    }

    /// <summary>Parameter groups of the plan (weights, then bias, per Conv2D/Dense layer).</summary>
    public static int GroupCount(IReadOnlyList<LayerSpec> layers, IReadOnlyList<int> inputShape, Parameterization parameterization) =>
        new SpatialKernelPlan(layers, inputShape, parameterization, nameof(SpatialNetwork)).GroupCount;

    private static void CheckInput(SpatialKernelPlan plan, Tensor? x, string argument)
    {
        if (x is not null && x.Rank == 2 && x.Columns != plan.Features)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{plan.Model}: {argument} has {x.Columns} features per row but the input shape {plan.InH} × {plan.InW} × {plan.InC} needs {plan.Features} (H·W·C values per row, channels last)."), argument);
        InputChecks.Features(x, plan.Features, x?.DType ?? DType.Float64, plan.Model, argument);
    }

    private static ExampleTrace[] Traces(SpatialKernelPlan plan, Tensor x, double[] gw, ConcurrentBag<PixelPairRecursion> pool,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
    {
        int n = x.Rows, d = plan.Features;
        double[] flat = x.ToFlatArray();
        var traces = new ExampleTrace[n];
        long done = 0;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        global::NtkDsl.Kernels.ParallelLoop.Run(() => Parallel.For(0, n, options, () => Rent(pool, plan), (i, _, run) =>
        {
            var t = new ExampleTrace(flat.AsSpan(i * d, d).ToArray(), plan.Steps.Count);
            try
            {
                run.Run(t, t, true, gw, null, 0, 0, cancellationToken, out double _, out double _);
            }
            catch (NonFiniteResultException e) when (e.Row < 0)
            {
                throw new NonFiniteResultException(e.Stage, i, e.Column, e.Value);
            }
            traces[i] = t;
            if (progress is not null)
            {
                long k = Interlocked.Increment(ref done);
                if (k % 16 == 0 || k == n) progress.Report(new NtkProgress("Analytic CNTK traces", k, n));
            }
            return run;
        }, pool.Add));
        return traces;
    }

    private static PixelPairRecursion Rent(ConcurrentBag<PixelPairRecursion> pool, SpatialKernelPlan plan) =>
        pool.TryTake(out var run) ? run : new PixelPairRecursion(plan);

    private static int[] Hashes(ExampleTrace[] traces)
    {
        var h = new int[traces.Length];
        for (int i = 0; i < h.Length; i++) h[i] = ExactRowHash.Of(traces[i].Input);
        return h;
    }

    private static long TraceBytes(SpatialKernelPlan plan) =>
        8L * (plan.Features + plan.InH * plan.InW + plan.Steps.Sum(s => 3L * s.OutPixels)) + 256;

    /// <summary>Examples per tile: all of them without quadrature layers, else as many as keep the tables under <see cref="TableBudgetBytes"/>.</summary>
    private static int TileSize(SpatialKernelPlan plan, int n)
    {
        long perExample = plan.Steps.Where(s => s.UsesTable).Sum(s => (long)s.OutPixels) * TableBytesPerVariance * 2;
        if (perExample == 0) return Math.Max(n, 1);
        return (int)Math.Clamp(TableBudgetBytes / perExample, 1, Math.Max(n, 1));
    }

    private static DualSeries?[]? Tables(SpatialKernelPlan plan, ExampleTrace[] t1, int r0, int rows, ExampleTrace[] t2, int c0, int cols,
        CancellationToken cancellationToken)
    {
        if (!plan.Steps.Any(s => s.UsesTable)) return null;
        var tables = new DualSeries?[plan.Steps.Count];
        for (int s = 0; s < tables.Length; s++)
        {
            var step = plan.Steps[s];
            if (!step.UsesTable) continue;
            tables[s] = DualSeries.Build(step.Activation!.Engine!, Concat(t1, r0, rows, s), Concat(t2, c0, cols, s), true, cancellationToken);
        }
        return tables;
    }

    private static double[] Concat(ExampleTrace[] t, int start, int count, int step)
    {
        int n = t[start].Variance[step]!.Length;
        var q = new double[(long)count * n];
        for (int i = 0; i < count; i++) t[start + i].Variance[step]!.CopyTo(q, (long)i * n);
        return q;
    }
}
