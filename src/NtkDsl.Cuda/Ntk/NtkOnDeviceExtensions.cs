using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// The empirical NTK of a generated Dense model on a <see cref="CudaDevice"/> whatever device the model was constructed
/// on, in a chosen precision (issue 12). A thin wrapper over the path of models constructed on the device
/// (<see cref="IModelBackend"/>): the model's plan (<see cref="ModelInfo"/>), its parameters
/// (<see cref="IDifferentiableModel.GetParameters"/>) and its generated CUDA C (<see cref="IDeviceSource.CudaSource"/>)
/// are bound for this one call; features (math.md §2) and the kernel assembly run on the device, in row tiles of the
/// output when it is larger than device memory and in blocks of rows of x1 and x2 when their features are
/// (<see cref="BlockedDeviceNtk"/>), and the result comes back as a host <see cref="Tensor"/>.
/// </summary>
public static class NtkOnDeviceExtensions
{
    /// <summary>
    /// Θ(x1, x2) of <paramref name="model"/> in <paramref name="mode"/> on <paramref name="device"/> (shapes as
    /// <c>model.Ntk</c>: Trace N1 × N2, Full N1 × N2 × K × K, Diagonal N, DiagonalFull N × K × K; x2 = null: x1 with
    /// itself, one triangle of tiles). float64 for <see cref="GpuPrecision.Float64"/>, float32 otherwise.
    /// </summary>
    /// <param name="model">A generated Dense model (any activation, parameterization and bias setting).</param>
    /// <param name="device">The GPU (or its emulation).</param>
    /// <param name="x1">N1 × d inputs (finite).</param>
    /// <param name="x2">N2 × d inputs, or null for x1.</param>
    /// <param name="mode">Any <see cref="NtkMode"/>; Diagonal modes need x2 = null.</param>
    /// <param name="precision">The arithmetic, chosen explicitly (no silent TF32).</param>
    /// <exception cref="ArgumentException">A shape mismatch, an empty batch, NaN/∞ in an input (named by row and column), or x2 with a Diagonal mode.</exception>
    /// <exception cref="NotSupportedException">A model with spatial layers (named, with the CPU alternative).</exception>
    /// <exception cref="CudaOutOfMemoryException">Not even the features of one row of x1 and one of x2 with one output entry fit in device memory (the sizes are in the message).</exception>
    public static Tensor NtkOnDevice<TModel>(this TModel model, CudaDevice device, Tensor x1, Tensor? x2 = null,
        NtkMode mode = NtkMode.Trace, GpuPrecision precision = GpuPrecision.Float64) where TModel : INtkModel, IDeviceSource
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        device.ThrowIfDisposed();
        var info = TModel.Info;
        InputChecks.Features(x1, info.Inputs, x1?.DType ?? DType.Float64, info.Name, nameof(x1));
        if (x2 is not null) InputChecks.Features(x2, info.Inputs, x2.DType, info.Name, nameof(x2));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown NtkMode.");
        if (mode is NtkMode.Diagonal or NtkMode.DiagonalFull && x2 is not null)
            throw new ArgumentException($"{info.Name}: NtkMode.{mode} computes Θ(x_i, x_i) of one batch and requires x2 == null.", nameof(x2));
        var parameters = model.GetParameters();
        return precision switch
        {
            GpuPrecision.Float64 => Run<double, TModel>(device, info, parameters, x1!, x2, mode, GpuFloat32Mode.Strict),
            GpuPrecision.Float32 => Run<float, TModel>(device, info, parameters, x1!, x2, mode, GpuFloat32Mode.Strict),
            GpuPrecision.Tf32 => Run<float, TModel>(device, info, parameters, x1!, x2, mode, GpuFloat32Mode.Tf32),
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Pass GpuPrecision.Float64, Float32 or Tf32."),
        };
    }

    private static Tensor Run<T, TModel>(CudaDevice device, ModelInfo info, double[] parameters, Tensor x1, Tensor? x2, NtkMode mode, GpuFloat32Mode float32)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        where TModel : IDeviceSource
    {
        var dtype = typeof(T) == typeof(double) ? DType.Float64 : DType.Float32;
        var weights = new T[info.Layers.Count][];
        var biases = new T[]?[info.Layers.Count];
        for (int l = 0; l < info.Layers.Count; l++)
        {
            var L = info.Layers[l];
            weights[l] = Convert<T>(parameters.AsSpan(L.WeightOffset, L.WeightCount));
            biases[l] = L.UseBias ? Convert<T>(parameters.AsSpan(L.BiasOffset, L.BiasCount)) : null;
        }
        var binding = new DeviceModel<T>(device, info, TModel.CudaSource, weights, biases);
        try
        {
            var groupOutput = new int[info.Groups.Count];
            var groupWeight = Enumerable.Repeat(1.0, info.Groups.Count).ToArray();
            return device.Ntk(binding, x1.DType == dtype ? x1 : x1.To(dtype), x2 is null || x2.DType == dtype ? x2 : x2.To(dtype), mode, 1,
                groupOutput, groupWeight, null, default, device.KernelOptions with { Float32 = float32 })[0];
        }
        finally
        {
            device.Models.Remove(binding);
        }
    }

    private static T[] Convert<T>(ReadOnlySpan<double> v) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var r = new T[v.Length];
        for (int i = 0; i < r.Length; i++) r[i] = T.CreateTruncating(v[i]);
        return r;
    }
}
