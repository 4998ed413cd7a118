using System.CommandLine;
using NtkDsl.Benchmarks;

// Command dispatcher: one subcommand per benchmark, each defined in its own file (GemmBenchmark.cs, ...).
var root = new RootCommand("NtkDsl benchmarks. Run one subcommand, e.g. `gemm`; `--help` lists them.");
root.Subcommands.Add(GemmBenchmark.CreateCommand());
root.Subcommands.Add(NtkBenchmarkCommand.Create());
root.Subcommands.Add(NtkVsNumpyCommand.Create());
root.Subcommands.Add(NtkTilesAbCommand.Create());
root.Subcommands.Add(GemmTileAbCommand.Create());
root.Subcommands.Add(AnalyticBenchmarkCommand.Create());
root.Subcommands.Add(AnalyticActivationsBenchmarkCommand.Create());
root.Subcommands.Add(NtkMemoryBenchmarkCommand.Create());
root.Subcommands.Add(StreamBenchmarkCommand.Create());
root.Subcommands.Add(ConvNtkBenchmark.CreateCommand());
root.Subcommands.Add(CntkAnalyticBenchmarkCommand.Create());
// A benchmark asked to exceed the machine's memory says so in one line (exit 2) instead of a stack trace.
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (NtkDsl.Memory.NotEnoughMemoryException e)
{
    Console.WriteLine(e.Message);
    return BenchArgs.UsageError;
}
