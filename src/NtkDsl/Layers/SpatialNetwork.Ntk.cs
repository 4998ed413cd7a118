using NtkDsl.Costing;
using System.Globalization;
using NtkDsl.Kernels;
using NtkDsl.Memory;

namespace NtkDsl.Layers;

// The structured empirical NTK of a SpatialNetwork (docs/math.md §2; Novak et al. 2022's structured derivatives):
// per layer with parameters, per output tile, Grams of scaled patches and deltas contracted over pixel pairs, or Grams
// of per-example weight gradients, whichever is cheaper; biases by Grams of Σ_p δ. The Jacobian is never built.
public sealed partial class SpatialNetwork
{
    /// <summary>Output rows per tile (Trace/Diagonal); Full tiles hold max(4, TraceTile/K) rows.</summary>
    internal const int TraceTile = SpatialCostModel.TraceTile;

    /// <summary>Rows × pixels (× K in full modes) per side of a pixel-pair sub-tile, bounding its Gram buffers.</summary>
    internal const int PixelPairSide = SpatialCostModel.PixelPairSide;

    /// <summary>
    /// Structured empirical NTK (never builds J): with <paramref name="perGroup"/> one tensor per parameter group, else
    /// one tensor Σ_g w_g Θ^g with w = <paramref name="groupWeight"/> (length = number of groups). Shapes as the Dense
    /// models' <c>Ntk</c> (Trace N1 × N2 (mean over outputs), Full N1 × N2 × K × K, Diagonal N, DiagonalFull N × K × K);
    /// <paramref name="x2"/> = null is the symmetric kernel of x1 (exactly symmetric).
    /// </summary>
    /// <exception cref="ArgumentException">Bad inputs (shape, NaN/∞), a Diagonal mode with x2, or group weights of the wrong length or non-finite.</exception>
    /// <exception cref="NotEnoughMemoryException">The result and features do not fit.</exception>
    /// <exception cref="NonFiniteResultException">The forward/backward pass or a Gram product overflowed.</exception>
    public Tensor[] Ntk(double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken)
        => Ntk(parameters, x1, x2, mode, groupWeight, perGroup, progress, cancellationToken, ContractionOrder.Auto);

    /// <summary><see cref="Ntk(double[][], Tensor, Tensor?, NtkMode, double[], bool, IProgress{NtkProgress}?, CancellationToken)"/> with the contraction order forced (tests, benchmarks).</summary>
    internal Tensor[] Ntk(double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken, ContractionOrder order)
    {
        CheckNtkArguments(parameters, x1, x2, mode, groupWeight, perGroup);
        bool diagonal = mode is NtkMode.Diagonal or NtkMode.DiagonalFull;
        int groups = _groupLengths.Length;

        bool full = mode is NtkMode.Full or NtkMode.DiagonalFull;
        var orders = ChooseOrders(x1.Rows, diagonal ? 1 : x2?.Rows, full, order);
        var f1 = Features(parameters, x1, full, orders, x2 is null ? "x" : "x1", cancellationToken);
        var f2 = x2 is null ? null : Features(parameters, x2, full, orders, "x2", cancellationToken);
        var groupOutput = new int[groups];
        if (perGroup) for (int g = 0; g < groups; g++) groupOutput[g] = g;
        int outputCount = perGroup ? groups : 1;
        return diagonal
            ? AssembleDiagonal(f1, x1.Rows, full, outputCount, groupOutput, groupWeight, progress, cancellationToken)
            : AssembleTiles(f1, f2, x1.Rows, x2?.Rows ?? x1.Rows, full, outputCount, groupOutput, groupWeight, progress, cancellationToken);
    }

