// This file is compiled into both the runtime (NtkDsl: SpatialCost, SpatialNetwork's order choice and row blocks) and
// the generator (NtkDsl.Generators: NTK3001/NTK3002 of models declared with InputShape), so the compile-time summary
// and the run time's Cost agree by construction. Keep it to plain arithmetic that builds on netstandard2.0 and net10.0.
// The arithmetic on batch sizes is checked: a figure beyond long.MaxValue throws OverflowException (ModelCost turns it
// into one clear message), never a wrapped, wrong count.
using System;

namespace NtkDsl.Costing;

/// <summary>One layer of a spatial (InputShape or width-less) model as its cost model sees it.</summary>
internal readonly struct SpatialCostLayer
{
    private SpatialCostLayer(string name, bool patch, int pixels, int fanIn, int channels, bool useBias, bool identity,
        long outSize, long outPixels, int window, long forwardFlops)
    {
        Name = name;
        IsPatch = patch;
        Pixels = pixels;
        FanIn = fanIn;
        Channels = channels;
        UseBias = useBias;
        Identity = identity;
        OutSize = outSize;
        OutPixels = outPixels;
        Window = window;
        ForwardFlopsPerExample = forwardFlops;
    }

    public string Name { get; }

    /// <summary>A layer with parameters (Dense or Conv2D: an affine map of patches).</summary>
    public bool IsPatch { get; }

    /// <summary>Output pixels P of a patch layer (1 for Dense).</summary>
    public int Pixels { get; }

    /// <summary>Patch length F (fan-in) of a patch layer.</summary>
    public int FanIn { get; }

    /// <summary>Output channels C of a patch layer (units for Dense).</summary>
    public int Channels { get; }

    public bool UseBias { get; }

    public bool Identity { get; }

    /// <summary>Output values per example (H·W·C).</summary>
    public long OutSize { get; }

    /// <summary>Output pixels per example (H·W; 1 for a flat output).</summary>
    public long OutPixels { get; }

    /// <summary>Window side (Conv2D kernel, AvgPool2D window; 1 otherwise).</summary>
    public int Window { get; }

    public long ForwardFlopsPerExample { get; }

    /// <summary>Parameters of the layer (C·F weights and C biases for a patch layer, else none).</summary>
    public long Parameters => IsPatch ? (long)Channels * FanIn + (UseBias ? Channels : 0) : 0;

    /// <summary>
    /// Dense (one pixel, window 1) or Conv2D: per example 2·P·C·F for the GEMM, 2·P·C for the bias, P·C for a
    /// non-identity activation.
    /// </summary>
    public static SpatialCostLayer Patch(string name, int pixels, int fanIn, int channels, bool useBias, bool identity, int window) =>
        new(name, true, pixels, fanIn, channels, useBias, identity, (long)pixels * channels, pixels, window,
            PatchFlops(pixels, fanIn, channels, useBias, identity));

    /// <summary>The forward flops per example of a patch layer (read by <see cref="Patch"/> and by the run time's PatchLayerOp).</summary>
    public static long PatchFlops(int pixels, int fanIn, int channels, bool useBias, bool identity) =>
        2L * pixels * channels * fanIn + (useBias ? 2L * pixels * channels : 0) + (identity ? 0 : (long)pixels * channels);

    /// <summary>A parameter-free layer with the given output shape, window and forward flops per example (the run time's count).</summary>
    public static SpatialCostLayer Other(string name, long outPixels, long outSize, int window, long forwardFlops) =>
        new(name, false, 0, 0, 0, false, false, outSize, outPixels, window, forwardFlops);

    /// <summary>AvgPool2D to an outHeight × outWidth × channels image: window² + 1 flops per output value (sum, then scale).</summary>
    public static SpatialCostLayer AvgPool2D(string name, int outHeight, int outWidth, int channels, int window)
    {
        long size = (long)outHeight * outWidth * channels;
        return Other(name, (long)outHeight * outWidth, size, window, AvgPool2DFlops(size, window));
    }

    /// <summary>GlobalAvgPool of an H × W × C image: H·W·C adds and C scalings.</summary>
    public static SpatialCostLayer GlobalAvgPool(string name, int height, int width, int channels) =>
        Other(name, 1, channels, 1, GlobalAvgPoolFlops((long)height * width * channels, channels));

    /// <summary>Flatten: a copy (free).</summary>
    public static SpatialCostLayer Flatten(string name, int height, int width, int channels) =>
        Other(name, 1, (long)height * width * channels, 1, FlattenFlops);

    /// <summary>Add of two H × W × C tensors: one add per value.</summary>
    public static SpatialCostLayer Add(string name, int height, int width, int channels) =>
        Other(name, (long)height * width, (long)height * width * channels, 1, AddFlops((long)height * width * channels));

    /// <summary>LayerNorm over the channels of every pixel: 5 flops per value and 3 per pixel (mean, variance, 1/√(v + ε)).</summary>
    public static SpatialCostLayer LayerNorm(string name, int height, int width, int channels) =>
        Other(name, (long)height * width, (long)height * width * channels, 1, LayerNormFlops((long)height * width * channels, (long)height * width));

    // The forward flops per example of the parameter-free layers: the one formula each, read by the factories above
    // (the generator's NTK3001) and by the run time's layer ops (their ForwardFlopsPerExample), as PatchFlops is.

    /// <summary>AvgPool2D: window² adds and one scaling per output value.</summary>
    public static long AvgPool2DFlops(long outSize, int window) => outSize * ((long)window * window + 1);

    /// <summary>GlobalAvgPool: one add per input value and one scaling per channel.</summary>
    public static long GlobalAvgPoolFlops(long inSize, int channels) => inSize + channels;

    /// <summary>Flatten: a copy.</summary>
    public const long FlattenFlops = 0;

    /// <summary>Add: one add per value.</summary>
    public static long AddFlops(long size) => size;

    /// <summary>LayerNorm: 5 flops per value and 3 per pixel.</summary>
    public static long LayerNormFlops(long size, long pixels) => 5L * size + 3L * pixels;
}

