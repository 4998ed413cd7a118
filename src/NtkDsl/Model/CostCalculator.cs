// This file is compiled into both the runtime (NtkDsl) and the generator (NtkDsl.Generators), so that the figures the
// compiler reports (NTK3001, NTK3002) and the generated ModelCost agree by construction. Keep it to plain arithmetic
// that builds on netstandard2.0 and net10.0. The arithmetic on batch sizes is checked: a figure beyond long.MaxValue
// throws OverflowException (ModelCost turns it into one clear message), never a wrapped, wrong count.
using System;
using System.Collections.Generic;

namespace NtkDsl.Costing;

/// <summary>One dense layer as the cost model sees it.</summary>
internal readonly struct CostLayer
{
    public CostLayer(int fanIn, int width, bool hasBias, bool identity)
    {
        FanIn = fanIn;
        Width = width;
        HasBias = hasBias;
        Identity = identity;
    }

    public int FanIn { get; }
    public int Width { get; }
    public bool HasBias { get; }
    public bool Identity { get; }
}

/// <summary>Running totals of one modelled call.</summary>
internal sealed class CostTally
{
    public long GemmFlops;
    public long ElementwiseFlops;
    public long ResidentBytes;
    public long AllocatedBytes;
    public long DualEvaluations;

    /// <summary>
    /// A GEMM as the kernel counts it: 2·m·n·k flops (the lower triangle, m(m+1)·k, when symmetric). Its packing panels
    /// are cache-sized buffers rented from <c>ArrayPool</c> and reused, so they are not counted as allocations.
    /// </summary>
    public void Gemm(long m, long n, long k, bool symmetric, int elementSize)
    {
        checked
        {
            if (m == 0 || n == 0) return;
            GemmFlops += symmetric ? m * (m + 1) * k : 2 * m * n * k;
            _ = elementSize;
        }
    }

    /// <summary>An array that lives until the call returns (also counted as allocated).</summary>
    public void Resident(long elements, int elementSize)
    {
        checked
        {
            ResidentBytes += elements * elementSize;
            AllocatedBytes += elements * elementSize;
        }
    }

    /// <summary>A temporary array.</summary>
    public void Temporary(long elements, int elementSize) => AllocatedBytes = checked(AllocatedBytes + elements * elementSize);

    public void Add(CostTally other, long times)
    {
        checked
        {
            GemmFlops += other.GemmFlops * times;
            ElementwiseFlops += other.ElementwiseFlops * times;
            ResidentBytes += other.ResidentBytes * times;
            AllocatedBytes += other.AllocatedBytes * times;
            DualEvaluations += other.DualEvaluations * times;
        }
    }
}

/// <summary>
/// Counts the floating-point work and memory of the generated CPU code, step by step as the generated methods, the
/// <c>DenseOps</c> helpers and the <c>NtkAssembler</c>/<c>JacobianAssembler</c> execute it. Convention: a GEMM is
/// 2·m·n·k flops; elsewhere each multiply, add, square root and activation (or derivative) evaluation is one flop;
/// copies are free. Infinite-width dual activations are counted as <see cref="CostTally.DualEvaluations"/>.
/// </summary>
internal sealed class CostCalculator
{
    public const int FeatureBlock = 1024;
    /// <summary>
    /// Rows per output tile in Trace mode. 1024 rather than 512: every Gram GEMM of a tile packs its operands afresh, so
    /// larger tiles pack the features fewer times (at N = 2048 about half as often); the whole structured NTK of the
    /// `ntk-vs-numpy` workload took a median 0.93–0.94× the time with 1024-row tiles (in-process A/B, loaded 2-core box),
    /// bitwise the same kernel. The tile buffers are then 3 × 8 MB.
    /// </summary>
    public const int TraceTile = 1024;

    /// <summary>Full mode's tiles hold max(16, FullTile / K) example rows (K² outputs per pair).</summary>
    public const int FullTile = 512;

    private const int Unit = 0, Diagonal = 1, Reduced = 2, General = 3;
    private const int ModeTrace = 0, ModeFull = 1, ModeDiagonal = 2, ModeDiagonalFull = 3;

    private readonly CostLayer[] _layers;