    /// <summary>The argument checks of <c>Ntk</c> (both engines): parameters, inputs, mode, group weights, host memory of the result.</summary>
    private void CheckNtkArguments(double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup)
    {
        CheckParameters(parameters);
        CheckInput(x1, nameof(x1));
        if (x2 is not null) CheckInput(x2, nameof(x2));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown NtkMode.");
        bool diagonal = mode is NtkMode.Diagonal or NtkMode.DiagonalFull;
        if (diagonal && x2 is not null)
            throw new ArgumentException($"{ModelName}: NtkMode.{mode} computes Θ(x_i, x_i) of one batch and requires x2 == null.", nameof(x2));
        int groups = _groupLengths.Length;
        ArgumentNullException.ThrowIfNull(groupWeight);
        if (groupWeight.Length != groups)
            throw new ArgumentException($"{ModelName}: {groupWeight.Length} group weights given but the model has {groups} parameter groups ({string.Join(", ", Info.Groups.Select(g => g.Key))}).", nameof(groupWeight));
        for (int g = 0; g < groups; g++)
            if (!double.IsFinite(groupWeight[g]))
                throw new ArgumentException($"{Info.Groups[g].QualifiedName(ModelName)}: the group weight is {groupWeight[g].ToString(CultureInfo.InvariantCulture)}; group weights must be finite.", nameof(groupWeight));
        MemoryBudget.EnsureNtk(Cost, x1.Rows, x2?.Rows, mode, perGroup ? groups : 1);
    }

    /// <summary>The contraction order of every layer with parameters (null for the others).</summary>
    internal ContractionOrder[] ChooseOrders(int n1, int? n2, bool full, ContractionOrder forced)
    {
        var orders = new ContractionOrder[_ops.Length];
        for (int l = 0; l < _ops.Length; l++)
            if (_ops[l] is PatchLayerOp op)
                orders[l] = forced != ContractionOrder.Auto ? forced : Cheaper(op, n1, n2, full);
        return orders;
    }

    /// <summary>
    /// The order with fewer flops for this layer: pixel pairs cost per pair 2P²F + 2K²P²C + 2K²P² (full; K for K² traced);
    /// gradients cost 2K·C·P·F per example to form and 2K²·C·F per pair (full; K traced). Pixel pairs whose sub-tile
    /// Gram would exceed the tile budget (P·K in full modes over <see cref="PixelPairSide"/>) are not chosen.
    /// </summary>
    internal ContractionOrder Cheaper(PatchLayerOp op, long n1, long? n2, bool full)
        => SpatialCostModel.PixelPairsCheaper(op.Pixels, op.FanIn, op.Channels, Outputs, n1, n2, full) ? ContractionOrder.PixelPairs : ContractionOrder.Gradients;

    /// <summary>Modelled flops of the weight contraction of one layer in each order (see <see cref="Cheaper"/>; <see cref="SpatialCostModel.OrderFlops"/>).</summary>
    internal (double PixelPairs, double Gradients) OrderFlops(PatchLayerOp op, long n1, long? n2, bool full)
    {
        SpatialCostModel.OrderFlops(op.Pixels, op.FanIn, op.Channels, Outputs, n1, n2, full, out double pixel, out double gradient);
        return (pixel, gradient);
    }

    /// <summary>Per-layer NTK features of a batch, forward and backward over row blocks (K cotangents per row).</summary>
    private PatchNtkFeatures?[] Features(double[][] parameters, Tensor x, bool full, ContractionOrder[] orders, string batch, CancellationToken ct)
    {
        int n = x.Rows, d = InputShape.Size, k = Outputs;
        var features = new PatchNtkFeatures?[_ops.Length];
        for (int l = 0; l < _ops.Length; l++)
            if (_ops[l] is PatchLayerOp op) features[l] = new PatchNtkFeatures(op, n, k, full, orders[l], ModelName);
        var xs = x.AsSpan();
        int block = BlockRows(k + 1);
        for (int row0 = 0; row0 < n; row0 += block)
        {
            ct.ThrowIfCancellationRequested();
            int rows = Math.Min(block, n - row0);
            var (_, caches) = RunForward(parameters, xs.Slice(row0 * d, rows * d).ToArray(), rows);
            Backpropagate(parameters, caches, rows, k, UnitCotangents(rows, k), (l, gradH) => features[l]!.Fill(row0, rows, caches[l], gradH));
        }
        foreach (var f in features)
        {
            if (f is null) continue;
            foreach (var (values, what, width) in new[] { (f.Patches, "scaled input patches", f.Op.Pixels * f.Op.FanIn), (f.Deltas, "backpropagated deltas ∂f/∂h", f.Op.Pixels * k * f.Op.Channels),
                (f.Gradients, "per-example weight gradients", k * f.Op.Channels * f.Op.FanIn), (f.BiasGradients, "per-example bias gradients", k * f.Op.Channels) })
                if (values is not null)
                    FiniteChecks.Block<double>(values, width, string.Create(CultureInfo.InvariantCulture, $"{ModelName}.Ntk: the {what} of layer {f.Op.QualifiedName} for {batch}"));
        }
        return features;
    }

