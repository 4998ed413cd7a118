using System.Globalization;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Spatial;

/// <summary>
/// One call of a <see cref="SpatialNetwork"/> model on a <see cref="CudaDevice"/>: runs the plan
/// (<see cref="SpatialNetwork.Steps"/>) op by op with each op's device twin (<see cref="DeviceSpatialOp"/>), mirroring
/// <c>SpatialNetwork.RunForward</c>, <c>Backpropagate</c> (Add's skip connection included), <c>Jvp</c>, <c>Vjp</c>,
/// <c>Jacobian</c> and the per-example-gradient NTK features of <c>SpatialNetwork.Ntk</c>, over row blocks. Host tensors
/// in, host tensors out; the parameters are uploaded at the start of the call (one buffer per group) and everything is
/// released when the engine is disposed.
/// </summary>
internal sealed class SpatialEngine : IDisposable
{
    public const int Block = 256;
    /// <summary>Upper bound on the doubles one row block's temporaries hold (64 MiB), as the CPU engine's block budget.</summary>
    private const long BlockBudgetDoubles = 8L << 20;

    private readonly CudaDevice _device;
    private readonly SpatialNetwork _network;
    private readonly IReadOnlyList<SpatialStep> _steps;
    private readonly DeviceSpatialOp[] _ops;
    private readonly CudaModule _runtime, _model;
    private readonly List<IDisposable> _owned = [];
    private List<IDisposable>? _block;
    private readonly DeviceMemory<double>[] _groups;

