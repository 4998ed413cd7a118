using System.CommandLine;

namespace NtkDsl.Benchmarks;

/// <summary>`analytic-activations`: the command-line front of <see cref="AnalyticActivationsBenchmark"/>.</summary>
internal static class AnalyticActivationsBenchmarkCommand
{
    public static Command Create()
    {
        var sizes = new Option<int[]>("--sizes") { Description = "Numbers of inputs N.", DefaultValueFactory = _ => [1000, 4096], AllowMultipleArgumentsPerToken = true };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept).", DefaultValueFactory = _ => 2 };
        var samples = new Option<int>("--samples") { Description = "Pairs checked against the slow reference per activation and N.", DefaultValueFactory = _ => 12 };
        var only = new Option<string[]>("--only") { Description = "Activations to run besides ReLU (default: all).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("analytic-activations", "AnalyticNtk of every built-in activation vs ReLU at each N, with the error against a slow reference.") { sizes, repeats, samples, only };
        command.SetAction(parse => AnalyticActivationsBenchmark.Run(parse.GetValue(sizes)!, parse.GetValue(repeats), parse.GetValue(samples), parse.GetValue(only), Console.Out));
        return command;
    }
}
