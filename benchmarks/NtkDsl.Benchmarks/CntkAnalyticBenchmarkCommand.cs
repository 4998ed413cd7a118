using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `cntk-analytic`: cost per example pair of the infinite-width CNN NTK (pixel-pair recursion, SpatialKernelRecursion)
/// against the pixel-pair floor (H·W)²·(number of layers): a ReLU CNN of `--depth` 3 × 3 Same convolutions, GlobalAvgPool
/// and a Dense readout on random H × W × C images, x1 and x2 of `--n` images each (all pairs distinct, so none is
/// served from the per-example traces). Reports wall time and process CPU time (all threads) per pair.
/// </summary>
internal static class CntkAnalyticBenchmarkCommand
{
    public static Command Create()
    {
        var image = new Option<int[]>("--image") { Description = "H W C of the images, each at least 1.", DefaultValueFactory = _ => [16, 16, 3], AllowMultipleArgumentsPerToken = true };
        var n = new Option<int>("--n") { Description = "Images in each of x1 and x2, at least 1.", DefaultValueFactory = _ => 16 };
        var depth = new Option<int>("--depth") { Description = "Number of 3 × 3 ReLU convolutions, at least 1.", DefaultValueFactory = _ => 4 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept), at least 1.", DefaultValueFactory = _ => 2 };
        var command = new Command("cntk-analytic", "Time per example pair of the analytic CNN NTK vs the (H·W)²·layers pixel-pair floor.") { image, n, depth, repeats };
        command.SetAction(parse => Run(parse.GetValue(image)!, parse.GetValue(n), parse.GetValue(depth), parse.GetValue(repeats), Console.Out));
        return command;
    }

    private static int Run(int[] image, int n, int depth, int repeats, TextWriter output)
    {
        if (image.Length != 3)
        {
            output.WriteLine($"--image needs exactly 3 values (H W C), not {image.Length}.");
            return BenchArgs.UsageError;
        }
        if (!(BenchArgs.AllInRange(output, "--image", image, 1) && BenchArgs.InRange(output, "--n", n, 1)
            && BenchArgs.InRange(output, "--depth", depth, 1) && BenchArgs.InRange(output, "--repeats", repeats, 1)))
            return BenchArgs.UsageError;
        var relu = new LayerActivation(Activation.Relu, "Relu", x => x > 0 ? x : 0, x => x > 0 ? 1 : 0);
        var layers = new List<LayerSpec>();
        for (int l = 0; l < depth; l++) layers.Add(new Conv2DSpec("C" + (l + 1).ToString(CultureInfo.InvariantCulture), 64, 3, 1, Padding.Same, relu, Math.Sqrt(2), 0.1, true));
        layers.Add(new GlobalAvgPoolSpec("Gap"));
        layers.Add(new DenseSpec("Out", 1, new LayerActivation(Activation.Identity, "Identity", x => x, _ => 1), 1.0, 0.1, true));
        int d = image[0] * image[1] * image[2];
        var rng = new Random(1);
        Tensor Images() => Tensor.Wrap(Enumerable.Range(0, n * d).Select(_ => 2 * rng.NextDouble() - 1).ToArray(), n, d);
        var x1 = Images();
        var x2 = Images();
        var gw = Enumerable.Repeat(1.0, SpatialKernelRecursion.GroupCount(layers, image, Parameterization.Ntk)).ToArray();
        double best = double.MaxValue, bestCpu = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            SpatialKernelRecursion.Kernel(layers, image, Parameterization.Ntk, x1, x2, gw, true, null, default);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalSeconds);
        }
        long pairs = (long)n * n + 2L * n; // the pairs plus one trace (self pair) per image
        double pixels = (double)image[0] * image[1];
        double floor = pixels * pixels * (depth + 2); // (H·W)² per layer (convolutions, GAP, readout)
        double perPair = best / pairs;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cntk-analytic: image {image[0]}×{image[1]}×{image[2]}, {depth} conv layers + GAP + Dense, N1 = N2 = {n}, {Environment.ProcessorCount} threads"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  best of {repeats}: {best:F3} s for {pairs} example pairs (incl. {2 * n} traces) = {perPair * 1e3:F3} ms per pair"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  process CPU time (all threads, best of {repeats}): {bestCpu:F3} s = {bestCpu / pairs * 1e6:F1} µs of CPU per pair (the figure to trust on a shared machine)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  pixel-pair floor (H·W)²·layers = {floor:G4} entries per pair: {perPair * 1e9 / floor:F2} ns per pixel pair per layer (per pair, all threads), {perPair * 1e9 * Environment.ProcessorCount / floor:F2} ns per thread"));
        return 0;
    }
}
