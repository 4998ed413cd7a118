using NtkDsl.Analytic;

namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The pixel-pair recursion for one pair of examples (x, x'), with its own buffers (one instance per worker thread).
/// </summary>
/// <remarks>
/// <para><b>State.</b> For every tensor held — the running activations z_0 and a copy of each earlier layer's output
/// z_s that a later Add reads — the matrices Cov[a, b](p, p') = E[z_a,c(x, p)·z_b,c(x', p')] (the channel mean, as
/// neural-tangents' kernels: Σ_0(p, p') = ⟨x_p, x'_p'⟩/C_in for the input) and Ntk[a, b](p, p') =
/// ⟨∇_θ z_a,c(x, p), ∇_θ z_b,c(x', p')⟩ (parameters of the layers before). The kernel of the network is Cov[0, 0] and
/// Ntk[0, 0] after the last (Dense) layer. Per example, <see cref="ExampleTrace"/> supplies the variances entering the
/// activations and the means of the activations.</para>
/// <para><b>Conv2D / Dense</b> (fresh weights W ~ N(0, 1), NTK parameterization with fan-in k²·C_in; Novak et al. 2019
/// eq. 7, Arora et al. 2019 §4, docs/math.md §3–4): with 𝒜 the window mean of <see cref="PixelPairOps.ConvolveDiagonal"/>,
/// the pre-activations have Σ_h = σ_w²·𝒜[K] + σ_b² and Θ_h = w_W·c_W·𝒜[K] + w_b·c_b + σ_w²·𝒜[Θ], with (c_W, c_b) =
/// (σ_w², σ_b²) for the NTK parameterization and (k²·C_in, 1) for the standard one (neural-tangents' convention with
/// the declared widths, as the generated Dense kernels) and w_W, w_b the group weights (docs/math.md §3). The
/// activation maps them elementwise: K ← K̃(q(p), q'(p'), Σ_h(p, p')), Θ ← Ṫ·Θ_h (<see cref="ActivationKernelRule"/>).
/// The fresh weights are independent of everything before and have mean zero, so the pre-activations are
/// uncorrelated with every held tensor, E[h·z_s'] = 0, and so are their gradients. After the activation the channels
/// φ(h_c) are still independent of z_s in the limit (h_c depends on any single channel of z_s only through an
/// O(1/√n) weight), but not zero-mean: E[φ(h_c(x, p))·z_s,c(x', p')] → m(x, p)·m_s(x', p'), the product of the means.
/// The cross-NTK stays 0 (a sum over input channels of zero-mean weights times per-channel gradients).</para>
/// <para><b>Add(s)</b>: z ← z + z_s, so Cov[0, 0] ← Cov[0, 0] + Cov[0, s] + Cov[s, 0] + Cov[s, s] and Cov[0, t] ←
/// Cov[0, t] + Cov[s, t] (likewise Ntk and the means). neural-tangents' FanInSum adds only Cov[0, 0] + Cov[s, s],
/// which is exact for zero-mean, independent branches (its inputs must be Gaussian); here a branch ending in an
/// activation with non-zero mean (ReLU: m = √(q/2π)) is correlated with the skip through the means, and a branch
/// without fresh weights (pooling, LayerNorm, Add) is correlated through the tracked cross-covariances — e.g.
/// Add(C1) right after C1 gives 4·K, not 2·K.</para>
/// <para><b>AvgPool2D / GlobalAvgPool</b>: the window mean on each example's side (<see cref="PixelPairOps.PoolRows"/>,
/// <see cref="PixelPairOps.PoolColumns"/>); <b>Flatten</b>: the mean of the pixel diagonal (the Dense layer after it
/// has independent weights per pixel, so off-diagonal pixel pairs drop out; neural-tangents' Flatten).</para>
/// <para><b>LayerNorm</b> y = (z − μ)/√(σ² + ε) over the channels: in the limit μ → m(p) and σ² → Σ(p, p) − m(p)²,
/// both deterministic, so Cov ← (Cov − m(p)·m'(p'))/√(v(p)·v'(p')), v = Σ(p, p) − m² + ε, and Θ ← Θ/√(v·v') (the
/// gradients of μ and σ average out over the channels). For zero-mean inputs this is neural-tangents' LayerNorm
/// kernel (nngp/√(cov1·cov2) with ε added to the variances), which accepts only Gaussian inputs; the mean term
/// extends it to activations such as ReLU. A pixel with v = 0 (all channels equal, ε = 0) normalizes to 0.</para>
/// </remarks>
internal sealed class PixelPairRecursion
{
    private readonly SpatialKernelPlan _plan;
    private readonly int _cap;
    private readonly double[][] _cov;
    private readonly double[][] _ntk;
    private readonly int[] _step;   // node → the step whose output it holds (node 0: the running activations)
    private readonly int[] _size;   // node → pixels
    private double[] _tmpA, _tmpB;
    private readonly double[] _scratch;
    private readonly double[] _invA, _invB;
    private int _count;
    private bool _ntkZero; // Ntk[0, 0] is all zeros (before the first Affine step)

    public PixelPairRecursion(SpatialKernelPlan plan)
    {
        _plan = plan;
        _cap = plan.MaxLive;
        long square = (long)plan.PairPixels * plan.PairPixels;
        _cov = new double[_cap * _cap][];
        _ntk = new double[_cap * _cap][];
        for (int i = 0; i < _cov.Length; i++)
        {
            _cov[i] = new double[square];
            _ntk[i] = new double[square];
        }
        _step = new int[_cap];
        _size = new int[_cap];
        _tmpA = new double[square];
        _tmpB = new double[square];
        _scratch = new double[square];
        _invA = new double[plan.PairPixels];
        _invB = new double[plan.PairPixels];
    }

    /// <summary>Bytes one instance holds: 2·MaxLive² + 3 matrices of PairPixels² and two vectors of PairPixels (float64).</summary>
    public static long Bytes(SpatialKernelPlan plan) =>
        8L * plan.PairPixels * plan.PairPixels * (2L * plan.MaxLive * plan.MaxLive + 3) + 16L * plan.PairPixels;

    /// <summary>Float64 values this instance allocated (its pair matrices and vectors): what <see cref="Bytes"/> counts, for tests.</summary>
    internal long AllocatedValues =>
        _cov.Sum(m => (long)m.Length) + _ntk.Sum(m => (long)m.Length) + _tmpA.Length + _tmpB.Length + _scratch.Length + _invA.Length + _invB.Length;

    /// <summary>
    /// Runs the recursion for (a, b). With <paramref name="self"/> (a = b) it records the example's trace as it goes
    /// (variances, means, LayerNorm variances, K(x, x), Θ(x, x)); otherwise both traces must be complete and the
    /// quadrature layers read <paramref name="tables"/> (one DualSeries per step over the examples of a tile, the pair
    /// at positions <paramref name="localA"/>, <paramref name="localB"/> of its two sides).
    /// </summary>
    public void Run(ExampleTrace a, ExampleTrace b, bool self, double[] groupWeight, DualSeries?[]? tables, int localA, int localB,
        CancellationToken cancellationToken, out double nngp, out double ntk)
    {
        var plan = _plan;
        int c = plan.InC, prefix = plan.InputPoolSteps;
        if (self) a.PooledInput = PoolInput(a.Input);
        var (ph, pw) = plan.PooledInputSize;
        int n = ph * pw;
        _count = 1;
        _step[0] = -1;
        _size[0] = n;
        InputCovariance(a.PooledInput!, b.PooledInput ?? throw new InvalidOperationException("The second example's trace is missing (plan bug)."), n, c, _cov[0]);
        Array.Clear(_ntk[0], 0, n * n);
        _ntkZero = true;
        if (self && plan.NeedsMeans)
        {
            var xa = a.Input;
            int n0 = plan.InH * plan.InW;
            var m = new double[n0];
            for (int p = 0; p < n0; p++)
            {
                double s = 0;
                for (int k = 0; k < c; k++) s += xa[p * c + k];
                m[p] = s / c;
            }
            a.InputMean = m;
            for (int s = 0; s < prefix; s++)
            {
                var step = plan.Steps[s];
                // Pooled outside the pair buffers (sized for the pooled tensors only), with scratch of this step's size.
                var pooled = new double[step.OutPixels];
                PixelPairOps.PoolRows(PreviousMean(a, s), 1, step.InH, step.InW, step.OutH, step.OutW, step.Window, step.SrcH, step.SrcW,
                    new double[step.OutH * step.InW], pooled);
                a.Mean[s] = pooled;
            }
        }
        for (int s = prefix; s < plan.Steps.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = plan.Steps[s];
            switch (step.Kind)
            {
                case KernelStepKind.Affine: Affine(s, step, a, b, self, groupWeight, tables, localA, localB, cancellationToken); break;
                case KernelStepKind.AvgPool: Pool(s, step, a, self); break;
                case KernelStepKind.GlobalAvgPool: Pool(s, step, a, self); break;
                case KernelStepKind.Flatten: Flatten(s, step, a, self); break;
                case KernelStepKind.Add: Add(s, step, a, self); break;
                case KernelStepKind.LayerNorm: LayerNorm(s, step, a, b, self); break;
            }
            if (step.IsSource) Capture(s);
            foreach (int dropped in step.Drop) Release(dropped);
        }
        nngp = _cov[0][0];
        ntk = _ntk[0][0];
        if (self)
        {
            a.Nngp = nngp;
            a.Ntk = ntk;
        }
    }

    /// <summary>The example's input through the plan's leading AvgPool2D steps (each an (H·W) × C matrix pooled on its rows).</summary>
    private double[] PoolInput(double[] input)
    {
        var x = input;
        int c = _plan.InC;
        for (int s = 0; s < _plan.InputPoolSteps; s++)
        {
            var step = _plan.Steps[s];
            var pooled = new double[step.OutPixels * c];
            PixelPairOps.PoolRows(x, c, step.InH, step.InW, step.OutH, step.OutW, step.Window, step.SrcH, step.SrcW,
                new double[step.OutH * step.InW * c], pooled);
            x = pooled;
        }
        return x;
    }

    /// <summary>
    /// Σ_0(p, p') = ⟨x_p, x'_p'⟩/C (<see cref="AnalyticGram.MeanDot"/>: the same loop for every pair, so x = x' is exact);
    /// for one channel the product x_p·x'_p' itself (what MeanDot returns for C = 1), a row at a time.
    /// </summary>
    private static void InputCovariance(double[] xa, double[] xb, int n, int c, double[] cov)
    {
        if (c == 1)
        {
            for (int p = 0; p < n; p++)
            {
                var row = cov.AsSpan(p * n, n);
                double v = xa[p];
                int j = 0;
                if (System.Numerics.Vector.IsHardwareAccelerated)
                {
                    var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(row);
                    var src = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(xb.AsSpan(0, n));
                    for (int i = 0; i < dst.Length; i++) dst[i] = src[i] * v;
                    j = dst.Length * System.Numerics.Vector<double>.Count;
                }
                for (; j < n; j++) row[j] = v * xb[j];
            }
            return;
        }
        for (int p = 0; p < n; p++)
            for (int p2 = 0; p2 < n; p2++)
                cov[p * n + p2] = AnalyticGram.MeanDot(xa.AsSpan(p * c, c), xb.AsSpan(p2 * c, c));
    }

    private double[] PreviousMean(ExampleTrace t, int s) => s == 0 ? t.InputMean : t.Mean[s - 1]!;

    private int Node(int step)
    {
        for (int i = 1; i < _count; i++)
            if (_step[i] == step) return i;
        throw new InvalidOperationException("A residual source is not held (plan bug).");
    }

    private void Affine(int s, KernelStep step, ExampleTrace a, ExampleTrace b, bool self, double[] gw, DualSeries?[]? tables,
        int localA, int localB, CancellationToken ct)
    {
        int no = step.OutPixels, len = no * no;
        PixelPairOps.ConvolveDiagonal(_cov[0], step.InH, step.InW, step.OutH, step.OutW, step.Window, step.SrcH, step.SrcW, step.RunsH, step.RunsW, _scratch, _tmpA);
        if (_ntkZero) Array.Clear(_tmpB, 0, len); // Θ of the input (no parameters before): its window sum is 0 as well
        else PixelPairOps.ConvolveDiagonal(_ntk[0], step.InH, step.InW, step.OutH, step.OutW, step.Window, step.SrcH, step.SrcW, step.RunsH, step.RunsW, _scratch, _tmpB);
        _ntkZero = false;
        double sw = step.WeightVariance, sb = step.BiasVariance;
        double own = gw[step.WeightGroup] * step.WeightTerm, bias = step.BiasGroup >= 0 ? gw[step.BiasGroup] * step.BiasTerm : 0.0;
        var k = _tmpA;
        var t = _tmpB;
        for (int e = 0; e < len; e++)
        {
            double ak = k[e];
            t[e] = own * ak + bias + sw * t[e];
            k[e] = sw * ak + sb;
        }
        var rule = step.Activation!;
        if (!rule.IsIdentity)
        {
            if (self)
            {
                var q = new double[no];
                for (int p = 0; p < no; p++) q[p] = k[p * no + p];
                int bad = FiniteChecks.IndexOfNonFinite<double>(q);
                if (bad >= 0)
                    throw new NonFiniteResultException(_plan.Model + "." + step.Name + ": the pre-activation variance of the infinite-width recursion", -1, bad, q[bad]);
                a.Variance[s] = q;
            }
            var qa = a.Variance[s]!;
            var qb = b.Variance[s]!;
            if (rule.Engine is { } engine)
            {
                var table = self ? DualSeries.Build(engine, qa, null, true, ct) : tables![s]!;
                int oa = self ? 0 : localA * no, ob = self ? 0 : localB * no;
                for (int p = 0; p < no; p++)
                    for (int p2 = 0; p2 < no; p2++)
                    {
                        int e = p * no + p2;
                        table.Dual(oa + p, ob + p2, k[e], out double kt, out double td);
                        k[e] = kt;
                        t[e] *= td;
                    }
            }
            else if (rule.IsPiecewiseLinear(out double pa, out double pb, out double pd))
            {
                for (int p = 0; p < no; p++)
                    PiecewiseLinearDualRow.Apply(pa, pb, pd, qa[p], qb, k.AsSpan(p * no, no), t.AsSpan(p * no, no));
            }
            else
            {
                for (int p = 0; p < no; p++)
                    for (int p2 = 0; p2 < no; p2++)
                    {
                        int e = p * no + p2;
                        rule.Dual(qa[p], qb[p2], k[e], out double kt, out double td);
                        k[e] = kt;
                        t[e] *= td;
                    }
            }
        }
        if (self && _plan.NeedsMeans)
        {
            var m = new double[no];
            if (!rule.IsIdentity)
            {
                var q = a.Variance[s]!;
                for (int p = 0; p < no; p++) m[p] = rule.Mean(q[p]);
            }
            a.Mean[s] = m;
        }
        (_cov[0], _tmpA) = (_tmpA, _cov[0]);
        (_ntk[0], _tmpB) = (_tmpB, _ntk[0]);
        _size[0] = no;
        // Cross terms with the held tensors: the product of the means (0 without an activation); cross-NTK 0.
        for (int j = 1; j < _count; j++)
        {
            int nj = _size[j];
            var ma = a.Mean[s]!;
            var mb = b.Mean[s]!;
            var sa = a.Mean[_step[j]]!;
            var sbm = b.Mean[_step[j]]!;
            var c0j = _cov[j];           // [0, j]
            var cj0 = _cov[j * _cap];    // [j, 0]
            for (int p = 0; p < no; p++)
                for (int p2 = 0; p2 < nj; p2++)
                {
                    c0j[p * nj + p2] = ma[p] * sbm[p2];
                    cj0[p2 * no + p] = sa[p2] * mb[p];
                }
            Array.Clear(_ntk[j], 0, no * nj);
            Array.Clear(_ntk[j * _cap], 0, no * nj);
        }
    }

    private void Pool(int s, KernelStep step, ExampleTrace a, bool self)
    {
        int n = step.InPixels, no = step.OutPixels;
        bool global = step.Kind == KernelStepKind.GlobalAvgPool;
        foreach (var mats in new[] { _cov, _ntk })
        {
            // [0, 0]: both sides.
            Rows(step, mats[0], n, global, _tmpA);
            Columns(step, _tmpA, no, global, _tmpB);
            (mats[0], _tmpB) = (_tmpB, mats[0]);
            for (int j = 1; j < _count; j++)
            {
                int nj = _size[j];
                Rows(step, mats[j], nj, global, _tmpA);
                (mats[j], _tmpA) = (_tmpA, mats[j]);
                Columns(step, mats[j * _cap], nj, global, _tmpA);
                (mats[j * _cap], _tmpA) = (_tmpA, mats[j * _cap]);
            }
        }
        _size[0] = no;
        if (self && _plan.NeedsMeans)
        {
            var m = new double[no];
            Rows(step, PreviousMean(a, s), 1, global, m);
            a.Mean[s] = m;
        }
    }

    private void Rows(KernelStep step, double[] m, int columns, bool global, double[] result)
    {
        if (global) PixelPairOps.MeanRows(m, step.InPixels, columns, result);
        else PixelPairOps.PoolRows(m, columns, step.InH, step.InW, step.OutH, step.OutW, step.Window, step.SrcH, step.SrcW, _scratch, result);
    }

    private static void Columns(KernelStep step, double[] m, int rows, bool global, double[] result)
    {
        if (global) PixelPairOps.MeanColumns(m, rows, step.InPixels, result);
        else PixelPairOps.PoolColumns(m, rows, step.InH, step.InW, step.OutH, step.OutW, step.Window, step.SrcH, step.SrcW, result);
    }

    private void Flatten(int s, KernelStep step, ExampleTrace a, bool self)
    {
        int n = step.InPixels;
        _cov[0][0] = PixelPairOps.MeanDiagonal(_cov[0], n);
        _ntk[0][0] = PixelPairOps.MeanDiagonal(_ntk[0], n);
        _size[0] = 1;
        // The plan rejects held sources across a Flatten of more than one pixel; with one pixel Flatten is the identity.
        if (self && _plan.NeedsMeans)
        {
            var prev = PreviousMean(a, s);
            a.Mean[s] = [prev.Average()];
        }
    }

    private void Add(int s, KernelStep step, ExampleTrace a, bool self)
    {
        int src = Node(step.Source), n = _size[0];
        int len = n * n;
        foreach (var mats in new[] { _cov, _ntk })
        {
            var c00 = mats[0];
            var c0s = mats[src];
            var cs0 = mats[src * _cap];
            var css = mats[src * _cap + src];
            for (int e = 0; e < len; e++) _tmpA[e] = c00[e] + c0s[e] + cs0[e] + css[e];
            for (int j = 1; j < _count; j++)
            {
                int nj = _size[j];
                // [0, j] += [src, j]; [j, 0] += [j, src] (for j = src these read [src, src], which does not change).
                var c0j = mats[j];
                var csj = mats[src * _cap + j];
                for (int e = 0; e < n * nj; e++) c0j[e] += csj[e];
                var cj0 = mats[j * _cap];
                var cjs = mats[j * _cap + src];
                for (int e = 0; e < n * nj; e++) cj0[e] += cjs[e];
            }
            (mats[0], _tmpA) = (_tmpA, mats[0]);
        }
        if (self && _plan.NeedsMeans)
        {
            var prev = PreviousMean(a, s);
            var m = a.Mean[step.Source]!;
            var sum = new double[n];
            for (int p = 0; p < n; p++) sum[p] = prev[p] + m[p];
            a.Mean[s] = sum;
        }
    }

    private void LayerNorm(int s, KernelStep step, ExampleTrace a, ExampleTrace b, bool self)
    {
        int n = _size[0];
        var ma = PreviousMean(a, s);
        var mb = PreviousMean(b, s);
        if (self)
        {
            var v = new double[n];
            for (int p = 0; p < n; p++)
            {
                v[p] = Math.Max(_cov[0][p * n + p] - ma[p] * ma[p], 0.0) + step.Epsilon;
                // An overflowed variance would normalize to exactly 0 (1/√∞): a wrong number that looks right.
                if (!double.IsFinite(v[p]))
                    throw new NonFiniteResultException(string.Create(global::System.Globalization.CultureInfo.InvariantCulture,
                        $"{_plan.Model}.{step.Name} (LayerNorm): the variance over the channels at pixel {p}"), -1, -1, v[p]);
            }
            a.NormVariance[s] = v;
        }
        Inverse(a.NormVariance[s]!, _invA, n);
        Inverse(b.NormVariance[s]!, _invB, n);
        var c00 = _cov[0];
        var n00 = _ntk[0];
        for (int p = 0; p < n; p++)
            for (int p2 = 0; p2 < n; p2++)
            {
                int e = p * n + p2;
                double scale = _invA[p] * _invB[p2];
                c00[e] = (c00[e] - ma[p] * mb[p2]) * scale;
                n00[e] *= scale;
            }
        for (int j = 1; j < _count; j++)
        {
            int nj = _size[j];
            var sa = a.Mean[_step[j]]!;
            var sbm = b.Mean[_step[j]]!;
            var c0j = _cov[j];
            var cj0 = _cov[j * _cap];
            var n0j = _ntk[j];
            var nj0 = _ntk[j * _cap];
            for (int p = 0; p < n; p++)
                for (int p2 = 0; p2 < nj; p2++)
                {
                    c0j[p * nj + p2] = (c0j[p * nj + p2] - ma[p] * sbm[p2]) * _invA[p];
                    n0j[p * nj + p2] *= _invA[p];
                    cj0[p2 * n + p] = (cj0[p2 * n + p] - sa[p2] * mb[p]) * _invB[p];
                    nj0[p2 * n + p] *= _invB[p];
                }
        }
        if (self && _plan.NeedsMeans) a.Mean[s] = new double[n];
    }

    private static void Inverse(double[] v, double[] inv, int n)
    {
        for (int p = 0; p < n; p++) inv[p] = v[p] > 0 ? 1.0 / Math.Sqrt(v[p]) : 0.0;
    }

    /// <summary>Keeps a copy of the running activations (step <paramref name="s"/>'s output) for a later Add.</summary>
    private void Capture(int s)
    {
        int j = _count++;
        _step[j] = s;
        _size[j] = _size[0];
        int n = _size[0];
        foreach (var mats in new[] { _cov, _ntk })
        {
            var c00 = mats[0].AsSpan(0, n * n);
            c00.CopyTo(mats[j * _cap + j]);
            c00.CopyTo(mats[j]);
            c00.CopyTo(mats[j * _cap]);
            for (int i = 1; i < j; i++)
            {
                int ni = _size[i];
                mats[i].AsSpan(0, n * ni).CopyTo(mats[j * _cap + i]);  // [j, i] = [0, i]
                mats[i * _cap].AsSpan(0, ni * n).CopyTo(mats[i * _cap + j]); // [i, j] = [i, 0]
            }
        }
    }

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
}
