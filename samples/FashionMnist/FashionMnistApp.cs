using System.Diagnostics;
using System.Globalization;
using NtkDsl;
using NtkDsl.Experiments;
using NtkDsl.IO;
using Spectre.Console;
using Table = Spectre.Console.Table;

namespace FashionMnist;

/// <summary>The sample's run: options, data, every method on every training subset, then the table, CSV and SVG.</summary>
public static class FashionMnistApp
{
    /// <summary>Exit code when the data are missing or unreadable (1 is a bad argument, 0 success).</summary>
    public const int DataMissingExitCode = 2;

    /// <summary>
    /// Runs the sample with <paramref name="args"/>, writing to <paramref name="console"/> (help and argument errors go to
    /// <paramref name="commandLineOutput"/>, default the process console). Returns the exit code.
    /// </summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter? commandLineOutput = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        var (options, exitCode) = FashionMnistOptions.Parse(args, commandLineOutput, commandLineOutput);
        if (options is null) return exitCode;

        var missing = FashionMnistData.MissingFiles(options.DataDir);
        if (missing.Count > 0)
        {
            console.WriteLine(FashionMnistData.MissingDataMessage(options.DataDir, missing));
            return DataMissingExitCode;
        }
        FashionMnistData data;
        try
        {
            data = FashionMnistData.Load(options.DataDir);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            console.WriteLine($"Cannot read Fashion-MNIST from {options.DataDir}: {e.Message}");
            console.WriteLine("Reinstall the package (sudo apt-get install --reinstall dataset-fashion-mnist) or download the four files again and pass --data FOLDER.");
            return DataMissingExitCode;
        }
        return Run(options, data, console);
    }

    private static int Run(FashionMnistOptions options, FashionMnistData data, IAnsiConsole console)
    {
        var total = Stopwatch.StartNew();
        string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        console.MarkupLine($"[bold]Fashion-MNIST[/] from {Markup.Escape(options.DataDir)}: {data.TrainImages.Count:N0} training and {data.TestImages.Count:N0} test images; " +
            $"test on the first {options.TestSize:N0}; training subsets of {string.Join(", ", options.TrainSizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))} (seed {options.Seed}); " +
            $"pixels / 255, then standardized per {(options.Standardize == Standardization.Image ? "image" : "pixel (training-subset statistics)")}; targets one-hot − 0.1.");

        var testRows = Enumerable.Range(0, options.TestSize).ToArray();
        var testRaw = data.TestImages.ToTensor(testRows, 1.0 / 255);
        int[] testLabels = FashionMnistData.Labels(data.TestLabels, testRows);

        Directory.CreateDirectory(options.OutDir);
        string csv = Path.Combine(options.OutDir, "fashion-mnist.csv");
        string svg = Path.Combine(options.OutDir, "fashion-mnist.svg");
        var meta = new RunMetadata { Seed = options.Seed, DeviceName = Device.Cpu.Name };
        meta.Values["data"] = options.DataDir;
        meta.Values["standardize"] = options.Standardize.ToString().ToLowerInvariant();
        meta.Values["test_images"] = "first " + options.TestSize.ToString(CultureInfo.InvariantCulture) + " of t10k";
        meta.Values["protocol"] = "training subsets drawn without replacement (seed); pixels/255 then standardized; targets one-hot minus 0.1; class = argmax";
        string[] columns = ["method_key", "method", "train_size", "test_size", "accuracy", "seconds", "cpu_seconds", "detail"];
        var rows = new List<IReadOnlyList<object?>>();
        var results = new List<(Method Method, int TrainSize, MethodResult Result)>();
        // Results of earlier runs into the same folder with the same settings are reused (delete the file to redo them).
        string journal = Path.Combine(options.OutDir, "fashion-mnist.results.jsonl");
        var previous = ResultJournal.Read(journal);

        foreach (int n in options.TrainSizes)
        {
            var trainRows = FashionMnistData.SampleRows(data.TrainImages.Count, n, options.Seed);
            var (xTrain, xTest) = FashionMnistData.Preprocess(data.TrainImages.ToTensor(trainRows, 1.0 / 255), testRaw, options.Standardize);
            int[] trainLabels = FashionMnistData.Labels(data.TrainLabels, trainRows);
            var split = new DataSplit(xTrain, trainLabels, FashionMnistData.Targets(trainLabels), xTest, testLabels);
            foreach (var method in options.Methods)
            {
                string key = ResultJournal.Key(method.Key, n, split.TestSize, options);
                if (previous.TryGetValue(key, out var earlier))
                {
                    results.Add((method, n, earlier));
                    rows.Add([method.Key, method.Name, n, split.TestSize, earlier.Accuracy, earlier.Seconds, earlier.CpuSeconds, earlier.Detail]);
                    ResultWriter.WriteCsv(csv, meta, columns, rows);
                    console.MarkupLine(Markup.Escape($"n = {n:N0}, {method.Name}: accuracy {F(100 * earlier.Accuracy, "F2")}% (from {journal}; delete it to rerun)"));
                    continue;
                }
                int size = n;
                void Log(string line) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z] n = {size}, {method.Key}: {line}"));
                Log("started");
                MethodResult result = null!;
                console.Progress().AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        Action<double> Step(string name)
                        {
                            var task = ctx.AddTask(Markup.Escape($"n = {n:N0}: {name}"));
                            return f => task.Value = 100 * Math.Clamp(f, 0, 1);
                        }
                        result = method.Run(split, new MethodContext(options, Step, Log));
                    });
                results.Add((method, n, result));
                rows.Add([method.Key, method.Name, n, split.TestSize, result.Accuracy, result.Seconds, result.CpuSeconds, result.Detail]);
                // Rewritten (atomically) after every result, so a run stopped early keeps what it finished.
                ResultWriter.WriteCsv(csv, meta, columns, rows);
                ResultJournal.Append(journal, key, result);
                console.MarkupLine(Markup.Escape($"n = {n:N0}, {method.Name}: accuracy {F(100 * result.Accuracy, "F2")}% on {split.TestSize:N0} test images in {F(result.Seconds, "F1")} s (CPU {F(result.CpuSeconds, "F1")} s; {result.Detail})"));
            }
        }

        var table = new Table().Title($"Fashion-MNIST test accuracy (first {options.TestSize:N0} test images; {F(total.Elapsed.TotalMinutes, "F1")} min)")
            .AddColumns("method", "train images", "test accuracy", "seconds", "CPU seconds", "settings");
        foreach (var (method, n, r) in results)
            table.AddRow(Markup.Escape(method.Name), n.ToString("N0", CultureInfo.InvariantCulture), F(100 * r.Accuracy, "F2") + "%", F(r.Seconds, "F1"), F(r.CpuSeconds, "F1"), Markup.Escape(r.Detail));
        console.Write(table);

        var plot = new SvgLinePlot
        {
            Title = $"Fashion-MNIST test accuracy ({options.TestSize:N0} test images)",
            XLabel = "training images",
            YLabel = "test accuracy",
            LogX = options.TrainSizes.Count > 1,
        };
        foreach (var group in results.GroupBy(r => r.Method))
            plot.Add(group.Key.Name, group.Select(r => (double)r.TrainSize).ToArray(), group.Select(r => r.Result.Accuracy).ToArray());
        plot.Save(svg);
        console.MarkupLine($"Wrote [blue]{Markup.Escape(Path.GetFullPath(csv))}[/] and [blue]{Markup.Escape(Path.GetFullPath(svg))}[/].");
        return 0;
    }
}