    private Tensor[] AssembleTiles(PatchNtkFeatures?[] f1, PatchNtkFeatures?[]? f2In, int n1, int n2, bool full, int outputCount,
        int[] groupOutput, double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        bool symmetric = f2In is null;
        var f2 = f2In ?? f1;
        int k = Outputs, kk = full ? k * k : 1;
        int block = full ? Math.Max(4, TraceTile / k) : TraceTile;
        var outputs = new Tensor[outputCount];
        for (int o = 0; o < outputCount; o++) outputs[o] = full ? Tensor.Zeros(DType.Float64, n1, n2, k, k) : Tensor.Zeros(DType.Float64, n1, n2);
        var acc = new double[outputCount][];
        for (int o = 0; o < outputCount; o++) acc[o] = new double[block * block * kk];
        var scratch = new TileScratch();
        int tiles1 = (n1 + block - 1) / block, tiles2 = (n2 + block - 1) / block;
        long total = symmetric ? (long)tiles1 * (tiles1 + 1) / 2 : (long)tiles1 * tiles2, done = 0;
        for (int bi = 0; bi < tiles1; bi++)
            for (int bj = 0; bj < (symmetric ? bi + 1 : tiles2); bj++)
            {
                ct.ThrowIfCancellationRequested();
                int i0 = bi * block, ti = Math.Min(block, n1 - i0);
                int j0 = bj * block, tj = Math.Min(block, n2 - j0);
                foreach (var a in acc) Array.Clear(a, 0, ti * tj * kk);
                Tile(f1, f2, i0, ti, j0, tj, full, groupOutput, groupWeight, acc, scratch);
                Write(outputs, acc, i0, ti, j0, tj, n2, k, full, symmetric && bi == bj, symmetric && bi != bj);
                progress?.Report(new NtkProgress("NTK tiles", ++done, total));
            }
        return outputs;
    }

    private Tensor[] AssembleDiagonal(PatchNtkFeatures?[] f, int n, bool full, int outputCount, int[] groupOutput, double[] groupWeight,
        IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        int k = Outputs, kk = full ? k * k : 1;
        var outputs = new Tensor[outputCount];
        for (int o = 0; o < outputCount; o++) outputs[o] = full ? Tensor.Zeros(DType.Float64, n, k, k) : Tensor.Zeros(DType.Float64, n);
        var acc = new double[outputCount][];
        for (int o = 0; o < outputCount; o++) acc[o] = new double[kk];
        var scratch = new TileScratch();
        for (int i = 0; i < n; i++)
        {
            if ((i & 63) == 0) ct.ThrowIfCancellationRequested();
            foreach (var a in acc) Array.Clear(a);
            Tile(f, f, i, 1, i, 1, full, groupOutput, groupWeight, acc, scratch);
            for (int o = 0; o < outputCount; o++)
            {
                var t = outputs[o].AsSpan();
                for (int c = 0; c < kk; c++) t[i * kk + c] = full ? acc[o][c % k > c / k ? (c % k) * k + c / k : c] : acc[o][c] / k;
            }
            if (progress is not null && (i % 256 == 255 || i == n - 1)) progress.Report(new NtkProgress("NTK diagonal", i + 1, n));
        }
        return outputs;
    }

    /// <summary>Reusable Gram buffers of one assembly.</summary>
    private sealed class TileScratch
    {
        public double[] A = [];
        public double[] B = [];

        public static double[] Ensure(ref double[] buffer, long length)
        {
            if (buffer.Length < length) buffer = new double[length];
            return buffer;
        }
    }

