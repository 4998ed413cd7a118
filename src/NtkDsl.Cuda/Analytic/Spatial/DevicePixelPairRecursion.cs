using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;

namespace NtkDsl.Cuda.Analytic.Spatial;

/// <summary>
/// The CPU's <c>PixelPairRecursion</c> (src/NtkDsl/Layers/Analytic) for a batch of example pairs at once on a device:
/// the same state (per held tensor pair the covariance and NTK pixel-pair matrices), the same rule per step of
/// <see cref="AnalyticPlan"/> (Conv2D/Dense window sums and the dual of the activation, AvgPool2D, GlobalAvgPool,
/// Flatten, Add with its cross-covariances, LayerNorm), the same capture and release of Add sources. The bookkeeping
/// of held tensors depends on the plan only, so it stays on the host; every matrix slot is one device buffer holding
/// the batch's matrices (stride PairPixels²), and a slot swap is a swap of host references. The linear rules are the
/// runtime kernels of <see cref="PixelPairSource"/>; the duals and means are the model's generated
/// <c>ntk_pp_dual_l</c>/<c>ntk_pp_mean_l</c>.
/// </summary>
internal sealed class DevicePixelPairRecursion : IDisposable
{
    private const int Block = 256;
    private readonly CudaDevice _device;
    private readonly CudaModule _runtime, _model;
    private readonly AnalyticPlan _plan;
    private readonly int _cap;
    private readonly long _stride;
    private readonly DeviceMemory<double>[] _cov, _ntk;
    private DeviceMemory<double> _tmpA, _tmpB;
    private readonly DeviceBuffer<int> _ia, _ib;
    private readonly DeviceBuffer<double> _outK, _outT;
    private readonly DeviceMemory<int>[] _srcH, _srcW;
    private readonly List<IDisposable> _owned = [];
    private readonly int[] _step, _size;
    private int _count;
    private bool _ntkZero;

