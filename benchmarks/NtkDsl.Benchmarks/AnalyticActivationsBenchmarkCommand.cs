using System.CommandLine;

namespace NtkDsl.Benchmarks;

/// <summary>`analytic-activations`: the command-line front of <see cref="AnalyticActivationsBenchmark"/>.</summary>
internal static class AnalyticActivationsBenchmarkCommand
{
    public static Command Create()
    {
        var sizes = new Option<int[]>("--sizes") { Description = "Numbers of inputs N, each at least 1.", DefaultValueFactory = _ => [1000, 4096], AllowMultipleArgumentsPerToken = true };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept), at least 1.", DefaultValueFactory = _ => 2 };
        var samples = new Option<int>("--samples") { Description = "Pairs checked against the slow reference per activation and N, at least 1.", DefaultValueFactory = _ => 12 };
        var only = new Option<string[]>("--only") { Description = "Activations to run besides ReLU (default: all).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("analytic-activations", "AnalyticNtk of every built-in activation vs ReLU at each N, with the error against a slow reference.") { sizes, repeats, samples, only };
        command.SetAction(parse =>
        {
            var o = Console.Out;
            int[] sv = parse.GetValue(sizes) ?? [];
            int r = parse.GetValue(repeats), sm = parse.GetValue(samples);
            if (!(BenchArgs.AllInRange(o, "--sizes", sv, 1) && BenchArgs.InRange(o, "--repeats", r, 1) && BenchArgs.InRange(o, "--samples", sm, 1)))
                return BenchArgs.UsageError;
            var known = AnalyticActivationsBenchmark.Names;
            foreach (string name in parse.GetValue(only) ?? [])
                if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    o.WriteLine($"--only {name}: unknown activation; use one of {string.Join(", ", known)}.");
                    return BenchArgs.UsageError;
                }
            AnalyticActivationsBenchmark.Run(sv, r, sm, parse.GetValue(only), o);
            return 0;
        });
        return command;
    }
}
