using NtkDsl.Kernels;
using NtkDsl.Layers;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>
/// The empirical NTK Θ(x, x') = Σ_θ ∂f(x)/∂θ·∂f(x')/∂θ of one finite network, by a hand-written forward and reverse
/// pass per example (written for the Monte Carlo tests; the library's structured NTK is written elsewhere). NTK
/// parameterization, every weight and bias N(0, 1); layers: Conv2D, AvgPool2D, GlobalAvgPool, Add, LayerNorm, and a
/// final Dense layer of one unit on a 1 × 1 input.
/// </summary>
internal static class NaiveConvNtk
{
    private sealed record ConvParams(Conv2DSpec Spec, int H, int W, int C, int Oh, int Ow, int Channels, double[] Weights, double[] Bias);

    public static double[,] Ntk(IReadOnlyList<LayerSpec> layers, int[] shape, double[][] inputs, int width, Random rng)
    {
        // Draw the parameters once, layer by layer.
        var convs = new Dictionary<int, ConvParams>();
        int h = shape[0], w = shape[1], c = shape[2];
        for (int li = 0; li < layers.Count - 1; li++)
        {
            switch (layers[li])
            {
                case Conv2DSpec conv:
                {
                    int oh = SpatialGeometry.OutputSize(h, conv.KernelSize, conv.Stride, conv.Padding), ow = SpatialGeometry.OutputSize(w, conv.KernelSize, conv.Stride, conv.Padding);
                    convs[li] = new ConvParams(conv, h, w, c, oh, ow, width, Gaussian(rng, width * conv.KernelSize * conv.KernelSize * c), Gaussian(rng, width));
                    (h, w, c) = (oh, ow, width);
                    break;
                }
                case AvgPool2DSpec pool:
                {
                    int s = pool.Stride > 0 ? pool.Stride : pool.Window;
                    (h, w) = (SpatialGeometry.OutputSize(h, pool.Window, s, pool.Padding), SpatialGeometry.OutputSize(w, pool.Window, s, pool.Padding));
                    break;
                }
                case GlobalAvgPoolSpec: (h, w) = (1, 1); break;
            }
        }
        var readout = (DenseSpec)layers[^1];
        var r = Gaussian(rng, c);
        var grads = inputs.Select(x => Gradient(layers, shape, x, convs, readout, r)).ToArray();
        int n = inputs.Length;
        var theta = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < grads[i].Length; k++) s += grads[i][k] * grads[j][k];
                theta[i, j] = s;
            }
        return theta;
    }

    private static double[] Gradient(IReadOnlyList<LayerSpec> layers, int[] shape, double[] x, Dictionary<int, ConvParams> convs, DenseSpec readout, double[] r)
    {
        int count = layers.Count - 1;
        var input = new double[count][];   // input of each layer
        var pre = new double[count][];     // conv pre-activations
        var outs = new Dictionary<string, int>();
        var dims = new (int H, int W, int C)[count + 1];
        dims[0] = (shape[0], shape[1], shape[2]);
        var z = x;
        for (int li = 0; li < count; li++)
        {
            input[li] = z;
            var (h, w, c) = dims[li];
            switch (layers[li])
            {
                case Conv2DSpec conv:
                {
                    var p = convs[li];
                    var patches = Patches(p, z);
                    int fan = p.Spec.KernelSize * p.Spec.KernelSize * c, rows = p.Oh * p.Ow;
                    var y = new double[rows * p.Channels];
                    Blas.Gemm(Transpose.No, Transpose.Yes, rows, p.Channels, fan, conv.WeightStd / Math.Sqrt(fan), patches, fan, p.Weights, fan, 0.0, y, p.Channels);
                    for (int i = 0; i < y.Length; i++) y[i] += conv.UseBias ? conv.BiasStd * p.Bias[i % p.Channels] : 0.0;
                    pre[li] = y;
                    z = y.Select(conv.Activation.Phi).ToArray();
                    dims[li + 1] = (p.Oh, p.Ow, p.Channels);
                    break;
                }
                case AvgPool2DSpec pool:
                {
                    var (oh, ow, map) = PoolMap(pool, h, w);
                    var o = new double[oh * ow * c];
                    for (int q = 0; q < oh * ow; q++)
                        foreach (int src in map[q])
                            for (int ci = 0; ci < c; ci++) o[q * c + ci] += z[src * c + ci] / (pool.Window * pool.Window);
                    z = o;
                    dims[li + 1] = (oh, ow, c);
                    break;
                }
                case GlobalAvgPoolSpec:
                {
                    var o = new double[c];
                    for (int p = 0; p < h * w; p++)
                        for (int ci = 0; ci < c; ci++) o[ci] += z[p * c + ci] / (h * w);
                    z = o;
                    dims[li + 1] = (1, 1, c);
                    break;
                }
                case AddSpec add:
                {
                    var src = input[outs[add.Source] + 1 < count ? outs[add.Source] + 1 : throw new InvalidOperationException()];
                    z = z.Zip(src, (a, b) => a + b).ToArray();
                    dims[li + 1] = dims[li];
                    break;
                }
                case LayerNormSpec norm:
                {
                    var o = new double[z.Length];
                    for (int p = 0; p < h * w; p++)
                    {
                        double mean = 0, var = 0;
                        for (int ci = 0; ci < c; ci++) mean += z[p * c + ci] / c;
                        for (int ci = 0; ci < c; ci++) var += Math.Pow(z[p * c + ci] - mean, 2) / c;
                        double inv = 1 / Math.Sqrt(var + norm.Epsilon);
                        for (int ci = 0; ci < c; ci++) o[p * c + ci] = (z[p * c + ci] - mean) * inv;
                    }
                    z = o;
                    dims[li + 1] = dims[li];
                    break;
                }
                default: throw new NotSupportedException(layers[li].GetType().Name);
            }
            outs[layers[li].Name] = li;
        }
        // Readout gradient, then backward.
        int cOut = dims[count].C;
        var grad = new List<double>();
        grad.AddRange(z.Select(v => readout.WeightStd / Math.Sqrt(cOut) * v));
        if (readout.UseBias) grad.Add(readout.BiasStd);
        var delta = r.Select(v => readout.WeightStd / Math.Sqrt(cOut) * v).ToArray(); // ∂f/∂(readout input)
        var pending = new Dictionary<int, double[]>(); // extra cotangents for layer outputs read by Add
        var convGrads = new List<double[]>();
        for (int li = count - 1; li >= 0; li--)
        {
            if (pending.TryGetValue(li, out var extra)) delta = delta.Zip(extra, (a, b) => a + b).ToArray();
            var (h, w, c) = dims[li];
            switch (layers[li])
            {
                case Conv2DSpec conv:
                {
                    var p = convs[li];
                    int fan = p.Spec.KernelSize * p.Spec.KernelSize * c, rows = p.Oh * p.Ow;
                    var dh = new double[rows * p.Channels];
                    for (int i = 0; i < dh.Length; i++) dh[i] = delta[i] * conv.Activation.Derivative(pre[li][i]);
                    var patches = Patches(p, input[li]);
                    var dw = new double[p.Channels * fan];
                    double scale = conv.WeightStd / Math.Sqrt(fan);
                    Blas.Gemm(Transpose.Yes, Transpose.No, p.Channels, fan, rows, scale, dh, p.Channels, patches, fan, 0.0, dw, fan);
                    var db = new double[p.Channels];
                    if (conv.UseBias)
                        for (int i = 0; i < dh.Length; i++) db[i % p.Channels] += conv.BiasStd * dh[i];
                    convGrads.Add(dw);
                    if (conv.UseBias) convGrads.Add(db);
                    var dp = new double[rows * fan];
                    Blas.Gemm(Transpose.No, Transpose.No, rows, fan, p.Channels, scale, dh, p.Channels, p.Weights, fan, 0.0, dp, fan);
                    delta = Scatter(p, dp);
                    break;
                }
                case AvgPool2DSpec pool:
                {
                    var (oh, ow, map) = PoolMap(pool, h, w);
                    var d = new double[h * w * c];
                    for (int q = 0; q < oh * ow; q++)
                        foreach (int src in map[q])
                            for (int ci = 0; ci < c; ci++) d[src * c + ci] += delta[q * c + ci] / (pool.Window * pool.Window);
                    delta = d;
                    break;
                }
                case GlobalAvgPoolSpec:
                {
                    var d = new double[h * w * c];
                    for (int p = 0; p < h * w; p++)
                        for (int ci = 0; ci < c; ci++) d[p * c + ci] = delta[ci] / (h * w);
                    delta = d;
                    break;
                }
                case AddSpec add:
                {
                    int src = outs[add.Source];
                    pending[src] = pending.TryGetValue(src, out var prev) ? prev.Zip(delta, (a, b) => a + b).ToArray() : (double[])delta.Clone();
                    break;
                }
                case LayerNormSpec norm:
                {
                    var zin = input[li];
                    var d = new double[zin.Length];
                    for (int p = 0; p < h * w; p++)
                    {
                        double mean = 0, var = 0;
                        for (int ci = 0; ci < c; ci++) mean += zin[p * c + ci] / c;
                        for (int ci = 0; ci < c; ci++) var += Math.Pow(zin[p * c + ci] - mean, 2) / c;
                        double inv = 1 / Math.Sqrt(var + norm.Epsilon), md = 0, mdy = 0;
                        for (int ci = 0; ci < c; ci++)
                        {
                            double y = (zin[p * c + ci] - mean) * inv;
                            md += delta[p * c + ci] / c;
                            mdy += delta[p * c + ci] * y / c;
                        }
                        for (int ci = 0; ci < c; ci++)
                        {
                            double y = (zin[p * c + ci] - mean) * inv;
                            d[p * c + ci] = inv * (delta[p * c + ci] - md - y * mdy);
                        }
                    }
                    delta = d;
                    break;
                }
            }
        }
        foreach (var g in convGrads) grad.AddRange(g);
        return grad.ToArray();
    }

    private static double[] Patches(ConvParams p, double[] z)
    {
        int k = p.Spec.KernelSize, fan = k * k * p.C;
        var patches = new double[p.Oh * p.Ow * fan];
        for (int qh = 0; qh < p.Oh; qh++)
            for (int qw = 0; qw < p.Ow; qw++)
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++)
                    {
                        int sh = SpatialGeometry.SourceIndex(qh, a, p.H, k, p.Spec.Stride, p.Spec.Padding), sw = SpatialGeometry.SourceIndex(qw, b, p.W, k, p.Spec.Stride, p.Spec.Padding);
                        if (sh < 0 || sw < 0) continue;
                        for (int ci = 0; ci < p.C; ci++) patches[((qh * p.Ow + qw) * k * k + a * k + b) * p.C + ci] = z[(sh * p.W + sw) * p.C + ci];
                    }
        return patches;
    }

    private static double[] Scatter(ConvParams p, double[] dp)
    {
        int k = p.Spec.KernelSize;
        var d = new double[p.H * p.W * p.C];
        for (int qh = 0; qh < p.Oh; qh++)
            for (int qw = 0; qw < p.Ow; qw++)
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++)
                    {
                        int sh = SpatialGeometry.SourceIndex(qh, a, p.H, k, p.Spec.Stride, p.Spec.Padding), sw = SpatialGeometry.SourceIndex(qw, b, p.W, k, p.Spec.Stride, p.Spec.Padding);
                        if (sh < 0 || sw < 0) continue;
                        for (int ci = 0; ci < p.C; ci++) d[(sh * p.W + sw) * p.C + ci] += dp[((qh * p.Ow + qw) * k * k + a * k + b) * p.C + ci];
                    }
        return d;
    }

    private static (int Oh, int Ow, int[][] Map) PoolMap(AvgPool2DSpec pool, int h, int w)
    {
        int k = pool.Window, s = pool.Stride > 0 ? pool.Stride : k;
        int oh = SpatialGeometry.OutputSize(h, k, s, pool.Padding), ow = SpatialGeometry.OutputSize(w, k, s, pool.Padding);
        var map = new int[oh * ow][];
        for (int qh = 0; qh < oh; qh++)
            for (int qw = 0; qw < ow; qw++)
            {
                var list = new List<int>();
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++)
                    {
                        int sh = SpatialGeometry.SourceIndex(qh, a, h, k, s, pool.Padding), sw = SpatialGeometry.SourceIndex(qw, b, w, k, s, pool.Padding);
                        if (sh >= 0 && sw >= 0) list.Add(sh * w + sw);
                    }
                map[qh * ow + qw] = list.ToArray();
            }
        return (oh, ow, map);
    }

    private static double[] Gaussian(Random rng, int count)
    {
        var v = new double[count];
        for (int i = 0; i < count; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double rr = Math.Sqrt(-2 * Math.Log(u1));
            v[i] = rr * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < count) v[i + 1] = rr * Math.Sin(2 * Math.PI * u2);
        }
        return v;
    }
}
