using System;
using System.Globalization;
using System.Linq;
using NtkDsl.Costing;

namespace NtkDsl.Generators.Analysis;

/// <summary>Human-readable cost figures for diagnostics (same format as the runtime's ModelCost).</summary>
internal static class ModelCostText
{
    /// <summary>The N at which NTK3001 quotes the Ntk and Jacobian figures.</summary>
    public const int SummaryRows = 1000;

    public static string Flops(long v) => Scaled(v, "FLOP");

    public static string Bytes(long v) => Scaled(v, "B");

    private static string Scaled(long value, string unit)
    {
        string[] prefixes = { "", "k", "M", "G", "T", "P", "E" };
        double v = value;
        int p = 0;
        while (Math.Abs(v) >= 1000 && p < prefixes.Length - 1)
        {
            v /= 1000;
            p++;
        }
        return p == 0 ? value.ToString(CultureInfo.InvariantCulture) + " " + unit : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + prefixes[p] + unit;
    }

    /// <summary>The NTK3001 text; when a figure at N = <see cref="SummaryRows"/> overflows 64 bits (the cost arithmetic is checked), one sentence saying so.</summary>
    public static string Summary(ModelShape shape)
    {
        try
        {
            return shape.Spatial is { } sp ? SpatialSummary(shape.Name, sp) : DenseSummary(shape);
        }
        catch (OverflowException)
        {
            return string.Format(CultureInfo.InvariantCulture,
                "{0}: {1:N0} parameters; the Ntk or Jacobian cost at N = {2:N0} does not fit a 64-bit count (a flop or byte figure exceeds {3:N0})",
                shape.Name, shape.Parameters, SummaryRows, long.MaxValue);
        }
    }

    private static string DenseSummary(ModelShape shape)
    {
        var c = shape.Cost!;
        int n = SummaryRows;
        var layers = string.Join(", ", shape.Layers.Select((l, i) => l.Name + " " + Flops(c.ForwardFlopsPerExample(i))));
        long forward = Enumerable.Range(0, shape.Layers.Count).Sum(i => c.ForwardFlopsPerExample(i));
        var ntk = c.Ntk(n, null, 0);
        var jac = c.Jacobian(n);
        return string.Format(CultureInfo.InvariantCulture,
            "{0}: {1:N0} parameters; Forward {2} per example ({3}); Ntk (Trace, symmetric) at N = {4:N0}: {5}, {6}; Jacobian at N = {4:N0}: {7}, {8}",
            shape.Name, c.Parameters, Flops(forward), layers, n, Flops(checked(ntk.GemmFlops + ntk.ElementwiseFlops)), Bytes(ntk.ResidentBytes),
            Flops(checked(jac.GemmFlops + jac.ElementwiseFlops)), Bytes(jac.ResidentBytes));
    }

    /// <summary>
    /// The NTK3001 text of a spatial model, from <see cref="SpatialCostEstimate"/> (the run time's cost model): the same
    /// text as the generated <c>Cost.Summary(1000)</c>.
    /// </summary>
    private static string SpatialSummary(string name, SpatialCostEstimate c)
    {
        int n = SummaryRows;
        var layers = string.Join(", ", Enumerable.Range(0, c.LayerCount).Select(i => c.LayerName(i) + " " + Flops(c.ForwardFlopsPerExample(i))));
        long forward = Enumerable.Range(0, c.LayerCount).Sum(i => c.ForwardFlopsPerExample(i));
        var ntk = c.Ntk(n);
        var jac = c.Jacobian(n);
        return string.Format(CultureInfo.InvariantCulture,
            "{0}: {1:N0} parameters; Forward {2} per example ({3}); Ntk (Trace, symmetric) at N = {4:N0}: {5}, {6}; Jacobian at N = {4:N0}: {7}, {8}",
            name, c.Parameters, Flops(forward), layers, n, Flops(ntk.Flops), Bytes(ntk.Bytes), Flops(jac.Flops), Bytes(jac.Bytes));
    }
}
