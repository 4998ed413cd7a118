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
    public OperationCost Forward(int n) => _source?.Forward(Check(n, nameof(n))) ?? Convert(_calc!.Forward(Check(n, nameof(n))));

    /// <summary>
    /// <c>Ntk(x1, x2, mode)</c> for <paramref name="n1"/> rows of x1 and <paramref name="n2"/> rows of x2;
    /// <paramref name="n2"/> = null is the symmetric kernel of x1 (one triangle of tiles), which Diagonal and
    /// DiagonalFull require. Also <c>Wntk</c> when no group weight is zero (zero-weight layers are skipped at run time).
    /// </summary>
    public OperationCost Ntk(int n1, int? n2 = null, NtkMode mode = NtkMode.Trace)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown NtkMode.");
        if (n2 is not null && (mode == NtkMode.Diagonal || mode == NtkMode.DiagonalFull))
            throw new ArgumentException($"NtkMode.{mode} computes Θ(x_i, x_i) of one batch; pass n2 = null.", nameof(n2));
        long? other = n2 is int m ? Check(m, nameof(n2)) : null;
        return _source?.Ntk(Check(n1, nameof(n1)), other, mode) ?? Convert(_calc!.Ntk(Check(n1, nameof(n1)), other, (int)mode));
    }

    /// <summary>
    /// <c>Jacobian</c> of <paramref name="n"/> examples: the N × K × P result plus the per-output features. Flops are an
    /// upper bound (entries whose backward delta is exactly zero, e.g. behind an inactive ReLU, are skipped).
    /// </summary>
    public OperationCost Jacobian(int n) => _source?.Jacobian(Check(n, nameof(n))) ?? Convert(_calc!.Jacobian(Check(n, nameof(n))));

    /// <summary>Bytes of the explicit Jacobian alone, N·K·P·<see cref="ElementSize"/> (what NTK3002 compares with the budget).</summary>
    public long JacobianBytes(int n) => _source?.JacobianBytes(Check(n, nameof(n))) ?? _calc!.JacobianBytes(Check(n, nameof(n)));

    /// <summary>
    /// <c>AnalyticNtk(x1, x2)</c> (float64) for <paramref name="n1"/> and <paramref name="n2"/> rows (null: symmetric):
    /// the input Gram by GEMM or SYRK, then per output entry the layer recursion; the dual activations are counted in
    /// <see cref="OperationCost.DualEvaluations"/>, not in flops.
    /// </summary>
    public OperationCost AnalyticNtk(int n1, int? n2 = null)
        => _source?.AnalyticNtk(Check(n1, nameof(n1)), n2 is int m2 ? Check(m2, nameof(n2)) : null)
            ?? Convert(_calc!.AnalyticNtk(Check(n1, nameof(n1)), n2 is int m ? Check(m, nameof(n2)) : null));

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