/// <summary>The figures of one modelled call: flops (GEMM and other) and resident bytes (also the allocated bytes).</summary>
internal readonly struct SpatialCallCost
{
    public SpatialCallCost(long gemmFlops, long otherFlops, long bytes)
    {
        GemmFlops = gemmFlops;
        OtherFlops = otherFlops;
        Bytes = bytes;
    }

    public long GemmFlops { get; }
    public long OtherFlops { get; }
    public long Bytes { get; }
    public long Flops => checked(GemmFlops + OtherFlops); // never a wrapped total (the generator and ModelCost catch the overflow)
}

/// <summary>
/// The cost model of a <c>SpatialNetwork</c>, counted from what the run time executes: a GEMM is 2·m·n·k flops, every
/// other multiply, add and activation evaluation one, copies free, 8 bytes per value.
/// </summary>
/// <remarks>
/// Ntk: per row block the forward pass with φ', the backward pass of K cotangents (one input-cotangent GEMM per layer
/// with parameters) and the features of the contraction order <see cref="PixelPairsCheaper"/> picks per layer (pixel
/// pairs or per-example gradients, Novak et al. 2022); then per pair of inputs (the lower triangle, diagonal tiles in
/// full, when symmetric) the Gram GEMMs and Hadamard sums. Bytes: the result, every layer's features for both batches,
/// the tile accumulators and Gram buffers, and one row block's temporaries. AnalyticNtk reports the result and input
/// bytes and, as flops, the pixel-pair floor Σ_layers (output pixels)² × window² per pair of inputs.
/// </remarks>
internal sealed class SpatialCostModel
{
    /// <summary>Output rows per tile (Trace/Diagonal); Full tiles hold max(4, TraceTile/K) rows.</summary>
    public const int TraceTile = 256;

    /// <summary>Rows × pixels (× K in full modes) per side of a pixel-pair sub-tile, bounding its Gram buffers.</summary>
    public const int PixelPairSide = 512;

    /// <summary>Doubles of one row block's temporaries.</summary>
    public const long BlockBudgetDoubles = 4L << 20;

    public const int ElementSize = 8;

    private readonly SpatialCostLayer[] _layers;

    /// <param name="inputSize">Input values per example (H·W·C).</param>
    /// <param name="layers">The layers in order; the last one's output size is the number of outputs K.</param>
    public SpatialCostModel(long inputSize, SpatialCostLayer[] layers)
    {
        InputSize = inputSize;
        _layers = layers;
        Outputs = layers[layers.Length - 1].OutSize;
        long parameters = 0;
        foreach (var l in layers) parameters += l.Parameters;
        Parameters = parameters;
    }

