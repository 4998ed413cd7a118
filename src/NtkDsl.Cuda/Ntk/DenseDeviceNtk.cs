using System.Globalization;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Cuda.Tiling;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// The structured empirical NTK (Trace mode, NTK parameterization, math.md §2) of a generated Dense model on a
/// <see cref="CudaDevice"/>, driven by the model's <see cref="ModelInfo"/> (the layer plan the CPU uses) and its flat
/// parameters: forward GEMMs, CUDA C elementwise kernels (activation and derivative, delta construction, fused
/// Hadamard accumulation), Gram GEMMs (SYRK when x1 = x2) per layer, row-tiled through <see cref="RowTiledAssembly"/>.
/// Reductions used (math.md §2): the output layer needs no delta Gram; the last hidden layer, traced, uses one
/// n-wide Gram of φ'(h)·√s with s_i = Σ_c W_ci²; earlier layers use explicit deltas (K·n wide per example).
/// The public entry point is <see cref="NtkOnDeviceExtensions.NtkOnDevice"/>.
/// </summary>
internal sealed class DenseDeviceNtk<T> : IDisposable where T : unmanaged
{
    private const string Source = """
        extern "C" __global__ void dense_act_SFX(const REAL* __restrict__ pre, const REAL* __restrict__ bias, REAL* __restrict__ act, REAL* __restrict__ dact,
                                                 REAL ws, REAL bs, int kind, long long count, int width)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            REAL h = ws * pre[idx] + bs * bias[idx % width];
            if (kind == 0) { act[idx] = h > (REAL)0 ? h : (REAL)0; dact[idx] = h > (REAL)0 ? (REAL)1 : (REAL)0; }
            else if (kind == 1) { REAL t = tanh(h); act[idx] = t; dact[idx] = (REAL)1 - t * t; }
            else if (kind == 2) { act[idx] = erf(h); dact[idx] = (REAL)1.1283791670955125739 * exp(-h * h); }
            else { act[idx] = h; dact[idx] = (REAL)1; }
        }

        // e[(i, c), j] = dact[i, j] · scale · w[c, j]: the deltas of the last hidden layer, one row per (example, output).
        extern "C" __global__ void delta_top_SFX(const REAL* __restrict__ dact, const REAL* __restrict__ w, REAL* __restrict__ e,
                                                 REAL scale, long long count, int k, int n)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long i = idx / ((long long)k * n);
            int c = (int)((idx / n) % k), j = (int)(idx % n);
            e[idx] = dact[i * n + j] * scale * w[(long long)c * n + j];
        }

        // e[(i, c), j] *= scale · dact[i, j]: finishes δ^l = φ'(h^l) ⊙ (σ/√n) Wᵀ δ^{l+1} after the GEMM.
        extern "C" __global__ void scale_rows_SFX(const REAL* __restrict__ dact, REAL* __restrict__ e, REAL scale, long long count, int k, int n)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long i = idx / ((long long)k * n);
            e[idx] *= scale * dact[i * n + idx % n];
        }

        // r[i, j] = dact[i, j] · sqrts[j]: the traced last-layer reduction.
        extern "C" __global__ void reduced_SFX(const REAL* __restrict__ dact, const REAL* __restrict__ sqrts, REAL* __restrict__ r, long long count, int n)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx < count) r[idx] = dact[idx] * sqrts[idx % n];
        }

        // out += c0 + (cx·ga + cb) ⊙ gd (c0: the output layer's σ_b², added once with the first hidden layer's term).
        // lowerN > 0: only the lower triangle (j ≤ i) of an lowerN × lowerN matrix (the SYRK path; mirrored afterwards).
        extern "C" __global__ void hadamard_SFX(const REAL* __restrict__ ga, const REAL* __restrict__ gd, REAL* __restrict__ out, REAL cx, REAL cb, REAL c0, long long count, int lowerN)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            if (lowerN > 0 && idx % lowerN > idx / lowerN) return;
            out[idx] += c0 + (cx * ga[idx] + cb) * gd[idx];
        }

        // out[i, j] = out[j, i] for j > i: mirrors the lower triangle of an n × n matrix.
        extern "C" __global__ void mirror_lower_SFX(REAL* __restrict__ out, int n)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= (long long)n * n) return;
            long long i = idx / n, j = idx % n;
            if (j > i) out[idx] = out[j * n + i];
        }
        """;