    public CostCalculator(int inputs, CostLayer[] layers, int elementSize)
    {
        if (layers is null || layers.Length == 0) throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        Inputs = inputs;
        _layers = layers;
        ElementSize = elementSize;
        long p = 0;
        foreach (var l in layers) p += (long)l.FanIn * l.Width + (l.HasBias ? l.Width : 0);
        Parameters = p;
    }

    public int Inputs { get; }
    public int ElementSize { get; }
    public long Parameters { get; }
    public int Outputs => _layers[_layers.Length - 1].Width;
    public int LayerCount => _layers.Length;
    private int Last => _layers.Length - 1;
    private bool OutputIdentity => _layers[Last].Identity;

    /// <summary>Parameters of layer <paramref name="l"/>.</summary>
    public long LayerParameters(int l) => (long)_layers[l].FanIn * _layers[l].Width + (_layers[l].HasBias ? _layers[l].Width : 0);

    /// <summary>Forward flops of layer <paramref name="l"/> for one example: GEMM 2·m·n, bias 2·n, activation n.</summary>
    public long ForwardFlopsPerExample(int l)
    {
        var L = _layers[l];
        return 2L * L.FanIn * L.Width + (L.HasBias ? 2L * L.Width : 0) + (L.Identity ? 0 : L.Width);
    }

    /// <summary><c>Forward</c>: one affine GEMM, bias and activation per layer; every layer's activation is kept.</summary>
    public CostTally Forward(long n)
    {
        checked
        {
            var t = new CostTally();
            foreach (var L in _layers)
            {
                t.Gemm(n, L.Width, L.FanIn, false, ElementSize);
                if (L.HasBias) t.ElementwiseFlops += 2 * n * L.Width;
                if (L.Identity) t.Resident(n * L.Width, ElementSize);
                else
                {
                    t.Temporary(n * L.Width, ElementSize);
                    t.Resident(n * L.Width, ElementSize);
                    t.ElementwiseFlops += n * L.Width;
                }
            }
            return t;
        }
    }

    private int Form(int l, bool traced)
    {
        if (l == Last) return OutputIdentity ? Unit : Diagonal;
        if (l == Last - 1 && OutputIdentity) return traced ? Reduced : General;
        return General;
    }

    private long DeltaWidth(int l, bool traced) => Form(l, traced) switch
    {
        Unit => 0,
        Diagonal => Outputs,
        Reduced => _layers[l].Width,
        _ => (long)Outputs * _layers[l].Width,
    };

    /// <summary><c>NtkFeaturesOf</c>: feature storage plus, per row block of at most 1024, forward with derivatives and backward deltas.</summary>
    private void Features(long n, bool traced, CostTally t)
    {
        checked
        {
            for (int l = 0; l < _layers.Length; l++) t.Resident(n * _layers[l].FanIn + n * DeltaWidth(l, traced), ElementSize);
            long full = n / FeatureBlock, rest = n % FeatureBlock;
            if (full > 0) t.Add(FeatureBlockCost(FeatureBlock, traced), full);
            if (rest > 0) t.Add(FeatureBlockCost(rest, traced), 1);
        }
    }

    private CostTally FeatureBlockCost(long r, bool traced)
    {
        checked
        {
            var t = new CostTally();
            int k = Outputs;
            // RunForward(derivatives: true)
            foreach (var L in _layers)
            {
                t.Gemm(r, L.Width, L.FanIn, false, ElementSize);
                t.Temporary(r * L.Width, ElementSize);
                if (L.HasBias) t.ElementwiseFlops += 2 * r * L.Width;
                if (L.Identity) t.Temporary(r * L.Width, ElementSize);
                else
                {
                    t.Temporary(2 * r * L.Width, ElementSize);
                    t.ElementwiseFlops += 2 * r * L.Width;
                }
            }
            // ScaleInto of every layer's input.
            foreach (var L in _layers) t.ElementwiseFlops += r * L.FanIn;
            if (_layers.Length >= 2)
            {
                var h = _layers[Last - 1];
                if (OutputIdentity)
                {
                    if (traced)
                    {
                        // ReducedOutputDeltas: column norms of W (2 per entry, then √ and ×cW), then one product per entry.
                        t.Temporary(h.Width, ElementSize);
                        t.Temporary(r * h.Width, ElementSize);
                        t.ElementwiseFlops += 2L * h.Width * k + 2L * h.Width + r * h.Width;
                    }
                    if (_layers.Length > 2 || !traced)
                    {
                        t.Temporary(r * k * h.Width, ElementSize);
                        t.ElementwiseFlops += 2 * r * k * h.Width;
                    }
                }
                else
                {
                    t.Temporary(r * k * h.Width, ElementSize);
                    t.ElementwiseFlops += 2 * r * k * h.Width + r * k;
                }
                for (int i = Last - 2; i >= 0; i--)
                {
                    var L = _layers[i];
                    var up = _layers[i + 1];
                    // BackpropDeltasInto writes into the layer's feature array: no temporary.
                    t.Gemm(r * k, L.Width, up.Width, false, ElementSize);
                    t.ElementwiseFlops += r * k * L.Width;
                }
            }
            return t;
        }
    }

