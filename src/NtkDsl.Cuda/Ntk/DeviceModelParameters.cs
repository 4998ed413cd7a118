using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// One generated model's parameters on a <see cref="CudaDevice"/>: per layer the weights and the bias (a zero vector for a
/// layer without bias, so the generated <c>ntk_act_l</c> kernels read one), the traced reduction's column norms, and the
/// compiled modules. The buffers are allocated once per model; the values are copied again at the start of every device
/// call (<see cref="Refresh"/>), because a write through a layer's <c>Weights</c>/<c>Bias</c> span cannot be observed
/// and a version check would then compute silently with stale parameters. The copy is P values host → device per call,
/// small next to the GEMMs of any call that reads all P parameters. Owned by the device's <see cref="DeviceModelCache"/>.
/// </summary>
internal sealed class DeviceModelParameters<T> : IDisposable where T : unmanaged
{
    private readonly CudaDevice _device;

    public DeviceModelParameters(CudaDevice device, ModelInfo info, string cudaSource)
    {
        _device = device;
        bool f64 = typeof(T) == typeof(double);
        Model = device.Compile(cudaSource);
        Runtime = device.Compile(DenseModelSource.For(f64));
        Suffix = f64 ? "_d" : "_f";
        int layers = info.Layers.Count;
        _top = info.Layers[^1];
        _cw = DenseModelEngine<double>.WeightScale(info, _top);
        W = new DeviceBuffer<T>[layers];
        B = new DeviceBuffer<T>[layers];
        try
        {
            for (int l = 0; l < layers; l++)
            {
                var L = info.Layers[l];
                W[l] = device.Allocate<T>(L.WeightCount);
                B[l] = device.Allocate<T>(L.Width);
                if (!L.UseBias) B[l].Clear();
            }
            if (layers >= 2) _columnNorms = device.Allocate<T>(info.Layers[^1].FanIn);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The model's generated CUDA C (φ/φ', <c>ntk_act_l</c>).</summary>
    public CudaModule Model { get; }

    /// <summary><see cref="DenseModelSource"/> for this scalar.</summary>
    public CudaModule Runtime { get; }

    /// <summary>"_d" or "_f".</summary>
    public string Suffix { get; }

    public DeviceBuffer<T>[] W { get; }
    public DeviceBuffer<T>[] B { get; }

    private bool _normsCurrent;
    private readonly double _cw;
    private readonly LayerInfo _top;

    /// <summary>
    /// cW_L·√(Σ_c W_L[c, j]²) of the readout (the traced last-hidden-layer reduction); null for a one-layer model.
    /// Computed from the current upload on first use after each <see cref="Refresh"/> (only the NTK features need it).
    /// </summary>
    public DeviceBuffer<T>? CurrentColumnNorms()
    {
        if (_columnNorms is not null && !_normsCurrent)
        {
            Runtime.Kernel("dense_colnorm" + Suffix).LaunchLinear(_top.FanIn, 256, KernelArg.Pointer(W[^1].AsMemory()), KernelArg.Pointer(_columnNorms.AsMemory()), _cw, _top.Width, _top.FanIn);
            _normsCurrent = true;
        }
        return _columnNorms;
    }

    private readonly DeviceBuffer<T>? _columnNorms;

    /// <summary>How many times the parameters were copied to the device (tests read it).</summary>
    public int Uploads { get; private set; }

    /// <summary>Copies the model's current parameters to the device (every call: see the class remarks).</summary>
    public void Refresh<TM>(DeviceModel<TM> model) where TM : unmanaged, System.Numerics.IFloatingPointIeee754<TM>
    {
        for (int l = 0; l < W.Length; l++)
        {
            W[l].CopyFrom(((T[])(object)model.Weights[l]).AsSpan());
            if (model.Biases[l] is { } b) B[l].CopyFrom(((T[])(object)b).AsSpan());
        }
        _normsCurrent = false;
        Uploads++;
    }

    public void Dispose()
    {
        _columnNorms?.Dispose();
        foreach (var b in W) b?.Dispose();
        foreach (var b in B) b?.Dispose();
    }
}

/// <summary>
/// The parameters of every generated model living on one <see cref="CudaDevice"/>, keyed by the model's
/// <see cref="DeviceModel{T}"/> binding and held weakly: entries of collected models are released on the next lookup
/// (on the calling thread, as every device operation), the rest when the device is disposed.
/// </summary>
internal sealed class DeviceModelCache : IDisposable
{
    private readonly List<(WeakReference<object> Model, IDisposable State)> _entries = [];

    /// <summary>The state of <paramref name="model"/>, created by <paramref name="create"/> on first use.</summary>
    public TState Get<TState>(object model, Func<TState> create) where TState : class, IDisposable
    {
        TState? found = null;
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            if (!_entries[i].Model.TryGetTarget(out var m))
            {
                _entries[i].State.Dispose();
                _entries.RemoveAt(i);
            }
            else if (ReferenceEquals(m, model)) found = (TState)_entries[i].State;
        }
        if (found is not null) return found;
        var state = create();
        _entries.Add((new WeakReference<object>(model), state));
        return state;
    }

    /// <summary>Releases the state of <paramref name="model"/> now (a binding that ends with its call).</summary>
    public void Remove(object model)
    {
        for (int i = _entries.Count - 1; i >= 0; i--)
            if (_entries[i].Model.TryGetTarget(out var m) && ReferenceEquals(m, model))
            {
                _entries[i].State.Dispose();
                _entries.RemoveAt(i);
            }
    }

    public void Dispose()
    {
        foreach (var e in _entries) e.State.Dispose();
        _entries.Clear();
    }
}
