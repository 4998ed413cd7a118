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
        if (input.Length != (long)n * plan.Features)
            throw new ArgumentException($"{input.Length} input values for {n} examples of {plan.Features} features.", nameof(input));
        N = n;
        HostInput = input;
        Nngp = new double[n];
        Ntk = new double[n];
        int steps = plan.Steps.Count;
        Variance = new DeviceMemory<double>?[steps];
        Mean = new DeviceMemory<double>?[steps];
        NormVariance = new DeviceMemory<double>?[steps];
        try
        {
            Input = Own(device.Upload<double>(input));
            Pooled = Input;
            foreach (var (array, step, perExample) in Layout(plan))
            {
                var memory = Own(device.Allocate<double>((long)n * perExample));
                switch (array)
                {
                    case TraceArray.Pooled: Pooled = memory; break;
                    case TraceArray.InputMean: InputMean = memory; break;
                    case TraceArray.Variance: Variance[step] = memory; break;
                    case TraceArray.Mean: Mean[step] = memory; break;
                    case TraceArray.NormVariance: NormVariance[step] = memory; break;
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private enum TraceArray { Pooled, InputMean, Variance, Mean, NormVariance }

    /// <summary>
    /// The one statement of which arrays the traces hold besides the inputs (plan.Features values per example), and their
    /// values per example: the constructor allocates exactly these and <see cref="Bytes"/> adds them up.
    /// </summary>
    private static IEnumerable<(TraceArray Array, int Step, long PerExample)> Layout(AnalyticPlan plan)
    {
        if (plan.InputPoolSteps != 0) yield return (TraceArray.Pooled, -1, (long)plan.PooledH * plan.PooledW * plan.InC);
        if (plan.NeedsMeans) yield return (TraceArray.InputMean, -1, (long)plan.InH * plan.InW);
        foreach (var s in plan.Steps)
        {
            if (s.Kind == AnalyticStepKind.Affine && !s.IsIdentity) yield return (TraceArray.Variance, s.Index, s.OutPixels);
            if (plan.NeedsMeans) yield return (TraceArray.Mean, s.Index, s.OutPixels);
            if (s.Kind == AnalyticStepKind.LayerNorm) yield return (TraceArray.NormVariance, s.Index, s.OutPixels);
        }
    }

    /// <summary>Device bytes of the traces of <paramref name="n"/> examples: the inputs and the arrays of <see cref="Layout"/>, what the constructor allocates.</summary>
    public static long Bytes(AnalyticPlan plan, int n) => 8L * n * (plan.Features + Layout(plan).Sum(a => a.PerExample));

    public int N { get; }
    public double[] HostInput { get; }
    public DeviceMemory<double> Input { get; }
    /// <summary>The inputs after the plan's leading AvgPool2D steps (<see cref="Input"/> without them).</summary>
    public DeviceMemory<double> Pooled { get; }
    public DeviceMemory<double>? InputMean { get; }
    public DeviceMemory<double>?[] Variance { get; }
    public DeviceMemory<double>?[] Mean { get; }
    public DeviceMemory<double>?[] NormVariance { get; }
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
