using System.Numerics;
using System.Runtime.InteropServices;

namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The linear maps of the pixel-pair recursion on row-major matrices M[(h·W + w)·n + j] (rows: the pixels of one
/// tensor for the first example, columns: n pixels of a tensor for the second example). Windows follow
/// <see cref="SpatialGeometry"/>: a source index −1 is zero padding and contributes nothing, but the mean always
/// divides by the full window (neural-tangents' convolution fan-in and AvgPool with normalize_edges = False).
/// </summary>
/// <remarks>
/// Both maps are separable per spatial axis, so a k × k window costs 2k row passes instead of k² (neural-tangents'
/// stax does the same: the 4-D covariance is convolved along each pair of matching axes in turn).
/// </remarks>
internal static class PixelPairOps
{
    /// <summary>
    /// The convolution rule, both examples through the same window offset:
    /// R[(qh, qw), (qh', qw')] = (1/k²) Σ_{a,b} M[(sh(qh, a), sw(qw, b)), (sh(qh', a), sw(qw', b))] (Novak et al. 2019, eq. 7;
    /// Arora et al. 2019, §4: 𝒜 applied to a (H·W)² covariance). M is (h·w)², R is (oh·ow)², <paramref name="scratch"/> ≥ (oh·w)².
    /// </summary>
    /// <remarks>
    /// The second example's side is walked by the runs of <paramref name="runsH"/> and <paramref name="runsW"/>
    /// (<see cref="WindowRuns"/>): consecutive outputs reading consecutive sources are one contiguous, vectorized add
    /// (a stride-1 Same or Valid window is one run per offset). Every entry is summed over the window offsets in the
    /// same order as the entry-by-entry definition, so the result does not depend on how the runs fall.
    /// </remarks>
    public static void ConvolveDiagonal(ReadOnlySpan<double> m, int h, int w, int oh, int ow, int k, int[] srcH, int[] srcW,
        WindowRuns runsH, WindowRuns runsW, Span<double> scratch, Span<double> result)
    {
        int n = h * w, n1 = oh * w, n2 = oh * ow;
        var t = scratch[..(n1 * n1)];
        t.Clear();
        // Pass 1, rows: T[(qh, x), (qh', x')] = Σ_a M[(sh(qh, a), x), (sh(qh', a), x')].
        for (int qh = 0; qh < oh; qh++)
            for (int a = 0; a < k; a++)
            {
                int sa = srcH[qh * k + a];
                if (sa < 0) continue;
                var runs = runsH.Of(a);
                for (int x = 0; x < w; x++)
                {
                    var src = m.Slice((sa * w + x) * n, n);
                    var dst = t.Slice((qh * w + x) * n1, n1);
                    for (int r = 0; r < runs.Length; r += 3)
                        AddRun(dst, runs[r] * w, src, runs[r + 1] * w, runs[r + 2] * w);
                }
            }
        // Pass 2, columns: R[(qh, qw), (qh', qw')] = Σ_b T[(qh, sw(qw, b)), (qh', sw(qw', b))] / k².
        double scale = 1.0 / ((double)k * k);
        var res = result[..(n2 * n2)];
        res.Clear();
        for (int qh = 0; qh < oh; qh++)
            for (int qw = 0; qw < ow; qw++)
            {
                var dst = res.Slice((qh * ow + qw) * n2, n2);
                for (int b = 0; b < k; b++)
                {
                    int sa = srcW[qw * k + b];
                    if (sa < 0) continue;
                    var runs = runsW.Of(b);
                    var src = t.Slice((qh * w + sa) * n1, n1);
                    for (int qh2 = 0; qh2 < oh; qh2++)
                        for (int r = 0; r < runs.Length; r += 3)
                            AddRun(dst, qh2 * ow + runs[r], src, qh2 * w + runs[r + 1], runs[r + 2]);
                }
                Scale(dst, scale);
            }
    }

    /// <summary>
    /// Average pooling of the first example's side: R[(qh, qw), j] = (1/k²) Σ_{a,b} M[(sh(qh, a), sw(qw, b)), j].
    /// M is (h·w) × n, R is (oh·ow) × n, <paramref name="scratch"/> ≥ oh·w·n.
    /// </summary>
    public static void PoolRows(ReadOnlySpan<double> m, int n, int h, int w, int oh, int ow, int k, int[] srcH, int[] srcW,
        Span<double> scratch, Span<double> result)
    {
        var t = scratch[..(oh * w * n)];
        t.Clear();
        for (int qh = 0; qh < oh; qh++)
            for (int a = 0; a < k; a++)
            {
                int sa = srcH[qh * k + a];
                if (sa < 0) continue;
                var dst = t.Slice(qh * w * n, w * n);
                AddTo(dst, m.Slice(sa * w * n, w * n));
            }
        var r = result[..(oh * ow * n)];
        r.Clear();
        for (int qh = 0; qh < oh; qh++)
            for (int qw = 0; qw < ow; qw++)
            {
                var dst = r.Slice((qh * ow + qw) * n, n);
                for (int b = 0; b < k; b++)
                {
                    int sb = srcW[qw * k + b];
                    if (sb >= 0) AddTo(dst, t.Slice((qh * w + sb) * n, n));
                }
            }
        Scale(r, 1.0 / ((double)k * k));
    }

    /// <summary>
    /// Average pooling of the second example's side: R[i, (qh, qw)] = (1/k²) Σ_{a,b} M[i, (sh(qh, a), sw(qw, b))].
    /// M is rows × (h·w), R is rows × (oh·ow).
    /// </summary>
    public static void PoolColumns(ReadOnlySpan<double> m, int rows, int h, int w, int oh, int ow, int k, int[] srcH, int[] srcW, Span<double> result)
    {
        int n = h * w, no = oh * ow;
        double scale = 1.0 / ((double)k * k);
        for (int i = 0; i < rows; i++)
        {
            var v = m.Slice(i * n, n);
            var dst = result.Slice(i * no, no);
            for (int qh = 0; qh < oh; qh++)
                for (int qw = 0; qw < ow; qw++)
                {
                    double s = 0;
                    for (int a = 0; a < k; a++)
                    {
                        int sa = srcH[qh * k + a];
                        if (sa < 0) continue;
                        for (int b = 0; b < k; b++)
                        {
                            int sb = srcW[qw * k + b];
                            if (sb >= 0) s += v[sa * w + sb];
                        }
                    }
                    dst[qh * ow + qw] = s * scale;
                }
        }
    }

    /// <summary>Mean of each column over the rows: R[j] = (1/rows) Σ_i M[i, j] (GlobalAvgPool of the first side).</summary>
    public static void MeanRows(ReadOnlySpan<double> m, int rows, int n, Span<double> result)
    {
        var r = result[..n];
        r.Clear();
        for (int i = 0; i < rows; i++) AddTo(r, m.Slice(i * n, n));
        Scale(r, 1.0 / rows);
    }

    /// <summary>Mean of each row: R[i] = (1/n) Σ_j M[i, j] (GlobalAvgPool of the second side).</summary>
    public static void MeanColumns(ReadOnlySpan<double> m, int rows, int n, Span<double> result)
    {
        for (int i = 0; i < rows; i++) {
            double s = 0;
            foreach (double v in m.Slice(i * n, n)) s += v;
            result[i] = s / n;
        }
    }

    /// <summary>Mean of the diagonal of an n × n matrix (Flatten: only Σ(p, p) survives a Dense layer with independent weights per pixel).</summary>
    public static double MeanDiagonal(ReadOnlySpan<double> m, int n)
    {
        double s = 0;
        for (int p = 0; p < n; p++) s += m[p * n + p];
        return s / n;
    }

    /// <summary>dst[d … d + len) += src[s … s + len); a short run (a strided window gives runs of one) without the slicing.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void AddRun(Span<double> dst, int d, ReadOnlySpan<double> src, int s, int len)
    {
        if (len < 4)
        {
            for (int i = 0; i < len; i++) dst[d + i] += src[s + i];
            return;
        }
        AddTo(dst.Slice(d, len), src.Slice(s, len));
    }

    private static void AddTo(Span<double> dst, ReadOnlySpan<double> src)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && dst.Length >= Vector<double>.Count)
        {
            var d = MemoryMarshal.Cast<double, Vector<double>>(dst);
            var s = MemoryMarshal.Cast<double, Vector<double>>(src[..dst.Length]);
            for (int v = 0; v < d.Length; v++) d[v] += s[v];
            i = d.Length * Vector<double>.Count;
        }
        for (; i < dst.Length; i++) dst[i] += src[i];
    }

    private static void Scale(Span<double> v, double factor)
    {
        for (int i = 0; i < v.Length; i++) v[i] *= factor;
    }
}
