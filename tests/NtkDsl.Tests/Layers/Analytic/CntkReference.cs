using NtkDsl.Layers;
using NtkDsl.Tests.Analytic;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>
/// A slow reference of the infinite-width CNN kernels written for these tests from the papers' formulas (Novak et al.
/// 2019 §2; Arora et al. 2019 §4; neural-tangents' conventions), deliberately structured unlike the library: it keeps
/// the covariance of EVERY layer output with every other (not only the live residual sources), for both orderings of
/// the two examples, as 4-D arrays [h, w, h', w'], and applies windows by direct k²- and k⁴-fold loops (no separable
/// passes). Duals: ReLU and erf closed forms typed in here from docs/math.md §4; anything else by the nested
/// Gauss–Legendre integrals of <see cref="AnalyticReference"/>. Means E[φ(u)] by one-dimensional quadrature.
/// </summary>
internal sealed class CntkReference
{
    private readonly IReadOnlyList<LayerSpec> _layers;
    private readonly int _h, _w, _c;
    private readonly bool _standard;

    public CntkReference(IReadOnlyList<LayerSpec> layers, int[] shape, Parameterization parameterization)
    {
        _layers = layers;
        (_h, _w, _c) = (shape[0], shape[1], shape[2]);
        _standard = parameterization == Parameterization.Standard;
    }

    /// <summary>Drop the cross-covariances at Add (the kernel neural-tangents' FanInSum gives for independent branches): for the Monte Carlo comparison.</summary>
    public bool IndependentBranches { get; init; }