    private const int Block = 256;
    private readonly CudaDevice _device;
    private readonly CudaModule _module;
    private readonly GpuFloat32Mode _mode;
    private readonly Layer[] _layers;
    private readonly DeviceBuffer<T> _sqrtS;
    private readonly int _k;

    private sealed record Layer(int FanIn, int Width, double WeightStd, double BiasStd, int Kind, DeviceBuffer<T> W, DeviceBuffer<T> B);

    /// <summary>Per-input features: the input, activations A_1..A_L, derivatives P_1..P_L, deltas E_1..E_{L−1} and the reduction R_L.</summary>
    internal sealed class Features(int rows, DeviceMemory<T> input, DeviceBuffer<T>? ownedInput) : IDisposable
    {
        public int Rows { get; } = rows;
        /// <summary>A_1..A_L (the input A_0 is <see cref="Input"/>(0)).</summary>
        public List<DeviceBuffer<T>> A { get; } = [];
        public List<DeviceBuffer<T>> P { get; } = [];
        public List<DeviceBuffer<T>?> E { get; } = [];
        public DeviceBuffer<T>? R { get; set; }

        /// <summary>The input of layer <paramref name="l"/> (A_l; A_0 = x).</summary>
        public DeviceMemory<T> Input(int l) => l == 0 ? input : A[l - 1];

        public void Dispose()
        {
            ownedInput?.Dispose();
            foreach (var a in A) a.Dispose();
            foreach (var p in P) p.Dispose();
            foreach (var e in E) e?.Dispose();
            R?.Dispose();
        }
    }

    /// <summary>Optional per-phase timing (the benchmark's breakdown); null in normal use.</summary>
    public PhaseTimes? Timer { get; set; }

