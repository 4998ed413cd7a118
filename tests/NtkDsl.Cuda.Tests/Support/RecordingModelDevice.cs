using System.Globalization;
using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests.Support;

/// <summary>
/// A non-CPU device whose model backend records every call that reaches it. Forward, Jvp and Vjp are computed by a CPU
/// twin of the bound model (a fresh CPU instance given the binding's parameter arrays, in GetParameters order: per
/// layer the weights, then the biases), so callers get real values and a test sees which calls went through the seam;
/// the analytic kernels and anything else answer 7 everywhere.
/// </summary>
internal sealed class RecordingModelDevice(Func<INtkModel> cpuTwin) : Device, IModelBackend
{
    public override string Name => "recording model device";
    public override bool IsCpu => false;
    public override IModelBackend ModelBackend => this;

    public List<string> Calls { get; } = [];
    public double[]? LastGroupWeights { get; private set; }
    public string? LastSource { get; private set; }
    public string? LastReason { get; private set; }

    private INtkModel Twin<T>(DeviceModel<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var twin = cpuTwin();
        Assert.True(twin.Device.IsCpu, "the twin must be a CPU model");
        var flat = model.Weights.Zip(model.Biases).SelectMany(wb => wb.First.Concat(wb.Second ?? [])).Select(double.CreateTruncating).ToArray();
        twin.SetParameters(flat);
        return twin;
    }

    private static Tensor Sevens(params int[] shape) => Tensor.FromArray(Enumerable.Repeat(7.0, shape.Aggregate(1, (p, s) => p * s)).ToArray(), shape);

    public void RequireModel(ModelInfo info) { }

    public Tensor Forward<T>(DeviceModel<T> model, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"Forward {x.Rows}"));
        return Twin(model).Forward(x);
    }

    public Tensor Jvp<T>(DeviceModel<T> model, Tensor x, Tensor tangent) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"Jvp {x.Rows}"));
        return Twin(model).Jvp(x, tangent);
    }

    public Tensor Vjp<T>(DeviceModel<T> model, Tensor x, Tensor cotangent) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"Vjp {x.Rows}"));
        return Twin(model).Vjp(x, cotangent);
    }

    public Tensor Jacobian<T>(DeviceModel<T> model, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"Jacobian {x.Rows}"));
        return Sevens(x.Rows, model.Info.Outputs, model.Info.ParameterCount);
    }

    public Tensor[] Ntk<T>(DeviceModel<T> model, Tensor x1, Tensor? x2, NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"Ntk {mode} {x1.Rows}"));
        int n2 = x2?.Rows ?? x1.Rows;
        return Enumerable.Range(0, outputCount).Select(_ => Sevens(x1.Rows, n2)).ToArray();
    }

    public Tensor Analytic(ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x1, Tensor? x2, double[] groupWeights, bool ntk,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"Analytic {info.Name} {(ntk ? "NTK" : "NNGP")} {x1.Rows}×{(x2 is null ? "-" : x2.Rows.ToString(CultureInfo.InvariantCulture))}"));
        LastGroupWeights = groupWeights;
        LastSource = cudaSource;
        LastReason = unsupportedReason;
        return Sevens(x1.Rows, x2?.Rows ?? x1.Rows);
    }

    public Tensor AnalyticDiagonal(ModelInfo info, string cudaSource, string? unsupportedReason, Tensor x, bool ntk)
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"AnalyticDiagonal {info.Name} {(ntk ? "NTK" : "NNGP")} {x.Rows}"));
        LastSource = cudaSource;
        LastReason = unsupportedReason;
        return Sevens(x.Rows);
    }
}
