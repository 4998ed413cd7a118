using System.Globalization;
using NtkDsl.Cuda.Tiling;

namespace NtkDsl.Cuda.Analytic;

/// <summary>
/// The infinite-width kernels of a generated Dense model on a <see cref="CudaDevice"/>: the recursion, closed forms and
/// exact-diagonal rule of the generated <c>AnalyticNtk</c>/<c>AnalyticNngp</c>/<c>AnalyticWntk</c> (math.md §3–4), run
/// by the CUDA C the generator emitted for the model at compile time (<see cref="IDeviceSource"/>), the Gram x·x'/d by
/// cuBLAS DGEMM, row-tiled into host memory. float64.
/// </summary>
/// <example><code>Tensor theta = gpu.AnalyticNtkOnDevice&lt;MyModel&gt;(x1, x2);</code></example>
public static class AnalyticOnDeviceExtensions
{
    /// <summary>Infinite-width NTK Θ(x1, x2), N1 × N2 (x2 = null: x1 with itself), on <paramref name="device"/>; agrees with the CPU's <c>TModel.AnalyticNtk</c> to about 1e-15.</summary>
    /// <exception cref="ArgumentException">A shape mismatch, an empty batch or NaN/∞ in an input.</exception>
    /// <exception cref="NotSupportedException">An activation without a device closed form (the model's <see cref="IDeviceSource.CudaAnalyticUnsupportedReason"/>).</exception>
    /// <exception cref="NonFiniteResultException">The recursion produced ∞ or NaN (e.g. overflowing inputs).</exception>
    /// <exception cref="CudaCompileException">NVRTC rejected the generated source (its log and the source in the message).</exception>
    public static Tensor AnalyticNtkOnDevice<TModel>(this CudaDevice device, Tensor x1, Tensor? x2 = null) where TModel : IDeviceSource =>
        Run<TModel>(device, x1, x2, null, ntk: true);

    /// <summary>Infinite-width NNGP kernel K(x1, x2), N1 × N2, on <paramref name="device"/> (see <see cref="AnalyticNtkOnDevice{TModel}"/>).</summary>
    public static Tensor AnalyticNngpOnDevice<TModel>(this CudaDevice device, Tensor x1, Tensor? x2 = null) where TModel : IDeviceSource =>
        Run<TModel>(device, x1, x2, null, ntk: false);

