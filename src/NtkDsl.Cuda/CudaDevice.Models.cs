using System.Numerics;
using NtkDsl.Cuda.Ntk;

namespace NtkDsl.Cuda;

/// <summary>The <see cref="IModelBackend"/> half of <see cref="CudaDevice"/>: generated Dense models' methods on this device.</summary>
public sealed partial class CudaDevice
{
    /// <summary>This device: generated Dense models constructed on it run their forward pass, Jvp, Vjp, Jacobian and NTK features
    /// here, and the generated <c>AnalyticNtk</c>/<c>AnalyticNngp</c>/<c>AnalyticWntk</c>/<c>AnalyticNtkDiagonal</c>/<c>AnalyticNngpDiagonal(device, …)</c>
    /// their infinite-width recursion.</summary>
    public override IModelBackend ModelBackend => this;

    /// <summary>The parameters of the models living on this device (released with it).</summary>
    internal DeviceModelCache Models { get; } = new();

    /// <summary>The resident parameters of <paramref name="model"/> (uploaded on first use; tests read their upload count).</summary>
    internal DeviceModelParameters<T> ParametersOf<T>(DeviceModel<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        MakeCurrent();
        if (!ReferenceEquals(model.Device, this))
            throw new ArgumentException($"{model.Info.Name} was constructed on {model.Device.Name}, not on {Name}.", nameof(model));
        DeviceModelSupport.Require(this, model.Info);
        return Models.Get(model, () => new DeviceModelParameters<T>(this, model.Info, model.CudaSource));
    }

    private TResult Run<T, TResult>(DeviceModel<T> model, Func<DenseModelEngine<T>, TResult> body, GpuFloat32Mode? float32 = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        using var engine = new DenseModelEngine<T>(this, model, ParametersOf(model), float32 ?? KernelOptions.Float32);
        return body(engine);
    }

    Tensor IModelBackend.Forward<T>(DeviceModel<T> model, Tensor x) => Run(model, e => e.Forward(x));

    Tensor IModelBackend.Jvp<T>(DeviceModel<T> model, Tensor x, Tensor tangent) => Run(model, e => e.Jvp(x, tangent));

    Tensor IModelBackend.Vjp<T>(DeviceModel<T> model, Tensor x, Tensor cotangent) => Run(model, e => e.Vjp(x, cotangent));

    Tensor IModelBackend.Jacobian<T>(DeviceModel<T> model, Tensor x) => Run(model, e => e.Jacobian(x));

    Tensor IModelBackend.Analytic(ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x1, Tensor? x2, double[] groupWeights, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        DeviceModelSupport.Require(this, info);
        return Analytic.AnalyticOnDeviceExtensions.Compute(this, info, cudaSource, unsupportedReason, x1, x2, groupWeights, ntk, progress, cancellationToken);
    }

    Tensor IModelBackend.AnalyticDiagonal(ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x, bool ntk)
    {
        ArgumentNullException.ThrowIfNull(info);
        DeviceModelSupport.Require(this, info);
        return Analytic.AnalyticOnDeviceExtensions.ComputeDiagonal(this, info, cudaSource, unsupportedReason, x, ntk);
    }

    Tensor[] IModelBackend.Ntk<T>(DeviceModel<T> model, Tensor x1, Tensor? x2, NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) =>
        Ntk(model, x1, x2, mode, outputCount, groupOutput, groupWeight, progress, cancellationToken, KernelOptions);

    private long _featureBlockPairs;

    /// <summary>Kernel blocks assembled from blocks of features (<see cref="BlockedDeviceNtk"/>) since the device was opened (tests prove blocking with it).</summary>
    internal long FeatureBlockPairs => Interlocked.Read(ref _featureBlockPairs);

    internal void CountFeatureBlockPair() => Interlocked.Increment(ref _featureBlockPairs);

    /// <summary>The NTK of a device model with explicit <paramref name="options"/> (the model path and <c>NtkOnDevice</c>).</summary>
    internal Tensor[] Ntk<T>(DeviceModel<T> model, Tensor x1, Tensor? x2, NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken, CudaKernelOptions options) where T : unmanaged, IFloatingPointIeee754<T> => Run(model, e =>
    {
        bool traced = mode is NtkMode.Trace or NtkMode.Diagonal;
        // Peak: the larger batch's features and temporaries, then both batches' features and the smaller one's temporaries.
        int large = Math.Max(x1.Rows, x2?.Rows ?? 0), small = Math.Min(x1.Rows, x2?.Rows ?? x1.Rows);
        long features = e.FeatureBytes(x1.Rows, traced) + (x2 is null ? 0 : e.FeatureBytes(x2.Rows, traced));
        long transient = x2 is null ? e.TransientBytes(x1.Rows)
            : Math.Max(e.TransientBytes(small), e.FeatureBytes(large, traced) + e.TransientBytes(large) - features);
        Allocator.ReleaseCache();
        var (free, _) = MemoryInfo();
        // Features of both whole batches beyond device memory (or blocks asked for): blocks of rows of x1 and x2.
        if (options.FeatureBlockRows is { } forced && forced < large || (ulong)(features + transient) > (ulong)(free * 0.9))
        {
            int blockRows = options.FeatureBlockRows ?? BlockedDeviceNtk.ChooseBlockRows(this, e, model.Info, large, mode, outputCount);
            return BlockedDeviceNtk.Run(this, e, options, model.Info, x1, x2, mode, outputCount, groupOutput, groupWeight, blockRows, progress, cancellationToken);
        }
        // The larger batch first: the smaller one's temporaries then sit beside both batches' features (the peak above).
        bool secondFirst = x2 is not null && x2.Rows > x1.Rows;
        var f2 = x2 is null || !secondFirst ? null : e.Features(e.UploadInputs(x2), x2.Rows, traced);
        var f1 = e.Features(e.UploadInputs(x1), x1.Rows, traced);
        if (x2 is not null && !secondFirst) f2 = e.Features(e.UploadInputs(x2), x2.Rows, traced);
        cancellationToken.ThrowIfCancellationRequested();
        return DeviceNtkAssembly<T>.Run(this, options, f1, f2, mode, outputCount, groupOutput, groupWeight, progress, cancellationToken);
    }, options.Float32);
}
