using System.CommandLine;

namespace NtkDsl.Benchmarks;

/// <summary>`ntk`: the command-line front of <see cref="NtkBenchmark"/> (same defaults as the earlier dispatcher).</summary>
internal static class NtkBenchmarkCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs, at least 1.", DefaultValueFactory = _ => 2048 };
        var explicitN = new Option<int>("--explicit-n") { Description = "Inputs for the explicit J·Jᵀ comparison, 1 to --n.", DefaultValueFactory = _ => 48 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept), at least 1.", DefaultValueFactory = _ => 2 };
        var command = new Command("ntk", "Structured NTK vs the GEMM ceiling and explicit J·Jᵀ.") { n, explicitN, repeats };
        command.SetAction(parse =>
        {
            var o = Console.Out;
            int nv = parse.GetValue(n), en = parse.GetValue(explicitN), r = parse.GetValue(repeats);
            if (!(BenchArgs.InRange(o, "--n", nv, 1) && BenchArgs.InRange(o, "--explicit-n", en, 1, nv) && BenchArgs.InRange(o, "--repeats", r, 1)))
                return BenchArgs.UsageError;
            NtkBenchmark.Run(nv, en, r, o);
            return 0;
        });
        return command;
    }
}
