using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NtkDsl.IO;

namespace NtkDsl.Benchmarks;

/// <summary>The streaming workload of issue 15: 16-64-64-1, ReLU, NTK parameterization (its static analytic kernels are the depth-2 ReLU kernels at d = 16).</summary>
[NtkModel(Inputs = 16, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class StreamBenchMlp
{
    /// <summary>Hidden layer 1.</summary>
    [Dense(64, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Hidden layer 2.</summary>
    [Dense(64, Activation.Relu)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Output layer.</summary>
    [Dense(1)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// `stream-100k`: an N × N kernel (default N = 100,000, 80 GB in float64) computed in row blocks with
/// <see cref="KernelStream"/>, either written to an .npy file (<c>--out</c>) or reduced block by block (trace, sum,
/// sum of squares, row-0 checksum) when the file would not fit on disk. <c>--rows R</c> computes only the first R rows
/// of the N × N kernel (every column), for an honest extrapolation of the full run's time. Prints time, blocks, the
/// peak working set (Process.PeakWorkingSet64 and /proc/self/status VmHWM) and the file size.
/// </summary>
internal static class StreamBenchmarkCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs N (kernel N × N), at least 1.", DefaultValueFactory = _ => 100_000 };
        var kernel = new Option<string>("--kernel") { Description = "analytic (depth-2 ReLU AnalyticNtk, d = 16) or ntk (empirical Trace NTK of 16-64-64-1).", DefaultValueFactory = _ => "analytic" };
        var rows = new Option<int?>("--rows") { Description = "Compute only the first R rows of the N × N kernel, 1 to N (default: all N)." };
        var blockRows = new Option<int?>("--block-rows") { Description = "Rows per block, at least 1 (default: chosen from the available memory)." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the kernel to this .npy file instead of reducing it." };
        var fileDType = new Option<string>("--file-dtype") { Description = "Element type of the .npy file: float64 (8·N² bytes) or float32 (half: N = 100,000 is 40 GB).", DefaultValueFactory = _ => "float64" };
        var command = new Command("stream-100k", "An N × N kernel in row blocks (KernelStream): streamed to .npy or reduced, with time and peak memory.")
        {
            n, kernel, rows, blockRows, output, fileDType,
        };
        command.SetAction(parse => Run(parse.GetValue(n), parse.GetValue(kernel)!, parse.GetValue(rows), parse.GetValue(blockRows), parse.GetValue(output),
            parse.GetValue(fileDType)!, Console.Out));
        return command;
    }

    private static int Run(int n, string kernel, int? rowLimit, int? blockRows, string? output, string fileDType, TextWriter log)
    {
        if (kernel is not ("analytic" or "ntk"))
        {
            log.WriteLine($"--kernel must be 'analytic' or 'ntk', not '{kernel}'.");
            return BenchArgs.UsageError;
        }
        if (fileDType is not ("float64" or "float32"))
        {
            log.WriteLine($"--file-dtype must be 'float64' or 'float32', not '{fileDType}'.");
            return BenchArgs.UsageError;
        }
        if (!(BenchArgs.InRange(log, "--n", n, 1) && BenchArgs.OptionalInRange(log, "--rows", rowLimit, 1, n)
            && BenchArgs.OptionalInRange(log, "--block-rows", blockRows, 1) && BenchArgs.OutputFile(log, "--out", output)))
            return BenchArgs.UsageError;
        int r = rowLimit ?? n;
        var x = NtkBenchmark.Inputs(n, 16, 5);
        var x1 = r == n ? x : x.SliceRows(0, r);
        Tensor? x2 = r == n ? null : x; // First R rows of the symmetric kernel: columns are all N inputs.
        var model = new StreamBenchMlp(0);
        // The empirical kernel goes through the model overloads (blocks sized by the cost model), the analytic one through
        // a delegate (blocks sized from a one-row probe block).
        KernelBlockFunction compute = (a, b, ct) => StreamBenchMlp.AnalyticNtk(a, b, cancellationToken: ct);
        var sw = Stopwatch.StartNew();
        int blocks = 0;
        var progress = new SyncProgress(p =>
        {
            blocks++;
            double t = sw.Elapsed.TotalSeconds;
            if (blocks <= 3 || blocks % 10 == 0 || p.Done == p.Total)
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  rows {p.Done}/{p.Total}  {t:F0} s  eta {t / p.Done * (p.Total - p.Done):F0} s  VmHWM {Vm("VmHWM")}"));
        });
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kernel {kernel}, N = {n}, rows {r}, free memory {ModelCost.FormatBytes(Memory.MemoryBudget.Available().Bytes)}"));
        double trace = 0, sum = 0, squares = 0, row0 = 0;
        int firstBlock = 0;
        if (output is not null)
        {
            var options = new KernelStreamOptions
            {
                BlockRows = blockRows,
                Progress = progress,
                FileDType = fileDType == "float32" ? DType.Float32 : DType.Float64,
            };
            var h = kernel == "ntk"
                ? KernelStream.NtkToNpy(model, output, x1, x2, NtkMode.Trace, options)
                : KernelStream.ToNpy(output, x1, x2, compute, options);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file                       {Path.GetFullPath(output)}"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file_bytes                 {new FileInfo(output).Length}"));
            log.WriteLine($"header                     {h}");
            VerifyFile(output, x, x1, r, fileDType == "float32" ? 1e-6 : 1e-12, kernel, model, log);
        }
        else
        {
            var stream = kernel == "ntk"
                ? KernelStream.NtkRowBlocks(model, x1, x2, NtkMode.Trace, blockRows, progress)
                : KernelStream.RowBlocks(x1, x2, compute, blockRows, progress);
            foreach (var b in stream)
            {
                if (b.RowStart == 0) firstBlock = b.RowCount;
                var v = b.Values.AsSpan();
                int cols = b.Values.Shape[1];
                for (int i = 0; i < b.RowCount; i++)
                {
                    trace += v[i * cols + b.RowStart + i];
                    var row = v.Slice(i * cols, cols);
                    foreach (double e in row)
                    {
                        sum += e;
                        squares += e * e;
                    }
                    if (b.RowStart + i == 0) foreach (double e in row) row0 += e;
                }
            }
        }
        double seconds = sw.Elapsed.TotalSeconds;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"n                          {n}"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows_computed              {r}"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"blocks                     {blocks}{(firstBlock > 0 ? $" (first block {firstBlock} rows)" : "")}"));
        double cpu = process.TotalProcessorTime.TotalSeconds;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time_s                     {seconds:F1}"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process_cpu_s              {cpu:F1} (all threads, whole process)"));
        if (r < n)
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extrapolated_full_s        wall {seconds * n / r:F0}, cpu {cpu * n / r:F0} (× N / rows: every row costs the same, N columns)"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kernel_bytes_if_held       {8.0 * n * r:E3}"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak_working_set_bytes     {process.PeakWorkingSet64:E3}"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"VmHWM                      {Vm("VmHWM")}"));
        if (output is null)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace_of_rows              {trace:R}"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sum                        {sum:R}"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sum_of_squares             {squares:R}"));
            // Row 0 recomputed alone in memory: the streamed row must agree.
            var direct = kernel == "analytic" ? StreamBenchMlp.AnalyticNtk(x.SliceRows(0, 1), x) : model.Ntk(x.SliceRows(0, 1), x);
            double directSum = 0;
            foreach (double e in direct.AsSpan()) directSum += e;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"row0_sum streamed / direct {row0:R} / {directSum:R}"));
        }
        return 0;
    }

    /// <summary>
    /// Reads back the first, a middle and the last computed row of the file and compares each with the same row
    /// computed alone in memory (relative to the row's largest entry; float32 files round to ~6e-8).
    /// </summary>
    private static void VerifyFile(string path, Tensor x, Tensor x1, int rowsComputed, double tolerance, string kernel, StreamBenchMlp model, TextWriter log)
    {
        double worst = 0;
        foreach (int row in new[] { 0, rowsComputed / 2, rowsComputed - 1 }.Distinct())
        {
            var stored = NpyFile.ReadRows(path, row, 1).To(DType.Float64);
            var xi = x1.SliceRows(row, 1);
            var direct = kernel == "analytic" ? StreamBenchMlp.AnalyticNtk(xi, x) : model.Ntk(xi, x);
            var d = direct.AsSpan();
            double scale = 0, err = 0;
            for (int j = 0; j < d.Length; j++) scale = Math.Max(scale, Math.Abs(d[j]));
            for (int j = 0; j < d.Length; j++)
            {
                double s = stored.AsSpan()[j];
                err = Math.Max(err, Math.Abs(s - d[j]));
            }
            double rel = err / scale;
            worst = Math.Max(worst, rel);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"readback row {row,-7}        max |file − direct| / max |direct| = {rel:E2}"));
        }
        log.WriteLine(worst <= tolerance
            ? string.Create(CultureInfo.InvariantCulture, $"readback                   OK (≤ {tolerance:E0})")
            : string.Create(CultureInfo.InvariantCulture, $"readback                   FAILED (worst {worst:E2} > {tolerance:E0})"));
        if (worst > tolerance) Environment.ExitCode = 2;
    }

    private static string Vm(string key)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal)) return line[(key.Length + 1)..].Trim();
        return "?";
    }

    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
