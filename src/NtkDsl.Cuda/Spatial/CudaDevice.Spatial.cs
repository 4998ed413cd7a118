using System.Globalization;
using NtkDsl.Cuda.Spatial;
using NtkDsl.Layers;

namespace NtkDsl.Cuda;

/// <summary>The <see cref="ISpatialBackend"/> half of <see cref="CudaDevice"/>: models on the SpatialNetwork engine (InputShape, width-less) on this device.</summary>
public sealed partial class CudaDevice : ISpatialBackend
{
    /// <summary>This device: models with InputShape or without Inputs constructed on it run their finite-width methods here.</summary>
    public override ISpatialBackend SpatialBackend => this;

    void ISpatialBackend.RequireNetwork(SpatialNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        ThrowIfDisposed();
        if (network.Info.Precision != Precision.Float64)
            throw new NotSupportedException($"{network.ModelName}: {Name} runs SpatialNetwork models in Float64 only.");
    }

    private TResult RunSpatial<TResult>(SpatialDeviceModel model, double[][] parameters, Func<SpatialEngine, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(model);
        ThrowIfDisposed();
        MakeCurrent();
        if (!ReferenceEquals(model.Device, this))
            throw new ArgumentException($"{model.Network.ModelName} was constructed on {model.Device.Name}, not on {Name}.", nameof(model));
        using var engine = new SpatialEngine(this, model, parameters);
        return body(engine);
    }

    Tensor ISpatialBackend.Forward(SpatialDeviceModel model, double[][] parameters, Tensor x) => RunSpatial(model, parameters, e => e.Forward(x));

    Tensor ISpatialBackend.Jvp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor tangent) => RunSpatial(model, parameters, e => e.Jvp(x, tangent));

    Tensor ISpatialBackend.Vjp(SpatialDeviceModel model, double[][] parameters, Tensor x, Tensor cotangent) => RunSpatial(model, parameters, e => e.Vjp(x, cotangent));

    Tensor ISpatialBackend.Jacobian(SpatialDeviceModel model, double[][] parameters, Tensor x) => RunSpatial(model, parameters, e => e.Jacobian(x));

    Tensor[] ISpatialBackend.Ntk(SpatialDeviceModel model, double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) => RunSpatial(model, parameters, e =>
    {
        int groups = groupWeight.Length, k = model.Network.Outputs;
        long features = e.FeatureBytes(x1.Rows) + (x2 is null ? 0 : e.FeatureBytes(x2.Rows));
        Allocator.ReleaseCache();
        var (free, total) = MemoryInfo();
        if ((ulong)features > (ulong)(free * 0.9))
            throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"the per-example gradient features of {model.Network.ModelName}.Ntk for {x1.Rows}{(x2 is null ? "" : " + " + x2.Rows.ToString(CultureInfo.InvariantCulture))} rows ({features / 1048576.0:0.#} MiB); compute the kernel in blocks of rows (x.SliceRows)"),
                (ulong)features, free, total, Allocator.LiveBytes);
        var f1 = e.Features(x1, cancellationToken);
        var f2 = x2 is null ? null : e.Features(x2, cancellationToken);
        var groupOutput = new int[groups];
        if (perGroup) for (int g = 0; g < groups; g++) groupOutput[g] = g;
        return SpatialNtkAssembly.Run(this, e, k, f1, f2, x1.Rows, x2?.Rows ?? x1.Rows, mode, perGroup ? groups : 1, groupOutput, groupWeight,
            KernelOptions.TileRows, progress, cancellationToken);
    });
}