    /// <summary><c>Ntk</c> with all group weights 1 (also <c>Wntk</c> with no zero weight). n2 null: the symmetric kernel of x1.</summary>
    public CostTally Ntk(long n1, long? n2, int mode)
    {
        if (mode < ModeTrace || mode > ModeDiagonalFull) throw new ArgumentOutOfRangeException(nameof(mode));
        if (mode >= ModeDiagonal && n2 is not null) throw new ArgumentException("Diagonal modes compute Θ(x_i, x_i) of one batch: n2 must be null.", nameof(n2));
        var t = new CostTally();
        bool traced = mode == ModeTrace || mode == ModeDiagonal;
        Features(n1, traced, t);
        if (n2 is long other) Features(other, traced, t);
        if (mode >= ModeDiagonal) DiagonalAssembly(n1, mode == ModeDiagonalFull, t);
        else TileAssembly(n1, n2, mode == ModeFull, t);
        return t;
    }

    private void TileAssembly(long n1, long? n2In, bool full, CostTally t)
    {
        checked
        {
            int k = Outputs;
            long block = full ? Math.Max(16, FullTile / k) : TraceTile;
            long kk = full ? (long)k * k : 1;
            long n2 = n2In ?? n1;
            t.Resident(n1 * n2 * kk, ElementSize);
            t.Resident(block * block * kk, 8);
            t.Resident(block * block, ElementSize);
            t.Resident(block * block * kk, ElementSize);
            foreach (var (ti, tj, count, diagonal) in Tiles(n1, n2In, block))
            {
                var tile = new CostTally();
                for (int l = 0; l < _layers.Length; l++)
                {
                    var L = _layers[l];
                    int form = Form(l, !full);
                    int b = L.HasBias ? 1 : 0;
                    if (L.HasBias) tile.ElementwiseFlops += 2;
                    // A diagonal Trace tile of a symmetric kernel computes its lower triangle only (SYRKs, j ≤ i).
                    bool lower = !full && diagonal;
                    tile.Gemm(ti, tj, L.FanIn, lower, ElementSize);
                    long pairs = lower ? ti * (ti + 1) / 2 : ti * tj;
                    if (!full)
                    {
                        if (form != Unit) tile.Gemm(ti, tj, DeltaWidth(l, true), lower, ElementSize);
                        tile.ElementwiseFlops += pairs * (3 + 2 * b);
                    }
                    else if (form == General)
                    {
                        tile.Gemm(ti * k, tj * k, L.Width, false, ElementSize);
                        tile.ElementwiseFlops += pairs * (1 + (long)k * k * (2 + 2 * b));
                    }
                    else tile.ElementwiseFlops += pairs * (1 + (long)k * (2 + 2 * b + (form == Diagonal ? 1 : 0)));
                }
                tile.ElementwiseFlops += (diagonal ? ti * (ti + 1) / 2 : ti * tj) * kk;
                t.Add(tile, count);
            }
        }
    }

