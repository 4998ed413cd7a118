namespace NtkDsl.Layers;

/// <summary>
/// The cost model of a <see cref="SpatialNetwork"/> (what <see cref="SpatialNetwork.Cost"/> reports and
/// <c>MemoryBudget.EnsureNtk</c>/<c>EnsureJacobian</c> check), counted from what the run time executes: a GEMM is
/// 2·m·n·k flops, every other multiply, add and activation evaluation one, copies free.
/// </summary>
/// <remarks>
/// Ntk: per row block the forward pass with φ', the backward pass of K cotangents (one input-cotangent GEMM per layer
/// with parameters) and the features of the order <see cref="SpatialNetwork.Cheaper"/> picks; then per pair of inputs
/// (the lower triangle, diagonal tiles in full, when symmetric) the Gram GEMMs and Hadamard sums. Bytes: the result, every
/// layer's features for both batches, the tile accumulators and Gram buffers, and one row block's temporaries.
/// AnalyticNtk is the analytic kernels' business (SpatialNetwork.Analytic.cs); until they model it, it reports the
/// result and input bytes and, as flops, the pixel-pair floor Σ_layers (output pixels)² × window² per pair of inputs.
/// </remarks>
internal sealed class SpatialCost : IModelCostSource
{
    private const int ElementBytes = sizeof(double);
    private readonly SpatialNetwork _net;

    public SpatialCost(SpatialNetwork net)
    {
        _net = net;
        Layers = net.Ops.Select(op => new LayerCost(op.Name, op is PatchLayerOp p ? p.FanIn : 0, op is PatchLayerOp q ? q.Channels : op.OutShape.Size,
            op is PatchLayerOp w ? (long)w.WeightCount + (w.UseBias ? w.Channels : 0) : 0, op.ForwardFlopsPerExample)).ToArray();
    }

    public long ParameterCount => _net.ParameterCount;

    public int ElementSize => ElementBytes;

    public IReadOnlyList<LayerCost> Layers { get; }

    private long ForwardFlops(long n, bool derivative, out long gemm)
    {
        gemm = 0;
        long other = 0;
        foreach (var op in _net.Ops)
        {
            if (op is PatchLayerOp p)
            {
                gemm += 2 * n * p.Pixels * p.Channels * p.FanIn;
                other += n * p.Pixels * p.Channels * ((p.UseBias ? 2 : 0) + (p.IsIdentity ? 0 : derivative ? 2 : 1));
            }
            else other += n * op.ForwardFlopsPerExample;
        }
        return other;
    }

    /// <summary>Doubles one row block of <paramref name="copies"/> cotangents per row holds.</summary>
    private long BlockDoubles(int copies)
    {
        long rows = _net.BlockRows(copies), perRow = _net.InputShape.Size;
        foreach (var op in _net.Ops)
        {
            perRow += (long)op.OutShape.Size * (copies + 1);
            if (op is PatchLayerOp pl) perRow += (long)pl.Pixels * pl.FanIn * (1 + copies);
        }
        return rows * perRow;
    }

    public OperationCost Forward(long n)
    {
        long other = ForwardFlops(n, false, out long gemm);
        long bytes = (n * _net.Outputs + BlockDoubles(1)) * ElementBytes;
        return new OperationCost(gemm, other, bytes, bytes, 0);
    }

    /// <summary>Forward with φ' and the backward pass of K cotangents (input cotangents only where a parameter layer lies below).</summary>
    private (long Gemm, long Other) FeaturePass(long n)
    {
        long k = _net.Outputs;
        long other = ForwardFlops(n, true, out long gemm);
        bool below = false;
        for (int l = 0; l < _net.Ops.Count; l++)
        {
            var op = _net.Ops[l];
            if (op is PatchLayerOp p)
            {
                other += n * k * p.Pixels * p.Channels; // φ'(h) ⊙ g
                if (below) gemm += 2 * n * k * p.Pixels * p.FanIn * p.Channels;
                below = true;
            }
            else if (below) other += n * k * op.ForwardFlopsPerExample;
        }
        return (gemm, other);
    }

