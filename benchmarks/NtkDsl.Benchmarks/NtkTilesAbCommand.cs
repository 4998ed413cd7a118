using System.CommandLine;
using System.Globalization;
using NtkDsl.Kernels;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `ntk-tiles-ab`: an in-process A/B of the NTK assembly's two tile schedules on the features of the `ntk` workload
/// (64-512-512-10, Trace, x1 = x2: General deltas 10·512 wide, Reduced 512, Unit; random values of that shape):
/// tile by tile with each tile's products split over the cores (A: <c>workers = 1</c>), and whole tiles in parallel,
/// one per core (B: <see cref="NtkAssembler.TileWorkers(int, long, bool)"/>). Rounds alternate A and B, so load from other processes
/// hits both alike; each round prints wall and CPU seconds, and the kernels are compared bit for bit.
/// </summary>
internal static class NtkTilesAbCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs (N), at least 1.", DefaultValueFactory = _ => 2048 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds (A, then B), at least 1.", DefaultValueFactory = _ => 7 };
        var command = new Command("ntk-tiles-ab", "NTK assembly: tiles one after another (A) vs whole tiles in parallel (B), alternating rounds, CPU seconds.")
        {
            n, rounds,
        };
        command.SetAction(parse =>
            BenchArgs.InRange(Console.Out, "--n", parse.GetValue(n), 1) && BenchArgs.InRange(Console.Out, "--rounds", parse.GetValue(rounds), 1)
                ? Run(parse.GetValue(n), parse.GetValue(rounds), Console.Out) : BenchArgs.UsageError);
        return command;
    }

    private static int Run(int n, int rounds, TextWriter output)
    {
        const int k = 10;
        var layers = new LayerFeatures<double>[]
        {
            new(n, 64, 512, k, DeltaForm.General, 1.0, true, 0, 1),
            new(n, 512, 512, k, DeltaForm.Reduced, 1.0, true, 2, 3),
            new(n, 512, k, k, DeltaForm.Unit, 1.0, true, 4, 5),
        };
        var sampler = new NormalSampler(7);
        foreach (var l in layers)
        {
            sampler.FillNormal(l.Inputs, 0.05);
            sampler.FillNormal(l.Deltas, 0.05);
        }
        var f = new NtkFeatures<double>(n, k, layers);
        var weights = new double[6];
        Array.Fill(weights, 1.0);
        var groupOutput = new int[6];
        Tensor Assemble(int workers) => NtkAssembler.AssembleTiles(f, null, false, 1, groupOutput, weights, null, CancellationToken.None, workers)[0];
        int tiles = (n + NtkAssembler.TraceTile - 1) / NtkAssembler.TraceTile;
        int workersB = NtkAssembler.TileWorkers(tiles * (tiles + 1) / 2, (long)n * n, parallelTiles: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"NTK assembly A/B, Trace, x1 = x2, N = {n}: A = tiles one after another, B = {workersB} tile(s) at once; {Environment.ProcessorCount} logical CPUs"));
        Assemble(1);
        Assemble(workersB); // warm-up
        return AbRounds.Run(rounds, () => Assemble(1), () => Assemble(workersB), output);
    }
}
