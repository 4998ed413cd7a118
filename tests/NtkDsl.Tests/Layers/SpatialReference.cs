using NtkDsl.Layers;

namespace NtkDsl.Tests.Layers;

/// <summary>
/// A naive forward pass written from the layer definitions with plain loops, independent of the run time: JAX/neural-tangents
/// padding (Same/Circular: ⌈n/s⌉ outputs, total padding max((out − 1)·s + k − n, 0), ⌊total/2⌋ before; Valid
/// ⌊(n − k)/s⌋ + 1), NHWC, weights [co, ky, kx, ci], NTK scale σ_w/√(k·k·Cin) or 1 (standard).
/// </summary>
internal static class SpatialReference
{
    public static double[,] Forward(IReadOnlyList<LayerSpec> specs, int[] shape, Parameterization par, double[][] p, double[] x, int rows)
    {
        int kOut = 0;
        var result = new List<double[]>();
        for (int n = 0; n < rows; n++)
        {
            var a = new double[shape[0], shape[1], shape[2]];
            int t = 0;
            for (int i = 0; i < shape[0]; i++)
                for (int j = 0; j < shape[1]; j++)
                    for (int c = 0; c < shape[2]; c++) a[i, j, c] = x[n * shape[0] * shape[1] * shape[2] + t++];
            var outs = new Dictionary<string, double[,,]>();
            int g = 0;
            foreach (var spec in specs)
            {
                a = spec switch
                {
                    Conv2DSpec c => Conv(c, par, p, ref g, a),
                    DenseSpec d => Dense(d, par, p, ref g, a),
                    AvgPool2DSpec q => Pool(q, a),
                    GlobalAvgPoolSpec => Gap(a),
                    FlattenSpec => Flat(a),
                    AddSpec s => Add(a, outs[s.Source]),
                    LayerNormSpec l => Norm(l, a),
                    _ => throw new InvalidOperationException(),
                };
                outs[spec.Name] = a;
            }
            kOut = a.GetLength(2);
            var row = new double[kOut];
            for (int c = 0; c < kOut; c++) row[c] = a[0, 0, c];
            result.Add(row);
        }
        var r = new double[rows, kOut];
        for (int n = 0; n < rows; n++)
            for (int c = 0; c < kOut; c++) r[n, c] = result[n][c];
        return r;
    }

    private static int Out(int n, int k, int s, Padding pad) => pad == Padding.Valid ? (n - k) / s + 1 : (n + s - 1) / s;

    private static int Before(int n, int k, int s, Padding pad) => pad == Padding.Valid ? 0 : Math.Max((Out(n, k, s, pad) - 1) * s + k - n, 0) / 2;

    /// <summary>Input value at padded coordinates (zero outside, wrapped for Circular).</summary>
    private static double At(double[,,] a, int i, int j, int c, Padding pad)
    {
        int h = a.GetLength(0), w = a.GetLength(1);
        if (pad == Padding.Circular)
        {
            i = ((i % h) + h) % h;
            j = ((j % w) + w) % w;
        }
        return i < 0 || j < 0 || i >= h || j >= w ? 0.0 : a[i, j, c];
    }

    private static double[,,] Conv(Conv2DSpec s, Parameterization par, double[][] p, ref int g, double[,,] a)
    {
        int h = a.GetLength(0), w = a.GetLength(1), cin = a.GetLength(2), k = s.KernelSize;
        int oh = Out(h, k, s.Stride, s.Padding), ow = Out(w, k, s.Stride, s.Padding);
        int bh = Before(h, k, s.Stride, s.Padding), bw = Before(w, k, s.Stride, s.Padding);
        double cw = par == Parameterization.Ntk ? s.WeightStd / Math.Sqrt(k * k * cin) : 1.0, cb = par == Parameterization.Ntk ? s.BiasStd : 1.0;
        var wts = p[g++];
        var b = s.UseBias ? p[g++] : null;
        var y = new double[oh, ow, s.Channels];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int co = 0; co < s.Channels; co++)
                {
                    double z = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            for (int ci = 0; ci < cin; ci++)
                                z += wts[((co * k + ky) * k + kx) * cin + ci] * At(a, oy * s.Stride + ky - bh, ox * s.Stride + kx - bw, ci, s.Padding);
                    z = cw * z + (b is null ? 0 : cb * b[co]);
                    y[oy, ox, co] = s.Activation.Phi(z);
                }
        return y;
    }

    private static double[,,] Dense(DenseSpec s, Parameterization par, double[][] p, ref int g, double[,,] a)
    {
        int m = a.GetLength(2);
        Assert.Equal(1, a.GetLength(0) * a.GetLength(1));
        double cw = par == Parameterization.Ntk ? s.WeightStd / Math.Sqrt(m) : 1.0, cb = par == Parameterization.Ntk ? s.BiasStd : 1.0;
        var wts = p[g++];
        var b = s.UseBias ? p[g++] : null;
        var y = new double[1, 1, s.Units];
        for (int u = 0; u < s.Units; u++)
        {
            double z = 0;
            for (int i = 0; i < m; i++) z += wts[u * m + i] * a[0, 0, i];
            y[0, 0, u] = s.Activation.Phi(cw * z + (b is null ? 0 : cb * b[u]));
        }
        return y;
    }

    private static double[,,] Pool(AvgPool2DSpec s, double[,,] a)
    {
        int h = a.GetLength(0), w = a.GetLength(1), c = a.GetLength(2), k = s.Window, st = s.Stride == 0 ? k : s.Stride;
        int oh = Out(h, k, st, s.Padding), ow = Out(w, k, st, s.Padding), bh = Before(h, k, st, s.Padding), bw = Before(w, k, st, s.Padding);
        var y = new double[oh, ow, c];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int ch = 0; ch < c; ch++)
                {
                    double sum = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) sum += At(a, oy * st + ky - bh, ox * st + kx - bw, ch, s.Padding);
                    y[oy, ox, ch] = sum / (k * k);
                }
        return y;
    }

    private static double[,,] Gap(double[,,] a)
    {
        int h = a.GetLength(0), w = a.GetLength(1), c = a.GetLength(2);
        var y = new double[1, 1, c];
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) s += a[i, j, ch];
            y[0, 0, ch] = s / (h * w);
        }
        return y;
    }

    private static double[,,] Flat(double[,,] a)
    {
        int h = a.GetLength(0), w = a.GetLength(1), c = a.GetLength(2), t = 0;
        var y = new double[1, 1, h * w * c];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                for (int ch = 0; ch < c; ch++) y[0, 0, t++] = a[i, j, ch];
        return y;
    }

    private static double[,,] Add(double[,,] a, double[,,] b)
    {
        var y = (double[,,])a.Clone();
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                for (int c = 0; c < a.GetLength(2); c++) y[i, j, c] += b[i, j, c];
        return y;
    }

    private static double[,,] Norm(LayerNormSpec s, double[,,] a)
    {
        int h = a.GetLength(0), w = a.GetLength(1), c = a.GetLength(2);
        var y = new double[h, w, c];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                double mean = 0, v = 0;
                for (int ch = 0; ch < c; ch++) mean += a[i, j, ch] / c;
                for (int ch = 0; ch < c; ch++) v += (a[i, j, ch] - mean) * (a[i, j, ch] - mean) / c;
                for (int ch = 0; ch < c; ch++) y[i, j, ch] = (a[i, j, ch] - mean) / Math.Sqrt(v + s.Epsilon);
            }
        return y;
    }
}