    /// <summary>Buffers for <paramref name="batch"/> pairs (<see cref="BytesPerPair"/> each).</summary>
    public DevicePixelPairRecursion(CudaDevice device, CudaModule runtime, CudaModule model, AnalyticPlan plan, int batch)
    {
        _device = device;
        _runtime = runtime;
        _model = model;
        _plan = plan;
        _cap = plan.MaxLive;
        _stride = (long)plan.PairPixels * plan.PairPixels;
        Batch = batch;
        _step = new int[_cap];
        _size = new int[_cap];
        try
        {
            _cov = new DeviceMemory<double>[_cap * _cap];
            _ntk = new DeviceMemory<double>[_cap * _cap];
            for (int i = 0; i < _cov.Length; i++)
            {
                _cov[i] = Alloc(batch * _stride);
                _ntk[i] = Alloc(batch * _stride);
            }
            _tmpA = Alloc(batch * _stride);
            _tmpB = Alloc(batch * _stride);
            _ia = Own(device.Allocate<int>(batch));
            _ib = Own(device.Allocate<int>(batch));
            _outK = Own(device.Allocate<double>(batch));
            _outT = Own(device.Allocate<double>(batch));
            _srcH = plan.Steps.Select(s => Own(device.Upload<int>(s.SrcH.Length == 0 ? [0] : s.SrcH)).AsMemory()).ToArray();
            _srcW = plan.Steps.Select(s => Own(device.Upload<int>(s.SrcW.Length == 0 ? [0] : s.SrcW)).AsMemory()).ToArray();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Pairs per <see cref="Run"/>.</summary>
    public int Batch { get; }

    /// <summary>Device bytes per pair of the batch: 2·MaxLive² + 2 matrices of PairPixels² doubles, two indices and two results.</summary>
    public static long BytesPerPair(AnalyticPlan plan) =>
        8L * plan.PairPixels * plan.PairPixels * (2L * plan.MaxLive * plan.MaxLive + 2) + 2 * sizeof(int) + 2 * sizeof(double);

    /// <summary>Device bytes independent of the batch: the window tables.</summary>
    public static long FixedBytes(AnalyticPlan plan) => plan.Steps.Sum(s => 4L * (Math.Max(1, s.SrcH.Length) + Math.Max(1, s.SrcW.Length)));

    private DeviceMemory<double> Alloc(long length) => Own(_device.Allocate<double>(Math.Max(1, length))).AsMemory();

    private DeviceBuffer<T> Own<T>(DeviceBuffer<T> b) where T : unmanaged
    {
        _owned.Add(b);
        return b;
    }

    private void Launch(CudaModule module, string kernel, long count, params ReadOnlySpan<KernelArg> args) =>
        module.Kernel(kernel).LaunchLinear(count, Block, args);

    private void Pp(string kernel, long count, params ReadOnlySpan<KernelArg> args) => Launch(_runtime, kernel, count, args);

    /// <summary>
    /// Runs the recursion for the pairs (a[ia[r]], b[ib[r]]), r &lt; <paramref name="count"/>, writing K and Θ_w of pair r
    /// into <paramref name="nngp"/>[r] and <paramref name="ntk"/>[r]. With <paramref name="self"/> (a = b, ia = ib = first,
    /// first + 1, …) it records the traces of examples [first, first + count) as it goes, as the CPU's run of (x, x) does.
    /// </summary>
    public void Run(ExampleTraces a, ExampleTraces b, bool self, int[] ia, int[] ib, int count, int first, double[] groupWeight,
        CancellationToken cancellationToken, double[] nngp, double[] ntk)
    {
        var plan = _plan;
        long S = _stride;
        _ia.AsMemory().Slice(0, count).CopyFrom(ia.AsSpan(0, count));
        _ib.AsMemory().Slice(0, count).CopyFrom(ib.AsSpan(0, count));
        int c = plan.InC, prefix = plan.InputPoolSteps;
        if (self) PoolInput(a, first, count);
        int n = plan.PooledH * plan.PooledW;
        _count = 1;
        _step[0] = -1;
        _size[0] = n;
        Pp("pp_input_cov", (long)count * n * n, a.Pooled, b.Pooled, _ia, _ib, _cov[0], (long)count * n * n, n, c, (long)n * c, S);
        _ntk[0].Clear();
        _ntkZero = true;
        if (self && plan.NeedsMeans)
        {
            int n0 = plan.InH * plan.InW;
            Pp("pp_channel_mean", (long)count * n0, a.Input.Slice((long)first * plan.Features, (long)count * plan.Features),
                Slice(a.InputMean!.Value, first, count, n0), (long)count * n0, n0, c, (long)plan.Features);
            for (int s = 0; s < prefix; s++)
            {
                var step = plan.Steps[s];
                var prev = PreviousMean(a, s, first, count);
                PoolRows(step, prev, Slice(a.Mean[s]!.Value, first, count, step.OutPixels), count, 1, step.InPixels, step.OutPixels);
            }
        }
        for (int s = prefix; s < plan.Steps.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = plan.Steps[s];
            switch (step.Kind)
            {
                case AnalyticStepKind.Affine: Affine(s, step, a, b, self, first, count, groupWeight); break;
                case AnalyticStepKind.AvgPool:
                case AnalyticStepKind.GlobalAvgPool: Pool(s, step, a, self, first, count); break;
                case AnalyticStepKind.Flatten: Flatten(s, step, a, self, first, count); break;
                case AnalyticStepKind.Add: Add(s, step, a, self, first, count); break;
                case AnalyticStepKind.LayerNorm: LayerNorm(s, step, a, b, self, first, count); break;
            }
            if (step.IsSource) Capture(s, count);
            foreach (int dropped in step.Drop) Release(dropped);
        }
        Pp("pp_take0", count, _cov[0], _outK, (long)count, S);
        Pp("pp_take0", count, _ntk[0], _outT, (long)count, S);
        _outK.AsMemory().Slice(0, count).CopyTo(nngp.AsSpan(0, count));
        _outT.AsMemory().Slice(0, count).CopyTo(ntk.AsSpan(0, count));
    }

    private static DeviceMemory<double> Slice(DeviceMemory<double> m, int first, int count, int width) => m.Slice((long)first * width, (long)count * width);

    /// <summary>The per-example means entering step <paramref name="s"/> for examples [first, first + count).</summary>
    private DeviceMemory<double> PreviousMean(ExampleTraces t, int s, int first, int count) =>
        s == 0 ? Slice(t.InputMean!.Value, first, count, _plan.InH * _plan.InW) : Slice(t.Mean[s - 1]!.Value, first, count, _plan.Steps[s - 1].OutPixels);

    /// <summary>The whole per-example means entering step <paramref name="s"/> (all examples: pair kernels index them by ia/ib).</summary>
    private DeviceMemory<double> PreviousMeanAll(ExampleTraces t, int s) => s == 0 ? t.InputMean!.Value : t.Mean[s - 1]!.Value;

    /// <summary>The inputs of examples [first, first + count) through the leading AvgPool2D steps (PixelPairRecursion.PoolInput).</summary>
    private void PoolInput(ExampleTraces a, int first, int count)
    {
        int c = _plan.InC;
        if (_plan.InputPoolSteps == 0) return;
        var x = Slice(a.Input, first, count, _plan.Features);
        var owned = new List<DeviceBuffer<double>>();
        try
        {
            for (int s = 0; s < _plan.InputPoolSteps; s++)
            {
                var step = _plan.Steps[s];
                bool last = s == _plan.InputPoolSteps - 1;
                DeviceMemory<double> y;
                if (last) y = Slice(a.Pooled, first, count, step.OutPixels * c);
                else
                {
                    var buffer = _device.Allocate<double>((long)count * step.OutPixels * c);
                    owned.Add(buffer);
                    y = buffer.AsMemory();
                }
                PoolRows(step, x, y, count, c, (long)step.InPixels * c, (long)step.OutPixels * c);
                x = y;
            }
        }
        finally
        {
            foreach (var b in owned) b.Dispose();
        }
    }

    private void PoolRows(AnalyticStep step, DeviceMemory<double> m, DeviceMemory<double> result, int items, int cols, long inStride, long outStride)
    {
        if (step.Kind == AnalyticStepKind.GlobalAvgPool)
            Pp("pp_mean_rows", (long)items * cols, m, result, (long)items * cols, step.InPixels, cols, inStride, outStride, 1.0 / step.InPixels);
        else
            Pp("pp_pool_rows", (long)items * step.OutPixels * cols, m, result, _srcH[step.Index], _srcW[step.Index], (long)items * step.OutPixels * cols,
                cols, step.InW, step.OutH, step.OutW, step.Window, inStride, outStride, 1.0 / ((double)step.Window * step.Window));
    }

    private void PoolColumns(AnalyticStep step, DeviceMemory<double> m, DeviceMemory<double> result, int items, int rows)
    {
        if (step.Kind == AnalyticStepKind.GlobalAvgPool)
            Pp("pp_mean_cols", (long)items * rows, m, result, (long)items * rows, rows, step.InPixels, _stride, _stride);
        else
            Pp("pp_pool_cols", (long)items * rows * step.OutPixels, m, result, _srcH[step.Index], _srcW[step.Index], (long)items * rows * step.OutPixels,
                rows, step.InPixels, step.InW, step.OutH, step.OutW, step.Window, _stride, _stride, 1.0 / ((double)step.Window * step.Window));
    }

    private void Affine(int s, AnalyticStep step, ExampleTraces a, ExampleTraces b, bool self, int first, int count, double[] gw)
    {
        long S = _stride;
        int no = step.OutPixels;
        long len = (long)no * no, total = count * len;
        double scale = 1.0 / ((double)step.Window * step.Window);
        Pp("pp_conv", total, _cov[0], _tmpA, _srcH[s], _srcW[s], total, step.InPixels, step.InW, step.OutH, step.OutW, step.Window, S, scale);
        if (_ntkZero) _tmpB.Clear(); // Θ of the input (no parameters before): its window sum is 0 as well
        else Pp("pp_conv", total, _ntk[0], _tmpB, _srcH[s], _srcW[s], total, step.InPixels, step.InW, step.OutH, step.OutW, step.Window, S, scale);
        _ntkZero = false;
        double own = gw[step.WeightGroup] * step.WeightTerm, bias = step.BiasGroup >= 0 ? gw[step.BiasGroup] * step.BiasTerm : 0.0;
        Pp("pp_affine", total, _tmpA, _tmpB, total, (int)len, S, own, bias, step.WeightVariance, step.BiasVariance);
        if (!step.IsIdentity)
        {
            if (self) Pp("pp_diag", (long)count * no, _tmpA, Slice(a.Variance[s]!.Value, first, count, no), (long)count * no, no, S);
            Launch(_model, "ntk_pp_dual_" + s.ToString(System.Globalization.CultureInfo.InvariantCulture), total,
                _tmpA, _tmpB, a.Variance[s]!.Value, b.Variance[s]!.Value, _ia, _ib, total, no, S);
        }
        if (self && _plan.NeedsMeans)
        {
            var m = Slice(a.Mean[s]!.Value, first, count, no);
            if (step.IsIdentity) m.Clear();
            else Launch(_model, "ntk_pp_mean_" + s.ToString(System.Globalization.CultureInfo.InvariantCulture), (long)count * no,
                Slice(a.Variance[s]!.Value, first, count, no), m, (long)count * no);
        }
        (_cov[0], _tmpA) = (_tmpA, _cov[0]);
        (_ntk[0], _tmpB) = (_tmpB, _ntk[0]);
        _size[0] = no;
        // Cross terms with the held tensors: the product of the means (0 without an activation); cross-NTK 0.
        for (int j = 1; j < _count; j++)
        {
            int nj = _size[j];
            long cross = (long)count * no * nj;
            Pp("pp_cross_means", cross, _cov[j], _cov[j * _cap], a.Mean[s]!.Value, b.Mean[s]!.Value, a.Mean[_step[j]]!.Value, b.Mean[_step[j]]!.Value,
                _ia, _ib, cross, no, nj, S);
            _ntk[j].Clear();
            _ntk[j * _cap].Clear();
        }
    }

    private void Pool(int s, AnalyticStep step, ExampleTraces a, bool self, int first, int count)
    {
        int n = step.InPixels, no = step.OutPixels;
        foreach (var mats in new[] { _cov, _ntk })
        {
            // [0, 0]: both sides.
            PoolRows(step, mats[0], _tmpA, count, n, _stride, _stride);
            PoolColumns(step, _tmpA, _tmpB, count, no);
            (mats[0], _tmpB) = (_tmpB, mats[0]);
            for (int j = 1; j < _count; j++)
            {
                int nj = _size[j];
                PoolRows(step, mats[j], _tmpA, count, nj, _stride, _stride);
                (mats[j], _tmpA) = (_tmpA, mats[j]);
                PoolColumns(step, mats[j * _cap], _tmpA, count, nj);
                (mats[j * _cap], _tmpA) = (_tmpA, mats[j * _cap]);
            }
        }
        _size[0] = no;
        if (self && _plan.NeedsMeans)
            PoolRows(step, PreviousMean(a, s, first, count), Slice(a.Mean[s]!.Value, first, count, no), count, 1, n, no);
    }

    private void Flatten(int s, AnalyticStep step, ExampleTraces a, bool self, int first, int count)
    {
        int n = step.InPixels;
        Pp("pp_mean_diag", count, _cov[0], (long)count, n, _stride);
        Pp("pp_mean_diag", count, _ntk[0], (long)count, n, _stride);
        _size[0] = 1;
        // The plan rejects held sources across a Flatten of more than one pixel; with one pixel Flatten is the identity.
        if (self && _plan.NeedsMeans)
            Pp("pp_mean_cols", count, PreviousMean(a, s, first, count), Slice(a.Mean[s]!.Value, first, count, step.OutPixels), (long)count, 1, n,
                (long)n, (long)step.OutPixels);
    }

    private int Node(int step)
    {
        for (int i = 1; i < _count; i++)
            if (_step[i] == step) return i;
        throw new InvalidOperationException("A residual source is not held (plan bug).");
    }

    private void Add(int s, AnalyticStep step, ExampleTraces a, bool self, int first, int count)
    {
        int src = Node(step.Source), n = _size[0];
        long S = _stride;
        int len = n * n;
        foreach (var mats in new[] { _cov, _ntk })
        {
            Pp("pp_add4", (long)count * len, mats[0], mats[src], mats[src * _cap], mats[src * _cap + src], _tmpA, (long)count * len, len, S);
            for (int j = 1; j < _count; j++)
            {
                int cross = n * _size[j];
                // [0, j] += [src, j]; [j, 0] += [j, src] (for j = src these read [src, src], which does not change).
                Pp("pp_add_to", (long)count * cross, mats[j], mats[src * _cap + j], (long)count * cross, cross, S);
                Pp("pp_add_to", (long)count * cross, mats[j * _cap], mats[j * _cap + src], (long)count * cross, cross, S);
            }
            (mats[0], _tmpA) = (_tmpA, mats[0]);
        }
        if (self && _plan.NeedsMeans)
            Pp("pp_add2", (long)count * n, PreviousMean(a, s, first, count), Slice(a.Mean[step.Source]!.Value, first, count, n),
                Slice(a.Mean[s]!.Value, first, count, n), (long)count * n);
    }

    private void LayerNorm(int s, AnalyticStep step, ExampleTraces a, ExampleTraces b, bool self, int first, int count)
    {
        int n = _size[0];
        long S = _stride;
        if (self)
            Pp("pp_ln_var", (long)count * n, _cov[0], PreviousMean(a, s, first, count), Slice(a.NormVariance[s]!.Value, first, count, n), (long)count * n, n, S, step.Epsilon);
        var ma = PreviousMeanAll(a, s);
        var mb = PreviousMeanAll(b, s);
        var va = a.NormVariance[s]!.Value;
        var vb = b.NormVariance[s]!.Value;
        Pp("pp_ln_apply", (long)count * n * n, _cov[0], _ntk[0], ma, mb, va, vb, _ia, _ib, (long)count * n * n, n, S);
        for (int j = 1; j < _count; j++)
        {
            int nj = _size[j];
            long cross = (long)count * n * nj;
            Pp("pp_ln_cross", cross, _cov[j], _cov[j * _cap], _ntk[j], _ntk[j * _cap], ma, mb, a.Mean[_step[j]]!.Value, b.Mean[_step[j]]!.Value,
                va, vb, _ia, _ib, cross, n, nj, S);
        }
        if (self && _plan.NeedsMeans) Slice(a.Mean[s]!.Value, first, count, n).Clear();
    }

    /// <summary>Keeps a copy of the running activations (step <paramref name="s"/>'s output) for a later Add.</summary>
    private void Capture(int s, int count)
    {
        int j = _count++;
        _step[j] = s;
        _size[j] = _size[0];
        int n = _size[0];
        long S = _stride;
        foreach (var mats in new[] { _cov, _ntk })
        {
            Copy(mats[j * _cap + j], mats[0], count, n * n);
            Copy(mats[j], mats[0], count, n * n);
            Copy(mats[j * _cap], mats[0], count, n * n);
            for (int i = 1; i < j; i++)
            {
                int ni = _size[i];
                Copy(mats[j * _cap + i], mats[i], count, n * ni);  // [j, i] = [0, i]
                Copy(mats[i * _cap + j], mats[i * _cap], count, ni * n); // [i, j] = [i, 0]
            }
        }
        _ = S;
    }

    private void Copy(DeviceMemory<double> dst, DeviceMemory<double> src, int count, int len) =>
        Pp("pp_copy", (long)count * len, dst, src, (long)count * len, len, _stride);

    /// <summary>Forgets the copy of step <paramref name="s"/>'s output (its last Add is done): the last node moves into its slot.</summary>
    private void Release(int s)
    {
        int j = Node(s), last = _count - 1;
        if (j != last)
        {
            HeldNodeTable.MoveLastInto(_cov, _cap, _count, j);
            HeldNodeTable.MoveLastInto(_ntk, _cap, _count, j);
            _step[j] = _step[last];
            _size[j] = _size[last];
        }
        _count--;
    }

    public void Dispose()
    {
        foreach (var b in _owned) b.Dispose();
        _owned.Clear();
    }
}
