using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `ntk-memory`: the Trace NTK of a 784-1024-1024-10 ReLU network at large N (default 20,000, a 3.2 GB kernel), with
/// the process's peak working set, to show that the structured method never needs N × K × P memory.
/// </summary>
internal static class NtkMemoryBenchmarkCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs, at least 1.", DefaultValueFactory = _ => 20000 };
        var command = new Command("ntk-memory", "Trace NTK of 784-1024-1024-10 at large N with the peak working set.") { n };
        command.SetAction(parse =>
        {
            if (!BenchArgs.InRange(Console.Out, "--n", parse.GetValue(n), 1)) return BenchArgs.UsageError;
            Run(parse.GetValue(n), Console.Out);
            return 0;
        });
        return command;
    }

    private static void Run(int n, TextWriter output)
    {
        var model = new MemoryBenchMlp(0);
        var x = NtkBenchmark.Inputs(n, 784, 9);
        long jacobianBytes = (long)n * 10 * MemoryBenchMlp.Info.ParameterCount * 8;
        var sw = Stopwatch.StartNew();
        var k = model.Ntk(x, progress: new Progress<NtkProgress>(p =>
        {
            if (p.Done % 50 == 0 || p.Done == p.Total) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  tiles {p.Done}/{p.Total}"));
        }));
        double t = sw.Elapsed.TotalSeconds;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"n                          {n}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parameters                 {MemoryBenchMlp.Info.ParameterCount}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time_s                     {t:F1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kernel_bytes               {8.0 * n * n:E3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"jacobian_bytes_if_built    {jacobianBytes:E3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak_working_set_bytes     {process.PeakWorkingSet64:E3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"check_k00                  {k[0, 0]:G6}"));
    }
}