    public DenseDeviceNtk(CudaDevice device, ModelInfo info, double[] parameters, GpuFloat32Mode mode = GpuFloat32Mode.Strict)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float)) throw new NotSupportedException("The device NTK computes in double or float.");
        Check(info);
        if (parameters.Length != info.ParameterCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{info.Name}: {parameters.Length} parameters given, the model has {info.ParameterCount}."), nameof(parameters));
        _device = device;
        _mode = mode;
        bool f64 = typeof(T) == typeof(double);
        _module = device.Compile(Source.Replace("REAL", f64 ? "double" : "float", StringComparison.Ordinal).Replace("SFX", f64 ? "d" : "f", StringComparison.Ordinal));
        var layers = new List<Layer>();
        foreach (var l in info.Layers)
        {
            int kind = Kind(l.Activation);
            var w = parameters.AsSpan(l.WeightOffset, l.WeightCount);
            var b = parameters.AsSpan(l.BiasOffset, l.BiasCount);
            layers.Add(new Layer(l.FanIn, l.Width, l.WeightStd, l.BiasStd, kind, Upload(w), Upload(b)));
        }
        _layers = [.. layers];
        _k = _layers[^1].Width;
        var top = info.Layers[^1];
        var s = new double[top.FanIn];
        for (int c = 0; c < top.Width; c++)
            for (int j = 0; j < top.FanIn; j++)
            {
                double v = parameters[top.WeightOffset + c * top.FanIn + j];
                s[j] += v * v;
            }
        _sqrtS = Upload(s.Select(Math.Sqrt).ToArray());
    }

    /// <summary>Throws <see cref="NotSupportedException"/> naming what the device NTK does not cover yet.</summary>
    public static void Check(ModelInfo info)
    {
        const string fix = " Compute this model's NTK on the CPU (model.Ntk).";
        if (info.Parameterization != Parameterization.Ntk)
            throw new NotSupportedException($"{info.Name}: the device NTK covers the NTK parameterization; this model uses {info.Parameterization}.{fix}");
        if (info.OutputScale != 1 || info.Centered)
            throw new NotSupportedException($"{info.Name}: the device NTK covers models without an output scale or centring.{fix}");
        if (info.Layers.Count < 2)
            throw new NotSupportedException($"{info.Name}: the device NTK needs at least one hidden layer before the readout.{fix}");
        for (int l = 0; l < info.Layers.Count; l++)
        {
            var layer = info.Layers[l];
            if (layer.Kind != "Dense")
                throw new NotSupportedException($"{info.Name}: layer {layer.Name} is {layer.Kind}; the device NTK covers Dense layers only so far.{fix}");
            if (!layer.UseBias)
                throw new NotSupportedException($"{info.Name}: layer {layer.Name} has no bias; the device NTK covers Dense layers with biases so far.{fix}");
            if (l < info.Layers.Count - 1) Kind(layer.Activation, layer, info);
            else if (layer.Activation != Activation.Identity)
                throw new NotSupportedException($"{info.Name}: the readout {layer.Name} has activation {layer.ActivationName}; the device NTK covers a linear readout.{fix}");
        }
    }

    private static int Kind(Activation a, LayerInfo? layer = null, ModelInfo? info = null) => a switch
    {
        Activation.Relu => 0,
        Activation.Tanh => 1,
        Activation.Erf => 2,
        Activation.Identity => -1,
        _ => throw new NotSupportedException($"{info?.Name}: layer {layer?.Name} uses activation {layer?.ActivationName ?? a.ToString()}; the device NTK has kernels for Relu, Tanh, Erf and Identity so far. Compute this model's NTK on the CPU (model.Ntk)."),
    };

    private DeviceBuffer<T> Upload(ReadOnlySpan<double> v)
    {
        if (typeof(T) == typeof(double)) return (DeviceBuffer<T>)(object)_device.Upload(v);
        var f = new float[v.Length];
        for (int i = 0; i < f.Length; i++) f[i] = (float)v[i];
        return (DeviceBuffer<T>)(object)_device.Upload<float>(f);
    }

    private static KernelArg R(double v) => typeof(T) == typeof(double) ? (KernelArg)v : (KernelArg)(float)v;

    private static KernelArg Ptr(DeviceMemory<T> m) => KernelArg.Pointer(m);

    private void Gemm(Transpose ta, Transpose tb, int m, int n, int k, double alpha, DeviceMemory<T> a, int lda, DeviceMemory<T> b, int ldb, double beta, DeviceMemory<T> c, int ldc)
    {
        if (typeof(T) == typeof(double))
            GpuBlas.Gemm(ta, tb, m, n, k, alpha, (DeviceMemory<double>)(object)a, lda, (DeviceMemory<double>)(object)b, ldb, beta, (DeviceMemory<double>)(object)c, ldc);
        else
            GpuBlas.Gemm(ta, tb, m, n, k, (float)alpha, (DeviceMemory<float>)(object)a, lda, (DeviceMemory<float>)(object)b, ldb, (float)beta, (DeviceMemory<float>)(object)c, ldc, _mode);
    }

    private void SyrkLower(int n, int k, double alpha, DeviceMemory<T> a, int lda, DeviceMemory<T> c, int ldc)
    {
        if (typeof(T) == typeof(double))
            GpuBlas.SyrkLower(n, k, alpha, (DeviceMemory<double>)(object)a, lda, 0.0, (DeviceMemory<double>)(object)c, ldc);
        else
            GpuBlas.SyrkLower(n, k, (float)alpha, (DeviceMemory<float>)(object)a, lda, 0f, (DeviceMemory<float>)(object)c, ldc, _mode);
    }

    private string Name(string stem) => stem + (typeof(T) == typeof(double) ? "_d" : "_f");

    /// <summary>Features of <paramref name="rows"/> inputs (rows × d, row-major) already on the device.</summary>
    public Features Compute(DeviceMemory<T> x, int rows, DeviceBuffer<T>? ownedInput = null)
    {
        var f = new Features(rows, x, ownedInput);
        int hidden = _layers.Length - 1;
        for (int l = 0; l < hidden; l++)
        {
            var L = _layers[l];
            var pre = _device.Allocate<T>((long)rows * L.Width);
            Gemm(Transpose.No, Transpose.Yes, rows, L.Width, L.FanIn, 1.0, f.Input(l), L.FanIn, L.W, L.FanIn, 0.0, pre, L.Width);
            Timer?.Mark("forward GEMM");
            var act = _device.Allocate<T>((long)rows * L.Width);
            var dact = _device.Allocate<T>((long)rows * L.Width);
            long count = (long)rows * L.Width;
            _module.Kernel(Name("dense_act")).LaunchLinear(count, Block, Ptr(pre), Ptr(L.B), Ptr(act), Ptr(dact),
                R(L.WeightStd / Math.Sqrt(L.FanIn)), R(L.BiasStd), L.Kind, count, L.Width);
            pre.Dispose();
            f.A.Add(act);
            f.P.Add(dact);
            Timer?.Mark("activations");
        }
        var top = _layers[^1];
        int nL = top.FanIn;
        // Reduction for the last hidden layer.
        f.R = _device.Allocate<T>((long)rows * nL);
        _module.Kernel(Name("reduced")).LaunchLinear((long)rows * nL, Block, Ptr(f.P[hidden - 1]), Ptr(_sqrtS), Ptr(f.R), (long)rows * nL, nL);
        Timer?.Mark("last-layer reduction");
        // Explicit deltas for the earlier hidden layers: E_{L} first (not kept), then back through the weights.
        for (int l = 0; l < hidden; l++) f.E.Add(null);
        if (hidden >= 2)
        {
            var e = _device.Allocate<T>((long)rows * _k * nL);
            long cnt = (long)rows * _k * nL;
            _module.Kernel(Name("delta_top")).LaunchLinear(cnt, Block, Ptr(f.P[hidden - 1]), Ptr(top.W), Ptr(e), R(top.WeightStd / Math.Sqrt(nL)), cnt, _k, nL);
            Timer?.Mark("deltas (elementwise)");
            for (int l = hidden - 2; l >= 0; l--)
            {
                var next = _layers[l + 1];
                int n = _layers[l].Width;
                var el = _device.Allocate<T>((long)rows * _k * n);
                Gemm(Transpose.No, Transpose.No, rows * _k, n, next.Width, 1.0, e, next.Width, next.W, n, 0.0, el, n);
                Timer?.Mark("delta GEMM");
                long c2 = (long)rows * _k * n;
                _module.Kernel(Name("scale_rows")).LaunchLinear(c2, Block, Ptr(f.P[l]), Ptr(el), R(next.WeightStd / Math.Sqrt(n)), c2, _k, n);
                Timer?.Mark("deltas (elementwise)");
                if (l + 1 < hidden - 1) f.E[l + 1] = e; else e.Dispose();
                e = el;
            }
            f.E[0] = e;
        }
        return f;
    }

    /// <summary>Rows [r0, r0 + rows) of the traced NTK between <paramref name="f1"/> (those rows) and <paramref name="f2"/> into <paramref name="tile"/>.</summary>
    public void TraceTile(Features f1, Features f2, DeviceMemory<T> tile)
    {
        int r = f1.Rows, n2 = f2.Rows, hidden = _layers.Length - 1;
        long count = (long)r * n2;
        var top = _layers[^1];
        // Output layer: (σ_w²/n_L)·⟨a_L, a_L'⟩ + σ_b² (its delta Gram is the identity, traced and divided by K: 1);
        // the constant σ_b² is added by the first Hadamard pass.
        Gemm(Transpose.No, Transpose.Yes, r, n2, top.FanIn, top.WeightStd * top.WeightStd / top.FanIn, f1.Input(hidden), top.FanIn, f2.Input(hidden), top.FanIn, 0.0, tile, n2);
        Timer?.Mark("Gram GEMMs: output layer");
        using var ga = _device.Allocate<T>(count);
        using var gd = _device.Allocate<T>(count);
        for (int l = 0; l < hidden; l++)
        {
            var L = _layers[l];
            Gemm(Transpose.No, Transpose.Yes, r, n2, L.FanIn, 1.0, f1.Input(l), L.FanIn, f2.Input(l), L.FanIn, 0.0, ga, n2);
            Timer?.Mark("Gram GEMMs: activations");
            if (l == hidden - 1)
                Gemm(Transpose.No, Transpose.Yes, r, n2, L.Width, top.WeightStd * top.WeightStd / L.Width, f1.R!, L.Width, f2.R!, L.Width, 0.0, gd, n2);
            else
            {
                int width = _k * L.Width;
                Gemm(Transpose.No, Transpose.Yes, r, n2, width, 1.0, f1.E[l]!, width, f2.E[l]!, width, 0.0, gd, n2);
            }
            Timer?.Mark(l == hidden - 1 ? "Gram GEMMs: reduced last layer" : "Gram GEMMs: deltas (K·n wide)");
            _module.Kernel(Name("hadamard")).LaunchLinear(count, Block, Ptr(ga), Ptr(gd), Ptr(tile),
                R(L.WeightStd * L.WeightStd / L.FanIn / _k), R(L.BiasStd * L.BiasStd / _k), R(l == 0 ? top.BiasStd * top.BiasStd : 0.0), count, 0);
            Timer?.Mark("Hadamard accumulation");
        }
    }

    /// <summary>
    /// The traced NTK of one input set with itself (x1 = x2): every Gram by SYRK on the lower triangle (about half the
    /// GEMM work), the elementwise terms on the lower triangle only, and one mirror.
    /// </summary>
    public void TraceSymmetric(Features f, DeviceMemory<T> output)
    {
        int n = f.Rows, hidden = _layers.Length - 1;
        long count = (long)n * n;
        var top = _layers[^1];
        SyrkLower(n, top.FanIn, top.WeightStd * top.WeightStd / top.FanIn, f.Input(hidden), top.FanIn, output, n);
        Timer?.Mark("Gram SYRKs: output layer");
        using var ga = _device.Allocate<T>(count);
        using var gd = _device.Allocate<T>(count);
        for (int l = 0; l < hidden; l++)
        {
            var L = _layers[l];
            SyrkLower(n, L.FanIn, 1.0, f.Input(l), L.FanIn, ga, n);
            Timer?.Mark("Gram SYRKs: activations");
            if (l == hidden - 1) SyrkLower(n, L.Width, top.WeightStd * top.WeightStd / L.Width, f.R!, L.Width, gd, n);
            else SyrkLower(n, _k * L.Width, 1.0, f.E[l]!, _k * L.Width, gd, n);
            Timer?.Mark(l == hidden - 1 ? "Gram SYRKs: reduced last layer" : "Gram SYRKs: deltas (K·n wide)");
            _module.Kernel(Name("hadamard")).LaunchLinear(count, Block, Ptr(ga), Ptr(gd), Ptr(output),
                R(L.WeightStd * L.WeightStd / L.FanIn / _k), R(L.BiasStd * L.BiasStd / _k), R(l == 0 ? top.BiasStd * top.BiasStd : 0.0), count, n);
            Timer?.Mark("Hadamard accumulation");
        }
        _module.Kernel(Name("mirror_lower")).LaunchLinear(count, Block, Ptr(output), n);
        Timer?.Mark("mirror");
    }

    /// <summary>
    /// Floating-point operations of the traced NTK of n1 × n2 inputs (2 per multiply–add; SYRK counts its triangle):
    /// forward GEMMs and delta GEMMs per input set, and the per-layer Grams (math.md §2). Elementwise work is not counted.
    /// </summary>
    public double FlopCount(int n1, int n2, bool symmetric)
    {
        int hidden = _layers.Length - 1;
        double perRow = 0;
        for (int l = 0; l < hidden; l++) perRow += 2.0 * _layers[l].FanIn * _layers[l].Width;
        for (int l = hidden - 2; l >= 0; l--) perRow += 2.0 * _k * _layers[l].Width * _layers[l + 1].Width;
        double gramInner = _layers[^1].FanIn;
        for (int l = 0; l < hidden; l++) gramInner += _layers[l].FanIn + (l == hidden - 1 ? _layers[l].Width : (double)_k * _layers[l].Width);
        return symmetric
            ? perRow * n1 + (double)n1 * n1 * gramInner
            : perRow * (n1 + (double)n2) + 2.0 * n1 * n2 * gramInner;
    }

    /// <summary>Bytes of device memory the features of one input row hold (activations, derivatives, deltas, reduction, transients).</summary>
    public long FeatureBytesPerRow()
    {
        long e = 0, feats = _layers[0].FanIn;
        foreach (var l in _layers.Take(_layers.Length - 1)) { feats += 3L * l.Width; e += (long)_k * l.Width * 2; }
        return System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * (feats + e);
    }

    /// <summary>Bytes of device memory per tile row: the output row, two Gram rows and the row's features.</summary>
    public long BytesPerTileRow(int n2) => System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * 3L * n2 + FeatureBytesPerRow() + System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * (long)_layers[0].FanIn;

    /// <summary>The traced NTK of x1 (n1 × d) against x2 (its features <paramref name="f2"/>), row-tiled, as a callback for <see cref="RowTiledAssembly"/>.</summary>
    public RowTileCompute<T> Tiles(DeviceMemory<T> x1, Features f2)
    {
        int d = _layers[0].FanIn;
        return (r0, rows, tile) =>
        {
            using var f1 = Compute(x1.Slice((long)r0 * d, (long)rows * d), rows);
            TraceTile(f1, f2, tile);
        };
    }

    /// <summary>Uploads an N × d input tensor in this engine's element type.</summary>
    public DeviceBuffer<T> UploadInputs(Tensor x) =>
        x.Columns != _layers[0].FanIn
            ? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The inputs have {x.Columns} columns; the model has {_layers[0].FanIn} inputs."), nameof(x))
            : Upload(x.ToFlatArray());

    public void Dispose()
    {
        foreach (var l in _layers)
        {
            l.W.Dispose();
            l.B.Dispose();
        }
        _sqrtS.Dispose();
    }
}
