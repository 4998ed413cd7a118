using System.Collections.Generic;
using System.Linq;
using NtkDsl.Costing;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Analysis;

/// <summary>
/// The cost of a model declared with InputShape for NTK3001/NTK3002: the generator's checked layer shapes handed to
/// <see cref="SpatialCostModel"/>, the run time's own cost model (src/NtkDsl/Layers/SpatialCostModel.cs, compiled into
/// both), so these figures are those of the generated <c>Cost</c> (<c>SpatialNetwork.Cost</c>), including its choice
/// per layer of pixel pairs or per-example gradients for the NTK (docs/diagnostics.md#ntk3001).
/// </summary>
internal sealed class SpatialCostEstimate
{
    public SpatialCostEstimate(IEnumerable<SpatialLayerSpec> layers)
    {
        var list = layers.ToList();
        var first = list[0].Input;
        Model = new SpatialCostModel(first.Size, list.Select(Layer).ToArray());
        Parameters = Model.Parameters;
        Outputs = (int)Model.Outputs;
    }

    public SpatialCostModel Model { get; }
    public long Parameters { get; }
    public int Outputs { get; }

    /// <summary>A layer as the run time's ops describe it (PatchLayerOp's pixels, fan-in and channels; each other kind's output and forward flops).</summary>
    private static SpatialCostLayer Layer(SpatialLayerSpec l)
    {
        ShapeSpec i = l.Input, o = l.Output;
        return l.Kind switch
        {
            LayerKindId.Dense => SpatialCostLayer.Patch(l.Name, 1, checked((int)i.Size), l.Trainable!.Width, l.Trainable.UseBias,
                l.Trainable.Activation == ActivationKind.Identity, 1),
            LayerKindId.Conv2D => SpatialCostLayer.Patch(l.Name, checked(o.Height * o.Width), checked(l.Kernel * l.Kernel * i.Channels), o.Channels,
                l.Trainable!.UseBias, l.Trainable.Activation == ActivationKind.Identity, l.Kernel),
            LayerKindId.AvgPool2D => SpatialCostLayer.AvgPool2D(l.Name, o.Height, o.Width, o.Channels, l.Kernel),
            LayerKindId.GlobalAvgPool => SpatialCostLayer.GlobalAvgPool(l.Name, i.Height, i.Width, i.Channels),
            LayerKindId.Flatten => SpatialCostLayer.Flatten(l.Name, i.Height, i.Width, i.Channels),
            LayerKindId.Add => SpatialCostLayer.Add(l.Name, o.Height, o.Width, o.Channels),
            _ => SpatialCostLayer.LayerNorm(l.Name, i.Height, i.Width, i.Channels),
        };
    }

    public long ForwardFlopsPerExample(int i) => Model.Layer(i).ForwardFlopsPerExample;

    public int LayerCount => Model.LayerCount;

    public string LayerName(int i) => Model.Layer(i).Name;

    /// <summary>The symmetric Trace-mode Ntk of <paramref name="n"/> examples.</summary>
    public SpatialCallCost Ntk(long n) => Model.Ntk(n, null, full: false, diagonal: false);

    public SpatialCallCost Jacobian(long n) => Model.Jacobian(n);

    public long JacobianBytes(long n) => Model.JacobianBytes(n);
}
