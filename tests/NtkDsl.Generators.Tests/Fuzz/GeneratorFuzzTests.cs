using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace NtkDsl.Generators.Tests.Fuzz;

/// <summary>
/// Thousands of generated and mutated model declarations (fixed seed), many per compilation, through the generator
/// and the analyzers. Asserted for every source: the generator never crashes (no CS8785, no NTK2001, no exception) and
/// no analyzer crashes (AD0001); generated files have no error or warning when the user's own file compiles; and a
/// model that was not generated carries an NTK diagnostic (or the compiler's own error in the user's file says why).
/// </summary>
[Collection(nameof(GeneratorFuzzTests))]
public sealed partial class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261129;
    private const int Sources = 1500;
    private const int Batch = 50;
    private const int FullEvery = 6;

    private static readonly CSharpCompilationOptions Options = new(OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, warningLevel: 9999,
        specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Info });

    private static readonly long[] Timing = new long[1];
    private static readonly int[] SpatialCounts = new int[2];
    private static readonly Dictionary<string, int> Reasons = new();

    [GeneratedRegex(@"^F(\d+)\.")]
    private static partial Regex HintIndex();

    [Fact]
    public void GeneratedAndMutatedModelsNeverCrashAndNeverEmitBrokenCode()
    {
        var sw = Stopwatch.StartNew();
        var cases = new ModelSourceFuzzer(Seed).Cases(Sources).ToList();
        var failures = new List<string>();
        int generated = 0, rejected = 0;
        // Sources in the global namespace would collide with each other: each gets a compilation of its own.
        var batches = cases.Where(c => !c.Global).Chunk(Batch).Concat(cases.Where(c => c.Global).Select(c => new[] { c }));
        int index = 0, compiled = 0;
        foreach (var batch in batches)
        {
            bool full = index++ % FullEvery == 0;
            if (full) compiled += batch.Length;
            var (g, r) = Check(batch, full, failures);
            generated += g;
            rejected += r;
            if (failures.Count > 20) break;
        }
        output.WriteLine($"{compiled} sources compiled with their generated code and analysed");
        output.WriteLine($"{cases.Count} sources ({cases.Count(c => c.Mutated)} mutated), {generated} models generated, {rejected} rejected, {sw.Elapsed.TotalSeconds:F1} s, of which compiling and analysing {Timing[0] / (double)Stopwatch.Frequency:F1} s");
        output.WriteLine("rejections by first reason: " + string.Join(", ", Reasons.OrderByDescending(k => k.Value).Select(k => k.Key + " " + k.Value)));
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(20)));
        // The corpus must exercise both outcomes substantially, or it tests nothing.
        Assert.True(generated > Sources / 5 && rejected > Sources / 5, $"generated {generated}, rejected {rejected}");
        // Spatial models (InputShape) must be generated and rejected in numbers too.
        output.WriteLine($"spatial: {SpatialCounts[0]} generated, {SpatialCounts[1]} rejected");
        Assert.True(SpatialCounts[0] > Sources / 20 && SpatialCounts[1] > Sources / 40, $"spatial generated {SpatialCounts[0]}, rejected {SpatialCounts[1]}");
    }

    private static (int Generated, int Rejected) Check(IReadOnlyList<ModelSourceFuzzer.Case> batch, bool full, List<string> failures)
    {
        var trees = batch.Select(c => CSharpSyntaxTree.ParseText(c.Source, GeneratorHarness.ParseOptions, path: "Fuzz" + c.Index + ".cs")).ToList();
        var compilation = GeneratorHarness.Compilation().AddSyntaxTrees(trees).WithOptions(Options);
        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        string Sources() => string.Join("\n----\n", batch.Select(c => c.Source));
        foreach (var d in generatorDiagnostics.Where(d => d.Id is "CS8785" or "NTK2001"))
            failures.Add($"{d}\nin batch:\n{Sources()}");
        foreach (var r in run.Results.Where(r => r.Exception is not null))
            failures.Add($"generator exception {r.Exception}\nin batch:\n{Sources()}");

        // Every batch: the generator's own checks and the diagnostics of the user's files (cheap: small trees). Every
        // FullEvery-th batch also compiles the generated files and runs the analyzers, in one binding pass (the
        // analyzers skip generated files themselves); binding every generated body of every batch would take minutes.
        var t0 = Stopwatch.GetTimestamp();
        IReadOnlyList<Diagnostic> analyzerDiagnostics, compileDiagnostics;
        if (full)
        {
            var all = output.WithAnalyzers(AnalyzerHarness.Analyzers, new AnalyzerOptions([])).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
            analyzerDiagnostics = all.Where(d => d.Id.StartsWith("NTK", StringComparison.Ordinal) || d.Id == "AD0001").ToList();
            compileDiagnostics = all.Where(d => !d.Id.StartsWith("NTK", StringComparison.Ordinal)).ToList();
        }
        else
        {
            analyzerDiagnostics = [];
            compileDiagnostics = trees.SelectMany(t => output.GetSemanticModel(t).GetDiagnostics()).ToList();
        }
        Timing[0] += Stopwatch.GetTimestamp() - t0;
        foreach (var d in analyzerDiagnostics.Concat(compileDiagnostics).Where(d => d.Id == "AD0001"))
            failures.Add($"{d}\nin batch:\n{Sources()}");

        int generated = 0, rejected = 0;
        var hints = run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).ToList();
        foreach (var c in batch)
        {
            string file = "Fuzz" + c.Index + ".cs";
            bool Mine(Diagnostic d) => d.Location.SourceTree?.FilePath == file;
            bool MineGenerated(Diagnostic d)
            {
                string? path = d.Location.SourceTree?.FilePath;
                if (path is null || !path.EndsWith(".g.cs", StringComparison.Ordinal)) return false;
                if (c.Global) return true;
                var m = HintIndex().Match(Path.GetFileName(path));
                return m.Success && m.Groups[1].Value == c.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            var userErrors = compileDiagnostics.Where(d => Mine(d) && d.Severity == DiagnosticSeverity.Error && d.Id != "CS9248").ToList();
            bool userWarnings = compileDiagnostics.Any(d => Mine(d) && d.Severity == DiagnosticSeverity.Warning);
            var generatedProblems = !full ? [] : compileDiagnostics.Where(d => MineGenerated(d) && d.Severity >= DiagnosticSeverity.Warning).ToList();
            var ntkErrors = generatorDiagnostics.Where(d => Mine(d) && d.Id.StartsWith("NTK", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToList();
            // Clean user code: no error or warning in generated files. User code with warnings only (a lower-case type
            // name's CS8981 repeats on the generated partial declaration): still no error in generated files.
            var relevant = generatedProblems.Where(d => d.Severity == DiagnosticSeverity.Error || !userWarnings).ToList();
            if (userErrors.Count == 0 && relevant.Count > 0)
                failures.Add("generated code has problems although the user's code compiles:\n" + string.Join("\n", relevant) + "\nsource:\n" + c.Source);

            bool declaresModel = c.Source.Contains("[NtkModel", StringComparison.Ordinal);
            // The optional second model (a case variant of the first name) is valid: the first is generated when both are.
            int models = hints.Count(h => h.EndsWith(".Ntk.g.cs", StringComparison.Ordinal) && (c.Global || h.StartsWith("F" + c.Index + ".", StringComparison.Ordinal)));
            bool emitted = models > (c.ExtraModel ? 1 : 0);
            bool spatial = c.Source.Contains("InputShape", StringComparison.Ordinal);
            if (emitted) generated++;
            if (emitted && spatial) SpatialCounts[0]++;
            if (!emitted && declaresModel && spatial) SpatialCounts[1]++;
            if (!emitted && declaresModel)
            {
                rejected++;
                var reason = ntkErrors.Select(d => d.Id).Concat(userErrors.Select(d => d.Id)).FirstOrDefault() ?? "none";
                lock (Reasons) Reasons[reason] = Reasons.GetValueOrDefault(reason) + 1;
                if (ntkErrors.Count == 0 && userErrors.Count == 0)
                    failures.Add("model silently not generated (no NTK diagnostic, no compiler error):\n" + c.Source);
            }
            if (emitted && ntkErrors.Count > 0)
                failures.Add("model generated despite NTK errors " + string.Join("; ", ntkErrors) + ":\n" + c.Source);
        }
        return (generated, rejected);
    }
}

/// <summary>The fuzz test runs alone, after the parallel tests, so that its load does not skew their timing bounds.</summary>
[CollectionDefinition(nameof(GeneratorFuzzTests), DisableParallelization = true)]
public sealed class GeneratorFuzzCollection;