    /// <summary>(NNGP, weighted NTK) of the pair (x, y).</summary>
    public (double Nngp, double Ntk) Pair(double[] x, double[] y, double[] gw)
    {
        var ex = new[] { x, y };
        int count = _layers.Count + 1; // index 0: the input, l + 1: layer l
        // cov[e, l, f, m] for m ≤ l: E[z_l(e, p) z_m(f, p')], stored as [p, p'] with p over layer l's pixels.
        var cov = new double[2, count, 2, count][,];
        var ntk = new double[2, count, 2, count][,];
        var mean = new double[2, count][];
        var shapes = new (int H, int W, int C)[count];
        shapes[0] = (_h, _w, _c);
        int n0 = _h * _w;
        for (int e = 0; e < 2; e++)
        {
            mean[e, 0] = new double[n0];
            for (int p = 0; p < n0; p++) mean[e, 0][p] = Enumerable.Range(0, _c).Average(k => ex[e][p * _c + k]);
            for (int f = 0; f < 2; f++)
            {
                var m = new double[n0, n0];
                for (int p = 0; p < n0; p++)
                    for (int q = 0; q < n0; q++)
                        m[p, q] = Enumerable.Range(0, _c).Sum(k => ex[e][p * _c + k] * ex[f][q * _c + k]) / _c;
                cov[e, 0, f, 0] = m;
                ntk[e, 0, f, 0] = new double[n0, n0];
            }
        }
        double[,] Get(double[,,,][,] t, int e, int l, int f, int m) => m <= l ? t[e, l, f, m] : Transpose(t[f, m, e, l]);
        int group = 0;
        var names = new Dictionary<string, int>();
        for (int li = 0; li < _layers.Count; li++)
        {
            int L = li + 1, P = li; // new index, previous index
            var spec = _layers[li];
            names[spec.Name] = L;
            var (h, w, c) = shapes[P];
            int n = h * w;
            switch (spec)
            {
                case Conv2DSpec or DenseSpec:
                {
                    int k, stride, oc; Padding pad; LayerActivation act; double sw, sb; bool bias;
                    if (spec is Conv2DSpec cv) (k, stride, pad, oc, act, sw, sb, bias) = (cv.KernelSize, cv.Stride, cv.Padding, cv.Channels, cv.Activation, cv.WeightStd * cv.WeightStd, cv.BiasStd * cv.BiasStd, cv.UseBias);
                    else { var d = (DenseSpec)spec; (k, stride, pad, oc, act, sw, sb, bias) = (1, 1, Padding.Valid, d.Units, d.Activation, d.WeightStd * d.WeightStd, d.BiasStd * d.BiasStd, d.UseBias); }
                    if (!bias) sb = 0;
                    int oh = SpatialGeometry.OutputSize(h, k, stride, pad), ow = SpatialGeometry.OutputSize(w, k, stride, pad), no = oh * ow;
                    double fanIn = (double)k * k * c;
                    double gW = gw[group++], gB = bias ? gw[group++] : 0;
                    var hc = new double[2, 2][,];
                    var ht = new double[2, 2][,];
                    for (int e = 0; e < 2; e++)
                        for (int f = 0; f < 2; f++)
                        {
                            var K = Get(cov, e, P, f, P);
                            var T = Get(ntk, e, P, f, P);
                            hc[e, f] = new double[no, no];
                            ht[e, f] = new double[no, no];
                            for (int p = 0; p < no; p++)
                                for (int q = 0; q < no; q++)
                                {
                                    double sk = 0, st = 0;
                                    for (int a = 0; a < k; a++)
                                        for (int b = 0; b < k; b++)
                                        {
                                            int ph = SpatialGeometry.SourceIndex(p / ow, a, h, k, stride, pad), pw = SpatialGeometry.SourceIndex(p % ow, b, w, k, stride, pad);
                                            int qh = SpatialGeometry.SourceIndex(q / ow, a, h, k, stride, pad), qw = SpatialGeometry.SourceIndex(q % ow, b, w, k, stride, pad);
                                            if (ph < 0 || pw < 0 || qh < 0 || qw < 0) continue;
                                            sk += K[ph * w + pw, qh * w + qw];
                                            st += T[ph * w + pw, qh * w + qw];
                                        }
                                    sk /= k * k;
                                    st /= k * k;
                                    hc[e, f][p, q] = sw * sk + sb;
                                    ht[e, f][p, q] = gW * (_standard ? fanIn : sw) * sk + gB * (_standard ? (bias ? 1 : 0) : sb) + sw * st;
                                }
                        }
                    shapes[L] = (oh, ow, oc);
                    for (int e = 0; e < 2; e++)
                    {
                        mean[e, L] = new double[no];
                        for (int p = 0; p < no; p++) mean[e, L][p] = Mean(act, hc[e, e][p, p]);
                    }
                    for (int e = 0; e < 2; e++)
                        for (int f = 0; f < 2; f++)
                        {
                            var kk = new double[no, no];
                            var tt = new double[no, no];
                            for (int p = 0; p < no; p++)
                                for (int q = 0; q < no; q++)
                                {
                                    var (kt, td) = Dual(act, hc[e, e][p, p], hc[f, f][q, q], hc[e, f][p, q]);
                                    kk[p, q] = kt;
                                    tt[p, q] = td * ht[e, f][p, q];
                                }
                            cov[e, L, f, L] = kk;
                            ntk[e, L, f, L] = tt;
                            for (int m = 0; m < L; m++)
                            {
                                int nm = shapes[m].H * shapes[m].W;
                                var cross = new double[no, nm];
                                for (int p = 0; p < no; p++)
                                    for (int q = 0; q < nm; q++) cross[p, q] = mean[e, L][p] * mean[f, m][q];
                                cov[e, L, f, m] = cross;
                                ntk[e, L, f, m] = new double[no, nm];
                            }
                        }
                    break;
                }
                case AvgPool2DSpec pool:
                {
                    int k = pool.Window, stride = pool.Stride > 0 ? pool.Stride : k;
                    int oh = SpatialGeometry.OutputSize(h, k, stride, pool.Padding), ow = SpatialGeometry.OutputSize(w, k, stride, pool.Padding);
                    shapes[L] = (oh, ow, c);
                    int[][] win = Enumerable.Range(0, oh * ow).Select(p =>
                    {
                        var list = new List<int>();
                        for (int a = 0; a < k; a++)
                            for (int b = 0; b < k; b++)
                            {
                                int sh = SpatialGeometry.SourceIndex(p / ow, a, h, k, stride, pool.Padding), sw2 = SpatialGeometry.SourceIndex(p % ow, b, w, k, stride, pool.Padding);
                                if (sh >= 0 && sw2 >= 0) list.Add(sh * w + sw2);
                            }
                        return list.ToArray();
                    }).ToArray();
                    double inv = 1.0 / (k * k);
                    Linear(L, P, cov, ntk, mean, shapes, Get, (src, rows) => Apply(src, win, inv), true);
                    break;
                }
                case GlobalAvgPoolSpec:
                {
                    shapes[L] = (1, 1, c);
                    int[][] win = [Enumerable.Range(0, n).ToArray()];
                    Linear(L, P, cov, ntk, mean, shapes, Get, (src, rows) => Apply(src, win, 1.0 / n), true);
                    break;
                }
                case FlattenSpec:
                {
                    shapes[L] = (1, 1, n * c);
                    for (int e = 0; e < 2; e++)
                    {
                        mean[e, L] = [mean[e, P].Average()];
                        for (int f = 0; f < 2; f++)
                        {
                            var K = Get(cov, e, P, f, P);
                            var T = Get(ntk, e, P, f, P);
                            cov[e, L, f, L] = new double[,] { { Enumerable.Range(0, n).Average(p => K[p, p]) } };
                            ntk[e, L, f, L] = new double[,] { { Enumerable.Range(0, n).Average(p => T[p, p]) } };
                            // Cross terms with earlier layers are not defined across a Flatten (no Add may use them).
                        }
                    }
                    break;
                }
                case AddSpec add:
                {
                    int S = names[add.Source];
                    shapes[L] = shapes[P];
                    for (int e = 0; e < 2; e++)
                    {
                        mean[e, L] = mean[e, P].Zip(mean[e, S], (a, b) => a + b).ToArray();
                        for (int f = 0; f < 2; f++)
                        {
                            cov[e, L, f, L] = IndependentBranches
                                ? Sum(Get(cov, e, P, f, P), Get(cov, e, S, f, S))
                                : Sum(Get(cov, e, P, f, P), Get(cov, e, P, f, S), Get(cov, e, S, f, P), Get(cov, e, S, f, S));
                            ntk[e, L, f, L] = Sum(Get(ntk, e, P, f, P), Get(ntk, e, P, f, S), Get(ntk, e, S, f, P), Get(ntk, e, S, f, S));
                            for (int m = 0; m < L; m++)
                            {
                                if (cov[e, P, f, Math.Min(m, P)] is null && m <= P) continue;
                                cov[e, L, f, m] = Sum(Get(cov, e, P, f, m), Get(cov, e, S, f, m));
                                ntk[e, L, f, m] = Sum(Get(ntk, e, P, f, m), Get(ntk, e, S, f, m));
                            }
                        }
                    }
                    break;
                }
                case LayerNormSpec norm:
                {
                    shapes[L] = shapes[P];
                    var v = new double[2][];
                    for (int e = 0; e < 2; e++)
                    {
                        var K = Get(cov, e, P, e, P);
                        v[e] = Enumerable.Range(0, n).Select(p => Math.Max(K[p, p] - mean[e, P][p] * mean[e, P][p], 0) + norm.Epsilon).ToArray();
                        mean[e, L] = new double[n];
                    }
                    for (int e = 0; e < 2; e++)
                        for (int f = 0; f < 2; f++)
                        {
                            var K = Get(cov, e, P, f, P);
                            var T = Get(ntk, e, P, f, P);
                            var kk = new double[n, n];
                            var tt = new double[n, n];
                            for (int p = 0; p < n; p++)
                                for (int q = 0; q < n; q++)
                                {
                                    double s = 1 / Math.Sqrt(v[e][p] * v[f][q]);
                                    kk[p, q] = (K[p, q] - mean[e, P][p] * mean[f, P][q]) * s;
                                    tt[p, q] = T[p, q] * s;
                                }
                            cov[e, L, f, L] = kk;
                            ntk[e, L, f, L] = tt;
                            for (int m = 0; m < L; m++)
                            {
                                if (m <= P && cov[e, P, f, m] is null) continue;
                                var km = Get(cov, e, P, f, m);
                                var tm = Get(ntk, e, P, f, m);
                                int nm = km.GetLength(1);
                                var ck = new double[n, nm];
                                var ct = new double[n, nm];
                                for (int p = 0; p < n; p++)
                                    for (int q = 0; q < nm; q++)
                                    {
                                        double s = 1 / Math.Sqrt(v[e][p]);
                                        ck[p, q] = (km[p, q] - mean[e, P][p] * mean[f, m][q]) * s;
                                        ct[p, q] = tm[p, q] * s;
                                    }
                                cov[e, L, f, m] = ck;
                                ntk[e, L, f, m] = ct;
                            }
                        }
                    break;
                }
                default: throw new NotSupportedException(spec.GetType().Name);
            }
        }
        int last = _layers.Count;
        return (cov[0, last, 1, last][0, 0], ntk[0, last, 1, last][0, 0]);
    }