    /// <summary>Tile shapes of the output: (rows, columns, how many, diagonal tile of a symmetric kernel).</summary>
    private static List<(long Ti, long Tj, long Count, bool Diagonal)> Tiles(long n1, long? n2, long block)
    {
        checked
        {
            var tiles = new List<(long, long, long, bool)>();
            long q1 = n1 / block, r1 = n1 % block;
            if (n2 is null)
            {
                if (q1 > 0)
                {
                    tiles.Add((block, block, q1, true));
                    if (q1 > 1) tiles.Add((block, block, q1 * (q1 - 1) / 2, false));
                }
                if (r1 > 0)
                {
                    if (q1 > 0) tiles.Add((r1, block, q1, false));
                    tiles.Add((r1, r1, 1, true));
                }
                return tiles;
            }
            long q2 = n2.Value / block, r2 = n2.Value % block;
            if (q1 > 0 && q2 > 0) tiles.Add((block, block, q1 * q2, false));
            if (q1 > 0 && r2 > 0) tiles.Add((block, r2, q1, false));
            if (r1 > 0 && q2 > 0) tiles.Add((r1, block, q2, false));
            if (r1 > 0 && r2 > 0) tiles.Add((r1, r2, 1, false));
            return tiles;
        }
    }

    private void DiagonalAssembly(long n, bool full, CostTally t)
    {
        checked
        {
            int k = Outputs;
            long kk = full ? (long)k * k : 1;
            long iterations = full ? (long)k * k : k;
            t.Resident(n * kk, ElementSize);
            t.Resident(kk, 8);
            long perRow = full ? 0 : 1;
            for (int l = 0; l < _layers.Length; l++)
            {
                var L = _layers[l];
                int form = Form(l, !full);
                int b = L.HasBias ? 1 : 0;
                perRow += 2 * b + 2L * L.FanIn + iterations * (3 + 2 * b);
                perRow += form switch
                {
                    Diagonal => k,
                    General => iterations * 2L * L.Width,
                    Reduced => 2L * L.Width + 3 + 2 * b,
                    _ => 0,
                };
            }
            t.ElementwiseFlops += n * perRow;
        }
    }

    /// <summary><c>Jacobian</c>: features with per-output deltas, then J (N × K × P) written entry by entry (entries whose delta is exactly 0 are skipped at run time, so the flops are an upper bound).</summary>
    public CostTally Jacobian(long n)
    {
        checked
        {
            var t = new CostTally();
            Features(n, false, t);
            t.Resident(n * Outputs * Parameters, ElementSize);
            for (int l = 0; l < _layers.Length; l++)
            {
                var L = _layers[l];
                long units = Form(l, false) == General ? L.Width : 1;
                t.ElementwiseFlops += n * Outputs * units * (L.FanIn + (L.HasBias ? 1 : 0));
            }
            return t;
        }
    }

    /// <summary>Bytes of the explicit Jacobian alone: N·K·P·element size.</summary>
    public long JacobianBytes(long n) => checked(n * Outputs * Parameters * ElementSize);

    /// <summary>
    /// <c>AnalyticNtk</c> (float64): x1·x2ᵀ/d by GEMM (SYRK when symmetric), mean squares, the per-example diagonal chain,
    /// then per output entry the fused layer recursion with one dual-activation evaluation per hidden layer (and the
    /// output activation, if any).
    /// </summary>
    public CostTally AnalyticNtk(long n1, long? n2)
    {
        checked
        {
            var t = new CostTally();
            long d = Inputs;
            bool symmetric = n2 is null;
            long m2 = n2 ?? n1;
            t.Resident(n1 * d, 8);
            if (!symmetric) t.Resident(m2 * d, 8);
            t.Resident(n1 * m2, 8);
            t.Gemm(n1, m2, d, symmetric, 8);
            int depth = _layers.Length;
            foreach (var rows in symmetric ? new[] { n1 } : new[] { n1, m2 })
            {
                t.Resident(rows, 8);
                t.Resident(rows * depth, 8);
                t.ElementwiseFlops += rows * (2 * d + 1);
                foreach (var L in _layers) t.ElementwiseFlops += rows * (1 + (L.HasBias ? 1 : 0));
                t.DualEvaluations += rows * (depth - 1);
            }
            long pairs = symmetric ? n1 * (n1 + 1) / 2 : n1 * m2;
            long perPair = 0;
            for (int l = 0; l < depth; l++)
            {
                var L = _layers[l];
                perPair += 2 + (L.HasBias ? 2 : 0) + (l > 0 ? 3 : 0) + 1 + (L.HasBias ? 1 : 0);
            }
            if (!OutputIdentity) perPair += 1;
            t.ElementwiseFlops += pairs * perPair;
            t.DualEvaluations += pairs * ((depth - 1) + (OutputIdentity ? 0 : 1));
            return t;
        }
    }
}
