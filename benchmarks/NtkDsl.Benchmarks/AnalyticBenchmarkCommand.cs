using System.CommandLine;

namespace NtkDsl.Benchmarks;

/// <summary>`analytic`: the command-line front of <see cref="AnalyticBenchmark"/> (same defaults as the earlier dispatcher).</summary>
internal static class AnalyticBenchmarkCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs.", DefaultValueFactory = _ => 2048 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept).", DefaultValueFactory = _ => 2 };
        var command = new Command("analytic", "Analytic NTK vs one GEMM plus one write at the measured bandwidth.") { n, repeats };
        command.SetAction(parse => AnalyticBenchmark.Run(parse.GetValue(n), parse.GetValue(repeats), Console.Out));
        return command;
    }
}
