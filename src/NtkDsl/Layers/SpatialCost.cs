using NtkDsl.Costing;

namespace NtkDsl.Layers;

/// <summary>
/// The cost model of a <see cref="SpatialNetwork"/> (what <see cref="SpatialNetwork.Cost"/> reports and
/// <c>MemoryBudget.EnsureNtk</c>/<c>EnsureJacobian</c> check): the network's layers handed to
/// <see cref="SpatialCostModel"/>, the arithmetic shared with the generator's NTK3001/NTK3002 (a linked source file), so
/// the compile-time summary and this one agree by construction.
/// </summary>
internal sealed class SpatialCost : IModelCostSource
{
    public SpatialCost(SpatialNetwork net)
    {
        var layers = net.Ops.Select(op => op is PatchLayerOp p
                ? SpatialCostLayer.Patch(op.Name, p.Pixels, p.FanIn, p.Channels, p.UseBias, p.IsIdentity, op.Spec is Conv2DSpec c ? c.KernelSize : 1)
                : SpatialCostLayer.Other(op.Name, op.OutShape.Pixels, op.OutShape.Size, op.Spec is AvgPool2DSpec a ? a.Window : 1, op.ForwardFlopsPerExample))
            .ToArray();
        Model = new SpatialCostModel(net.InputShape.Size, layers);
        Layers = net.Ops.Select(op => new LayerCost(op.Name, op is PatchLayerOp p ? p.FanIn : 0, op is PatchLayerOp q ? q.Channels : op.OutShape.Size,
            op is PatchLayerOp w ? (long)w.WeightCount + (w.UseBias ? w.Channels : 0) : 0, op.ForwardFlopsPerExample)).ToArray();
    }

    /// <summary>The shared arithmetic (also the run time's contraction-order choice and row blocks).</summary>
    public SpatialCostModel Model { get; }

    public long ParameterCount => Model.Parameters;

    public int ElementSize => SpatialCostModel.ElementSize;

    public IReadOnlyList<LayerCost> Layers { get; }

    private static OperationCost Convert(SpatialCallCost c) => new(c.GemmFlops, c.OtherFlops, c.Bytes, c.Bytes, 0);

    public OperationCost Forward(long n) => Convert(Model.Forward(n));

    public OperationCost Ntk(long n1, long? n2, NtkMode mode) =>
        Convert(Model.Ntk(n1, n2, mode is NtkMode.Full or NtkMode.DiagonalFull, mode is NtkMode.Diagonal or NtkMode.DiagonalFull));

    public OperationCost Jacobian(long n) => Convert(Model.Jacobian(n));

    public long JacobianBytes(long n) => Model.JacobianBytes(n);

    public OperationCost AnalyticNtk(long n1, long? n2) => Convert(Model.AnalyticNtk(n1, n2));
}