    /// <summary>Infinite-width weighted NTK Σ_g w_g Θ^g, N1 × N2, on <paramref name="device"/> (as the CPU's <c>TModel.AnalyticWntk</c>; see <see cref="AnalyticNtkOnDevice{TModel}"/>).</summary>
    /// <exception cref="ArgumentException">Also: a weight key that is not a parameter group of the model.</exception>
    public static Tensor AnalyticWntkOnDevice<TModel>(this CudaDevice device, Tensor x1, Tensor? x2, GroupWeights weights) where TModel : IDeviceSource
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Run<TModel>(device, x1, x2, weights.Resolve(TModel.Info), ntk: true);
    }

    private static Tensor Run<TModel>(CudaDevice device, Tensor x1, Tensor? x2, double[]? groupWeights, bool ntk) where TModel : IDeviceSource =>
        Compute(device, TModel.Info, TModel.CudaSource, TModel.CudaAnalyticUnsupportedReason, x1, x2, groupWeights, ntk, null, default);

    /// <summary>
    /// The kernel of the model <paramref name="info"/> describes from its generated CUDA C (the entry of
    /// <see cref="IModelBackend.Analytic"/>, i.e. the generated <c>AnalyticNtk(device, …)</c> overloads, and of the
    /// extensions above). Progress: "Analytic kernel tiles"; cancellation is checked before every tile.
    /// </summary>
    internal static Tensor Compute(CudaDevice device, ModelInfo info, string source, string? unsupportedReason, Tensor x1, Tensor? x2, double[]? groupWeights, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.ThrowIfDisposed();
        if (unsupportedReason is not null) throw new NotSupportedException(unsupportedReason);
        var kernels = new AnalyticDeviceKernels(device, info, source);
        InputChecks.Features(x1, info.Inputs, x1?.DType ?? DType.Float64, info.Name, nameof(x1));
        if (x2 is not null) InputChecks.Features(x2, info.Inputs, x2.DType, info.Name, nameof(x2));
        int n1 = x1!.Rows, n2 = x2?.Rows ?? n1;
        groupWeights ??= Enumerable.Repeat(1.0, info.Groups.Count).ToArray();
        var result = new double[checked((long)n1 * n2)];
        using (var gw = device.Upload<double>(groupWeights))
        using (var d1 = device.Upload<double>(x1.ToFlatArray()))
        using (var d2 = x2 is null ? null : device.Upload<double>(x2.ToFlatArray()))
        using (var c1 = kernels.DiagonalChain(d1, n1))
        using (var c2 = d2 is null ? null : kernels.DiagonalChain(d2, n2))
        {
            int tileRows = RowTiledAssembly.ChooseTileRows(device, n1, n2, sizeof(double), 0);
            int tiles = (n1 + tileRows - 1) / tileRows, done = 0;
            RowTiledAssembly.ToHost<double>(device, n1, n2, tileRows, (r0, rows, tile) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                kernels.Pairs(c1, c2 ?? c1, gw, c2 is null, ntk, r0, rows, tile);
                progress?.Report(new NtkProgress("Analytic kernel tiles", ++done, tiles));
            }, result);
        }
        FiniteChecks.Block<double>(result, n2, string.Create(CultureInfo.InvariantCulture, $"{info.Name}: infinite-width kernel recursion on {device.Name}"));
        return Tensor.Wrap(result, n1, n2);
    }

    /// <summary>
    /// Θ(x_i, x_i) (unit group weights; <paramref name="ntk"/>) or K(x_i, x_i) for every row of <paramref name="x"/>, a vector
    /// of N float64 (the entry of <see cref="IModelBackend.AnalyticDiagonal"/>, i.e. the generated
    /// <c>AnalyticNtkDiagonal/AnalyticNngpDiagonal(device, x)</c>): the chain kernel and one launch of the pair kernel over
    /// the pairs (i, i), as the CPU's <c>AnalyticNtkDiagonal</c> runs its pair recursion at (x_i, x_i) (math.md §3–4). O(N·(d + depth)) device memory.
    /// </summary>
    /// <exception cref="ArgumentException">A shape mismatch, an empty batch or NaN/∞ in x (the CPU's messages; nothing launched).</exception>
    /// <exception cref="NotSupportedException">An activation without a device closed form (<paramref name="unsupportedReason"/>).</exception>
    /// <exception cref="NonFiniteResultException">The recursion produced ∞ or NaN (e.g. overflowing inputs).</exception>
    internal static Tensor ComputeDiagonal(CudaDevice device, ModelInfo info, string source, string? unsupportedReason, Tensor x, bool ntk)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.ThrowIfDisposed();
        if (unsupportedReason is not null) throw new NotSupportedException(unsupportedReason);
        var kernels = new AnalyticDeviceKernels(device, info, source);
        InputChecks.Features(x, info.Inputs, x?.DType ?? DType.Float64, info.Name, nameof(x));
        int n = x!.Rows;
        var result = new double[n];
        using (var gw = device.Upload<double>(Enumerable.Repeat(1.0, info.Groups.Count).ToArray()))
        using (var dx = device.Upload<double>(x.ToFlatArray()))
        using (var chain = kernels.DiagonalChain(dx, n))
        using (var output = device.Allocate<double>(n))
        {
            kernels.Diagonal(chain, gw, ntk, output);
            output.CopyTo(result);
        }
        FiniteChecks.Block<double>(result, 1, string.Create(CultureInfo.InvariantCulture, $"{info.Name}: infinite-width kernel diagonal on {device.Name}"));
        return Tensor.Wrap(result, n);
    }
}