    public OperationCost Ntk(long n1, long? n2, NtkMode mode)
    {
        bool full = mode is NtkMode.Full or NtkMode.DiagonalFull, diagonal = mode is NtkMode.Diagonal or NtkMode.DiagonalFull;
        long k = _net.Outputs, kk = full ? k * k : 1;
        long rowsAll = n1 + (n2 ?? 0);
        var (gemm, other) = FeaturePass(rowsAll);
        long features = 0, gramBuffers = 0;
        double pairFlops = 0;
        foreach (var op in _net.Ops)
        {
            if (op is not PatchLayerOp p) continue;
            var order = _net.Cheaper(p, n1, diagonal ? 1 : n2, full);
            long pc = p.Pixels, f = p.FanIn, c = p.Channels;
            features += order == ContractionOrder.PixelPairs ? rowsAll * pc * (f + k * c) : rowsAll * k * c * f;
            if (p.UseBias) features += rowsAll * k * c;
            other += rowsAll * pc * k * c; // bias sums
            if (order == ContractionOrder.Gradients) gemm += 2 * rowsAll * k * c * pc * f;
            else
            {
                long s = Math.Max(1, SpatialNetwork.PixelPairSide / (pc * (full ? k : 1)));
                gramBuffers = Math.Max(gramBuffers, s * pc * s * pc + s * pc * (full ? k : 1) * s * pc * (full ? k : 1));
            }
            var (pixel, gradient) = _net.OrderFlops(p, n1, diagonal ? 1 : n2, full);
            double pairs = Pairs(n1, diagonal ? 1 : n2);
            if (order == ContractionOrder.PixelPairs)
            {
                double hadamard = pairs * 2.0 * (full ? k * k : 1) * pc * pc;
                pairFlops += pixel - hadamard;
                other += (long)Math.Min(hadamard, long.MaxValue / 4);
            }
            else pairFlops += gradient - rowsAll * 2.0 * k * c * pc * f;
            if (p.UseBias) pairFlops += pairs * 2.0 * (full ? k * k : k) * c;
        }
        gemm += (long)Math.Min(pairFlops, long.MaxValue / 2);
        long result = diagonal ? n1 * kk : n1 * (n2 ?? n1) * kk;
        int block = full ? Math.Max(4, SpatialNetwork.TraceTile / (int)k) : SpatialNetwork.TraceTile;
        long bytes = (result + features + (long)block * block * kk + gramBuffers + BlockDoubles((int)k + 1)) * ElementBytes;
        return new OperationCost(gemm, other, bytes, bytes, 0);
    }

    private static double Pairs(long n1, long? n2) => n2 is long m ? (double)n1 * m : n1 * (n1 + 1.0) / 2;

    public OperationCost Jacobian(long n)
    {
        long k = _net.Outputs;
        var (gemm, other) = FeaturePass(n);
        foreach (var op in _net.Ops)
            if (op is PatchLayerOp p)
            {
                gemm += 2 * n * k * p.Channels * p.Pixels * p.FanIn;
                if (p.UseBias) other += n * k * p.Pixels * p.Channels;
            }
        long bytes = JacobianBytes(n) + BlockDoubles((int)k + 1) * ElementBytes;
        return new OperationCost(gemm, other, bytes, bytes, 0);
    }

    public long JacobianBytes(long n) => n * _net.Outputs * _net.ParameterCount * ElementBytes;

    public OperationCost AnalyticNtk(long n1, long? n2)
    {
        double pairs = Pairs(n1, n2);
        long perPair = 0;
        foreach (var op in _net.Ops)
        {
            long window = op.Spec switch { Conv2DSpec c => (long)c.KernelSize * c.KernelSize, AvgPool2DSpec a => (long)a.Window * a.Window, _ => 1 };
            perPair += (long)op.OutShape.Pixels * op.OutShape.Pixels * window;
        }
        long bytes = (n1 * (n2 ?? n1) + (n1 + (n2 ?? 0)) * _net.InputShape.Size) * ElementBytes;
        return new OperationCost(0, (long)Math.Min(pairs * perPair, long.MaxValue / 2), bytes, bytes, 0);
    }
}