    /// <summary>A parameter-free linear map z_L = A z_P applied to every covariance (both sides for (L, L), one side for earlier layers).</summary>
    private static void Linear(int L, int P, double[,,,][,] cov, double[,,,][,] ntk, double[,][] mean, (int H, int W, int C)[] shapes,
        Func<double[,,,][,], int, int, int, int, double[,]> get, Func<double[,], int, double[,]> map, bool _)
    {
        for (int e = 0; e < 2; e++)
        {
            var m = new double[mean[e, P].Length, 1];
            for (int p = 0; p < m.Length; p++) m[p, 0] = mean[e, P][p];
            var mm = map(m, 0);
            mean[e, L] = Enumerable.Range(0, mm.GetLength(0)).Select(p => mm[p, 0]).ToArray();
            for (int f = 0; f < 2; f++)
            {
                cov[e, L, f, L] = Transpose(map(Transpose(map(get(cov, e, P, f, P), 0)), 0));
                ntk[e, L, f, L] = Transpose(map(Transpose(map(get(ntk, e, P, f, P), 0)), 0));
                for (int m2 = 0; m2 < L; m2++)
                {
                    if (m2 <= P && cov[e, P, f, m2] is null) continue;
                    cov[e, L, f, m2] = map(get(cov, e, P, f, m2), 0);
                    ntk[e, L, f, m2] = map(get(ntk, e, P, f, m2), 0);
                }
            }
        }
    }

