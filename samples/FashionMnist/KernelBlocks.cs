using System.Diagnostics;
using System.Globalization;
using NtkDsl;

namespace FashionMnist;

/// <summary>
/// Kernel matrices computed in blocks of rows, each block saved under the output folder as soon as it is done and
/// read back instead of recomputed when the run is started again (the costly CNTK runs take hours on a small CPU).
/// </summary>
/// <remarks>
/// A file holds one block: two little-endian int32 (rows, columns) and rows·columns float64, row-major; it is written
/// to a temporary name and renamed, so a stopped run never leaves a partial block. The name carries what the values
/// depend on (kernel, training subset size, seed, standardization, row range); the caller clears the folder when the
/// kernel itself changes.
/// </remarks>
public sealed class KernelBlocks(string folder, string tag, Action<string>? log)
{
    /// <summary>Rows per block.</summary>
    public const int BlockRows = 500;

    /// <summary>
    /// K(X, X) for the n rows of <paramref name="x"/>: block b is K(X[b], X[0 … end of b]) (the lower triangle by
    /// blocks: K(X[b], X[earlier blocks]) and the symmetric K(X[b]), so half the pairs), mirrored into the upper
    /// triangle from the entries on and below the diagonal.
    /// </summary>
    public Tensor Symmetric(AnalyticKernel kernel, Tensor x, Action<double> progress)
    {
        int n = x.Rows;
        var k = new double[(long)n * n];
        long total = 0, done = 0;
        for (int r0 = 0; r0 < n; r0 += BlockRows) total += (long)Math.Min(BlockRows, n - r0) * Math.Min(n, r0 + BlockRows);
        for (int r0 = 0; r0 < n; r0 += BlockRows)
        {
            int rows = Math.Min(BlockRows, n - r0), cols = r0 + rows;
            var block = Block($"train-{r0}-{cols}", rows, cols, total, done, progress, p =>
            {
                // The rows against the earlier blocks, then the diagonal block as a symmetric kernel (half its pairs).
                var xb = x.SliceRows(r0, rows);
                var diagonal = kernel(xb, null, p).ToFlatArray();
                var values = new double[(long)rows * cols];
                var left = r0 > 0 ? kernel(xb, x.SliceRows(0, r0), p).ToFlatArray() : [];
                for (int i = 0; i < rows; i++)
                {
                    Array.Copy(left, (long)i * r0, values, (long)i * cols, r0);
                    Array.Copy(diagonal, (long)i * rows, values, (long)i * cols + r0, rows);
                }
                return Tensor.Wrap(values, rows, cols);
            });
            for (int i = 0; i < rows; i++)
                for (int j = 0; j <= r0 + i; j++)
                {
                    double v = block[(long)i * cols + j];
                    k[(long)(r0 + i) * n + j] = v;
                    k[(long)j * n + r0 + i] = v;
                }
            done += (long)rows * cols;
        }
        progress(1);
        return Tensor.Wrap(k, n, n);
    }

    /// <summary>K(X*, X): blocks of rows of <paramref name="xTest"/> against all of <paramref name="xTrain"/>.</summary>
    public Tensor Cross(AnalyticKernel kernel, Tensor xTest, Tensor xTrain, Action<double> progress)
    {
        int m = xTest.Rows, n = xTrain.Rows;
        var k = new double[(long)m * n];
        for (int r0 = 0; r0 < m; r0 += BlockRows)
        {
            int rows = Math.Min(BlockRows, m - r0);
            var block = Block($"test-{r0}-{r0 + rows}", rows, n, (long)m * n, (long)r0 * n, progress,
                p => kernel(xTest.SliceRows(r0, rows), xTrain, p));
            Array.Copy(block, 0, k, (long)r0 * n, block.Length);
        }
        progress(1);
        return Tensor.Wrap(k, m, n);
    }

    private double[] Block(string name, int rows, int cols, long total, long before, Action<double> progress, Func<IProgress<NtkProgress>, Tensor> compute)
    {
        string path = Path.Combine(folder, $"{tag}-{name}.bin");
        if (File.Exists(path))
        {
            var cached = Read(path, rows, cols);
            if (cached is not null)
            {
                log?.Invoke($"{tag} {name}: read from {path}");
                progress((double)(before + (long)rows * cols) / total);
                return cached;
            }
        }
        var clock = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var result = compute(new SyncProgress(p => progress((before + p.Fraction * rows * cols) / total)));
        var values = result.ToFlatArray();
        Write(path, rows, cols, values);
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"{tag} {name}: {rows} × {cols} in {clock.Elapsed.TotalSeconds:F0} s wall, {cpu:F0} s CPU; {100.0 * (before + (long)rows * cols) / total:F1}% of this kernel; saved {Path.GetFileName(path)}"));
        return values;
    }

    private static double[]? Read(string path, int rows, int cols)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        if (stream.Length != 8 + 8L * rows * cols || reader.ReadInt32() != rows || reader.ReadInt32() != cols) return null;
        var values = new double[(long)rows * cols];
        for (long i = 0; i < values.Length; i++) values[i] = reader.ReadDouble();
        return values;
    }

    private static void Write(string path, int rows, int cols, double[] values)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(rows);
            writer.Write(cols);
            foreach (double v in values) writer.Write(v);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
