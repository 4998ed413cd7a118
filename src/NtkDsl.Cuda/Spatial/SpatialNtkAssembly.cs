using System.Globalization;
using NtkDsl.Cuda.Memory;
using NtkDsl.Cuda.Tiling;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Spatial;

/// <summary>
/// The structured NTK of a SpatialNetwork model on the device, in the per-example-gradient order of
/// <c>SpatialNetwork.Ntk</c> (Novak et al. 2022; docs/math.md §2): per parameter group g the features G (rows × K × |g|,
/// from <see cref="SpatialEngine.Features"/>) and Θ = Σ_g w_g·G₁G₂ᵀ, contracted over K·|g| (traced, then / K) or over |g|
/// per output pair (full), by cuBLAS into device row tiles that are copied to host memory. Diagonal modes: one strided
/// batched GEMM per group (K × K per example). A symmetric kernel (x2 = null) takes the lower triangle and mirrors it,
/// diagonal K × K blocks included, exactly as the CPU assembly does.
/// </summary>
internal static class SpatialNtkAssembly
{
    private const int Block = SpatialEngine.Block;
    /// <summary>Doubles of one tile's device accumulators and Gram (bounds the tile rows when none are given).</summary>
    private const long TileBudgetDoubles = 1L << 24;

    public static Tensor[] Run(CudaDevice device, SpatialEngine engine, int k, DeviceMemory<double>[] f1, DeviceMemory<double>[]? f2, int n1, int n2,
        NtkMode mode, int outputCount, int[] groupOutput, double[] groupWeight, int? tileRowsOption, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        bool full = mode is NtkMode.Full or NtkMode.DiagonalFull;
        return mode is NtkMode.Diagonal or NtkMode.DiagonalFull
            ? Diagonal(device, engine, k, f1, n1, full, outputCount, groupOutput, groupWeight, progress, ct)
            : Tiles(device, engine, k, f1, f2, n1, n2, full, outputCount, groupOutput, groupWeight, tileRowsOption, progress, ct);
    }

