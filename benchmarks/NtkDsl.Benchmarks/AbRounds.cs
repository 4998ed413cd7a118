using System.Diagnostics;
using System.Globalization;

namespace NtkDsl.Benchmarks;

/// <summary>
/// The in-process A/B loop of the `*-ab` commands: rounds alternate A and B so that load from other processes hits both
/// alike; each round prints wall and CPU seconds of both calls and compares the two kernels entry by entry (both
/// variants must give bitwise the same kernel); at the end the medians, the median of the per-round ratios B/A and the ratio of the medians.
/// </summary>
internal static class AbRounds
{
    /// <summary>Runs the rounds; returns 0, or 1 (after saying where) as soon as the two kernels differ.</summary>
    public static int Run(int rounds, Func<Tensor> runA, Func<Tensor> runB, TextWriter output)
    {
        var a = new List<(double Wall, double Cpu)>();
        var b = new List<(double Wall, double Cpu)>();
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < rounds; r++)
        {
            var (ka, ta) = Time(self, runA);
            var (kb, tb) = Time(self, runB);
            a.Add(ta);
            b.Add(tb);
            string comparison = Compare(ka, kb, out bool same);
            output.WriteLine(Inv($"round {r + 1}: A {ta.Wall:F3} s (CPU {ta.Cpu:F3} s), B {tb.Wall:F3} s (CPU {tb.Cpu:F3} s); CPU ratio B/A {tb.Cpu / ta.Cpu:F3}; kernels {comparison}"));
            if (!same) return 1;
        }
        output.WriteLine(Inv($"median: A {Median(a.Select(q => q.Wall)):F3} s (CPU {Median(a.Select(q => q.Cpu)):F3} s), B {Median(b.Select(q => q.Wall)):F3} s (CPU {Median(b.Select(q => q.Cpu)):F3} s); median of per-round ratios B/A wall {Median(a.Zip(b, (p, q) => q.Wall / p.Wall)):F3}, CPU {Median(a.Zip(b, (p, q) => q.Cpu / p.Cpu)):F3}; ratio of the medians B/A wall {Median(b.Select(q => q.Wall)) / Median(a.Select(q => q.Wall)):F3}, CPU {Median(b.Select(q => q.Cpu)) / Median(a.Select(q => q.Cpu)):F3}"));
        return 0;
    }

    /// <summary>"bitwise equal", or how many entries differ and the largest difference relative to max |K|.</summary>
    private static string Compare(Tensor ka, Tensor kb, out bool same)
    {
        var fa = ka.ToFlatArray();
        var fb = kb.ToFlatArray();
        same = fa.AsSpan().SequenceEqual(fb);
        if (same) return "bitwise equal";
        double maxDiff = 0, maxAbs = 0;
        int differ = 0;
        for (int i = 0; i < fa.Length; i++)
        {
            double d = Math.Abs(fa[i] - fb[i]);
            if (d > 0) differ++;
            maxDiff = Math.Max(maxDiff, d);
            maxAbs = Math.Max(maxAbs, Math.Abs(fa[i]));
        }
        return Inv($"DIFFER in {differ} entries, max |Δ| / max |K| = {maxDiff / maxAbs:E2}");
    }

    private static (Tensor K, (double Wall, double Cpu) T) Time(Process self, Func<Tensor> run)
    {
        self.Refresh();
        var c0 = self.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var kernel = run();
        double wall = sw.Elapsed.TotalSeconds;
        self.Refresh();
        return (kernel, (wall, (self.TotalProcessorTime - c0).TotalSeconds));
    }

    private static double Median(IEnumerable<double> values)
    {
        var s = values.OrderBy(q => q).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
