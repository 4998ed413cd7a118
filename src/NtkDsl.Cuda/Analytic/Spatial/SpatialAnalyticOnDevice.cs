using System.Globalization;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;

namespace NtkDsl.Cuda.Analytic.Spatial;

/// <summary>
/// The infinite-width NNGP/NTK/WNTK of a model on the SpatialNetwork engine (InputShape: Conv2D, AvgPool2D,
/// GlobalAvgPool, Flatten, Add, LayerNorm, Dense; or width-less) on a <see cref="CudaDevice"/> (issue 12), following the
/// CPU's <c>SpatialKernelRecursion.Kernel</c> step for step: first every example's trace (the recursion of (x, x): its
/// variances, means and own kernel values), then the example pairs — the pairs of bitwise-equal inputs take the trace's
/// value (the CPU's exact-diagonal rule), every other pair runs <see cref="DevicePixelPairRecursion"/> in batches sized
/// to the device's free memory, and the batch's values go straight into the host result (symmetric calls compute j ≤ i
/// and mirror). Progress: "Analytic CNTK traces" and "Analytic CNTK pairs", as on the CPU; cancellation between batches
/// and layers.
/// </summary>
internal static class SpatialAnalyticOnDevice
{
    /// <summary>At most this many pairs per batch (bounds a launch's grid and the host staging arrays).</summary>
    public const int MaxBatch = 1 << 14;

    /// <summary>The share of the device's free memory (after the traces) a batch may use.</summary>
    public const double FreeFraction = 0.8;

    /// <summary>The kernel; the arguments are already checked as the CPU checks them (SpatialNetwork.Analytic).</summary>
    /// <exception cref="CudaOutOfMemoryException">Not even one pair's pixel-pair matrices fit beside the traces.</exception>
    /// <exception cref="NonFiniteResultException">A variance or the result overflowed (the CPU's stages and messages).</exception>
    public static Tensor Compute(CudaDevice device, AnalyticPlan plan, string cudaSource, Tensor x1, Tensor? x2, double[] groupWeight, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken, int maxBatch = MaxBatch)
    {
        int n1 = x1.Rows, n2 = x2?.Rows ?? n1, d = plan.Features;
        bool symmetric = x2 is null;
        global::NtkDsl.Memory.MemoryBudget.Ensure((long)n1 * n2 * 8, plan.Model + ".AnalyticNtk",
            string.Create(CultureInfo.InvariantCulture, $"the {n1} × {n2} infinite-width kernel (float64) in host memory"),
            "AnalyticNtkDiagonal gives Θ(x_i, x_i) alone in O(N).");
        var runtime = device.Compile(PixelPairSource.Text);
        var model = device.Compile(cudaSource);
        var result = new double[(long)n1 * n2];
        EnsureTracesFit(device, plan, n1, symmetric ? null : n2);
        using var t1 = new ExampleTraces(device, plan, x1.ToFlatArray(), n1);
        using var t2 = symmetric ? null : new ExampleTraces(device, plan, x2!.ToFlatArray(), n2);
        long need = symmetric ? (long)n1 * (n1 + 1) / 2 : (long)n1 * n2;
        int batch = BatchSize(device, plan, Math.Max(Math.Max(n1, n2), (int)Math.Min(need, maxBatch)), maxBatch);
        using var run = new DevicePixelPairRecursion(device, runtime, model, plan, batch);
        Traces(run, plan, t1, groupWeight, progress, cancellationToken);
        if (t2 is not null) Traces(run, plan, t2, groupWeight, progress, cancellationToken);
        var b = t2 ?? t1;
        var hash1 = Hashes(t1.HostInput, n1, d);
        var hash2 = symmetric ? hash1 : Hashes(b.HostInput, n2, d);
        var ia = new int[batch];
        var ib = new int[batch];
        var kOut = new double[batch];
        var tOut = new double[batch];
        int filled = 0;
        long done = 0;
        void Flush()
        {
            if (filled == 0) return;
            cancellationToken.ThrowIfCancellationRequested();
            run.Run(t1, b, false, ia, ib, filled, 0, groupWeight, cancellationToken, kOut, tOut);
            for (int r = 0; r < filled; r++)
            {
                double v = ntk ? tOut[r] : kOut[r];
                result[(long)ia[r] * n2 + ib[r]] = v;
                if (symmetric) result[(long)ib[r] * n2 + ia[r]] = v;
            }
            done += filled;
            filled = 0;
            progress?.Report(new NtkProgress("Analytic CNTK pairs", done, need));
        }
        for (int i = 0; i < n1; i++)
        {
            var rowA = t1.HostInput.AsSpan(i * d, d);
            for (int j = 0; j < (symmetric ? i + 1 : n2); j++)
            {
                if (hash1[i] == hash2[j] && rowA.SequenceEqual(b.HostInput.AsSpan(j * d, d)))
                {
                    double v = ntk ? t1.Ntk[i] : t1.Nngp[i]; // x = x': the trace, exactly
                    result[(long)i * n2 + j] = v;
                    if (symmetric) result[(long)j * n2 + i] = v;
                    done++;
                    continue;
                }
                ia[filled] = i;
                ib[filled] = j;
                if (++filled == batch) Flush();
            }
        }
        Flush();
        FiniteChecks.Block<double>(result, n2, plan.Model + ": infinite-width kernel recursion (pixel-pair covariances)");
        return Tensor.Wrap(result, n1, n2);
    }