    /// <summary>R[q, j] = scale·Σ_{p ∈ window q} M[p, j].</summary>
    private static double[,] Apply(double[,] m, int[][] windows, double scale)
    {
        int cols = m.GetLength(1);
        var r = new double[windows.Length, cols];
        for (int q = 0; q < windows.Length; q++)
            for (int j = 0; j < cols; j++)
            {
                double s = 0;
                foreach (int p in windows[q]) s += m[p, j];
                r[q, j] = s * scale;
            }
        return r;
    }

    private static double[,] Transpose(double[,] m)
    {
        var t = new double[m.GetLength(1), m.GetLength(0)];
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++) t[j, i] = m[i, j];
        return t;
    }

    private static double[,] Sum(params double[][,] terms)
    {
        var r = (double[,])terms[0].Clone();
        foreach (var t in terms.Skip(1))
            for (int i = 0; i < r.GetLength(0); i++)
                for (int j = 0; j < r.GetLength(1); j++) r[i, j] += t[i, j];
        return r;
    }

    /// <summary>(K̃, Ṫ) of the activation at [[q1, c], [c, q2]].</summary>
    public static (double K, double T) Dual(LayerActivation act, double q1, double q2, double c)
    {
        switch (act.Kind)
        {
            case Activation.Identity: return (c, 1.0);
            case Activation.Relu:
            {
                double s = Math.Sqrt(q1 * q2);
                double rho = Math.Clamp(c / s, -1, 1), theta = Math.Acos(rho);
                return (s / (2 * Math.PI) * (Math.Sin(theta) + (Math.PI - theta) * Math.Cos(theta)), (Math.PI - theta) / (2 * Math.PI));
            }
            case Activation.Erf:
            {
                double d = (1 + 2 * q1) * (1 + 2 * q2);
                return (2 / Math.PI * Math.Asin(2 * c / Math.Sqrt(d)), 4 / Math.PI / Math.Sqrt(d - 4 * c * c));
            }
            default:
            {
                double rho = Math.Clamp(c / Math.Sqrt(q1 * q2), -1, 1);
                if (rho >= 1 - 1e-12 && Math.Abs(q1 - q2) <= 1e-12 * q1)
                    return (AnalyticReference.Square(act.Phi, q1), AnalyticReference.Square(act.Derivative, q1));
                return (AnalyticReference.Pair(act.Phi, act.Phi, q1, q2, rho), AnalyticReference.Pair(act.Derivative, act.Derivative, q1, q2, rho));
            }
        }
    }

    /// <summary>E[φ(u)], u ~ N(0, q), by quadrature.</summary>
    public static double Mean(LayerActivation act, double q)
    {
        if (act.Kind == Activation.Identity) return 0;
        double s = Math.Sqrt(q);
        return AnalyticReference.Expect(z => act.Phi(s * z), 0.0, s > 0 ? 1.0 / s : 1.0);
    }
}
