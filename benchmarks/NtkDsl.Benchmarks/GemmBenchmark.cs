using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using NtkDsl.Kernels;
using Spectre.Console;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `gemm`: square C = A·B (β = 0) in float64 and float32, NtkDsl's managed <see cref="Blas"/> against OpenBLAS in
/// the same process, with GFLOP/s (2n³ per call), the ratio, and max |C_ours − C_openblas| as a correctness check.
/// </summary>
internal static class GemmBenchmark
{
    private const string Install = "apt-get install libopenblas0-pthread";

    public static Command CreateCommand()
    {
        var sizes = new Option<int[]>("--sizes")
        {
            Description = "Square sizes n (C = A·B with n×n operands), each at least 1.",
            DefaultValueFactory = _ => [128, 256, 512, 1024, 2048],
            AllowMultipleArgumentsPerToken = true,
        };
        var repeats = new Option<int>("--repeats")
        {
            Description = "Timed rounds per case after one warm-up (NtkDsl and OpenBLAS alternate); best and median are reported. At least 1.",
            DefaultValueFactory = _ => 7,
        };
        var minMs = new Option<int>("--min-ms")
        {
            Description = "Each repetition loops the call until at least this many milliseconds have passed. At least 0.",
            DefaultValueFactory = _ => 100,
        };
        var types = new Option<string[]>("--types")
        {
            Description = "Element types to run: f64, f32.",
            DefaultValueFactory = _ => ["f64", "f32"],
            AllowMultipleArgumentsPerToken = true,
        };
        var results = new Option<DirectoryInfo>("--results")
        {
            Description = "Folder for gemm.csv and gemm.json (created when missing; checked before any timing).",
            DefaultValueFactory = _ => new DirectoryInfo("results"),
        };
        var kernel = new Option<string?>("--kernel")
        {
            Description = "Managed micro-kernel to time instead of the fastest this CPU supports: exactly one of Avx512Wide, Avx512, Avx2, Portable (any case).",
        };
        var command = new Command("gemm", "Managed GEMM vs OpenBLAS: GFLOP/s, ratio and max abs difference.")
        {
            sizes, repeats, minMs, types, results, kernel,
        };
        command.SetAction(parse =>
        {
            int[] n = parse.GetValue(sizes) ?? [];
            int r = parse.GetValue(repeats), ms = parse.GetValue(minMs);
            var dir = parse.GetValue(results) ?? new DirectoryInfo("results");
            var o = Console.Out;
            string[] t = parse.GetValue(types) ?? [];
            // Each case holds five n × n float64 matrices (A, B, two results and a reference): n is capped so that they
            // fit in the memory this process may use.
            long maxN = (long)Math.Sqrt(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (5.0 * sizeof(double)));
            bool valid = BenchArgs.AllInRange(o, "--sizes", n, 1, Math.Min(maxN, int.MaxValue)) && BenchArgs.InRange(o, "--repeats", r, 1)
                && BenchArgs.InRange(o, "--min-ms", ms, 0) && ValidTypes(t) && SelectKernel(parse.GetValue(kernel))
                && BenchArgs.OutputFolder(o, "--results", dir.FullName);
            return valid ? Run(n, r, ms, t, dir) : BenchArgs.UsageError;
        });
        return command;
    }

