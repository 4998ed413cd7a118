using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Analytic;

/// <summary>
/// The infinite-width NNGP/NTK of a generated Dense model on a device: the CUDA C its generator emitted at compile time
/// (<see cref="IDeviceSource.CudaSource"/>), compiled once per device (the device caches modules by source text).
/// Per input set one launch computes |x|²/d and the diagonal chain; per row tile one DGEMM gives x·x'/d and one fused
/// launch runs the whole layer recursion per pair, in place; the kernel's diagonal alone is one launch of the same pair
/// kernel over the pairs (i, i).
/// </summary>
internal sealed class AnalyticDeviceKernels
{
    /// <summary>The generated kernel computing |x|²/d and K^l(x, x) per row (CudaEmitter.ChainKernel).</summary>
    public const string ChainKernel = "ntk_analytic_chain";

    /// <summary>The generated fused per-pair kernel (CudaEmitter.PairKernel).</summary>
    public const string PairKernel = "ntk_analytic_pair";

    private const int Block = 256;
    private readonly CudaDevice _device;
    private readonly CudaModule _module;
    private readonly int _d;
    private readonly int _depth;

    /// <summary>Compiles (or finds in the device's cache) <paramref name="source"/>, the generated CUDA C of the model <paramref name="info"/> describes.</summary>
    /// <exception cref="CudaCompileException">NVRTC rejected the source (its log and the source in the message).</exception>
    public AnalyticDeviceKernels(CudaDevice device, ModelInfo info, string source)
    {
        _device = device;
        _module = device.Compile(source);
        _d = info.Inputs;
        _depth = info.Layers.Count;
    }

    /// <summary>The kernels of <typeparamref name="TModel"/>, or <see cref="NotSupportedException"/> with the generator's reason.</summary>
    public static AnalyticDeviceKernels For<TModel>(CudaDevice device) where TModel : IDeviceSource
    {
        if (TModel.CudaAnalyticUnsupportedReason is { } why) throw new NotSupportedException(why);
        return new AnalyticDeviceKernels(device, TModel.Info, TModel.CudaSource);
    }

    /// <summary>|x|²/d and K^l(x_i, x_i) of every layer for one input set on the device.</summary>
    internal sealed class Chain(DeviceMemory<double> x, int rows, DeviceBuffer<double> meanSquares, DeviceBuffer<double> values) : IDisposable
    {
        public DeviceMemory<double> X { get; } = x;
        public int Rows { get; } = rows;
        public DeviceBuffer<double> MeanSquares { get; } = meanSquares;
        public DeviceBuffer<double> Values { get; } = values;

        public void Dispose()
        {
            MeanSquares.Dispose();
            Values.Dispose();
        }
    }

    /// <summary>Computes the chain of <paramref name="rows"/> inputs (rows × d, row-major) on the device.</summary>
    public Chain DiagonalChain(DeviceMemory<double> x, int rows)
    {
        var ms = _device.Allocate<double>(rows);
        var values = _device.Allocate<double>((long)_depth * rows);
        _module.Kernel(ChainKernel).LaunchLinear(rows, Block, KernelArg.Pointer(x), ms, values, rows, _d);
        return new Chain(x, rows, ms, values);
    }

    /// <summary>
    /// Rows [r0, r0 + rows) of the NTK weighted by <paramref name="groupWeights"/> (<paramref name="ntk"/>) or the NNGP
    /// between <paramref name="c1"/> and <paramref name="c2"/> into <paramref name="tile"/> (rows × c2.Rows);
    /// <paramref name="symmetric"/> when c2 is c1.
    /// </summary>
    public void Pairs(Chain c1, Chain c2, DeviceMemory<double> groupWeights, bool symmetric, bool ntk, int r0, int rows, DeviceMemory<double> tile, Ntk.PhaseTimes? timer = null)
    {
        int n2 = c2.Rows;
        GpuBlas.Gemm(Transpose.No, Transpose.Yes, rows, n2, _d, 1.0 / _d, c1.X.Slice((long)r0 * _d, (long)rows * _d), _d, c2.X, _d, 0.0, tile, n2);
        timer?.Mark("Gram DGEMM x·x'/d");
        _module.Kernel(PairKernel).LaunchLinear((long)rows * n2, Block, KernelArg.Pointer(tile),
            KernelArg.Pointer(c1.X), KernelArg.Pointer(c2.X), c1.MeanSquares, c2.MeanSquares, c1.Values, c2.Values, KernelArg.Pointer(groupWeights),
            rows, n2, c1.Rows, r0, _d, symmetric ? 1 : 0, ntk ? 1 : 0, 0);
        timer?.Mark("fused pair recursion");
    }

    /// <summary>
    /// The pairs (i, i) of <paramref name="chain"/>'s inputs into <paramref name="output"/> (length chain.Rows): the same
    /// fused pair kernel in its diagonal mode (x·x'/d = |x_i|²/d exactly, no GEMM), so the values equal the diagonal of
    /// <see cref="Pairs"/> of the inputs with themselves bit for bit; the NTK weighted by <paramref name="groupWeights"/>
    /// (<paramref name="ntk"/>) or the NNGP.
    /// </summary>
    public void Diagonal(Chain chain, DeviceMemory<double> groupWeights, bool ntk, DeviceMemory<double> output)
    {
        int n = chain.Rows;
        _module.Kernel(PairKernel).LaunchLinear(n, Block, KernelArg.Pointer(output),
            KernelArg.Pointer(chain.X), KernelArg.Pointer(chain.X), chain.MeanSquares, chain.MeanSquares, chain.Values, chain.Values, KernelArg.Pointer(groupWeights),
            n, n, n, 0, _d, 1, ntk ? 1 : 0, 1);
    }
}