    public long InputSize { get; }
    public long Outputs { get; }
    public long Parameters { get; }
    public int LayerCount => _layers.Length;
    public SpatialCostLayer Layer(int i) => _layers[i];

    /// <summary>Modelled flops of the weight contraction of one layer in each order: pixel pairs cost per pair 2P²F + 2K²P²C + 2K²P² (full; K for K² traced); gradients 2K·C·P·F per example and 2K²·C·F per pair (full; K traced).</summary>
    public static void OrderFlops(long pixels, long fanIn, long channels, long outputs, long n1, long? n2, bool full, out double pixelPairs, out double gradients)
    {
        double p = pixels, f = fanIn, c = channels, k = outputs, kk = full ? k * k : k;
        double pairs = Pairs(n1, n2);
        double rows = n1 + (n2 ?? 0);
        pixelPairs = pairs * (2 * p * p * f + 2 * (full ? k * k : 1) * p * p * (full ? c : k * c) + 2 * (full ? k * k : 1) * p * p);
        gradients = rows * 2 * k * c * p * f + pairs * 2 * kk * c * f;
    }

    /// <summary>Whether pixel pairs are the order with fewer flops for this layer, and their sub-tile side (P·K in full modes) fits <see cref="PixelPairSide"/>.</summary>
    public static bool PixelPairsCheaper(long pixels, long fanIn, long channels, long outputs, long n1, long? n2, bool full)
    {
        OrderFlops(pixels, fanIn, channels, outputs, n1, n2, full, out double pixel, out double gradient);
        long side = pixels * (full ? outputs : 1);
        return pixel <= gradient && side <= PixelPairSide;
    }

    private static double Pairs(long n1, long? n2) => n2 is long m ? (double)n1 * m : n1 * (n1 + 1.0) / 2;

    /// <summary>Doubles per row of one row block with <paramref name="copies"/> cotangents per row.</summary>
    private long PerRowDoubles(int copies)
    {
        checked
        {
            long perRow = InputSize;
            foreach (var l in _layers)
            {
                perRow += l.OutSize * (copies + 1);
                if (l.IsPatch) perRow += (long)l.Pixels * l.FanIn * (1 + copies);
            }
            return perRow;
        }
    }

    /// <summary>Rows per block so that the temporaries of <paramref name="copies"/> cotangents per row stay under <see cref="BlockBudgetDoubles"/>.</summary>
    public int BlockRows(int copies)
    {
        long rows = BlockBudgetDoubles / Math.Max(1, PerRowDoubles(copies));
        return (int)Math.Min(Math.Max(rows, 1), 1024);
    }

    private long BlockDoubles(int copies) => checked(BlockRows(copies) * PerRowDoubles(copies));

    public long ForwardFlopsPerExample
    {
        get
        {
            long sum = 0;
            foreach (var l in _layers) sum += l.ForwardFlopsPerExample;
            return sum;
        }
    }

    private long ForwardFlops(long n, bool derivative, out long gemm)
    {
        checked
        {
            gemm = 0;
            long other = 0;
            foreach (var l in _layers)
            {
                if (l.IsPatch)
                {
                    gemm += 2 * n * l.Pixels * l.Channels * l.FanIn;
                    other += n * l.Pixels * l.Channels * ((l.UseBias ? 2 : 0) + (l.Identity ? 0 : derivative ? 2 : 1));
                }
                else other += n * l.ForwardFlopsPerExample;
            }
            return other;
        }
    }

    public SpatialCallCost Forward(long n)
    {
        checked
        {
            long other = ForwardFlops(n, false, out long gemm);
            long bytes = (n * Outputs + BlockDoubles(1)) * ElementSize;
            return new SpatialCallCost(gemm, other, bytes);
        }
    }

    /// <summary>Forward with φ' and the backward pass of K cotangents (input cotangents only where a parameter layer lies below).</summary>
    private void FeaturePass(long n, out long gemm, out long other)
    {
        checked
        {
            long k = Outputs;
            other = ForwardFlops(n, true, out gemm);
            bool below = false;
            foreach (var l in _layers)
            {
                if (l.IsPatch)
                {
                    other += n * k * l.Pixels * l.Channels; // φ'(h) ⊙ g
                    if (below) gemm += 2 * n * k * l.Pixels * l.FanIn * l.Channels;
                    below = true;
                }
                else if (below) other += n * k * l.ForwardFlopsPerExample;
            }
        }
    }

