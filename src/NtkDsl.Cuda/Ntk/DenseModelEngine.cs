using System.Globalization;
using System.Numerics;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// A generated Dense model's methods on a <see cref="CudaDevice"/> (<see cref="IModelBackend"/>), driven by the model's
/// plan (<see cref="ModelInfo"/>: widths, parameterization, biases, activations) and its parameters: per layer one cuBLAS
/// product and the model's generated <c>ntk_act_l</c> kernel (φ, φ' from its CUDA C), then for Jvp the tangent
/// products, for Vjp the backward products, for the NTK the per-layer features of math.md §2 (scaled inputs; unit,
/// diagonal, traced-reduced or general deltas, exactly the forms the generated CPU code stores), which stay on the device
/// for <see cref="DeviceNtkAssembly{T}"/>. Host tensors in, host tensors out; parameters stay resident
/// (<see cref="DeviceModelParameters{T}"/>). Float32 models' products use <see cref="CudaKernelOptions.Float32"/>.
/// </summary>
internal sealed class DenseModelEngine<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Block = 256;
    private readonly CudaDevice _device;
    private readonly DeviceModel<T> _model;
    private readonly ModelInfo _info;
    private readonly DeviceModelParameters<T> _p;
    private readonly GpuFloat32Mode _mode;
    private readonly List<IDisposable> _owned = [];

    public DenseModelEngine(CudaDevice device, DeviceModel<T> model, DeviceModelParameters<T> parameters, GpuFloat32Mode mode)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float))
            throw new NotSupportedException($"{model.Info.Name}: {device.Name} computes float64 and float32 models; this model's scalar is {typeof(T).Name}. Construct it on Device.Cpu.");
        _device = device;
        _model = model;
        _info = model.Info;
        _p = parameters;
        _mode = mode;
        _p.Refresh(model);
    }

    /// <summary>The layer's ∂h/∂(W·a) scale: σ_w/√fan_in (NTK parameterization) or 1 (standard), as the generated code.</summary>
    public static double WeightScale(ModelInfo info, LayerInfo layer) =>
        info.Parameterization == Parameterization.Ntk ? layer.WeightStd / Math.Sqrt(layer.FanIn) : 1.0;

    /// <summary>The layer's ∂h/∂b scale: σ_b (NTK parameterization) or 1 (standard).</summary>
    public static double BiasScale(ModelInfo info, LayerInfo layer) =>
        info.Parameterization == Parameterization.Ntk ? layer.BiasStd : 1.0;

    private int K => _info.Outputs;

    private DeviceBuffer<T> Alloc(long length)
    {
        var b = _device.Allocate<T>(Math.Max(1, length));
        _owned.Add(b);
        return b;
    }

    /// <summary>Frees a buffer of this engine as soon as it is no longer needed (device memory is the scarce resource).</summary>
    private void Release(DeviceMemory<T> m)
    {
        if (_owned.Remove(m.Buffer)) m.Buffer.Dispose();
    }

    private static int Size => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>Device bytes of the NTK features of <paramref name="rows"/> inputs (what stays resident for the assembly).</summary>
    public long FeatureBytes(int rows, bool traced)
    {
        int layers = _info.Layers.Count, last = layers - 1, k = K;
        bool identity = _info.Layers[last].Activation == Activation.Identity;
        long perRow = 0;
        for (int l = 0; l < layers; l++)
        {
            var L = _info.Layers[l];
            perRow += L.FanIn + (l == last ? (identity ? 0 : k) : l == last - 1 && identity && traced ? L.Width : (long)k * L.Width);
        }
        return perRow * rows * Size;
    }

    /// <summary>Peak device bytes of the temporaries of one forward and backward pass over <paramref name="rows"/> inputs.</summary>
    public long TransientBytes(int rows)
    {
        // φ' of every layer, plus at most an input, a product and an activation (forward) or the last hidden layer's
        // per-output deltas when only their reduction is kept (backward).
        long widths = 0, widest = _info.Inputs;
        foreach (var L in _info.Layers)
        {
            widths += L.Width;
            widest = Math.Max(widest, L.Width);
        }
        long extra = Math.Max(3 * widest, _info.Layers.Count > 2 ? (long)K * _info.Layers[^1].FanIn : 0);
        return (long)rows * (widths + extra) * Size;
    }

    private DeviceBuffer<T> Upload(Tensor t)
    {
        var b = Alloc(t.Length);
        if (typeof(T) == typeof(double)) ((DeviceBuffer<double>)(object)b).CopyFrom(t.AsSpan());
        else ((DeviceBuffer<float>)(object)b).CopyFrom(t.AsSingleSpan());
        return b;
    }

    private static KernelArg P(DeviceMemory<T> m) => KernelArg.Pointer(m);

    private CudaKernel Runtime(string stem) => _p.Runtime.Kernel(stem + _p.Suffix);

    private void Gemm(Transpose ta, Transpose tb, int m, int n, int k, double alpha, DeviceMemory<T> a, int lda, DeviceMemory<T> b, int ldb, double beta, DeviceMemory<T> c, int ldc)
    {
        if (typeof(T) == typeof(double))
            GpuBlas.Gemm(ta, tb, m, n, k, alpha, (DeviceMemory<double>)(object)a, lda, (DeviceMemory<double>)(object)b, ldb, beta, (DeviceMemory<double>)(object)c, ldc);
        else
            GpuBlas.Gemm(ta, tb, m, n, k, (float)alpha, (DeviceMemory<float>)(object)a, lda, (DeviceMemory<float>)(object)b, ldb, (float)beta, (DeviceMemory<float>)(object)c, ldc, _mode);
    }

    /// <summary>
    /// Activations a_l and derivatives φ'(h_l) of every layer for <paramref name="rows"/> inputs on the device. With
    /// <paramref name="scaledInputs"/> (the NTK features), each layer's input is written there scaled by its cW and then
    /// released (x included) as soon as the next product has read it: only φ' of every layer stays, so the features'
    /// forward pass holds about one layer of activations at a time.
    /// </summary>
    private (DeviceMemory<T>[] Acts, DeviceMemory<T>[] Ders) RunForward(DeviceMemory<T> x, int rows, DeviceMemory<T>[]? scaledInputs = null)
    {
        int layers = _info.Layers.Count;
        var acts = new DeviceMemory<T>[layers];
        var ders = new DeviceMemory<T>[layers];
        var input = x;
        for (int l = 0; l < layers; l++)
        {
            var L = _info.Layers[l];
            long count = (long)rows * L.Width;
            if (scaledInputs is not null)
            {
                long inCount = (long)rows * L.FanIn;
                var scaled = Alloc(inCount);
                Runtime("dense_scale").LaunchLinear(inCount, Block, P(input), P(scaled), WeightScale(_info, L), inCount);
                scaledInputs[l] = scaled;
            }
            var pre = Alloc(count);
            Gemm(Transpose.No, Transpose.Yes, rows, L.Width, L.FanIn, 1.0, input, L.FanIn, _p.W[l], L.FanIn, 0.0, pre, L.Width);
            if (scaledInputs is not null) Release(input);
            var act = Alloc(count);
            var dact = Alloc(count);
            string kernel = "ntk_act_" + l.ToString(CultureInfo.InvariantCulture) + _p.Suffix;
            // The generated kernel's signature: (pre, bias, act, dact, ws, bs, count, width), or (pre, act, dact, ws, count) without bias.
            KernelArg ws = typeof(T) == typeof(double) ? (KernelArg)WeightScale(_info, L) : (KernelArg)(float)WeightScale(_info, L);
            KernelArg bs = typeof(T) == typeof(double) ? (KernelArg)BiasScale(_info, L) : (KernelArg)(float)BiasScale(_info, L);
            var args = L.UseBias
                ? new KernelArg[] { P(pre), P(_p.B[l]), P(act), P(dact), ws, bs, count, L.Width }
                : new KernelArg[] { P(pre), P(act), P(dact), ws, count };
            _p.Model.Kernel(kernel).LaunchLinear(count, Block, args);
            Release(pre);
            acts[l] = act;
            ders[l] = dact;
            input = act;
        }
        if (scaledInputs is not null) Release(input);
        return (acts, ders);
    }

    private Tensor Download(DeviceMemory<T> m, int width, string stage, params int[] shape)
    {
        var host = new T[m.Length];
        m.CopyTo(host);
        FiniteChecks.Block<T>(host, width, string.Create(CultureInfo.InvariantCulture, $"{_info.Name}.{stage} on {_device.Name}"));
        return typeof(T) == typeof(double) ? Tensor.Wrap((double[])(object)host, shape) : Tensor.Wrap((float[])(object)host, shape);
    }

    /// <summary>f(x), N × K.</summary>
    public Tensor Forward(Tensor x)
    {
        int rows = x.Rows;
        var (acts, _) = RunForward(Upload(x), rows);
        return Download(acts[^1], K, "Forward", rows, K);
    }

    /// <summary>J(x)·t, N × K: ḣ = cW·(Ẇ·a + W·ȧ) + cB·ḃ, ȧ = φ'(h) ⊙ ḣ layer by layer (forward mode).</summary>
    public Tensor Jvp(Tensor x, Tensor tangent)
    {
        int rows = x.Rows;
        var dx = Upload(x);
        var t = Upload(tangent);
        var (acts, ders) = RunForward(dx, rows);
        DeviceMemory<T>? dot = null;
        var input = dx.AsMemory();
        for (int l = 0; l < _info.Layers.Count; l++)
        {
            var L = _info.Layers[l];
            long count = (long)rows * L.Width;
            var hdot = Alloc(count);
            Gemm(Transpose.No, Transpose.Yes, rows, L.Width, L.FanIn, 1.0, input, L.FanIn, t.Slice(L.WeightOffset, L.WeightCount), L.FanIn, 0.0, hdot, L.Width);
            if (dot is { } prev) Gemm(Transpose.No, Transpose.Yes, rows, L.Width, L.FanIn, 1.0, prev, L.FanIn, _p.W[l], L.FanIn, 1.0, hdot, L.Width);
            var bdot = L.UseBias ? t.Slice(L.BiasOffset, L.BiasCount) : _p.B[l].AsMemory();
            Runtime("dense_tangent").LaunchLinear(count, Block, P(hdot), P(bdot), P(ders[l]), WeightScale(_info, L), L.UseBias ? BiasScale(_info, L) : 0.0, count, L.Width);
            dot = hdot;
            input = acts[l];
        }
        return Download(dot!.Value, K, "Jvp", rows, K);
    }

    /// <summary>J(x)ᵀ·u, length P: δ = u ⊙ φ'_L, then per layer ∂W = cW·δᵀ·a, ∂b = cB·Σ δ, δ ← (cW·δ·W) ⊙ φ' (reverse mode).</summary>
    public Tensor Vjp(Tensor x, Tensor cotangent)
    {
        int rows = x.Rows;
        var dx = Upload(x);
        var delta = Upload(cotangent).AsMemory();
        var (acts, ders) = RunForward(dx, rows);
        var grad = Alloc(_info.ParameterCount);
        int last = _info.Layers.Count - 1;
        if (_info.Layers[last].Activation != Activation.Identity)
            Runtime("dense_mul").LaunchLinear((long)rows * K, Block, P(delta), P(ders[last]), (long)rows * K);
        for (int l = last; l >= 0; l--)
        {
            var L = _info.Layers[l];
            var input = l == 0 ? dx.AsMemory() : acts[l - 1];
            double cw = WeightScale(_info, L);
            Gemm(Transpose.Yes, Transpose.No, L.Width, L.FanIn, rows, cw, delta, L.Width, input, L.FanIn, 0.0, grad.Slice(L.WeightOffset, L.WeightCount), L.FanIn);
            if (L.UseBias)
                Runtime("dense_colsum").LaunchLinear(L.Width, Block, P(delta), P(grad.Slice(L.BiasOffset, L.BiasCount)), BiasScale(_info, L), rows, L.Width);
            if (l == 0) break;
            var below = Alloc((long)rows * L.FanIn);
            Gemm(Transpose.No, Transpose.No, rows, L.FanIn, L.Width, cw, delta, L.Width, _p.W[l], L.FanIn, 0.0, below, L.FanIn);
            Runtime("dense_mul").LaunchLinear((long)rows * L.FanIn, Block, P(below), P(ders[l - 1]), (long)rows * L.FanIn);
            delta = below;
        }
        return Download(grad.Slice(0, _info.ParameterCount), _info.ParameterCount, "Vjp", _info.ParameterCount);
    }

    /// <summary>
    /// The per-layer NTK features of x on the device (math.md §2, the forms of the generated <c>__ntkCreateNtkFeatures</c>):
    /// inputs cW·a_{l−1}; the readout's deltas unit (identity) or diagonal (its φ'); the last hidden layer's the traced
    /// reduction (traced, identity readout) or general; below it general deltas by backpropagation.
    /// </summary>
    public DeviceFeatures<T> Features(DeviceMemory<T> x, int rows, bool traced)
    {
        int layers = _info.Layers.Count, last = layers - 1, k = K;
        bool identity = _info.Layers[last].Activation == Activation.Identity;
        var meta = new LayerFeatures<T>[layers];
        var inputs = new DeviceMemory<T>[layers];
        var (_, ders) = RunForward(x, rows, inputs);
        var deltas = new DeviceMemory<T>?[layers];
        int group = 0;
        for (int l = 0; l < layers; l++)
        {
            var L = _info.Layers[l];
            var form = l == last ? (identity ? DeltaForm.Unit : DeltaForm.Diagonal)
                : l == last - 1 && identity && traced ? DeltaForm.Reduced : DeltaForm.General;
            meta[l] = new LayerFeatures<T>(0, L.FanIn, L.Width, k, form, BiasScale(_info, L), L.UseBias, group, L.UseBias ? group + 1 : -1);
            group += L.UseBias ? 2 : 1;
        }
        // φ' lives on only inside the deltas.
        if (!identity) deltas[last] = ders[last];
        else Release(ders[last]);
        if (layers >= 2)
        {
            var top = _info.Layers[last];
            int n = top.FanIn, h = last - 1;
            if (meta[h].Form == DeltaForm.Reduced)
            {
                var r = Alloc((long)rows * n);
                Runtime("dense_reduced").LaunchLinear((long)rows * n, Block, P(ders[h]), P(_p.CurrentColumnNorms()!), P(r), (long)rows * n, n);
                deltas[h] = r;
                if (layers == 2) Release(ders[h]);
            }
            if (meta[h].Form == DeltaForm.General || layers > 2)
            {
                long count = (long)rows * k * n;
                var e = Alloc(count);
                Runtime("dense_delta_top").LaunchLinear(count, Block, P(ders[h]), P(_p.W[last]), P(identity ? ders[h] : ders[last]), identity ? 0 : 1, P(e),
                    WeightScale(_info, top), count, k, n);
                if (meta[h].Form == DeltaForm.General) deltas[h] = e;
                var up = e.AsMemory();
                Release(ders[h]);
                for (int l = h - 1; l >= 0; l--)
                {
                    var next = _info.Layers[l + 1];
                    int w = _info.Layers[l].Width;
                    long c2 = (long)rows * k * w;
                    var el = Alloc(c2);
                    Gemm(Transpose.No, Transpose.No, rows * k, w, next.Width, WeightScale(_info, next), up, next.Width, _p.W[l + 1], w, 0.0, el, w);
                    Runtime("dense_scale_rows").LaunchLinear(c2, Block, P(ders[l]), P(el), c2, k, w);
                    Release(ders[l]);
                    if (l + 1 == h && meta[h].Form != DeltaForm.General) Release(up);
                    deltas[l] = el;
                    up = el;
                }
            }
        }
        return new DeviceFeatures<T>(rows, k, meta, inputs, deltas);
    }

    /// <summary>The explicit Jacobian N × K × P: per layer and (row, output, unit) the block δ·(cW·a) and cB·δ.</summary>
    public Tensor Jacobian(Tensor x)
    {
        int rows = x.Rows, k = K, p = _info.ParameterCount;
        var f = Features(Upload(x), rows, traced: false);
        var jac = Alloc((long)rows * k * p);
        for (int l = 0; l < f.Layers.Length; l++)
        {
            var L = f.Layers[l];
            var info = _info.Layers[l];
            long count = (long)rows * k * L.Width;
            var delta = f.Deltas[l] ?? f.Inputs[l];
            Runtime("dense_jacobian").LaunchLinear(count, Block, P(f.Inputs[l]), P(delta), P(jac), (int)L.Form, count, k, L.Width, L.InputWidth,
                (long)p, (long)info.WeightOffset, (long)(info.UseBias ? info.BiasOffset : -1), L.BiasScale);
        }
        var host = new T[(long)rows * k * p];
        jac.Slice(0, host.Length).CopyTo(host);
        FiniteChecks.Block<T>(host, k * p, string.Create(CultureInfo.InvariantCulture, $"{_info.Name}.Jacobian ∂f/∂θ on {_device.Name}"));
        return typeof(T) == typeof(double) ? Tensor.Wrap((double[])(object)host, rows, k, p) : Tensor.Wrap((float[])(object)host, rows, k, p);
    }

    /// <summary>Frees the device buffers of <paramref name="f"/> (a row block's features once its kernel blocks are assembled).</summary>
    public void ReleaseFeatures(DeviceFeatures<T> f)
    {
        foreach (var m in f.Inputs) Release(m);
        foreach (var m in f.Deltas)
            if (m is { } d) Release(d);
    }

    /// <summary>Uploads an N × d input batch (owned by this engine).</summary>
    public DeviceMemory<T> UploadInputs(Tensor x) => Upload(x);

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}

/// <summary>Per-layer NTK features resident on the device: the layout of <see cref="NtkFeatures{T}"/> (<see cref="Layers"/> carry forms, widths and groups, no data).</summary>
internal sealed record DeviceFeatures<T>(int Rows, int Outputs, LayerFeatures<T>[] Layers, DeviceMemory<T>[] Inputs, DeviceMemory<T>?[] Deltas)
    where T : unmanaged, IFloatingPointIeee754<T>;
