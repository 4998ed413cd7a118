using NtkDsl.Kernels;
using NtkDsl.Layers;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>
/// A finite network of the same layer specs, written for the Monte Carlo tests (the library's own forward pass is
/// written elsewhere): NTK parameterization, every weight and bias N(0, 1), convolutions as patch matrices times the
/// weights (one GEMM each), LayerNorm y = (z − mean_c z)/√(var_c z + ε). It stops before the readout and returns the
/// readout's input features g (N × C), so that the readout's conditional covariance σ_w²·g·g'/C + σ_b² estimates the
/// NNGP with O(1/√C) fluctuations.
/// </summary>
internal static class NaiveConvNet
{
    public static double[][] Features(IReadOnlyList<LayerSpec> layers, int[] shape, double[][] inputs, int width, Random rng)
    {
        int n = inputs.Length;
        int h = shape[0], w = shape[1], c = shape[2];
        var z = inputs.Select(x => (double[])x.Clone()).ToArray();
        var outputs = new Dictionary<string, double[][]>();
        for (int li = 0; li < layers.Count - 1; li++)
        {
            switch (layers[li])
            {
                case Conv2DSpec conv:
                {
                    int k = conv.KernelSize, oh = SpatialGeometry.OutputSize(h, k, conv.Stride, conv.Padding), ow = SpatialGeometry.OutputSize(w, k, conv.Stride, conv.Padding);
                    int channels = width, fan = k * k * c;
                    var weights = Gaussian(rng, channels * fan);
                    var bias = Gaussian(rng, channels);
                    var patches = new double[n * oh * ow * fan];
                    for (int e = 0; e < n; e++)
                        for (int qh = 0; qh < oh; qh++)
                            for (int qw = 0; qw < ow; qw++)
                                for (int a = 0; a < k; a++)
                                    for (int b = 0; b < k; b++)
                                    {
                                        int sh = SpatialGeometry.SourceIndex(qh, a, h, k, conv.Stride, conv.Padding), sw = SpatialGeometry.SourceIndex(qw, b, w, k, conv.Stride, conv.Padding);
                                        if (sh < 0 || sw < 0) continue;
                                        for (int ci = 0; ci < c; ci++)
                                            patches[(((e * oh + qh) * ow + qw) * k * k + a * k + b) * c + ci] = z[e][(sh * w + sw) * c + ci];
                                    }
                    var y = new double[n * oh * ow * channels];
                    Blas.Gemm(Transpose.No, Transpose.Yes, n * oh * ow, channels, fan, conv.WeightStd / Math.Sqrt(fan), patches, fan, weights, fan, 0.0, y, channels);
                    for (int e = 0; e < n; e++)
                    {
                        var o = new double[oh * ow * channels];
                        for (int i = 0; i < o.Length; i++)
                        {
                            double v = y[e * o.Length + i] + (conv.UseBias ? conv.BiasStd * bias[i % channels] : 0.0);
                            o[i] = conv.Activation.Phi(v);
                        }
                        z[e] = o;
                    }
                    (h, w, c) = (oh, ow, channels);
                    break;
                }
                case AvgPool2DSpec pool:
                {
                    int k = pool.Window, s = pool.Stride > 0 ? pool.Stride : k;
                    int oh = SpatialGeometry.OutputSize(h, k, s, pool.Padding), ow = SpatialGeometry.OutputSize(w, k, s, pool.Padding);
                    for (int e = 0; e < n; e++)
                    {
                        var o = new double[oh * ow * c];
                        for (int qh = 0; qh < oh; qh++)
                            for (int qw = 0; qw < ow; qw++)
                                for (int a = 0; a < k; a++)
                                    for (int b = 0; b < k; b++)
                                    {
                                        int sh = SpatialGeometry.SourceIndex(qh, a, h, k, s, pool.Padding), sw = SpatialGeometry.SourceIndex(qw, b, w, k, s, pool.Padding);
                                        if (sh < 0 || sw < 0) continue;
                                        for (int ci = 0; ci < c; ci++) o[(qh * ow + qw) * c + ci] += z[e][(sh * w + sw) * c + ci] / (k * k);
                                    }
                        z[e] = o;
                    }
                    (h, w) = (oh, ow);
                    break;
                }
                case GlobalAvgPoolSpec:
                    for (int e = 0; e < n; e++)
                    {
                        var o = new double[c];
                        for (int p = 0; p < h * w; p++)
                            for (int ci = 0; ci < c; ci++) o[ci] += z[e][p * c + ci] / (h * w);
                        z[e] = o;
                    }
                    (h, w) = (1, 1);
                    break;
                case AddSpec add:
                {
                    var src = outputs[add.Source];
                    for (int e = 0; e < n; e++) z[e] = z[e].Zip(src[e], (a, b) => a + b).ToArray();
                    break;
                }
                case LayerNormSpec norm:
                    for (int e = 0; e < n; e++)
                        for (int p = 0; p < h * w; p++)
                        {
                            var v = z[e].AsSpan(p * c, c);
                            double mean = 0, var = 0;
                            foreach (double t in v) mean += t / c;
                            foreach (double t in v) var += (t - mean) * (t - mean) / c;
                            double inv = 1 / Math.Sqrt(var + norm.Epsilon);
                            for (int ci = 0; ci < c; ci++) v[ci] = (v[ci] - mean) * inv;
                        }
                    break;
                default: throw new NotSupportedException(layers[li].GetType().Name);
            }
            outputs[layers[li].Name] = z.Select(v => (double[])v.Clone()).ToArray();
        }
        return z;
    }

    private static double[] Gaussian(Random rng, int count)
    {
        var v = new double[count];
        for (int i = 0; i < count; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2 * Math.Log(u1));
            v[i] = r * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < count) v[i + 1] = r * Math.Sin(2 * Math.PI * u2);
        }
        return v;
    }
}
