using System.CommandLine;

namespace NtkDsl.Benchmarks;

/// <summary>`analytic`: the command-line front of <see cref="AnalyticBenchmark"/> (same defaults as the earlier dispatcher).</summary>
internal static class AnalyticBenchmarkCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs, at least 1.", DefaultValueFactory = _ => 2048 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept), at least 1.", DefaultValueFactory = _ => 2 };
        var command = new Command("analytic", "Analytic NTK vs one GEMM plus one write at the measured bandwidth.") { n, repeats };
        command.SetAction(parse =>
        {
            int nv = parse.GetValue(n), r = parse.GetValue(repeats);
            if (!(BenchArgs.InRange(Console.Out, "--n", nv, 1) && BenchArgs.InRange(Console.Out, "--repeats", r, 1))) return BenchArgs.UsageError;
            AnalyticBenchmark.Run(nv, r, Console.Out);
            return 0;
        });
        return command;
    }
}
