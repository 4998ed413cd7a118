using System.Globalization;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Cuda.Tiling;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Analytic;

/// <summary>
/// The infinite-width NNGP/NTK of a Dense model on a device: the CUDA C that <see cref="AnalyticDeviceSource"/> emits
/// from the model's <see cref="ModelInfo"/>, compiled once per device (the device caches modules by source text).
/// Per input set one launch computes |x|²/d and the diagonal chain; per row tile one DGEMM gives x·x'/d and one fused
/// launch runs the whole layer recursion per pair, in place.
/// </summary>
internal sealed class AnalyticDeviceKernels
{
    private const int Block = 256;
    private readonly CudaDevice _device;
    private readonly CudaModule _module;
    private readonly int _d;
    private readonly int _hidden;

    public AnalyticDeviceKernels(CudaDevice device, ModelInfo info)
    {
        _device = device;
        _module = device.Compile(AnalyticDeviceSource.Emit(info));
        _d = info.Inputs;
        _hidden = info.Layers.Count - 1;
    }

    /// <summary>|x_i|²/d and K^l(x_i, x_i) of every hidden layer for one input set on the device.</summary>
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
        var values = _device.Allocate<double>((long)_hidden * rows);
        _module.Kernel(AnalyticDeviceSource.ChainKernel).LaunchLinear(rows, Block, KernelArg.Pointer(x), ms, values, rows, _d);
        return new Chain(x, rows, ms, values);
    }

    /// <summary>
    /// Rows [r0, r0 + rows) of the NTK (<paramref name="ntk"/>) or NNGP between <paramref name="c1"/> and
    /// <paramref name="c2"/> into <paramref name="tile"/> (rows × c2.Rows); <paramref name="symmetric"/> when c2 is c1.
    /// </summary>
    public void Pairs(Chain c1, Chain c2, bool symmetric, bool ntk, int r0, int rows, DeviceMemory<double> tile, Ntk.PhaseTimes? timer = null)
    {
        int n2 = c2.Rows;
        GpuBlas.Gemm(Transpose.No, Transpose.Yes, rows, n2, _d, 1.0 / _d, c1.X.Slice((long)r0 * _d, (long)rows * _d), _d, c2.X, _d, 0.0, tile, n2);
        timer?.Mark("Gram DGEMM x·x'/d");
        _module.Kernel(AnalyticDeviceSource.PairKernel).LaunchLinear((long)rows * n2, Block, KernelArg.Pointer(tile),
            KernelArg.Pointer(c1.X), KernelArg.Pointer(c2.X), c1.MeanSquares, c2.MeanSquares, c1.Values, c2.Values,
            rows, n2, c1.Rows, r0, _d, symmetric ? 1 : 0, ntk ? 1 : 0);
        timer?.Mark("fused pair recursion");
    }
}

/// <summary>
/// The infinite-width kernels of a generated Dense model on a <see cref="CudaDevice"/>: the same recursion, closed forms
/// and exact-diagonal rule as the generated <c>AnalyticNtk</c>/<c>AnalyticNngp</c> (math.md §3–4), the per-pair
/// recursion emitted as CUDA C from <see cref="ModelInfo"/>, the Gram by cuBLAS DGEMM. float64.
/// </summary>
public static class AnalyticOnDeviceExtensions
{
    /// <summary>Infinite-width NTK Θ(x1, x2), N1 × N2 (x2 = null: x1 with itself), on <paramref name="device"/>; agrees with the CPU's <c>AnalyticNtk</c> to about 1e-15.</summary>
    /// <exception cref="ArgumentException">A shape mismatch, an empty batch or NaN/∞ in an input.</exception>
    /// <exception cref="NotSupportedException">An activation without a device closed form (named), a non-Dense layer, the standard parameterization, an output scale or centring.</exception>
    /// <exception cref="NonFiniteResultException">The recursion produced ∞ or NaN (e.g. overflowing inputs).</exception>
    public static Tensor AnalyticNtkOnDevice(this ModelInfo info, CudaDevice device, Tensor x1, Tensor? x2 = null) => Run(info, device, x1, x2, ntk: true);

    /// <summary>Infinite-width NNGP kernel K(x1, x2), N1 × N2, on <paramref name="device"/> (see <see cref="AnalyticNtkOnDevice"/>).</summary>
    public static Tensor AnalyticNngpOnDevice(this ModelInfo info, CudaDevice device, Tensor x1, Tensor? x2 = null) => Run(info, device, x1, x2, ntk: false);

    private static Tensor Run(ModelInfo info, CudaDevice device, Tensor x1, Tensor? x2, bool ntk)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(device);
        device.ThrowIfDisposed();
        AnalyticDeviceSource.Check(info);
        InputChecks.Features(x1, info.Inputs, x1?.DType ?? DType.Float64, info.Name, nameof(x1));
        if (x2 is not null) InputChecks.Features(x2, info.Inputs, x2.DType, info.Name, nameof(x2));
        int n1 = x1!.Rows, n2 = x2?.Rows ?? n1;
        var kernels = new AnalyticDeviceKernels(device, info);
        var result = new double[checked((long)n1 * n2)];
        using (var d1 = device.Upload<double>(x1.ToFlatArray()))
        using (var d2 = x2 is null ? null : device.Upload<double>(x2.ToFlatArray()))
        using (var c1 = kernels.DiagonalChain(d1, n1))
        using (var c2 = d2 is null ? null : kernels.DiagonalChain(d2, n2))
        {
            int tileRows = RowTiledAssembly.ChooseTileRows(device, n1, n2, sizeof(double), 0);
            RowTiledAssembly.ToHost<double>(device, n1, n2, tileRows,
                (r0, rows, tile) => kernels.Pairs(c1, c2 ?? c1, c2 is null, ntk, r0, rows, tile), result);
        }
        FiniteChecks.Block<double>(result, n2, string.Create(CultureInfo.InvariantCulture, $"{info.Name}: infinite-width kernel recursion on {device.Name}"));
        return Tensor.Wrap(result, n1, n2);
    }
}
