using System.Globalization;
using NtkDsl.Costing;

namespace NtkDsl;

/// <summary>
/// What a generated model costs on the CPU backend: parameters, Forward flops per layer, and the flops and memory of
/// <c>Ntk</c> (every <see cref="NtkMode"/>, symmetric or not), <c>Jacobian</c> and <c>AnalyticNtk</c> for given batch
/// sizes. Every generated model exposes one as <c>static ModelCost Cost</c>; the compiler reports the same figures in
/// NTK3001 (docs/diagnostics.md).
/// </summary>
/// <remarks>
/// The figures are counted from what the generated code and the runtime kernels execute, step by step: per row block
/// of 1024 the forward pass with derivatives and the backward deltas, per 1024 × 1024 output tile (Trace) or
/// (512/K)² × K² tile (Full) one Gram GEMM per layer, the delta Grams and the Hadamard accumulation, the lower
/// triangle of tiles for symmetric kernels. A GEMM counts 2·m·n·k flops; elsewhere each multiply, add, square root and
/// activation evaluation counts one; copies are free.
/// <para>Thread safety: immutable after construction; safe to share between threads.</para>
/// </remarks>
public sealed class ModelCost
{
    private readonly CostCalculator? _calc;
    private readonly IModelCostSource? _source;

    /// <summary>The cost model of the architecture <paramref name="model"/> (generated code passes its <c>Info</c>).</summary>
    public ModelCost(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        var layers = model.Layers.Select(l => new CostLayer(l.FanIn, l.Width, l.UseBias, l.Activation == Activation.Identity)).ToArray();
        _calc = new CostCalculator(model.Inputs, layers, model.Precision == Precision.Float32 ? 4 : 8);
        Layers = model.Layers.Select((l, i) => new LayerCost(l.Name, l.FanIn, l.Width, _calc.LayerParameters(i), _calc.ForwardFlopsPerExample(i))).ToArray();
    }

    /// <summary>The cost model of an architecture whose figures come from <paramref name="source"/> (spatial models: <c>SpatialNetwork.Cost</c>).</summary>
    internal ModelCost(ModelInfo model, IModelCostSource source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        Model = model;
        _source = source;
        Layers = source.Layers;
    }

    /// <summary>The architecture.</summary>
    public ModelInfo Model { get; }

    /// <summary>Total parameters P.</summary>
    public long ParameterCount => _source?.ParameterCount ?? _calc!.Parameters;

    /// <summary>Bytes per stored value: 8 (Float64) or 4 (Float32).</summary>
    public int ElementSize => _source?.ElementSize ?? _calc!.ElementSize;

    /// <summary>Per-layer parameters and Forward flops, in layer order.</summary>
    public IReadOnlyList<LayerCost> Layers { get; }

    /// <summary>Forward flops for one example (the sum over <see cref="Layers"/>).</summary>
    public long ForwardFlopsPerExample => Layers.Sum(l => l.ForwardFlopsPerExample);

    /// <summary><c>Forward</c> of <paramref name="n"/> examples; Bytes are the activations kept for all layers.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or so large that a figure exceeds <see cref="long.MaxValue"/> (the message gives the largest n that can be costed).</exception>
    public OperationCost Forward(int n) =>
        Figure(nameof(Forward), Check(n, nameof(n)), null, (a, _) => _source?.Forward(a) ?? Convert(_calc!.Forward(a)));