    /// <summary>Sets the managed kernel for this run (null: keep the fastest); false with a message when unknown or unsupported.</summary>
    private static bool SelectKernel(string? name)
    {
        if (name is null) return true;
        // Exactly one of the names (any case): Enum.TryParse would also take numbers, flag lists and padded names.
        string? match = Enum.GetNames<GemmKernelKind>().FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Unknown --kernel '{name}': use one of {string.Join(", ", Enum.GetNames<GemmKernelKind>())}.[/]");
            return false;
        }
        var kind = Enum.Parse<GemmKernelKind>(match);
        if (!GemmKernels.IsSupported(kind))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]This CPU cannot run the {kind} kernel.[/]");
            return false;
        }
        GemmKernels.Best = kind;
        return true;
    }

    private static bool ValidTypes(string[] types)
    {
        foreach (string t in types)
            if (t is not ("f64" or "f32"))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Unknown --types value '{t}': use f64 and/or f32.[/]");
                return false;
            }
        return true;
    }

    private static int Run(int[] sizes, int repeats, int minMs, string[] types, DirectoryInfo resultsDir)
    {

        var blas = OpenBlasNative.TryLoad(out var tried);
        AnsiConsole.MarkupLineInterpolated(
            $"Managed GEMM kernel: [bold]{GemmKernels.Best}[/], {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}");
        if (blas is null)
        {
            AnsiConsole.MarkupLine("[yellow]OpenBLAS not found; tried:[/]");
            foreach (string p in tried) AnsiConsole.MarkupLineInterpolated($"  {p}");
            AnsiConsole.MarkupLineInterpolated($"[yellow]`{Install}` provides it. Showing NtkDsl figures only.[/]");
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"OpenBLAS: {blas.Path} ({blas.Config.Trim()}, {blas.Threads} threads)");
            if (OpenBlasCore.Warning(blas.CoreName, "this process") is { } warning)
                AnsiConsole.MarkupLineInterpolated($"[yellow]{warning}[/]");
        }

        var rows = new List<GemmResult>();
        foreach (string t in types)
            foreach (int n in sizes)
            {
                var r = t == "f64" ? Case<double>(n, repeats, minMs, blas) : Case<float>(n, repeats, minMs, blas);
                rows.Add(r);
                string vs = r.BlasBestGflops is { } g ? $" vs OpenBLAS {g:F1}" : "";
                AnsiConsole.MarkupLineInterpolated($"[grey]{r.Type} n={r.N}: {r.OursBestGflops:F1} GFLOP/s{vs}[/]");
            }

        Render(rows);
        Write(rows, resultsDir, blas);
        return 0;
    }

    private static GemmResult Case<T>(int n, int repeats, int minMs, OpenBlasNative? blas)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(1234 + n);
        T[] a = Fill<T>(n * n, rng), b = Fill<T>(n * n, rng);
        T[] ours = new T[n * n], theirs = new T[n * n];
        double flops = 2.0 * n * n * n;

        // Ours and OpenBLAS alternate repetition by repetition, so load from other processes hits both alike.
        Action? reference = blas is null ? null : () => Reference(blas, a, b, theirs, n);
        var (oursTimes, blasTimes) = Time(() => Gemm(a, b, ours, n), reference, repeats, minMs);
        double oursBest = oursTimes[0], oursMedian = oursTimes[repeats / 2];
        double? blasBest = null, blasMedian = null, maxDiff = null;
        if (blasTimes is not null)
        {
            (blasBest, blasMedian) = (flops / blasTimes[0] / 1e9, flops / blasTimes[repeats / 2] / 1e9);
            maxDiff = 0;
            for (int i = 0; i < ours.Length; i++)
                maxDiff = Math.Max(maxDiff.Value, Math.Abs(double.CreateChecked(ours[i]) - double.CreateChecked(theirs[i])));
        }
        double maxAbs = ours.Max(x => Math.Abs(double.CreateChecked(x)));
        double oursG = flops / oursBest / 1e9;
        return new GemmResult(typeof(T) == typeof(double) ? "f64" : "f32", n, oursG, flops / oursMedian / 1e9,
            blasBest, blasMedian, blasBest is { } bb ? oursG / bb : null, maxDiff, maxAbs);
    }

    private static T[] Fill<T>(int count, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[count];
        for (int i = 0; i < count; i++) x[i] = T.CreateChecked(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static void Gemm<T>(T[] a, T[] b, T[] c, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a is double[] ad) Blas.Gemm(Transpose.No, Transpose.No, n, n, n, 1.0, ad, n, (double[])(object)b, n, 0.0, (double[])(object)c, n);
        else Blas.Gemm(Transpose.No, Transpose.No, n, n, n, 1f, (float[])(object)a, n, (float[])(object)b, n, 0f, (float[])(object)c, n);
    }

    private static void Reference<T>(OpenBlasNative blas, T[] a, T[] b, T[] c, int n) where T : unmanaged
    {
        if (a is double[] ad) blas.Dgemm(false, false, n, n, n, 1.0, ad, n, (double[])(object)b, n, 0.0, (double[])(object)c, n);
        else blas.Sgemm(false, false, n, n, n, 1f, (float[])(object)a, n, (float[])(object)b, n, 0f, (float[])(object)c, n);
    }

    /// <summary>
    /// One warm-up call of each, then <paramref name="repeats"/> rounds; in each round each side runs a batch of calls
    /// lasting at least <paramref name="minMs"/>. Returns seconds per call of every round, sorted (best first).
    /// </summary>
    private static (double[] Ours, double[]? Reference) Time(Action ours, Action? reference, int repeats, int minMs)
    {
        int oursInner = BatchSize(ours, minMs), refInner = reference is null ? 0 : BatchSize(reference, minMs);
        Thread.Sleep(PauseMs);
        var oursTimes = new double[repeats];
        var refTimes = reference is null ? null : new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            oursTimes[r] = Batch(ours, oursInner);
            if (reference is null) continue;
            // OpenBLAS worker threads spin for a while after a call; let them park before timing the next batch.
            Thread.Sleep(PauseMs);
            refTimes![r] = Batch(reference, refInner);
            Thread.Sleep(PauseMs);
        }
        Array.Sort(oursTimes);
        if (refTimes is not null) Array.Sort(refTimes);
        return (oursTimes, refTimes);
    }

    /// <summary>Pause between batches: longer than OpenBLAS's default thread spin timeout (2²⁸ cycles, ≈ 0.1 s).</summary>
    private const int PauseMs = 150;

    private static int BatchSize(Action call, int minMs)
    {
        double once = Batch(call, 1);
        return Math.Max(1, (int)Math.Ceiling(minMs / 1000.0 / Math.Max(once, 1e-7)));
    }

    private static double Batch(Action call, int count)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++) call();
        return sw.Elapsed.TotalSeconds / count;
    }

    private static void Render(List<GemmResult> rows)
    {
        var table = new Table().Title("GEMM C = A·B, square n×n, GFLOP/s (best / median)");
        foreach (string h in new[] { "type", "n", "NtkDsl", "OpenBLAS", "ratio", "max |Δ|", "max |C|" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var r in rows)
            table.AddRow(r.Type, r.N.ToString(CultureInfo.InvariantCulture),
                $"{r.OursBestGflops:F1} / {r.OursMedianGflops:F1}",
                r.BlasBestGflops is { } b ? $"{b:F1} / {r.BlasMedianGflops:F1}" : "n/a",
                r.Ratio is { } q ? $"{q:F2}" : "n/a",
                r.MaxAbsDiff is { } d ? d.ToString("E2", CultureInfo.InvariantCulture) : "n/a",
                r.MaxAbsC.ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }

    private static void Write(List<GemmResult> rows, DirectoryInfo dir, OpenBlasNative? blas)
    {
        dir.Create();
        var csv = new StringBuilder("type,n,ntkdsl_gflops_best,ntkdsl_gflops_median,openblas_gflops_best,openblas_gflops_median,ratio_best,max_abs_diff,max_abs_c\n");
        foreach (var r in rows)
            csv.AppendLine(string.Join(',', r.Type, Num(r.N), Num(r.OursBestGflops), Num(r.OursMedianGflops),
                Num(r.BlasBestGflops), Num(r.BlasMedianGflops), Num(r.Ratio), Num(r.MaxAbsDiff), Num(r.MaxAbsC)));
        string csvPath = Path.Combine(dir.FullName, "gemm.csv"), jsonPath = Path.Combine(dir.FullName, "gemm.json");
        File.WriteAllText(csvPath, csv.ToString());
        var report = new GemmReport(DateTimeOffset.UtcNow, Environment.ProcessorCount, GemmKernels.Best.ToString(),
            blas?.Path, blas?.Config.Trim(), rows);
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, JsonOptions));
        AnsiConsole.MarkupLineInterpolated($"Wrote {csvPath} and {jsonPath}");
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static string Num(double? x) => x is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "";

    private sealed record GemmResult(string Type, int N, double OursBestGflops, double OursMedianGflops,
        double? BlasBestGflops, double? BlasMedianGflops, double? Ratio, double? MaxAbsDiff, double MaxAbsC);

    private sealed record GemmReport(DateTimeOffset When, int LogicalCpus, string Kernel, string? OpenBlasPath,
        string? OpenBlasConfig, List<GemmResult> Results);
}