    private static Tensor[] Tiles(CudaDevice device, SpatialEngine engine, int k, DeviceMemory<double>[] f1, DeviceMemory<double>[]? f2In, int n1, int n2, bool full,
        int outputCount, int[] groupOutput, double[] groupWeight, int? tileRowsOption, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        bool symmetric = f2In is null;
        var f2 = f2In ?? f1;
        int kk = full ? k * k : 1;
        long perRow = (long)n2 * kk * outputCount + (full ? (long)k * n2 * k : 0);
        int tileRows = (int)Math.Max(1, Math.Min(n1, tileRowsOption ?? TileBudgetDoubles / Math.Max(1, perRow)));
        // The host copy of a tile is one array (as in the Dense assembly): an explicit TileRows is capped to fit.
        tileRows = RowTiledAssembly.CapHostTileRows(tileRows, (long)n2 * kk);
        var outputs = new Tensor[outputCount];
        for (int o = 0; o < outputCount; o++) outputs[o] = full ? Tensor.Zeros(DType.Float64, n1, n2, k, k) : Tensor.Zeros(DType.Float64, n1, n2);
        var acc = new DeviceMemory<double>[outputCount];
        for (int o = 0; o < outputCount; o++) acc[o] = engine.AllocForCall((long)tileRows * n2 * kk);
        var gram = full ? engine.AllocForCall((long)tileRows * k * n2 * k) : default;
        var host = new double[(long)tileRows * n2 * kk];
        int tiles = (n1 + tileRows - 1) / tileRows;
        for (int t = 0; t < tiles; t++)
        {
            ct.ThrowIfCancellationRequested();
            int i0 = t * tileRows, ti = Math.Min(tileRows, n1 - i0);
            // A symmetric kernel needs the columns up to the tile's last row only (the rest is mirrored).
            int cols = symmetric ? Math.Min(n2, i0 + ti) : n2;
            long length = (long)ti * cols * kk;
            foreach (var a in acc) a.Slice(0, length).Clear();
            for (int g = 0; g < groupWeight.Length; g++)
            {
                double w = groupWeight[g];
                if (w == 0) continue;
                int width = (int)(f1[g].Length / ((long)n1 * k));
                var a = acc[groupOutput[g]];
                if (!full)
                {
                    int len = k * width;
                    GpuBlas.Gemm(Transpose.No, Transpose.Yes, ti, cols, len, w, f1[g].Slice((long)i0 * len, (long)ti * len), len, f2[g].Slice(0, (long)cols * len), len, 1.0, a, cols);
                }
                else
                {
                    GpuBlas.Gemm(Transpose.No, Transpose.Yes, ti * k, cols * k, width, 1.0, f1[g].Slice((long)i0 * k * width, (long)ti * k * width), width,
                        f2[g].Slice(0, (long)cols * k * width), width, 0.0, gram, cols * k);
                    engine.Kernel("sp_full_acc").LaunchLinear(length, Block, gram, a, w, length, cols, k);
                }
            }
            for (int o = 0; o < outputCount; o++)
            {
                acc[o].Slice(0, length).CopyTo(host.AsSpan(0, (int)length));
                int bad = FiniteChecks.IndexOfNonFinite<double>(host.AsSpan(0, (int)length));
                if (bad >= 0)
                    throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture, $"{engine.Name}.Ntk: the Gram products on {device.Name}"),
                        i0 + bad / kk / cols, bad / kk % cols, host[bad]);
                Write(outputs[o].AsSpan(), host, i0, ti, cols, n2, k, full, symmetric);
            }
            progress?.Report(new NtkProgress("NTK tiles", t + 1, tiles));
        }
        return outputs;
    }

    /// <summary>Tile rows i0..i0+ti (cols computed columns) into the output; symmetric: lower triangle, mirrored (K × K transposed).</summary>
    private static void Write(Span<double> t, double[] a, int i0, int ti, int cols, int n2, int k, bool full, bool symmetric)
    {
        int kk = full ? k * k : 1;
        double scale = full ? 1.0 : 1.0 / k;
        for (int i = 0; i < ti; i++)
        {
            int row = i0 + i;
            int jEnd = symmetric ? row + 1 : cols;
            for (int j = 0; j < jEnd; j++)
                for (int c = 0; c < kk; c++)
                {
                    // Θ(x, x) of one example is a symmetric K × K block: take its lower triangle (exact symmetry).
                    int cs = full && symmetric && row == j && c % k > c / k ? (c % k) * k + c / k : c;
                    double v = a[((long)i * cols + j) * kk + cs] * scale;
                    t[(int)(((long)row * n2 + j) * kk + c)] = v;
                    if (symmetric && j != row)
                    {
                        int cT = full ? (c % k) * k + c / k : 0;
                        t[(int)(((long)j * n2 + row) * kk + cT)] = v;
                    }
                }
        }
    }

    private static Tensor[] Diagonal(CudaDevice device, SpatialEngine engine, int k, DeviceMemory<double>[] f, int n, bool full,
        int outputCount, int[] groupOutput, double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        int kk = k * k;
        var acc = new DeviceMemory<double>[outputCount];
        for (int o = 0; o < outputCount; o++)
        {
            acc[o] = engine.AllocForCall((long)n * kk);
            acc[o].Clear();
        }
        for (int g = 0; g < groupWeight.Length; g++)
        {
            ct.ThrowIfCancellationRequested();
            double w = groupWeight[g];
            if (w == 0) continue;
            int width = (int)(f[g].Length / ((long)n * k));
            // Per example i: acc_i (K × K) += w·G_i·G_iᵀ with G_i its K × width block.
            GpuBlas.GemmStridedBatched(Transpose.No, Transpose.Yes, k, k, width, w, f[g], width, (long)k * width, f[g], width, (long)k * width, 1.0,
                acc[groupOutput[g]], k, kk, n);
        }
        var outputs = new Tensor[outputCount];
        var host = new double[(long)n * kk];
        for (int o = 0; o < outputCount; o++)
        {
            acc[o].CopyTo(host);
            FiniteChecks.Block<double>(host, kk, string.Create(CultureInfo.InvariantCulture, $"{engine.Name}.Ntk diagonal: the Gram products on {device.Name}"));
            outputs[o] = full ? Tensor.Zeros(DType.Float64, n, k, k) : Tensor.Zeros(DType.Float64, n);
            var t = outputs[o].AsSpan();
            for (int i = 0; i < n; i++)
            {
                if (full)
                    for (int c = 0; c < kk; c++) t[i * kk + c] = host[(long)i * kk + (c % k > c / k ? (c % k) * k + c / k : c)];
                else
                {
                    double trace = 0;
                    for (int c = 0; c < k; c++) trace += host[(long)i * kk + c * k + c];
                    t[i] = trace / k;
                }
            }
        }
        progress?.Report(new NtkProgress("NTK diagonal", n, n));
        return outputs;
    }
}