    /// <summary>
    /// Θ(x_i, x_i) (unit group weights; <paramref name="ntk"/>) or K(x_i, x_i) of every row, a vector of N: each example's
    /// own run of the recursion (the traces <see cref="Compute"/> runs first, whose values it gives bitwise-equal pairs),
    /// as the CPU's <c>SpatialKernelRecursion.Diagonal</c>. The argument is already checked. O(N) device memory for the
    /// traces plus a batch of pixel-pair matrices.
    /// </summary>
    /// <exception cref="CudaOutOfMemoryException">The traces, or one example's pixel-pair matrices, do not fit.</exception>
    /// <exception cref="NonFiniteResultException">A variance or the result overflowed (the CPU's stages and messages).</exception>
    public static Tensor Diagonal(CudaDevice device, AnalyticPlan plan, string cudaSource, Tensor x, bool ntk, int maxBatch = MaxBatch)
    {
        int n = x.Rows;
        var runtime = device.Compile(PixelPairSource.Text);
        var model = device.Compile(cudaSource);
        EnsureTracesFit(device, plan, n, null);
        using var traces = new ExampleTraces(device, plan, x.ToFlatArray(), n);
        using var run = new DevicePixelPairRecursion(device, runtime, model, plan, BatchSize(device, plan, n, maxBatch));
        Traces(run, plan, traces, Enumerable.Repeat(1.0, plan.GroupCount).ToArray(), null, CancellationToken.None);
        var result = (double[])(ntk ? traces.Ntk : traces.Nngp).Clone();
        FiniteChecks.Block<double>(result, 1, plan.Model + ": infinite-width kernel diagonal (pixel-pair covariances)");
        return Tensor.Wrap(result, n);
    }

