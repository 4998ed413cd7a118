using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// The NTK of a device model whose per-layer features (math.md §2) of x1 and x2 do not fit in device memory together
/// (issue 12). The rows of x1 and x2 are cut into blocks of B rows; per pair of blocks (I, J) the features of both
/// blocks are computed on the device by <see cref="DenseModelEngine{T}.Features"/>, <see cref="DeviceNtkAssembly{T}"/>
/// assembles the kernel block Θ(x1[I], x2[J]) (itself in row tiles when needed) into host memory, the block is copied
/// to its place in the result and the features of x2[J] are freed. x2 = null: only the pairs J ≤ I — the diagonal
/// blocks as symmetric kernels (one triangle), each off-diagonal block once, mirrored as Θ(x_j, x_i) = Θ(x_i, x_j)ᵀ (the
/// K × K output pair transposed in Full mode). Diagonal modes: one block of rows at a time. Every entry is the same
/// sum of the same per-layer products as the unblocked computation; x2's features are recomputed once per block of x1
/// (device memory traded for forward and backward passes).
/// </summary>
internal static class BlockedDeviceNtk
{
    /// <summary>Fraction of the free device memory (after the pool is emptied) that block sizing plans to use.</summary>
    private const double Headroom = 0.8;

    /// <summary>
    /// Rows per feature block: the largest B for which two blocks' features, the forward pass's temporaries, the B × d
    /// inputs and one whole B × B output block with its Grams and accumulators (DeviceNtkAssembly's per-row bytes)
    /// fit in <see cref="Headroom"/> of the free memory; for the diagonal modes one block's features, temporaries and sums.
    /// </summary>
    /// <exception cref="CudaOutOfMemoryException">Not even one row of x1 and one of x2 fit (the sizes are in the message).</exception>
    public static int ChooseBlockRows<T>(CudaDevice device, DenseModelEngine<T> e, ModelInfo info, int rows, NtkMode mode, int outputCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = Unsafe.SizeOf<T>(), k = info.Outputs;
        bool traced = mode is NtkMode.Trace or NtkMode.Diagonal, full = !traced, diagonal = mode is NtkMode.Diagonal or NtkMode.DiagonalFull;
        long kk = full ? (long)k * k : 1;
        long features = e.FeatureBytes(1, traced), transient = e.TransientBytes(1), inputs = (long)info.Inputs * size;
        device.Allocator.ReleaseCache();
        var (free, total) = device.MemoryInfo();
        double budget = free * Headroom;
        if (diagonal)
        {
            long perRow = features + transient + inputs + 8L * (1 + kk + outputCount * kk);
            if (perRow > budget)
                throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                    $"the NTK diagonal of one row of {info.Name}: its features ({Kib(features)}), the forward pass's temporaries ({Kib(transient)}) and the sums ({Kib(8L * (1 + kk + outputCount * kk))}) exceed the device's free memory; use a float32 model or Device.Cpu"),
                    (ulong)perRow, free, total, device.Allocator.LiveBytes);
            return (int)Math.Min(rows, (long)(budget / perRow));
        }
        // Two blocks of B rows: B·linear + B²·square bytes.
        long linear = 2 * features + transient + inputs;
        long square = size + (full ? (long)size * k * k : size) + 8L * outputCount * kk;
        if (linear + square > budget)
            throw new CudaOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"the NTK of one row of x1 and one of x2 of {info.Name}: their features ({Kib(2 * features)}), the forward pass's temporaries ({Kib(transient)}), the inputs ({Kib(inputs)}) and one output entry ({square} bytes) exceed the device's free memory; use a float32 model or Device.Cpu"),
                (ulong)(linear + square), free, total, device.Allocator.LiveBytes);
        double b = (-linear + Math.Sqrt((double)linear * linear + 4.0 * square * budget)) / (2.0 * square);
        return (int)Math.Clamp(Math.Floor(b), 1, rows);
    }

    private static string Kib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB");

    /// <summary>
    /// Θ(x1, x2) (every <see cref="NtkMode"/>, one tensor per output as <see cref="DeviceNtkAssembly{T}"/>) from feature
    /// blocks of <paramref name="blockRows"/> rows. Progress: "NTK feature blocks", one report per assembled block.
    /// </summary>
    public static Tensor[] Run<T>(CudaDevice device, DenseModelEngine<T> e, CudaKernelOptions options, ModelInfo info, Tensor x1, Tensor? x2, NtkMode mode,
        int outputCount, int[] groupOutput, double[] groupWeight, int blockRows, IProgress<NtkProgress>? progress, CancellationToken ct)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        int k = info.Outputs, n1 = x1.Rows, n2 = x2?.Rows ?? n1;
        bool traced = mode is NtkMode.Trace or NtkMode.Diagonal, full = !traced, diagonal = mode is NtkMode.Diagonal or NtkMode.DiagonalFull;
        int kk = full ? k * k : 1;
        int[] shape = diagonal ? (full ? [n1, k, k] : [n1]) : (full ? [n1, n2, k, k] : [n1, n2]);
        long length = shape.Aggregate(1L, (p, s) => p * s);
        var outputs = new T[outputCount][];
        for (int o = 0; o < outputCount; o++) outputs[o] = new T[length];
        var rows1 = Blocks(n1, blockRows);
        var rows2 = x2 is null ? rows1 : Blocks(n2, blockRows);
        int total = diagonal ? rows1.Length : x2 is null ? rows1.Length * (rows1.Length + 1) / 2 : rows1.Length * rows2.Length, done = 0;
        foreach (var (i0, ni) in rows1)
        {
            ct.ThrowIfCancellationRequested();
            var f1 = e.Features(e.UploadInputs(x1.SliceRows(i0, ni)), ni, traced);
            foreach (var (j0, nj) in diagonal ? [(i0, ni)] : rows2)
            {
                if (x2 is null && j0 > i0) break;
                ct.ThrowIfCancellationRequested();
                bool self = diagonal || (x2 is null && j0 == i0);
                var f2 = self ? null : e.Features(e.UploadInputs((x2 ?? x1).SliceRows(j0, nj)), nj, traced);
                var block = DeviceNtkAssembly<T>.Run(device, options, f1, f2, mode, outputCount, groupOutput, groupWeight, null, ct);
                if (f2 is not null) e.ReleaseFeatures(f2);
                for (int o = 0; o < outputCount; o++)
                {
                    var values = Values<T>(block[o]);
                    if (diagonal) values.CopyTo(outputs[o].AsSpan(i0 * kk, ni * kk));
                    else Place(values, outputs[o], i0, ni, j0, nj, n2, k, kk, mirror: x2 is null && !self);
                }
                device.CountFeatureBlockPair();
                progress?.Report(new NtkProgress("NTK feature blocks", ++done, total));
            }
            e.ReleaseFeatures(f1);
        }
        return outputs.Select(o => typeof(T) == typeof(double) ? Tensor.Wrap((double[])(object)o, shape) : Tensor.Wrap((float[])(object)o, shape)).ToArray();
    }

    /// <summary>The row blocks [start, start + count) of <paramref name="rows"/> rows, the last one the tail.</summary>
    internal static (int Start, int Count)[] Blocks(int rows, int blockRows)
    {
        var blocks = new (int, int)[(rows + blockRows - 1) / blockRows];
        for (int b = 0; b < blocks.Length; b++) blocks[b] = (b * blockRows, Math.Min(blockRows, rows - b * blockRows));
        return blocks;
    }

    private static ReadOnlySpan<T> Values<T>(Tensor t) where T : unmanaged =>
        typeof(T) == typeof(double) ? MemoryMarshal.Cast<double, T>(t.AsSpan()) : MemoryMarshal.Cast<float, T>(t.AsSingleSpan());

    /// <summary>
    /// Copies the ni × nj (× K × K) block into rows i0.., columns j0.. of the n2-column result; <paramref name="mirror"/>
    /// also writes its transpose into rows j0.., columns i0.. (the output pair (a, b) to (b, a) in Full mode).
    /// </summary>
    private static void Place<T>(ReadOnlySpan<T> block, T[] output, int i0, int ni, int j0, int nj, int n2, int k, int kk, bool mirror)
    {
        for (int i = 0; i < ni; i++)
            block.Slice(i * nj * kk, nj * kk).CopyTo(output.AsSpan((int)(((long)(i0 + i) * n2 + j0) * kk), nj * kk));
        if (!mirror) return;
        for (int i = 0; i < ni; i++)
            for (int j = 0; j < nj; j++)
                for (int c = 0; c < kk; c++)
                    output[((long)(j0 + j) * n2 + i0 + i) * kk + (kk == 1 ? 0 : (c % k) * k + c / k)] = block[(i * nj + j) * kk + c];
    }
}