    /// <summary>
    /// <c>Ntk(x1, x2, mode)</c> for <paramref name="n1"/> rows of x1 and <paramref name="n2"/> rows of x2;
    /// <paramref name="n2"/> = null is the symmetric kernel of x1 (one triangle of tiles), which Diagonal and
    /// DiagonalFull require. Also <c>Wntk</c> when no group weight is zero (zero-weight layers are skipped at run time).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative batch size, an unknown <paramref name="mode"/>, or batches so large that a figure exceeds <see cref="long.MaxValue"/> (the message gives the largest size that can be costed).</exception>
    public OperationCost Ntk(int n1, int? n2 = null, NtkMode mode = NtkMode.Trace)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown NtkMode.");
        if (n2 is not null && (mode == NtkMode.Diagonal || mode == NtkMode.DiagonalFull))
            throw new ArgumentException($"NtkMode.{mode} computes Θ(x_i, x_i) of one batch; pass n2 = null.", nameof(n2));
        long? other = n2 is int m ? Check(m, nameof(n2)) : null;
        return Figure(mode == NtkMode.Trace ? nameof(Ntk) : $"{nameof(Ntk)} ({mode})", Check(n1, nameof(n1)), other,
            (a, b) => _source?.Ntk(a, b, mode) ?? Convert(_calc!.Ntk(a, b, (int)mode)));
    }

    /// <summary>
    /// <c>Jacobian</c> of <paramref name="n"/> examples: the N × K × P result plus the per-output features. Flops are an
    /// upper bound (entries whose backward delta is exactly zero, e.g. behind an inactive ReLU, are skipped).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or so large that a figure exceeds <see cref="long.MaxValue"/> (the message gives the largest n that can be costed).</exception>
    public OperationCost Jacobian(int n) =>
        Figure(nameof(Jacobian), Check(n, nameof(n)), null, (a, _) => _source?.Jacobian(a) ?? Convert(_calc!.Jacobian(a)));

    /// <summary>Bytes of the explicit Jacobian alone, N·K·P·<see cref="ElementSize"/> (what NTK3002 compares with the budget).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or so large that the bytes exceed <see cref="long.MaxValue"/> (the message gives the largest n that can be costed).</exception>
    public long JacobianBytes(int n) =>
        Figure(nameof(JacobianBytes), Check(n, nameof(n)), null, (a, _) => _source?.JacobianBytes(a) ?? _calc!.JacobianBytes(a));

    /// <summary>
    /// <c>AnalyticNtk(x1, x2)</c> (float64) for <paramref name="n1"/> and <paramref name="n2"/> rows (null: symmetric):
    /// the input Gram by GEMM or SYRK, then per output entry the layer recursion; the dual activations are counted in
    /// <see cref="OperationCost.DualEvaluations"/>, not in flops.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative batch size, or batches so large that a figure exceeds <see cref="long.MaxValue"/> (the message gives the largest size that can be costed).</exception>
    public OperationCost AnalyticNtk(int n1, int? n2 = null)
        => Figure(nameof(AnalyticNtk), Check(n1, nameof(n1)), n2 is int m ? Check(m, nameof(n2)) : null,
            (a, b) => _source?.AnalyticNtk(a, b) ?? Convert(_calc!.AnalyticNtk(a, b)));

    /// <summary>A one-paragraph summary: parameters, Forward flops per layer, Ntk (Trace, symmetric) and Jacobian for <paramref name="n"/> examples.</summary>
    public string Summary(int n = 1000)
    {
        Check(n, nameof(n));
        var layers = string.Join(", ", Layers.Select(l => $"{l.Name} {FormatFlops(l.ForwardFlopsPerExample)}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{Model.Name}: {ParameterCount:N0} parameters; Forward {FormatFlops(ForwardFlopsPerExample)} per example ({layers}); "
            + $"Ntk (Trace, symmetric) at N = {n:N0}: {Ntk(n)}; Jacobian at N = {n:N0}: {Jacobian(n)}");
    }

    /// <inheritdoc />
    public override string ToString() => Summary();

    /// <summary>Formats a flop count with a decimal prefix (FLOP, kFLOP, MFLOP, GFLOP, TFLOP, PFLOP).</summary>
    public static string FormatFlops(long flops) => Scaled(flops, "FLOP");

    /// <summary>Formats a byte count with a decimal prefix (B, kB, MB, GB, TB, PB).</summary>
    public static string FormatBytes(long bytes) => Scaled(bytes, "B");

    private static string Scaled(long value, string unit)
    {
        string[] prefixes = ["", "k", "M", "G", "T", "P", "E"];
        double v = value;
        int p = 0;
        while (Math.Abs(v) >= 1000 && p < prefixes.Length - 1)
        {
            v /= 1000;
            p++;
        }
        return p == 0 ? string.Create(CultureInfo.InvariantCulture, $"{value} {unit}") : string.Create(CultureInfo.InvariantCulture, $"{v:0.0} {prefixes[p]}{unit}");
    }

    private static long Check(int n, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n, name);
        return n;
    }

    /// <summary>
    /// One figure of <paramref name="call"/> at (<paramref name="n1"/>, <paramref name="n2"/>). The cost arithmetic is
    /// checked; when a count overflows 64 bits the error names the call, the sizes and the largest size that can be
    /// costed (found by bisection: every figure grows with the batch sizes).
    /// </summary>
    private T Figure<T>(string call, long n1, long? n2, Func<long, long?, T> raw)
    {
        // Each part of a figure is counted with checked arithmetic; the total flops must not wrap either (near the limit
        // GEMM and elementwise flops each fit while their sum does not: a new-user trial saw −8.5 EFLOP).
        Func<long, long?, T> figure = (a, b) => WithCheckedTotal(raw(a, b));
        try
        {
            return figure(n1, n2);
        }
        catch (OverflowException)
        {
            throw TooLarge(call, n1, n2, figure);
        }
    }

    private static T WithCheckedTotal<T>(T value)
    {
        if (value is OperationCost c) _ = c.Flops; // checked: throws OverflowException when the total does not fit
        return value;
    }

    private ArgumentOutOfRangeException TooLarge<T>(string call, long n1, long? n2, Func<long, long?, T> figure)
    {
        bool Fits(long a, long? b)
        {
            try
            {
                _ = figure(a, b);
                return true;
            }
            catch (OverflowException)
            {
                return false;
            }
        }
        // The largest m in [0, hi) with fits(m), given that fits(hi) is false; −1 when not even 0 fits.
        static long Largest(Func<long, bool> fits, long hi)
        {
            if (!fits(0)) return -1;
            long lo = 0;
            while (hi - lo > 1)
            {
                long mid = lo + (hi - lo) / 2;
                if (fits(mid)) lo = mid;
                else hi = mid;
            }
            return lo;
        }
        string single = call is nameof(Forward) or nameof(Jacobian) or nameof(JacobianBytes) ? "n" : "n1";
        string sizes = n2 is long given
            ? string.Create(CultureInfo.InvariantCulture, $"n1 = {n1:N0}, n2 = {given:N0}")
            : string.Create(CultureInfo.InvariantCulture, $"{single} = {n1:N0}");
        string limit, param;
        long largest;
        if (n2 is null)
        {
            largest = Largest(m => Fits(m, null), n1);
            (limit, param) = (string.Create(CultureInfo.InvariantCulture, $"the largest {single} that can be costed is {largest:N0}"), single);
        }
        else if ((largest = Largest(m => Fits(m, n2), n1)) >= 0)
            (limit, param) = (string.Create(CultureInfo.InvariantCulture, $"with n2 = {n2:N0} the largest n1 that can be costed is {largest:N0}"), "n1");
        else if ((largest = Largest(m => Fits(n1, m), n2.Value)) >= 0)
            (limit, param) = (string.Create(CultureInfo.InvariantCulture, $"with n1 = {n1:N0} the largest n2 that can be costed is {largest:N0}"), "n2");
        else
        {
            largest = Largest(m => Fits(m, m), Math.Min(n1, n2.Value));
            (limit, param) = (string.Create(CultureInfo.InvariantCulture, $"the largest n1 = n2 that can be costed is {largest:N0}"), "n1");
        }
        var e = new ArgumentOutOfRangeException(param, param == "n2" ? n2 : n1, string.Create(CultureInfo.InvariantCulture,
            $"{Model.Name}: the cost of {call} at {sizes} does not fit a 64-bit count (a flop or byte figure would exceed {long.MaxValue:N0}); {limit}."));
        e.Data[OverflowMark] = true;
        return e;
    }

    /// <summary>Marks the <see cref="ArgumentOutOfRangeException"/> of a figure beyond <see cref="long.MaxValue"/> (in its Data).</summary>
    private const string OverflowMark = "NtkDsl.CostOverflow";

    /// <summary>The bytes of <paramref name="figure"/>, or <see cref="long.MaxValue"/> when the batch is too large to cost (certainly too large to hold).</summary>
    internal static long SaturatedBytes(Func<OperationCost> figure)
    {
        try
        {
            return figure().Bytes;
        }
        catch (ArgumentOutOfRangeException e) when (e.Data.Contains(OverflowMark))
        {
            return long.MaxValue;
        }
    }

    private static OperationCost Convert(CostTally t) => new(t.GemmFlops, t.ElementwiseFlops, t.ResidentBytes, t.AllocatedBytes, t.DualEvaluations);
}

/// <summary>The figures of a model whose cost is not the dense <c>CostCalculator</c>'s (spatial models, <c>SpatialNetwork</c>).</summary>
internal interface IModelCostSource
{
    long ParameterCount { get; }
    int ElementSize { get; }
    IReadOnlyList<LayerCost> Layers { get; }
    OperationCost Forward(long n);
    OperationCost Ntk(long n1, long? n2, NtkMode mode);
    OperationCost Jacobian(long n);
    long JacobianBytes(long n);
    OperationCost AnalyticNtk(long n1, long? n2);
}
