using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Cuda.Tiling;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// <see cref="NtkAssembler"/>'s kernel assembly on a <see cref="CudaDevice"/> (the <see cref="IModelBackend"/> path of
/// generated models constructed on it): the same per-layer features (math.md §2), computed on the device by
/// <see cref="DenseModelEngine{T}"/>; per row tile and layer one Gram of scaled inputs and one of deltas by cuBLAS
/// (GEMM; SYRK on the diagonal block of a symmetric kernel), the weighted Hadamard accumulation by the kernels of
/// <see cref="NtkAssemblySource"/>, then the tile is copied to host memory (mirrored for x2 = null). Every mode:
/// Trace (N1 × N2), Full (N1 × N2 × K × K), Diagonal (N), DiagonalFull (N × K × K); groups go to outputs as in
/// <see cref="NtkAssembler.Assemble{T}"/> (one output for Ntk/Wntk, one per group for NtkPerGroup).
/// </summary>
internal sealed class DeviceNtkAssembly<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Block = 256;
    private static readonly int Size = Unsafe.SizeOf<T>();
    private readonly CudaDevice _device;
    private readonly CudaModule _module;
    private readonly GpuFloat32Mode _mode;
    private readonly string _sfx;
    private readonly List<IDisposable> _owned = [];

    /// <summary>
    /// The benchmark's per-phase clock (benchmarks/gpu): when set on the calling thread, the tiled assembly marks its
    /// Grams (cuBLAS), Hadamard accumulation and host copy; null (the default) costs one null check per layer and tile.
    /// </summary>
    [ThreadStatic]
    internal static PhaseTimes? Profile;

    private DeviceNtkAssembly(CudaDevice device, GpuFloat32Mode mode)
    {
        bool f64 = typeof(T) == typeof(double);
        if (!f64 && typeof(T) != typeof(float))
            throw new NotSupportedException($"The NTK on {device.Name} computes float64 and float32 models; this model's scalar is {typeof(T).Name}. Construct it on Device.Cpu.");
        _device = device;
        _mode = mode;
        _sfx = f64 ? "_d" : "_f";
        _module = device.Compile(NtkAssemblySource.For(f64));
    }

    /// <summary>
    /// The kernels of <see cref="NtkAssembler.Assemble{T}"/> (same output shapes and group routing) from features already
    /// on the device (<see cref="DenseModelEngine{T}.Features"/>: the <see cref="IModelBackend"/> path, nothing uploaded).
    /// </summary>
    /// <exception cref="CudaOutOfMemoryException">One output row and its Grams do not fit in device memory.</exception>
    /// <exception cref="NonFiniteResultException">A kernel entry overflowed (or a float32 entry exceeds the float32 range).</exception>
    public static Tensor[] Run(CudaDevice device, CudaKernelOptions options, DeviceFeatures<T> f1, DeviceFeatures<T>? f2, NtkMode mode,
        int outputCount, int[] groupOutput, double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        device.ThrowIfDisposed();
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown NtkMode.");
        using var a = new DeviceNtkAssembly<T>(device, options.Float32);
        return a.Assemble(f1.Layers, f1.Outputs, () => f1, f2 is null ? null : () => f2, f1.Rows, f2?.Rows, mode, outputCount, groupOutput, groupWeight, options.TileRows, progress, ct);
    }

    private Tensor[] Assemble(LayerFeatures<T>[] layers, int k, Func<DeviceFeatures<T>> f1, Func<DeviceFeatures<T>>? f2, int n1, int? n2, NtkMode mode, int outputCount,
        int[] groupOutput, double[] groupWeight, int? tileRows, IProgress<NtkProgress>? progress, CancellationToken ct) =>
        mode is NtkMode.Diagonal or NtkMode.DiagonalFull
            ? Diagonal(layers, k, f1, n1, mode == NtkMode.DiagonalFull, outputCount, groupOutput, groupWeight, progress, ct)
            : Tiles(layers, k, f1, f2, n1, n2 ?? n1, mode == NtkMode.Full, outputCount, groupOutput, groupWeight, tileRows, progress, ct);

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }

    private DeviceBuffer<TE> Own<TE>(DeviceBuffer<TE> b) where TE : unmanaged
    {
        _owned.Add(b);
        return b;
    }

    private DeviceBuffer<TE> Alloc<TE>(long length) where TE : unmanaged => Own(_device.Allocate<TE>(Math.Max(1, length)));

    /// <summary>Free device memory after the pool is emptied, with a 10 % margin for cuBLAS workspace and fragmentation.</summary>
    private (ulong Budget, ulong Free, ulong Total) Budget()
    {
        _device.Allocator.ReleaseCache();
        var (free, total) = _device.MemoryInfo();
        return ((ulong)(free * 0.9), free, total);
    }

    private Tensor[] Tiles(LayerFeatures<T>[] layers, int k, Func<DeviceFeatures<T>> features1, Func<DeviceFeatures<T>>? features2, int n1, int n2, bool full,
        int outputCount, int[] groupOutput, double[] groupWeight, int? tileRowsOption, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        bool symmetric = features2 is null;
        int kk = full ? k * k : 1;
        bool anyGeneral = full && layers.Any(L => L.Form == DeltaForm.General);
        long rowBytes = (long)n2 * (Size + (anyGeneral ? (long)Size * k * k : Size) + 8L * outputCount * kk);
        // Device bytes per output row (at the widest tile, nc = n2): the input Gram, the delta Gram, the accumulators.
        // The features of x1 and x2 are already on the device and counted out of the free memory.
        var (budget, free, total) = Budget();
        if ((ulong)rowBytes > budget)
            throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"one output row of {n2} columns ({rowBytes / 1048576.0:0.#} MiB) beside the NTK features of {n1}{(symmetric ? "" : " + " + n2)} rows already on the device; set CudaKernelOptions.FeatureBlockRows smaller, compute the kernel in blocks of columns (x2.SliceRows) or use a float32 model"),
                (ulong)rowBytes, free, total, _device.Allocator.LiveBytes);
        int tileRows = (int)Math.Min(n1, tileRowsOption ?? (long)(budget / (ulong)rowBytes));
        var f1 = features1();
        var f2 = features2 is null ? f1 : features2();
        // The host copy of a tile's accumulators is one array: at most MaxHostTileElements doubles (1 GiB).
        tileRows = RowTiledAssembly.CapHostTileRows(tileRows, (long)outputCount * n2 * kk);

        var g1 = f1;
        var g2 = f2;
        var ga = Alloc<T>((long)tileRows * n2);
        var gd = Alloc<T>(anyGeneral ? (long)tileRows * k * n2 * k : (long)tileRows * n2);
        var acc = Alloc<double>((long)outputCount * tileRows * n2 * kk);
        var host = new double[(long)outputCount * tileRows * n2 * kk];
        var outputs = Outputs(outputCount, full ? [n1, n2, k, k] : [n1, n2]);

        int tiles = (n1 + tileRows - 1) / tileRows;
        for (int t = 0; t < tiles; t++)
        {
            ct.ThrowIfCancellationRequested();
            int i0 = t * tileRows, ti = Math.Min(tileRows, n1 - i0);
            int nc = symmetric ? i0 + ti : n2, diag0 = symmetric ? i0 : -1;
            long tileLen = (long)ti * nc * kk;
            acc.Slice(0, outputCount * tileLen).Clear();
            for (int l = 0; l < f1.Layers.Length; l++)
            {
                var L = f1.Layers[l];
                double wW = groupWeight[L.WeightGroup];
                double wB = L.HasBias ? groupWeight[L.BiasGroup] * L.BiasScale * L.BiasScale : 0.0;
                if (wW == 0 && wB == 0) continue;
                var accW = acc.Slice(groupOutput[L.WeightGroup] * tileLen, tileLen);
                var accB = L.HasBias ? acc.Slice(groupOutput[L.BiasGroup] * tileLen, tileLen) : accW;
                Gram(g1.Inputs[l], g2.Inputs[l], L.InputWidth, i0, ti, nc, symmetric, ga);
                Profile?.Mark("Grams (cuBLAS)");
                if (!full)
                {
                    bool unit = L.Form == DeltaForm.Unit;
                    if (!unit) Gram(g1.Deltas[l]!.Value, g2.Deltas[l]!.Value, L.DeltaWidth, i0, ti, nc, symmetric, gd);
                    Profile?.Mark("Grams (cuBLAS)");
                    Kernel("ntk_trace").LaunchLinear((long)ti * nc, Block, Ptr(ga), Ptr(unit ? ga : gd), accW, accB, wW, wB,
                        unit ? 1 : 0, (double)k, (long)ti * nc, nc, diag0);
                }
                else if (L.Form == DeltaForm.General)
                {
                    // Rows of general deltas are (example, output) pairs of width n: one (ti·K) × (nc·K) product.
                    int n = L.Width;
                    Gemm(Transpose.No, Transpose.Yes, ti * k, nc * k, n, g1.Deltas[l]!.Value.Slice((long)i0 * k * n, (long)ti * k * n), n,
                        g2.Deltas[l]!.Value.Slice(0, (long)nc * k * n), n, gd, nc * k);
                    Profile?.Mark("Grams (cuBLAS)");
                    Kernel("ntk_full_general").LaunchLinear((long)ti * nc * k * k, Block, Ptr(ga), Ptr(gd), accW, accB, wW, wB,
                        (long)ti * nc * k * k, nc, k, diag0);
                }
                else if (L.Form is DeltaForm.Diagonal or DeltaForm.Unit)
                {
                    bool unit = L.Form == DeltaForm.Unit;
                    var d1 = unit ? ga.AsMemory() : g1.Deltas[l]!.Value.Slice((long)i0 * k, (long)ti * k);
                    var d2 = unit ? ga.AsMemory() : g2.Deltas[l]!.Value;
                    Kernel("ntk_full_diagonal").LaunchLinear((long)ti * nc * k, Block, Ptr(ga), Ptr(d1), Ptr(d2), accW, accB, wW, wB,
                        unit ? 1 : 0, (long)ti * nc * k, nc, k, diag0);
                }
                else
                    throw new InvalidOperationException("Full-mode NTK needs General deltas; the traced reduction cannot produce off-diagonal output pairs.");
                Profile?.Mark("Hadamard accumulation");
            }
            acc.Slice(0, outputCount * tileLen).CopyTo(host.AsSpan(0, (int)(outputCount * tileLen)));
            for (int o = 0; o < outputCount; o++)
                WriteTile(outputs[o], host.AsSpan((int)(o * tileLen), (int)tileLen), i0, ti, nc, n2, k, full, symmetric);
            Profile?.Mark("copy to host, mirror");
            progress?.Report(new NtkProgress("NTK tiles", t + 1, tiles));
        }
        return Wrap(outputs, full ? [n1, n2, k, k] : [n1, n2]);
    }

    /// <summary>
    /// G[i, j] = ⟨a1[i0 + i], a2[j]⟩ for i &lt; ti, j &lt; nc (row stride nc). Symmetric (a1 = a2, nc = i0 + ti): a GEMM
    /// for the columns before the diagonal block and a SYRK for the block's lower triangle (its upper part is not
    /// written and the accumulation kernels skip it).
    /// </summary>
    private void Gram(DeviceMemory<T> a1, DeviceMemory<T> a2, int width, int i0, int ti, int nc, bool symmetric, DeviceBuffer<T> g)
    {
        var rows = a1.Slice((long)i0 * width, (long)ti * width);
        if (!symmetric)
        {
            Gemm(Transpose.No, Transpose.Yes, ti, nc, width, rows, width, a2.Slice(0, (long)nc * width), width, g, nc);
            return;
        }
        if (i0 > 0) Gemm(Transpose.No, Transpose.Yes, ti, i0, width, rows, width, a2.Slice(0, (long)i0 * width), width, g, nc);
        var block = g.Slice(i0, (long)(ti - 1) * nc + ti);
        if (typeof(T) == typeof(double))
            GpuBlas.SyrkLower(ti, width, 1.0, As<double>(rows), width, 0.0, As<double>(block), nc);
        else
            GpuBlas.SyrkLower(ti, width, 1f, As<float>(rows), width, 0f, As<float>(block), nc, _mode);
    }

    private void Gemm(Transpose ta, Transpose tb, int m, int n, int k, DeviceMemory<T> a, int lda, DeviceMemory<T> b, int ldb, DeviceMemory<T> c, int ldc)
    {
        if (typeof(T) == typeof(double))
            GpuBlas.Gemm(ta, tb, m, n, k, 1.0, As<double>(a), lda, As<double>(b), ldb, 0.0, As<double>(c), ldc);
        else
            GpuBlas.Gemm(ta, tb, m, n, k, 1f, As<float>(a), lda, As<float>(b), ldb, 0f, As<float>(c), ldc, _mode);
    }

    private static DeviceMemory<TE> As<TE>(DeviceMemory<T> m) where TE : unmanaged => (DeviceMemory<TE>)(object)m;

    private static KernelArg Ptr(DeviceMemory<T> m) => KernelArg.Pointer(m);

    private CudaKernel Kernel(string stem) => _module.Kernel(stem + _sfx);

    private Tensor[] Diagonal(LayerFeatures<T>[] layers, int k, Func<DeviceFeatures<T>> features, int n, bool full, int outputCount,
        int[] groupOutput, double[] groupWeight, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        int kk = full ? k * k : 1;
        long work = 8L * n * (1 + kk + (long)outputCount * kk);
        var (budget, free, total) = Budget();
        if ((ulong)work > budget)
            throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"the NTK diagonal's {work / 1048576.0:0.#} MiB of sums for {n} rows beside their features already on the device; set CudaKernelOptions.FeatureBlockRows smaller or compute it in blocks of rows (x.SliceRows)"),
                (ulong)work, free, total, _device.Allocator.LiveBytes);
        var f = features();
        var g = f;
        var sa = Alloc<double>(n);
        var dd = Alloc<double>((long)n * kk);
        var acc = Alloc<double>((long)outputCount * n * kk);
        acc.Clear();
        long count = (long)n * kk;
        for (int l = 0; l < f.Layers.Length; l++)
        {
            ct.ThrowIfCancellationRequested();
            var L = f.Layers[l];
            double wW = groupWeight[L.WeightGroup];
            double wB = L.HasBias ? groupWeight[L.BiasGroup] * L.BiasScale * L.BiasScale : 0.0;
            if (wW == 0 && wB == 0) continue;
            var accW = acc.Slice(groupOutput[L.WeightGroup] * count, count);
            var accB = L.HasBias ? acc.Slice(groupOutput[L.BiasGroup] * count, count) : accW;
            var inputs = g.Inputs[l];
            Kernel("row_grams").LaunchLinear(n, Block, Ptr(inputs), sa, (long)n, 1, 1, L.InputWidth, (long)L.InputWidth);
            int form;
            double unitValue = 0;
            if (L.Form == DeltaForm.Unit)
            {
                form = 2;
                unitValue = full ? 1.0 : k;
            }
            else if (full && L.Form == DeltaForm.Diagonal) form = 1;
            else if (full && L.Form == DeltaForm.Reduced)
                throw new InvalidOperationException("DiagonalFull needs per-output deltas; the traced reduction only knows Σ_c⟨δ_c, δ_c⟩.");
            else
            {
                form = 0;
                // Traced: Σ_c ⟨δ_c, δ_c⟩ is the squared norm of the stored row; full (general): the K × K Gram of the K rows.
                if (full) Kernel("row_grams").LaunchLinear(count, Block, Ptr(g.Deltas[l]!.Value), dd, count, kk, k, L.Width, (long)k * L.Width);
                else Kernel("row_grams").LaunchLinear(count, Block, Ptr(g.Deltas[l]!.Value), dd, count, 1, 1, L.DeltaWidth, (long)L.DeltaWidth);
            }
            Kernel("ntk_diag").LaunchLinear(count, Block, sa, dd, Ptr(g.Deltas[l] ?? inputs), accW, accB, wW, wB, form, unitValue, count, k, kk);
        }
        var host = new double[outputCount * count];
        acc.Slice(0, outputCount * count).CopyTo(host);
        var outputs = Outputs(outputCount, full ? [n, k, k] : [n]);
        double scale = full ? 1.0 : 1.0 / k;
        for (int o = 0; o < outputCount; o++)
            for (long t = 0; t < count; t++)
            {
                double v = host[o * count + t] * scale;
                if (!double.IsFinite(v))
                    throw new NonFiniteResultException(Stage("NTK diagonal", "|scaled inputs|² · |deltas|²"), (int)(t / kk), -1, v);
                Set(outputs[o], t, v);
            }
        progress?.Report(new NtkProgress("NTK diagonal", n, n));
        return Wrap(outputs, full ? [n, k, k] : [n]);
    }

    private string Stage(string what, string products) => string.Create(CultureInfo.InvariantCulture,
        $"{what} on {_device.Name}: the products summed over the dense layers ({products})");

    /// <summary>Writes one tile's accumulators (ti × nc × kk) into rows i0.. of the output; symmetric: j ≤ i and the mirror.</summary>
    private void WriteTile(Array output, ReadOnlySpan<double> a, int i0, int ti, int nc, int n2, int k, bool full, bool symmetric)
    {
        int kk = full ? k * k : 1;
        double scale = full ? 1.0 : 1.0 / k;
        for (int i = 0; i < ti; i++)
        {
            int row = i0 + i, jEnd = symmetric ? row + 1 : nc;
            for (int j = 0; j < jEnd; j++)
                for (int c = 0; c < kk; c++)
                {
                    double v = a[(i * nc + j) * kk + c] * scale;
                    if (!double.IsFinite(v))
                        throw new NonFiniteResultException(Stage("NTK", "scaled inputs · deltas Grams"), row, j, v);
                    Set(output, ((long)row * n2 + j) * kk + c, v);
                    if (symmetric && j != row)
                        Set(output, ((long)j * n2 + row) * kk + (full ? (c % k) * k + c / k : 0), v);
                }
        }
    }

    private static Array[] Outputs(int count, int[] shape)
    {
        long length = shape.Aggregate(1L, (p, s) => p * s);
        var outputs = new Array[count];
        for (int o = 0; o < count; o++) outputs[o] = typeof(T) == typeof(double) ? new double[length] : new float[length];
        return outputs;
    }

    private static Tensor[] Wrap(Array[] outputs, int[] shape) =>
        outputs.Select(o => o is double[] d ? Tensor.Wrap(d, shape) : Tensor.Wrap((float[])o, shape)).ToArray();

    private static void Set(Array output, long idx, double v)
    {
        if (output is double[] d)
        {
            d[idx] = v;
            return;
        }
        float f = (float)v;
        if (float.IsInfinity(f))
            throw new NonFiniteResultException("NTK (Float32 result): an entry of " + v.ToString("G6", CultureInfo.InvariantCulture) + " exceeds the float32 range", (int)idx, -1, f);
        ((float[])output)[idx] = f;
    }
}
