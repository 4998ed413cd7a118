using System.Globalization;
using NtkDsl.Kernels;

namespace NtkDsl.Benchmarks;

/// <summary>
/// AnalyticNtk of a 784 → 3 × ReLU → 1 architecture at N × N: its time against the cost of the one GEMM it needs
/// (x·xᵀ, measured alone) plus one write of the N × N result at the memory bandwidth measured in the same run.
/// </summary>
public static class AnalyticBenchmark
{
    /// <summary>Runs the benchmark and returns the rows it printed.</summary>
    public static List<(string Name, double Value, string Unit)> Run(int n, int repeats, TextWriter output)
    {
        var rows = new List<(string, double, string)>();
        var x = NtkBenchmark.Inputs(n, 784, 5);
        AnalyticBenchMlp.AnalyticNtk(x.SliceRows(0, 64)); // JIT warm-up
        double t = NtkBenchmark.Best(repeats, () => AnalyticBenchMlp.AnalyticNtk(x));

        var a = x.AsSpan().ToArray();
        var c = new double[(long)n * n];
        double tGemm = NtkBenchmark.Best(repeats, () => Blas.Syrk(n, 784, 1.0 / 784, a, 784, 0.0, c, n));
        double bytes = 8.0 * n * n;
        double bandwidth = WriteBandwidth(c, repeats);
        double floor = tGemm + bytes / bandwidth;
        rows.Add(("analytic_n", n, ""));
        rows.Add(("analytic_ntk_time_s", t, "s"));
        rows.Add(("gram_syrk_time_s", tGemm, "s"));
        rows.Add(("result_bytes", bytes, "B"));
        rows.Add(("write_bandwidth_gbs", bandwidth / 1e9, "GB/s"));
        rows.Add(("result_bytes_over_time_gbs", bytes / t / 1e9, "GB/s"));
        rows.Add(("floor_gemm_plus_write_s", floor, "s"));
        rows.Add(("time_over_floor", t / floor, "x"));
        rows.Add(("entries_per_second", (double)n * n / t, "1/s"));
        foreach (var (name, value, unit) in rows)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {value,14:G5} {unit}"));
        return rows;
    }

    /// <summary>Bytes per second of filling a large array (the write half of a STREAM-like test), best of repeats, all cores.</summary>
    private static double WriteBandwidth(double[] buffer, int repeats)
    {
        double t = NtkBenchmark.Best(repeats, () =>
        {
            int chunks = Environment.ProcessorCount * 4;
            long per = (buffer.LongLength + chunks - 1) / chunks;
            Parallel.For(0, chunks, k =>
            {
                long start = k * per, end = Math.Min(buffer.LongLength, start + per);
                if (start < end) buffer.AsSpan((int)start, (int)(end - start)).Fill(1.0 + k);
            });
        });
        return 8.0 * buffer.LongLength / t;
    }
}