    /// <summary>Throws when the traces of <paramref name="n1"/> (and <paramref name="n2"/>) examples would take more than 90 % of the free device memory.</summary>
    /// <exception cref="CudaOutOfMemoryException">With the sizes and the fix.</exception>
    private static void EnsureTracesFit(CudaDevice device, AnalyticPlan plan, int n1, int? n2)
    {
        device.Allocator.ReleaseCache();
        var (free, total) = device.MemoryInfo();
        long traceBytes = ExampleTraces.Bytes(plan, n1) + (n2 is { } b ? ExampleTraces.Bytes(plan, b) : 0);
        if ((ulong)traceBytes > (ulong)(free * 0.9))
            throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"the per-example traces of {plan.Model}.AnalyticNtk for {n1}{(n2 is { } m ? " + " + m.ToString(CultureInfo.InvariantCulture) : "")} examples ({traceBytes / 1048576.0:0.#} MiB)"),
                (ulong)traceBytes, free, total, device.Allocator.LiveBytes, "Compute the kernel in blocks of rows (x.SliceRows) or on Device.Cpu.");
    }

    /// <summary>
    /// Pairs per batch: as many as <see cref="DevicePixelPairRecursion.BytesPerPair"/> allows in <see cref="FreeFraction"/>
    /// of the free memory (the traces already allocated), at most <paramref name="wanted"/> and <paramref name="maxBatch"/>.
    /// </summary>
    /// <exception cref="CudaOutOfMemoryException">Not even one pair fits.</exception>
    internal static int BatchSize(CudaDevice device, AnalyticPlan plan, int wanted, int maxBatch)
    {
        device.Allocator.ReleaseCache();
        var (free, total) = device.MemoryInfo();
        long perPair = DevicePixelPairRecursion.BytesPerPair(plan);
        long budget = (long)(free * FreeFraction) - DevicePixelPairRecursion.FixedBytes(plan);
        long fit = budget <= 0 ? 0 : budget / perPair;
        if (fit < 1)
            throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"the pixel-pair matrices of one example pair of {plan.Model}.AnalyticNtk ({2L * plan.MaxLive * plan.MaxLive + 2} matrices of (H·W)² = {(long)plan.PairPixels * plan.PairPixels} float64 entries, {perPair / 1048576.0:0.###} MiB)"),
                (ulong)perPair, free, total, device.Allocator.LiveBytes,
                "The infinite-width kernel of a model this wide does not fit this device: pool the input first (AvgPool2D), use smaller images, or compute it on Device.Cpu.");
        return (int)Math.Max(1, Math.Min(Math.Min(fit, Math.Max(1, wanted)), maxBatch));
    }

    /// <summary>Each example's own run (x, x), in batches; then the CPU's finiteness checks of the variances, step by step.</summary>
    private static void Traces(DevicePixelPairRecursion run, AnalyticPlan plan, ExampleTraces t, double[] groupWeight, IProgress<NtkProgress>? progress,
        CancellationToken cancellationToken)
    {
        int batch = run.Batch;
        var idx = new int[batch];
        var k = new double[batch];
        var th = new double[batch];
        for (int first = 0; first < t.N; first += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batch, t.N - first);
            for (int r = 0; r < count; r++) idx[r] = first + r;
            run.Run(t, t, true, idx, idx, count, first, groupWeight, cancellationToken, k, th);
            Array.Copy(k, 0, t.Nngp, first, count);
            Array.Copy(th, 0, t.Ntk, first, count);
            progress?.Report(new NtkProgress("Analytic CNTK traces", first + count, t.N));
        }
        foreach (var step in plan.Steps)
        {
            if (t.Variance[step.Index] is { } q)
            {
                var host = new double[q.Length];
                q.CopyTo(host);
                int bad = FiniteChecks.IndexOfNonFinite<double>(host);
                if (bad >= 0)
                    throw new NonFiniteResultException(plan.Model + "." + step.Name + ": the pre-activation variance of the infinite-width recursion",
                        bad / step.OutPixels, bad % step.OutPixels, host[bad]);
            }
            if (t.NormVariance[step.Index] is { } v)
            {
                var host = new double[v.Length];
                v.CopyTo(host);
                int bad = FiniteChecks.IndexOfNonFinite<double>(host);
                if (bad >= 0)
                    throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture,
                        $"{plan.Model}.{step.Name} (LayerNorm): the variance over the channels at pixel {bad % step.OutPixels}"),
                        bad / step.OutPixels, -1, host[bad]);
            }
        }
    }

    private static int[] Hashes(double[] x, int n, int d)
    {
        var h = new int[n];
        for (int i = 0; i < n; i++) h[i] = ExactRowHash.Of(x.AsSpan(i * d, d));
        return h;
    }
}
