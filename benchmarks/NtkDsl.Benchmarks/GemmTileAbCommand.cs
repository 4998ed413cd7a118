using System.CommandLine;
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
        var n = new Option<int>("--n") { Description = "Number of inputs (N), at least 64.", DefaultValueFactory = _ => 2048 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds (A, then B), at least 1.", DefaultValueFactory = _ => 9 };
        var command = new Command("gemm-tile-ab", "Structured NTK with the 6×16 (A) vs the 8×24 (B) float64 AVX-512 micro-tile, alternating rounds.")
        {
            n, rounds,
        };
        command.SetAction(parse =>
            BenchArgs.InRange(Console.Out, "--n", parse.GetValue(n), 64) && BenchArgs.InRange(Console.Out, "--rounds", parse.GetValue(rounds), 1)
                ? Run(parse.GetValue(n), parse.GetValue(rounds), Console.Out) : BenchArgs.UsageError);
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
        return AbRounds.Run(rounds, () => Run(false), () => Run(true), output);
    }
}