    /// <summary>Adds every layer's weighted contribution to the tile rows i0..i0+ti × j0..j0+tj (K × K per pair when full).</summary>
    private void Tile(PatchNtkFeatures?[] f1, PatchNtkFeatures?[] f2, int i0, int ti, int j0, int tj, bool full,
        int[] groupOutput, double[] groupWeight, double[][] acc, TileScratch scratch)
    {
        int k = Outputs, kk = full ? k * k : 1;
        for (int l = 0; l < f1.Length; l++)
        {
            var a = f1[l];
            if (a is null) continue;
            var b = f2[l]!;
            var op = a.Op;
            int g = op.FirstGroup;
            double wW = groupWeight[g];
            double wB = op.UseBias ? groupWeight[g + 1] : 0.0;
            int c = op.Channels, fan = op.FanIn, p = op.Pixels;
            if (wW != 0)
            {
                var accW = acc[groupOutput[g]];
                if (a.Order == ContractionOrder.Gradients) GramAccumulate(a.Gradients!, b.Gradients!, i0, ti, j0, tj, k, c * fan, full, wW, accW, scratch);
                else PixelPairs(a, b, i0, ti, j0, tj, full, wW, accW, scratch);
                CheckTile(accW, ti * tj * kk, op, "weights", i0, j0, tj, kk);
            }
            if (op.UseBias && wB != 0)
            {
                var accB = acc[groupOutput[g + 1]];
                GramAccumulate(a.BiasGradients!, b.BiasGradients!, i0, ti, j0, tj, k, c, full, wB, accB, scratch);
                CheckTile(accB, ti * tj * kk, op, "bias", i0, j0, tj, kk);
            }
            _ = p;
        }
    }

    /// <summary>
    /// Grams of per-(example, output) vectors of <paramref name="width"/> values (rows × K × width): traced, one GEMM over
    /// rows of K·width; full, one GEMM over (example, output) rows. acc += w·Gram.
    /// </summary>
    private static void GramAccumulate(double[] x1, double[] x2, int i0, int ti, int j0, int tj, int k, int width, bool full, double w,
        double[] acc, TileScratch scratch)
    {
        if (!full)
        {
            int len = k * width;
            Blas.Gemm(Transpose.No, Transpose.Yes, ti, tj, len, w, x1.AsSpan(i0 * len, ti * len), len, x2.AsSpan(j0 * len, tj * len), len, 1.0, acc, tj);
            return;
        }
        var g = TileScratch.Ensure(ref scratch.A, (long)ti * k * tj * k);
        Blas.Gemm(Transpose.No, Transpose.Yes, ti * k, tj * k, width, 1.0, x1.AsSpan(i0 * k * width, ti * k * width), width,
            x2.AsSpan(j0 * k * width, tj * k * width), width, 0.0, g, tj * k);
        for (int i = 0; i < ti; i++)
            for (int j = 0; j < tj; j++)
                for (int c = 0; c < k; c++)
                {
                    int src = (i * k + c) * (tj * k) + j * k, dst = ((i * tj + j) * k + c) * k;
                    for (int c2 = 0; c2 < k; c2++) acc[dst + c2] += w * g[src + c2];
                }
    }

