using System.CommandLine;
using System.Diagnostics;
using NtkDsl;
using NtkDsl.Samples;
using Spectre.Console;

// The NtkDsl quick start: declare a model (below), build it from a seed, run a forward pass and compute its
// empirical NTK, per-group blocks and a weighted NTK. Runs on the CPU backend and writes no files.
var rowsOption = SampleCommandLine.Count("--rows", "Number of random inputs for the forward pass and the NTK", 256, minimum: 2);
var root = new RootCommand("NtkDsl quick start: a model's forward pass, empirical NTK, per-group blocks and a weighted NTK") { rowsOption };
root.SetAction(parse => Run(parse.GetValue(rowsOption)));
return root.Parse(args).Invoke();

static int Run(int rows)
{
    var model = new Mlp(seed: 0);
    AnsiConsole.MarkupLine($"[bold]NtkDsl quick start[/] on {Markup.Escape(model.Device.Name)}");
    AnsiConsole.WriteLine(Mlp.Info.ToString());

    var table = new Table().AddColumns("layer", "shape", "activation", "σ_w", "σ_b", "parameters");
    foreach (var l in Mlp.Info.Layers)
        table.AddRow(l.Name, $"{l.FanIn} → {l.Width}", l.ActivationName, $"{l.WeightStd:G4}", $"{l.BiasStd:G4}", $"{l.WeightCount + l.BiasCount:N0}");
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine($"Parameter count: [bold]{Mlp.Info.ParameterCount:N0}[/]");

    var x = RandomInputs(rows: rows, cols: Mlp.Info.Inputs, seed: 1);
    var f = model.Forward(x);
    AnsiConsole.MarkupLine($"Forward pass: {x.Rows} × {x.Columns} → {f.Shape[0]} × {f.Shape[1]}; f(x₀) = [[{string.Join(", ", Enumerable.Range(0, f.Shape[1]).Select(c => f[0, c].ToString("F4")))}]]");

    var sw = Stopwatch.StartNew();
    Tensor ntk = null!;
    AnsiConsole.Progress().Start(ctx =>
    {
        var task = ctx.AddTask("Empirical NTK (trace, x1 = x2)");
        ntk = model.Ntk(x, progress: new Progress<NtkProgress>(p => task.Value = 100 * p.Fraction));
        task.Value = 100;
    });
    sw.Stop();
    AnsiConsole.MarkupLine($"NTK: {ntk.Shape[0]} × {ntk.Shape[1]} in {sw.Elapsed.TotalMilliseconds:F0} ms; Θ(x₀, x₀) = {ntk[0, 0]:F5}, Θ(x₀, x₁) = {ntk[0, 1]:F5}");

    var blocks = model.NtkPerGroup(x.SliceRows(0, Math.Min(8, x.Rows)));
    var share = new Table().AddColumns("group", "share of tr Θ");
    double total = Trace(blocks.Sum());
    for (int g = 0; g < blocks.Count; g++) share.AddRow(blocks.Groups[g].Key, $"{Trace(blocks[g]) / total:P1}");
    AnsiConsole.Write(share);

    var weights = new GroupWeights().Weights("Readout", 4.0).Bias("Hidden1", 0.0);
    var wntk = model.Wntk(x.SliceRows(0, Math.Min(8, x.Rows)), null, weights);
    AnsiConsole.MarkupLine($"Weighted NTK with {Markup.Escape(weights.ToString())}: Θ_w(x₀, x₀) = {wntk[0, 0]:F5}");
    return 0;
}

static double Trace(Tensor t)
{
    double s = 0;
    for (int i = 0; i < t.Rows; i++) s += t[i, i];
    return s;
}

static Tensor RandomInputs(int rows, int cols, int seed)
{
    var s = new NormalSampler(seed);
    var d = new double[rows * cols];
    s.FillNormal(d, 1.0);
    return Tensor.FromArray(d, rows, cols);
}

/// <summary>The README's model: 784 → 512 (ReLU) → 512 (erf) → 10 in the NTK parameterization.</summary>
[NtkModel(Inputs = 784, Parameterization = Parameterization.Ntk)]
public partial class Mlp
{
    /// <summary>First hidden layer.</summary>
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden1 { get; }

    /// <summary>Second hidden layer.</summary>
    [Dense(512, Activation.Erf, WeightStd = 1.4, BiasStd = 0.1)] public partial DenseLayer Hidden2 { get; }

    /// <summary>Output layer (K = 10).</summary>
    [Dense(10)] public partial DenseLayer Readout { get; }
}
