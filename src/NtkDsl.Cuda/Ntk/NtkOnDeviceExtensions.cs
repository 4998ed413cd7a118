using System.Globalization;
using NtkDsl.Cuda.Tiling;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// The empirical NTK of a generated Dense model on a <see cref="CudaDevice"/> (issue 12): the same layer plan
/// (<see cref="ModelInfo"/>) and parameters (<see cref="IDifferentiableModel.GetParameters"/>) as the CPU's
/// <c>model.Ntk</c>, the structured algorithm of math.md §2, the result copied into a host <see cref="Tensor"/>.
/// Kernels larger than device memory are computed in row tiles (<see cref="RowTiledAssembly"/>).
/// </summary>
public static class NtkOnDeviceExtensions
{
    /// <summary>
    /// Θ(x1, x2) of <paramref name="model"/> in <paramref name="mode"/> on <paramref name="device"/>: N1 × N2 (x2 = null:
    /// x1 with itself, its Grams by SYRK on one triangle). float64 for <see cref="GpuPrecision.Float64"/>, float32 otherwise.
    /// </summary>
    /// <param name="model">A generated model of Dense layers with biases, NTK parameterization, a linear readout.</param>
    /// <param name="device">The GPU (or its emulation).</param>
    /// <param name="x1">N1 × d inputs (finite).</param>
    /// <param name="x2">N2 × d inputs, or null for x1.</param>
    /// <param name="mode">Only <see cref="NtkMode.Trace"/> so far.</param>
    /// <param name="precision">The arithmetic, chosen explicitly (no silent TF32).</param>
    /// <exception cref="ArgumentException">A shape mismatch, an empty batch, or NaN/∞ in an input (named by row and column).</exception>
    /// <exception cref="NotSupportedException">A mode, layer kind, activation or parameterization the device NTK does not cover yet (named, with the CPU alternative).</exception>
    /// <exception cref="CudaOutOfMemoryException">Not even the features of x2 and one row tile fit in device memory (the sizes are in the message).</exception>
    public static Tensor NtkOnDevice(this INtkModel model, CudaDevice device, Tensor x1, Tensor? x2 = null,
        NtkMode mode = NtkMode.Trace, GpuPrecision precision = GpuPrecision.Float64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        device.ThrowIfDisposed();
        var info = model.Info;
        if (mode != NtkMode.Trace)
            throw new NotSupportedException($"{info.Name}: NtkOnDevice computes NtkMode.Trace so far; compute NtkMode.{mode} on the CPU with model.Ntk(x1, x2, NtkMode.{mode}).");
        InputChecks.Features(x1, info.Inputs, x1?.DType ?? DType.Float64, info.Name, nameof(x1));
        if (x2 is not null) InputChecks.Features(x2, info.Inputs, x2.DType, info.Name, nameof(x2));
        DenseDeviceNtk<double>.Check(info);
        var parameters = model.GetParameters();
        return precision switch
        {
            GpuPrecision.Float64 => Run<double>(device, info, parameters, x1!, x2, GpuFloat32Mode.Strict),
            GpuPrecision.Float32 => Run<float>(device, info, parameters, x1!, x2, GpuFloat32Mode.Strict),
            GpuPrecision.Tf32 => Run<float>(device, info, parameters, x1!, x2, GpuFloat32Mode.Tf32),
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Pass GpuPrecision.Float64, Float32 or Tf32."),
        };
    }

    private static Tensor Run<T>(CudaDevice device, ModelInfo info, double[] parameters, Tensor x1, Tensor? x2, GpuFloat32Mode mode) where T : unmanaged
    {
        int n1 = x1.Rows, n2 = x2?.Rows ?? n1, size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var result = new T[checked((long)n1 * n2)];
        using (var ntk = new DenseDeviceNtk<T>(device, info, parameters, mode))
        {
            long featureBytes = ntk.FeatureBytesPerRow() * n2 + (long)size * n2 * info.Inputs;
            long perRow = ntk.BytesPerTileRow(n2);
            device.Allocator.ReleaseCache();
            var (free, total) = device.MemoryInfo();
            ulong budget = (ulong)(free * 0.8);
            if ((ulong)(featureBytes + perRow) > budget)
                throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                    $"the NTK of {info.Name}: the features of {n2} rows of x2 ({featureBytes / 1048576.0:0.#} MiB) and one row tile ({perRow / 1048576.0:0.#} MiB); split x2 into column blocks"),
                    (ulong)(featureBytes + perRow), free, total, device.Allocator.LiveBytes);
            using var d1 = ntk.UploadInputs(x1);
            if (x2 is null && (ulong)(featureBytes + (long)size * 3 * n1 * n1) <= budget)
            {
                // Everything fits: features once, Grams by SYRK on one triangle.
                using var f = ntk.Compute(d1, n1);
                using var k = device.Allocate<T>((long)n1 * n1);
                ntk.TraceSymmetric(f, k);
                k.CopyTo(result);
            }
            else
            {
                var d2 = x2 is null ? null : ntk.UploadInputs(x2);
                using var f2 = ntk.Compute(d2 is null ? d1 : d2, n2, d2);
                int tileRows = (int)Math.Min(n1, (long)((budget - (ulong)featureBytes) / (ulong)perRow));
                RowTiledAssembly.ToHost(device, n1, n2, Math.Max(1, tileRows), ntk.Tiles(d1, f2), result);
            }
        }
        string stage = string.Create(CultureInfo.InvariantCulture, $"{info.Name}: NTK on {device.Name}");
        if (result is double[] dd)
        {
            FiniteChecks.Block<double>(dd, n2, stage);
            return Tensor.Wrap(dd, n1, n2);
        }
        var ff = (float[])(object)result;
        FiniteChecks.Block<float>(ff, n2, stage);
        return Tensor.Wrap(ff, n1, n2);
    }
}