    /// <summary>
    /// Σ_{p,p'} ⟨patch_{n,p}, patch_{m,p'}⟩·⟨δ_{n,c,p}, δ_{m,c',p'}⟩ by sub-tiles of s rows (s·P, or s·K·P in full modes, at
    /// most <see cref="PixelPairSide"/> when possible): one Gram GEMM of patches, one of deltas, then the Hadamard sum.
    /// </summary>
    private void PixelPairs(PatchNtkFeatures a, PatchNtkFeatures b, int i0, int ti, int j0, int tj, bool full, double w,
        double[] acc, TileScratch scratch)
    {
        var op = a.Op;
        int p = op.Pixels, f = op.FanIn, c = op.Channels, k = Outputs;
        int kf = full ? k : 1;
        int s = Math.Max(1, PixelPairSide / (p * kf));
        for (int si0 = 0; si0 < ti; si0 += s)
        {
            int si = Math.Min(s, ti - si0);
            for (int sj0 = 0; sj0 < tj; sj0 += s)
            {
                int sj = Math.Min(s, tj - sj0);
                int ri = si * p, rj = sj * p;
                var ga = TileScratch.Ensure(ref scratch.A, (long)ri * rj);
                Blas.Gemm(Transpose.No, Transpose.Yes, ri, rj, f, 1.0, a.Patches.AsSpan((i0 + si0) * p * f, ri * f), f,
                    b.Patches.AsSpan((j0 + sj0) * p * f, rj * f), f, 0.0, ga, rj);
                if (!full)
                {
                    int len = k * c;
                    var gd = TileScratch.Ensure(ref scratch.B, (long)ri * rj);
                    Blas.Gemm(Transpose.No, Transpose.Yes, ri, rj, len, 1.0, a.Deltas.AsSpan((i0 + si0) * p * len, ri * len), len,
                        b.Deltas.AsSpan((j0 + sj0) * p * len, rj * len), len, 0.0, gd, rj);
                    for (int i = 0; i < si; i++)
                        for (int j = 0; j < sj; j++)
                        {
                            double sum = 0;
                            for (int q = 0; q < p; q++)
                            {
                                int row = (i * p + q) * rj + j * p;
                                for (int q2 = 0; q2 < p; q2++) sum += ga[row + q2] * gd[row + q2];
                            }
                            acc[(si0 + i) * tj + sj0 + j] += w * sum;
                        }
                }
                else
                {
                    int di = si * k * p, dj = sj * k * p;
                    var gd = TileScratch.Ensure(ref scratch.B, (long)di * dj);
                    Blas.Gemm(Transpose.No, Transpose.Yes, di, dj, c, 1.0, a.Deltas.AsSpan((i0 + si0) * k * p * c, di * c), c,
                        b.Deltas.AsSpan((j0 + sj0) * k * p * c, dj * c), c, 0.0, gd, dj);
                    for (int i = 0; i < si; i++)
                        for (int j = 0; j < sj; j++)
                        {
                            int dst = (((si0 + i) * tj) + sj0 + j) * k * k;
                            for (int c1 = 0; c1 < k; c1++)
                                for (int c2 = 0; c2 < k; c2++)
                                {
                                    double sum = 0;
                                    for (int q = 0; q < p; q++)
                                    {
                                        int arow = (i * p + q) * rj + j * p;
                                        int drow = ((i * k + c1) * p + q) * dj + (j * k + c2) * p;
                                        for (int q2 = 0; q2 < p; q2++) sum += ga[arow + q2] * gd[drow + q2];
                                    }
                                    acc[dst + c1 * k + c2] += w * sum;
                                }
                        }
                }
            }
        }
    }

    private void CheckTile(double[] acc, int length, PatchLayerOp op, string part, int i0, int j0, int tj, int kk)
    {
        int bad = FiniteChecks.IndexOfNonFinite<double>(acc.AsSpan(0, length));
        if (bad < 0) return;
        int pair = bad / kk;
        throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture,
            $"{ModelName}.Ntk: the Gram products of layer {op.QualifiedName} ({op.Kind}, {part})"), i0 + pair / tj, j0 + pair % tj, acc[bad]);
    }

    private static void Write(Tensor[] outputs, double[][] acc, int i0, int ti, int j0, int tj, int n2, int k, bool full, bool diagonalTile, bool mirror)
    {
        int kk = full ? k * k : 1;
        double scale = full ? 1.0 : 1.0 / k;
        for (int o = 0; o < outputs.Length; o++)
        {
            var a = acc[o];
            var t = outputs[o].AsSpan();
            for (int i = 0; i < ti; i++)
            {
                int jEnd = diagonalTile ? i + 1 : tj;
                for (int j = 0; j < jEnd; j++)
                    for (int c = 0; c < kk; c++)
                    {
                        // Θ(x, x) of one example is a symmetric K × K block: take its lower triangle (exact symmetry).
                        int cs = full && diagonalTile && i == j && c % k > c / k ? (c % k) * k + c / k : c;
                        double v = a[(i * tj + j) * kk + cs] * scale;
                        t[(int)(((long)(i0 + i) * n2 + (j0 + j)) * kk + c)] = v;
                        if (mirror || (diagonalTile && j != i))
                        {
                            int cT = full ? (c % k) * k + c / k : 0;
                            t[(int)(((long)(j0 + j) * n2 + (i0 + i)) * kk + cT)] = v;
                        }
                    }
            }
        }
    }
}
