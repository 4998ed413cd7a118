using NtkDsl.Cuda.Memory;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Analytic.Spatial;

/// <summary>
/// The device twin of the CPU's per-example <c>ExampleTrace</c>s for one input set (N examples): what the pair
/// recursion needs of each example alone, one device array per step holding all N examples — the pooled inputs, the
/// variances entering each activation, the per-pixel means (when the plan tracks them), LayerNorm's variances — plus
/// K(x, x) and Θ(x, x) on the host once the traces ran, and the host copy of the inputs for the exact-diagonal rule.
/// </summary>
internal sealed class ExampleTraces : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public ExampleTraces(CudaDevice device, AnalyticPlan plan, double[] input, int n)
    {
        N = n;
        HostInput = input;
        Nngp = new double[n];
        Ntk = new double[n];
        try
        {
            Input = Own(device.Upload<double>(input));
            int pooledFeatures = plan.PooledH * plan.PooledW * plan.InC;
            Pooled = plan.InputPoolSteps == 0 ? Input : Own(device.Allocate<double>((long)n * pooledFeatures));
            if (plan.NeedsMeans) InputMean = Own(device.Allocate<double>((long)n * plan.InH * plan.InW));
            int steps = plan.Steps.Count;
            Variance = new DeviceMemory<double>?[steps];
            Mean = new DeviceMemory<double>?[steps];
            NormVariance = new DeviceMemory<double>?[steps];
            foreach (var s in plan.Steps)
            {
                if (s.Kind == AnalyticStepKind.Affine && !s.IsIdentity) Variance[s.Index] = Own(device.Allocate<double>((long)n * s.OutPixels));
                if (plan.NeedsMeans) Mean[s.Index] = Own(device.Allocate<double>((long)n * s.OutPixels));
                if (s.Kind == AnalyticStepKind.LayerNorm) NormVariance[s.Index] = Own(device.Allocate<double>((long)n * s.OutPixels));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Device bytes of the traces of <paramref name="n"/> examples (what the constructor allocates).</summary>
    public static long Bytes(AnalyticPlan plan, int n)
    {
        long perExample = plan.Features + (plan.InputPoolSteps == 0 ? 0 : (long)plan.PooledH * plan.PooledW * plan.InC)
            + (plan.NeedsMeans ? (long)plan.InH * plan.InW : 0);
        foreach (var s in plan.Steps)
        {
            if (s.Kind == AnalyticStepKind.Affine && !s.IsIdentity) perExample += s.OutPixels;
            if (plan.NeedsMeans) perExample += s.OutPixels;
            if (s.Kind == AnalyticStepKind.LayerNorm) perExample += s.OutPixels;
        }
        return 8L * perExample * n;
    }

    public int N { get; }
    public double[] HostInput { get; }
    public DeviceMemory<double> Input { get; }
    /// <summary>The inputs after the plan's leading AvgPool2D steps (<see cref="Input"/> without them).</summary>
    public DeviceMemory<double> Pooled { get; }
    public DeviceMemory<double>? InputMean { get; }
    public DeviceMemory<double>?[] Variance { get; } = [];
    public DeviceMemory<double>?[] Mean { get; } = [];
    public DeviceMemory<double>?[] NormVariance { get; } = [];
    /// <summary>K(x_i, x_i) per example (set by the traces' run).</summary>
    public double[] Nngp { get; }
    /// <summary>Θ_w(x_i, x_i) per example with the call's group weights.</summary>
    public double[] Ntk { get; }

    private DeviceMemory<double> Own(DeviceBuffer<double> b)
    {
        _owned.Add(b);
        return b.AsMemory();
    }

    public void Dispose()
    {
        foreach (var b in _owned) b.Dispose();
        _owned.Clear();
    }
}