    public SpatialEngine(CudaDevice device, SpatialDeviceModel model, double[][] parameters)
    {
        _device = device;
        _network = model.Network;
        _steps = _network.Steps;
        try
        {
            _runtime = device.Compile(SpatialSource.Text);
            _model = device.Compile(model.CudaSource);
            _groups = new DeviceMemory<double>[parameters.Length];
            for (int g = 0; g < parameters.Length; g++) _groups[g] = Own(device.Upload<double>(parameters[g]));
            _ops = _steps.Select(s => DeviceSpatialOp.Create(this, s)).ToArray();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name => _network.ModelName;
    private int K => _network.Outputs;
    private int P => _network.ParameterCount;
    private int D => _network.Info.Inputs;

    private DeviceMemory<T> Own<T>(DeviceBuffer<T> b) where T : unmanaged
    {
        (_block ?? _owned).Add(b);
        return b.AsMemory();
    }

    /// <summary>A buffer released at the end of the current row block (or of the call outside one).</summary>
    public DeviceMemory<double> Alloc(long length) => Own(_device.Allocate<double>(Math.Max(1, length)));

    /// <summary>A buffer that lives for the whole call.</summary>
    public DeviceMemory<double> AllocForCall(long length)
    {
        var b = _device.Allocate<double>(Math.Max(1, length));
        _owned.Add(b);
        return b.AsMemory();
    }

    /// <summary>An int table for the whole call.</summary>
    public DeviceMemory<int> UploadConstant(int[] values)
    {
        var b = _device.Upload<int>(values.Length == 0 ? [0] : values);
        _owned.Add(b);
        return b.AsMemory();
    }

    /// <summary>Parameter group <paramref name="g"/> on the device.</summary>
    public DeviceMemory<double> Group(int g) => _groups[g];

    public CudaKernel Kernel(string name) => _runtime.Kernel(name);

    public CudaKernel ModelKernel(string name) => _model.Kernel(name);

    /// <summary>x + y in a new buffer.</summary>
    public DeviceMemory<double> Add(DeviceMemory<double> x, DeviceMemory<double> y)
    {
        var z = Alloc(x.Length);
        Kernel("sp_add").LaunchLinear(x.Length, Block, x, y, z, x.Length);
        return z;
    }

    /// <summary>Runs <paramref name="body"/> over row blocks of <paramref name="n"/> rows; buffers allocated inside a block are released after it.</summary>
    private void Blocks(int n, int copies, Action<int, int> body, CancellationToken ct = default)
    {
        int block = BlockRows(copies);
        for (int row0 = 0; row0 < n; row0 += block)
        {
            ct.ThrowIfCancellationRequested();
            int rows = Math.Min(block, n - row0);
            _block = [];
            try
            {
                body(row0, rows);
            }
            finally
            {
                for (int i = _block.Count - 1; i >= 0; i--) _block[i].Dispose();
                _block = null;
            }
        }
    }

    /// <summary>Rows per block so that the temporaries of <paramref name="copies"/> cotangents per row stay under the block budget.</summary>
    private int BlockRows(int copies)
    {
        long perRow = D;
        foreach (var s in _steps)
        {
            perRow += (long)s.OutSize * (copies + 2);
            if (s.HasParameters) perRow += (long)s.Pixels * s.FanIn * (2 + copies) + (long)s.Pixels * s.Channels * (copies + 1);
        }
        return (int)Math.Clamp(BlockBudgetDoubles / Math.Max(1, perRow), 1, 1024);
    }

    private DeviceMemory<double> UploadForCall(Tensor t)
    {
        var m = AllocForCall(t.Length);
        m.CopyFrom(t.AsSpan());
        return m;
    }

    /// <summary>Forward pass of one row block: every layer's output and cache.</summary>
    private (DeviceMemory<double>[] Outputs, object?[] Caches) RunForward(DeviceMemory<double> x, int rows)
    {
        var outputs = new DeviceMemory<double>[_ops.Length];
        var caches = new object?[_ops.Length];
        var input = x;
        for (int l = 0; l < _ops.Length; l++)
        {
            var op = _ops[l];
            outputs[l] = op.Forward(input, op.Step.SourceLayer >= 0 ? outputs[op.Step.SourceLayer] : (DeviceMemory<double>?)null, rows, out caches[l]);
            input = outputs[l];
        }
        return (outputs, caches);
    }

    /// <summary>The backward pass of <c>SpatialNetwork.Backpropagate</c>: <paramref name="onParameters"/> gets ∂/∂h of every layer with parameters, from the last.</summary>
    private void Backpropagate(object?[] caches, int rows, int batch, DeviceMemory<double> gradOutput, Action<DevicePatchOp, object?, DeviceMemory<double>> onParameters)
    {
        var extra = new DeviceMemory<double>?[_ops.Length];
        DeviceMemory<double>? g = gradOutput;
        for (int l = _ops.Length - 1; l >= 0; l--)
        {
            var op = _ops[l];
            if (extra[l] is { } e) g = g is { } gv ? Add(gv, e) : e;
            if (g is not { } grad) continue;
            if (op.Step.SourceLayer >= 0)
            {
                int s = op.Step.SourceLayer;
                // Buffers are never written after they are made, so the skip connection may share this one.
                extra[s] = extra[s] is { } prev ? Add(prev, grad) : grad;
            }
            if (op is DevicePatchOp pl)
            {
                var gradH = pl.PreActivationCotangent(caches[l], grad, rows, batch);
                onParameters(pl, caches[l], gradH);
                g = op.Step.NeedsInputCotangent ? pl.InputCotangent(gradH, rows, batch) : (DeviceMemory<double>?)null;
            }
            else g = op.Step.NeedsInputCotangent ? op.Backward(caches[l], grad, rows, batch) : (DeviceMemory<double>?)null;
        }
    }

    private DeviceMemory<double> UnitCotangents(int rows)
    {
        long count = (long)rows * K * K;
        var g = Alloc(count);
        Kernel("sp_unit").LaunchLinear(count, Block, g, count, K);
        return g;
    }

    private Tensor Download(DeviceMemory<double> m, int width, string stage, params int[] shape)
    {
        var host = new double[m.Length];
        m.CopyTo(host);
        FiniteChecks.Block<double>(host, width, string.Create(CultureInfo.InvariantCulture, $"{Name}.{stage} on {_device.Name}"));
        return Tensor.Wrap(host, shape);
    }

    /// <summary>f(x): N × K.</summary>
    public Tensor Forward(Tensor x)
    {
        int n = x.Rows;
        var xs = UploadForCall(x);
        var result = AllocForCall((long)n * K);
        Blocks(n, 1, (row0, rows) =>
        {
            var (outputs, _) = RunForward(xs.Slice((long)row0 * D, (long)rows * D), rows);
            outputs[^1].CopyTo(result.Slice((long)row0 * K, (long)rows * K));
        });
        return Download(result, K, "Forward", n, K);
    }

    /// <summary>J(x)·t: N × K (forward mode).</summary>
    public Tensor Jvp(Tensor x, Tensor tangent)
    {
        int n = x.Rows;
        var xs = UploadForCall(x);
        var t = UploadForCall(tangent);
        var result = AllocForCall((long)n * K);
        result.Clear();
        Blocks(n, 2, (row0, rows) =>
        {
            var (_, caches) = RunForward(xs.Slice((long)row0 * D, (long)rows * D), rows);
            var tangents = new DeviceMemory<double>?[_ops.Length];
            for (int l = 0; l < _ops.Length; l++)
            {
                var op = _ops[l];
                tangents[l] = op.Jvp(caches[l], l == 0 ? (DeviceMemory<double>?)null : tangents[l - 1], op.Step.SourceLayer >= 0 ? tangents[op.Step.SourceLayer] : (DeviceMemory<double>?)null, rows, t);
            }
            tangents[^1]?.CopyTo(result.Slice((long)row0 * K, (long)rows * K));
        });
        return Download(result, K, "Jvp", n, K);
    }

    /// <summary>J(x)ᵀ·u: length P (reverse mode).</summary>
    public Tensor Vjp(Tensor x, Tensor cotangent)
    {
        int n = x.Rows;
        var xs = UploadForCall(x);
        var u = UploadForCall(cotangent);
        var grad = AllocForCall(P);
        grad.Clear();
        Blocks(n, 2, (row0, rows) =>
        {
            var (_, caches) = RunForward(xs.Slice((long)row0 * D, (long)rows * D), rows);
            Backpropagate(caches, rows, 1, u.Slice((long)row0 * K, (long)rows * K), (op, cache, gradH) => op.AccumulateGradient(cache, gradH, rows, grad));
        });
        return Download(grad, P, "Vjp", P);
    }

    /// <summary>The explicit Jacobian N × K × P.</summary>
    public Tensor Jacobian(Tensor x)
    {
        int n = x.Rows, k = K, p = P;
        var xs = UploadForCall(x);
        var jac = AllocForCall((long)n * k * p);
        Blocks(n, k + 1, (row0, rows) =>
        {
            var (_, caches) = RunForward(xs.Slice((long)row0 * D, (long)rows * D), rows);
            var dest = jac.Slice((long)row0 * k * p, (long)rows * k * p);
            Backpropagate(caches, rows, k, UnitCotangents(rows), (op, cache, gradH) =>
                op.PerExampleGradients(cache, gradH, rows, k, dest, p, op.Step.WeightOffset, op.Step.BiasOffset));
        });
        var host = new double[(long)n * k * p];
        jac.CopyTo(host);
        FiniteChecks.Block<double>(host, k * p, string.Create(CultureInfo.InvariantCulture, $"{Name}.Jacobian ∂f/∂θ on {_device.Name}"));
        return Tensor.Wrap(host, n, k, p);
    }

    /// <summary>Device bytes of the per-example gradient features of <paramref name="rows"/> inputs.</summary>
    public long FeatureBytes(int rows) =>
        _steps.Where(s => s.HasParameters).Sum(s => (long)rows * K * ((long)s.Channels * s.FanIn + (s.UseBias ? s.Channels : 0))) * sizeof(double);

    /// <summary>
    /// Per parameter group the per-example, per-output gradients of a batch (rows × K × group size, scales included), the
    /// features of <c>SpatialNetwork.Ntk</c>'s gradient order: Grams of them are the group's NTK terms. Live for the call.
    /// </summary>
    public DeviceMemory<double>[] Features(Tensor x, CancellationToken ct)
    {
        int n = x.Rows, k = K;
        var features = new DeviceMemory<double>[_groups.Length];
        foreach (var s in _steps)
        {
            if (!s.HasParameters) continue;
            features[s.WeightGroup] = AllocForCall((long)n * k * s.Channels * s.FanIn);
            if (s.UseBias) features[s.WeightGroup + 1] = AllocForCall((long)n * k * s.Channels);
        }
        var xs = UploadForCall(x);
        Blocks(n, k + 1, (row0, rows) =>
        {
            var (_, caches) = RunForward(xs.Slice((long)row0 * D, (long)rows * D), rows);
            Backpropagate(caches, rows, k, UnitCotangents(rows), (op, cache, gradH) =>
            {
                var s = op.Step;
                long width = (long)s.Channels * s.FanIn;
                // Weights and biases go to separate arrays: the weight pass writes no bias (offset −1 skips it), then the bias pass.
                op.PerExampleGradients(cache, gradH, rows, k, features[s.WeightGroup].Slice((long)row0 * k * width, (long)rows * k * width), width, 0, -1);
                if (s.UseBias)
                {
                    long count = (long)rows * k * s.Channels;
                    Kernel("sp_bias_grad").LaunchLinear(count, Block, gradH, features[s.WeightGroup + 1].Slice((long)row0 * k * s.Channels, count),
                        s.BiasScale, count, s.Pixels, s.Channels, (long)s.Channels, 0L);
                }
            });
        }, ct);
        return features;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
