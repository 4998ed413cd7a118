using System.CommandLine;
using System.Globalization;
using NtkDsl.Kernels;
using NtkDsl.Layers;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `conv-ntk`: the structured NTK (Trace, x1 = x2) of a small CNN run by <see cref="SpatialNetwork"/> against (a) the
/// explicit route on the same inputs — materialize J (N·K × P) with <c>Jacobian</c> and form J·Jᵀ with the same SYRK,
/// as the `ntk` benchmark does for Dense models — at the largest N whose J fits in <c>--explicit-gb</c>, and (b) the GEMM
/// ceiling measured in the same run (flops of the structured NTK counted by its cost model, <c>Cost.Ntk</c>: GEMM flops
/// plus every elementwise multiply/add).
/// </summary>
/// <remarks>
/// The network: 8×8×3 → Conv2D 32 3×3 ReLU → AvgPool2D 4 (2×2) → Conv2D 128 3×3 ReLU → Conv2D 128 3×3 ReLU →
/// GlobalAvgPool → Dense 10 (186,762 parameters). Its heavy layers sit at 2×2 resolution, where the pixel-pair
/// contraction costs 2P²(F + K·C) per pair against 2K²·C·F for J·Jᵀ; a layer at high resolution with few channels gets
/// the per-example-gradient order, whose advantage over J·Jᵀ is only about K, so the ratio depends on the architecture.
/// </remarks>
public static class ConvNtkBenchmark
{
    /// <summary>The command-line front.</summary>
    public static Command CreateCommand()
    {
        var n = new Option<int>("--n") { Description = "Inputs for the GEMM-ceiling fraction, at least 1.", DefaultValueFactory = _ => 2048 };
        var explicitGb = new Option<double>("--explicit-gb") { Description = "Memory for the explicit J (GB), greater than 0; sets the explicit N.", DefaultValueFactory = _ => 2.0 };
        var explicitN = new Option<int>("--explicit-n") { Description = "Explicit N (overrides --explicit-gb when > 0), at least 0.", DefaultValueFactory = _ => 0 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (best is kept), at least 1.", DefaultValueFactory = _ => 2 };
        var command = new Command("conv-ntk", "Structured conv NTK vs explicit J·Jᵀ and the GEMM ceiling.") { n, explicitGb, explicitN, repeats };
        command.SetAction(parse =>
        {
            var o = Console.Out;
            int nv = parse.GetValue(n), en = parse.GetValue(explicitN), r = parse.GetValue(repeats);
            double gb = parse.GetValue(explicitGb);
            if (!(BenchArgs.InRange(o, "--n", nv, 1) && BenchArgs.AtLeast(o, "--explicit-gb", gb, 0, exclusive: true)
                && BenchArgs.InRange(o, "--explicit-n", en, 0) && BenchArgs.InRange(o, "--repeats", r, 1)))
                return BenchArgs.UsageError;
            Run(nv, gb, en, r, o);
            return 0;
        });
        return command;
    }

    /// <summary>The benchmark network.</summary>
    public static SpatialNetwork Network()
    {
        static LayerActivation Relu() => new(Activation.Relu, "Relu", z => z > 0 ? z : 0.0, z => z > 0 ? 1.0 : 0.0);
        var identity = new LayerActivation(Activation.Identity, "Identity", z => z, _ => 1.0);
        return new SpatialNetwork("ConvBench", [8, 8, 3], Parameterization.Ntk, Precision.Float64, 1.0, false,
        [
            new Conv2DSpec("C1", 32, 3, 1, Padding.Same, Relu(), Math.Sqrt(2), 0.1, true),
            new AvgPool2DSpec("P1", 4, 4, Padding.Valid),
            new Conv2DSpec("C2", 128, 3, 1, Padding.Same, Relu(), Math.Sqrt(2), 0.1, true),
            new Conv2DSpec("C3", 128, 3, 1, Padding.Same, Relu(), Math.Sqrt(2), 0.1, true),
            new GlobalAvgPoolSpec("Gap"),
            new DenseSpec("Out", 10, identity, 1.0, 0.1, true),
        ]);
    }

    /// <summary>Runs the benchmark and returns the rows it printed.</summary>
    public static List<(string Name, double Value, string Unit)> Run(int n, double explicitGb, int explicitN, int repeats, TextWriter output)
    {
        var rows = new List<(string, double, string)>();
        var net = Network();
        var p = net.InitializeParameters(new NormalSampler(0));
        var ones = Enumerable.Repeat(1.0, net.Info.Groups.Count).ToArray();
        int k = net.Outputs;
        long pc = net.ParameterCount;
        if (explicitN <= 0) explicitN = (int)Math.Max(2, Math.Min(n, explicitGb * 1e9 / (8.0 * k * pc)));
        var x = NtkBenchmark.Inputs(Math.Max(n, explicitN), net.Info.Inputs, 1);
        Tensor Structured(Tensor xs) => net.Ntk(p, xs, null, NtkMode.Trace, ones, false, null, default)[0];

        rows.Add(("parameters", pc, ""));
        var orders = net.ChooseOrders(n, null, false, ContractionOrder.Auto);
        for (int l = 0; l < orders.Length; l++)
            if (net.Ops[l] is PatchLayerOp)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {net.Ops[l].Name}: {net.Info.Layers[l].Detail ?? "Dense"} → {orders[l]}"));

        double ceiling = NtkBenchmark.GemmCeiling(1024, repeats);
        rows.Add(("gemm_ceiling_gflops", ceiling, "GFLOP/s"));

        Structured(x.SliceRows(0, 16)); // warm-up (JIT)
        var xn = x.SliceRows(0, n);
        double tNtk = NtkBenchmark.Best(repeats, () => Structured(xn));
        double flops = net.Cost.Ntk(n).Flops;
        rows.Add(("n", n, ""));
        rows.Add(("ntk_time_s", tNtk, "s"));
        rows.Add(("ntk_flops", flops, "FLOP"));
        rows.Add(("ntk_gflops", flops / tNtk / 1e9, "GFLOP/s"));
        rows.Add(("ntk_fraction_of_ceiling", flops / tNtk / 1e9 / ceiling, ""));

        var xe = x.SliceRows(0, explicitN);
        double tStructSmall = NtkBenchmark.Best(repeats, () => Structured(xe));
        Tensor? explicitKernel = null;
        double tExplicit = NtkBenchmark.Best(1, () => explicitKernel = NtkBenchmark.ExplicitTrace(net.Jacobian(p, xe)));
        double err = TensorOps.RelativeError(Structured(xe), explicitKernel!);
        rows.Add(("explicit_n", explicitN, ""));
        rows.Add(("explicit_jacobian_gb", 8.0 * explicitN * k * pc / 1e9, "GB"));
        rows.Add(("explicit_time_s", tExplicit, "s"));
        rows.Add(("structured_time_same_n_s", tStructSmall, "s"));
        rows.Add(("speedup_same_n", tExplicit / tStructSmall, "x"));
        rows.Add(("max_relative_difference", err, ""));

        foreach (var (name, value, unit) in rows)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {value,14:G5} {unit}"));
        return rows;
    }
}
