using System.CommandLine;

namespace NtkDsl.Benchmarks;

/// <summary>`ntk`: the command-line front of <see cref="NtkBenchmark"/> (same defaults as the earlier dispatcher).</summary>
internal static class NtkBenchmarkCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs.", DefaultValueFactory = _ => 2048 };
        var explicitN = new Option<int>("--explicit-n") { Description = "Inputs for the explicit J·Jᵀ comparison.", DefaultValueFactory = _ => 48 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept).", DefaultValueFactory = _ => 2 };
        var command = new Command("ntk", "Structured NTK vs the GEMM ceiling and explicit J·Jᵀ.") { n, explicitN, repeats };
        command.SetAction(parse => NtkBenchmark.Run(parse.GetValue(n), parse.GetValue(explicitN), parse.GetValue(repeats), Console.Out));
        return command;
    }
}
