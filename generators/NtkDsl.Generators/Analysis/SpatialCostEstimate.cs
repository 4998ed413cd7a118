using System.Collections.Generic;
using System.Linq;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Analysis;

/// <summary>
/// Compile-time cost estimate of a model declared with InputShape, for NTK3001/NTK3002 (the generated <c>Cost</c> is the
/// run time's own count). Conventions as <c>CostCalculator</c>: a GEMM-like contraction is 2·m·n·k flops, other
/// operations one flop each, float64. Per layer with S output pixels (1 for Dense), window k (1 for Dense), C_in input
/// channels (features for Dense), C_out outputs and K model outputs (docs/diagnostics.md#ntk3001):
/// <list type="bullet">
/// <item>Forward per example: Conv2D/Dense 2·S·k²·C_in·C_out + 2·S·C_out (bias) + S·C_out (activation); AvgPool2D
/// S·k²·C; GlobalAvgPool H·W·C; Flatten 0; Add S·C; LayerNorm 5·S·C.</item>
/// <item>NTK features per example: one forward pass and K backward passes (each twice the forward flops); resident
/// per trainable layer S·k²·C_in patch values and K·S·C_out cotangents.</item>
/// <item>NTK per pair, per trainable layer: the patch Gram over pixel pairs 2·S²·k²·C_in, per output the cotangent
/// Gram 2·S²·C_out and its contraction with the patch Gram 2·S², the bias term 2·C_out per output; the symmetric
/// Trace kernel takes N(N + 1)/2 pairs and holds the N × N result.</item>
/// <item>Jacobian: N·K·P values of 8 bytes.</item>
/// </list>
/// </summary>
internal sealed class SpatialCostEstimate
{
    private const int ElementSize = 8;
    private readonly List<SpatialLayerSpec> _layers;

    public SpatialCostEstimate(IEnumerable<SpatialLayerSpec> layers)
    {
        _layers = layers.ToList();
        Parameters = _layers.Sum(NtkDsl.Generators.Layers.LayerKinds.ParameterCount);
        Outputs = _layers[_layers.Count - 1].Trainable!.Width;
    }

    public long Parameters { get; }
    public int Outputs { get; }

    private static long Pixels(ShapeSpec s) => (long)s.Height * s.Width;

    private static (long S, long Window, long In, long Out) Geometry(SpatialLayerSpec l) => l.Kind == LayerKindId.Dense
        ? (1, 1, l.Input.Size, l.Trainable!.Width)
        : (Pixels(l.Output), l.Kernel, l.Input.Channels, l.Output.Channels);

    public long ForwardFlopsPerExample(int i)
    {
        var l = _layers[i];
        var (s, k, cin, cout) = Geometry(l);
        return l.Kind switch
        {
            LayerKindId.Dense or LayerKindId.Conv2D => 2 * s * k * k * cin * cout + (l.Trainable!.UseBias ? 2 * s * cout : 0)
                + (l.Trainable.Activation == ActivationKind.Identity ? 0 : s * cout),
            LayerKindId.AvgPool2D => s * k * k * cout,
            LayerKindId.GlobalAvgPool => l.Input.Size,
            LayerKindId.Flatten => 0,
            LayerKindId.Add => l.Output.Size,
            _ => 5 * l.Output.Size,
        };
    }

    public int LayerCount => _layers.Count;

    public string LayerName(int i) => _layers[i].Name;

    /// <summary>Flops and resident bytes of the symmetric Trace-mode Ntk of <paramref name="n"/> examples.</summary>
    public (long Flops, long Bytes) Ntk(long n)
    {
        long forward = Enumerable.Range(0, _layers.Count).Sum(ForwardFlopsPerExample);
        long flops = n * (1 + 2L * Outputs) * forward;
        long resident = n * n;
        long pairs = n * (n + 1) / 2;
        foreach (var l in _layers.Where(l => l.Trainable is not null))
        {
            var (s, k, cin, cout) = Geometry(l);
            resident += n * (s * k * k * cin + Outputs * s * cout);
            long perPair = 2 * s * s * k * k * cin + Outputs * (2 * s * s * cout + 2 * s * s) + (l.Trainable!.UseBias ? 2L * cout * Outputs : 0);
            flops += pairs * perPair;
        }
        return (flops, resident * ElementSize);
    }

    public long JacobianBytes(long n) => n * Outputs * Parameters * ElementSize;
}
