using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NtkDsl.Kernels;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `gemm-tile-ab`: an in-process A/B of the float64 AVX-512 micro-tile on the whole structured NTK of the `ntk-vs-numpy`
/// workload (64-512-512-10 ReLU, Trace, x1 = x2): A = the 6 × 16 tile, B = the 8 × 24 tile. Rounds alternate A and B so
/// load from other processes hits both alike; prints wall and CPU seconds per call and checks the kernels bit for bit.
/// </summary>
internal static class GemmTileAbCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs (N).", DefaultValueFactory = _ => 2048 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds (A, then B).", DefaultValueFactory = _ => 9 };
        var command = new Command("gemm-tile-ab", "Structured NTK with the 6×16 (A) vs the 8×24 (B) float64 AVX-512 micro-tile, alternating rounds.")
        {
            n, rounds,
        };
        command.SetAction(parse => Run(Math.Max(64, parse.GetValue(n)), Math.Max(1, parse.GetValue(rounds)), Console.Out));
        return command;
    }

    private static int Run(int n, int rounds, TextWriter output)
    {
        if (!GemmKernels.IsSupported(GemmKernelKind.Avx512Wide))
        {
            output.WriteLine("This CPU has no AVX-512: both variants would be the AVX2 kernel; nothing to compare.");
            return 0;
        }
        var model = new CpuBenchMlp(0);
        var x = NtkBenchmark.Inputs(n, 64, 1);
        Tensor Run(bool wide)
        {
            GemmKernels.Best = wide ? GemmKernelKind.Avx512Wide : GemmKernelKind.Avx512;
            return model.Ntk(x);
        }
        Run(false);
        Run(true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Structured NTK, N = {n}: A = 6×16 tile, B = 8×24 tile; {Environment.ProcessorCount} logical CPUs"));
        var a = new List<(double Wall, double Cpu)>();
        var b = new List<(double Wall, double Cpu)>();
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < rounds; r++)
        {
            var (ka, ta) = Time(self, () => Run(false));
            var (kb, tb) = Time(self, () => Run(true));
            a.Add(ta);
            b.Add(tb);
            var fa = ka.ToFlatArray();
            var fb = kb.ToFlatArray();
            bool same = fa.AsSpan().SequenceEqual(fb);
            double maxDiff = 0, maxAbs = 0;
            int differ = 0;
            for (int i = 0; i < fa.Length; i++)
            {
                double d = Math.Abs(fa[i] - fb[i]);
                if (d > 0) differ++;
                maxDiff = Math.Max(maxDiff, d);
                maxAbs = Math.Max(maxAbs, Math.Abs(fa[i]));
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {r + 1}: A {ta.Wall:F3} s (CPU {ta.Cpu:F3} s), B {tb.Wall:F3} s (CPU {tb.Cpu:F3} s); CPU ratio B/A {tb.Cpu / ta.Cpu:F3}; kernels {(same ? "bitwise equal" : $"differ in {differ} entries, max |Δ| / max |K| = {maxDiff / maxAbs:E2}")}"));
        }
        double Med(IEnumerable<double> v) { var s = v.OrderBy(q => q).ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: A {Med(a.Select(q => q.Wall)):F3} s (CPU {Med(a.Select(q => q.Cpu)):F3} s), B {Med(b.Select(q => q.Wall)):F3} s (CPU {Med(b.Select(q => q.Cpu)):F3} s); median ratio B/A wall {Med(a.Zip(b, (p, q) => q.Wall / p.Wall)):F3}, CPU {Med(a.Zip(b, (p, q) => q.Cpu / p.Cpu)):F3}"));
        GemmKernels.Best = GemmKernelKind.Avx512Wide;
        return 0;
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
}
