using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using NtkDsl.Samples;

namespace FashionMnist;

/// <summary>Command-line options of the Fashion-MNIST sample (the samples' convention: <see cref="SampleCommandLine"/>).</summary>
public sealed class FashionMnistOptions
{
    /// <summary>Training images available in Fashion-MNIST.</summary>
    public const int TrainAvailable = 60000;

    /// <summary>Test images available in Fashion-MNIST.</summary>
    public const int TestAvailable = 10000;

    /// <summary>The folder holding the four IDX files (--data).</summary>
    public string DataDir { get; init; } = FashionMnistData.DefaultFolder;

    /// <summary>Training-subset sizes, each run separately (--train-sizes).</summary>
    public IReadOnlyList<int> TrainSizes { get; init; } = [1000, 5000];

    /// <summary>Test images: the first this many of the 10,000 (--test-size).</summary>
    public int TestSize { get; init; } = TestAvailable;

    /// <summary>The methods to run (--methods), in <see cref="Methods.All"/> order.</summary>
    public IReadOnlyList<Method> Methods { get; init; } = FashionMnist.Methods.All.Where(m => m.RunsByDefault).ToList();

    /// <summary>Pixel standardization after scaling to [0, 1] (--standardize).</summary>
    public Standardization Standardize { get; init; } = Standardization.Image;

    /// <summary>Training epochs of the finite networks (--epochs).</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Seed of the training subsets, the networks' initialization and mini-batch order (--seed).</summary>
    public int Seed { get; init; }

    /// <summary>Folder for the CSV and SVG (--output, -o).</summary>
    public string OutDir { get; init; } = Path.Combine("results", "fashion-mnist");

    /// <summary>
    /// Parses <paramref name="args"/>. Options is null when nothing is to run: after --help (exit code 0) or a bad
    /// argument (the error is printed; exit code 1). Help and errors go to <paramref name="output"/> and
    /// <paramref name="error"/> (default: the console).
    /// </summary>
    public static (FashionMnistOptions? Options, int ExitCode) Parse(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var defaults = new FashionMnistOptions();
        var data = new Option<string>("--data")
        {
            Description = $"Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally .gz); the Debian package dataset-fashion-mnist installs them in {FashionMnistData.DefaultFolder}",
            HelpName = "DIR",
            DefaultValueFactory = _ => defaults.DataDir,
        };
        var trainSizes = new Option<int[]>("--train-sizes")
        {
            // No DefaultValueFactory: System.CommandLine would show an array default as "1000|5000", which is not how
            // the option is written; the default is in the description and applied below when the option is absent.
            Description = "Training-subset sizes, comma-separated, each drawn at random (--seed) from the 60,000 training images [default: "
                + string.Join(",", defaults.TrainSizes.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]",
            HelpName = "N,N",
            CustomParser = ParseSizes,
        };
        var testSize = new Option<int>("--test-size")
        {
            Description = "Test images: the first N of the 10,000 (all: every one)",
            HelpName = "N|all",
            DefaultValueFactory = _ => defaults.TestSize,
            CustomParser = ParseTestSize,
        };
        string keys = string.Join(", ", FashionMnist.Methods.All.Select(m => m.Key));
        var methods = new Option<string>("--methods")
        {
            Description = "Comma-separated methods: " + string.Join("; ", FashionMnist.Methods.All.Select(m => $"{m.Key}: {m.Description}{(m.RunsByDefault ? "" : " (not run by default)")}")),
            HelpName = "a,b",
            DefaultValueFactory = _ => string.Join(",", defaults.Methods.Select(m => m.Key)),
        };
        methods.Validators.Add(r =>
        {
            foreach (string key in SplitList(r.GetValueOrDefault<string>()))
                if (!FashionMnist.Methods.All.Any(m => m.Key == key))
                    r.AddError($"--methods: unknown method '{key}'; this build has {keys}.");
            if (!SplitList(r.GetValueOrDefault<string>()).Any()) r.AddError($"--methods: give at least one of {keys}.");
        });
        var standardize = new Option<Standardization>("--standardize")
        {
            Description = "After scaling pixels to [0, 1]: image (each image to mean 0, variance 1) or pixel (each pixel by its mean and standard deviation over the training subset)",
            DefaultValueFactory = _ => defaults.Standardize,
        };
        var epochs = SampleCommandLine.Count("--epochs", "Training epochs of the finite networks", defaults.Epochs);
        var seed = SampleCommandLine.Count("--seed", "Seed of the training subsets, initialization and mini-batch order", 0, minimum: 0);
        var outputDir = SampleCommandLine.Output(defaults.OutDir);
        var root = new RootCommand(
            "Fashion-MNIST with NtkDsl: kernel regression with the infinite-width MLP NTK and a finite MLP trained with the Trainer " +
            "(by default), and the CNTK with global average pooling and trained CNNs (--methods), on training subsets; " +
            "test accuracy as a table, fashion-mnist.csv and fashion-mnist.svg. Exit codes: 0 done, 1 bad arguments, 2 data missing or unreadable.")
        {
            data, trainSizes, testSize, methods, standardize, epochs, seed, outputDir,
        };
        FashionMnistOptions? parsed = null;
        root.SetAction(p =>
        {
            var chosen = SplitList(p.GetValue(methods)).ToHashSet(StringComparer.Ordinal);
            parsed = new FashionMnistOptions
            {
                DataDir = Path.GetFullPath(p.GetValue(data)!),
                TrainSizes = p.GetValue(trainSizes) is { Length: > 0 } sizes ? sizes : defaults.TrainSizes, // absent: the default
                TestSize = p.GetValue(testSize),
                Methods = FashionMnist.Methods.All.Where(m => chosen.Contains(m.Key)).ToList(),
                Standardize = p.GetValue(standardize),
                Epochs = p.GetValue(epochs),
                Seed = p.GetValue(seed),
                OutDir = p.GetValue(outputDir)!,
            };
            return 0;
        });
        var config = new InvocationConfiguration();
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        int exitCode = root.Parse(args).Invoke(config);
        return (exitCode == 0 ? parsed : null, exitCode);
    }

    private static IEnumerable<string> SplitList(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int ParseTestSize(ArgumentResult r)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase)) return TestAvailable;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 1 && v <= TestAvailable) return v;
        r.AddError($"--test-size takes a positive integer at most {TestAvailable} or 'all', not '{text}'.");
        return 0;
    }

    private static int[] ParseSizes(ArgumentResult r)
    {
        var sizes = new List<int>();
        foreach (var token in r.Tokens)
            foreach (string part in SplitList(token.Value))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 2 || v > TrainAvailable)
                {
                    r.AddError($"--train-sizes takes integers from 2 to {TrainAvailable}, comma-separated (e.g. 1000,5000), not '{part}'.");
                    return [];
                }
                sizes.Add(v);
            }
        if (sizes.Count == 0) r.AddError("--train-sizes: give at least one size, e.g. 1000,5000.");
        return [.. sizes.Distinct().Order()];
    }
}