    /// <summary>
    /// Ntk of <paramref name="n1"/> rows against <paramref name="n2"/> (null: the symmetric kernel of the first batch);
    /// <paramref name="full"/>: K × K blocks per pair (Full, DiagonalFull); <paramref name="diagonal"/>: Θ(x_i, x_i) only.
    /// </summary>
    public SpatialCallCost Ntk(long n1, long? n2, bool full, bool diagonal)
    {
        checked
        {
            long k = Outputs, kk = full ? k * k : 1;
            long rowsAll = n1 + (n2 ?? 0);
            FeaturePass(rowsAll, out long gemm, out long other);
            long features = 0, gramBuffers = 0;
            double pairFlops = 0;
            long? against = diagonal ? 1 : n2;
            foreach (var l in _layers)
            {
                if (!l.IsPatch) continue;
                bool pixelPairs = PixelPairsCheaper(l.Pixels, l.FanIn, l.Channels, k, n1, against, full);
                long pc = l.Pixels, f = l.FanIn, c = l.Channels;
                features += pixelPairs ? rowsAll * pc * (f + k * c) : rowsAll * k * c * f;
                if (l.UseBias) features += rowsAll * k * c;
                other += rowsAll * pc * k * c; // bias sums
                if (!pixelPairs) gemm += 2 * rowsAll * k * c * pc * f;
                else
                {
                    long s = Math.Max(1, PixelPairSide / (pc * (full ? k : 1)));
                    gramBuffers = Math.Max(gramBuffers, s * pc * s * pc + s * pc * (full ? k : 1) * s * pc * (full ? k : 1));
                }
                OrderFlops(l.Pixels, l.FanIn, l.Channels, k, n1, against, full, out double pixel, out double gradient);
                double pairs = Pairs(n1, against);
                if (pixelPairs)
                {
                    double hadamard = pairs * 2.0 * (full ? k * k : 1) * pc * pc;
                    pairFlops += pixel - hadamard;
                    other += (long)Math.Min(hadamard, long.MaxValue / 4);
                }
                else pairFlops += gradient - rowsAll * 2.0 * k * c * pc * f;
                if (l.UseBias) pairFlops += pairs * 2.0 * (full ? k * k : k) * c;
            }
            gemm += (long)Math.Min(pairFlops, long.MaxValue / 2);
            long result = diagonal ? n1 * kk : n1 * (n2 ?? n1) * kk;
            int block = full ? Math.Max(4, TraceTile / (int)k) : TraceTile;
            long bytes = (result + features + (long)block * block * kk + gramBuffers + BlockDoubles((int)k + 1)) * ElementSize;
            return new SpatialCallCost(gemm, other, bytes);
        }
    }

    /// <summary>Jacobian of <paramref name="n"/> rows: the feature pass, then per layer the weight-gradient GEMMs and bias sums.</summary>
    public SpatialCallCost Jacobian(long n)
    {
        checked
        {
            long k = Outputs;
            FeaturePass(n, out long gemm, out long other);
            foreach (var l in _layers)
                if (l.IsPatch)
                {
                    gemm += 2 * n * k * l.Channels * l.Pixels * l.FanIn;
                    if (l.UseBias) other += n * k * l.Pixels * l.Channels;
                }
            long bytes = JacobianBytes(n) + BlockDoubles((int)k + 1) * ElementSize;
            return new SpatialCallCost(gemm, other, bytes);
        }
    }

    /// <summary>The N × K × P Jacobian alone (what NTK3002 and the memory check compare with the budget).</summary>
    public long JacobianBytes(long n) => checked(n * Outputs * Parameters * ElementSize);

    public SpatialCallCost AnalyticNtk(long n1, long? n2)
    {
        checked
        {
            double pairs = Pairs(n1, n2);
            long perPair = 0;
            foreach (var l in _layers) perPair += l.OutPixels * l.OutPixels * l.Window * l.Window;
            long bytes = (n1 * (n2 ?? n1) + (n1 + (n2 ?? 0)) * InputSize) * ElementSize;
            return new SpatialCallCost(0, (long)Math.Min(pairs * perPair, long.MaxValue / 2), bytes);
        }
    }
}
