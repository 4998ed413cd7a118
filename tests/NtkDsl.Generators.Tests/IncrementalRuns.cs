using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// The caching checks every generator test class shares: run the generator, replace the last source, run it again,
/// and assert which tracked steps reran.
/// </summary>
internal static class IncrementalRuns
{
    /// <summary>The tracked steps of the pipeline (NtkModelGenerator's tracking names).</summary>
    public static readonly string[] Steps = [NtkModelGenerator.ParseStep, NtkModelGenerator.ModelStep, NtkModelGenerator.DiagnosticsStep];

    /// <summary>An unrelated class, appended as the last source so that <see cref="EditLast"/> can change it.</summary>
    public const string Unrelated = "namespace Other; public class Unrelated { public int X => 1; }";

    /// <summary>The unrelated class after an edit.</summary>
    public const string UnrelatedEdited = "namespace Other; public class Unrelated { public int X => 2; public int Y => 3; }";

    /// <summary>
    /// Generates <paramref name="sources"/>, replaces the last one with <paramref name="edit"/> applied to it, and
    /// returns the second run's result (the first run's generated sources in <paramref name="before"/>).
    /// </summary>
    public static GeneratorRunResult EditLast(string[] sources, Func<string, string> edit, out GeneratorRunResult before)
    {
        var compilation = GeneratorHarness.Compilation(sources);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        before = driver.GetRunResult().Results.Single();
        var tree = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(edit(sources[^1]), GeneratorHarness.ParseOptions, tree.FilePath));
        return driver.RunGenerators(edited).GetRunResult().Results.Single();
    }

    /// <inheritdoc cref="EditLast(string[], Func{string, string}, out GeneratorRunResult)"/>
    public static GeneratorRunResult EditLast(string[] sources, Func<string, string> edit) => EditLast(sources, edit, out _);

    /// <summary>Every tracked step's outputs are Cached or Unchanged and every source output is Cached.</summary>
    public static void AssertNothingReran(GeneratorRunResult result)
    {
        foreach (var step in Steps.Where(result.TrackedSteps.ContainsKey))
            foreach (var run in result.TrackedSteps[step])
                foreach (var (_, reason) in run.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}");
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    /// <summary>Of the two models in the run, exactly one was modified and the other was cached or unchanged.</summary>
    public static void AssertOnlyOneOfTwoModelsReran(GeneratorRunResult result)
    {
        var reasons = result.TrackedSteps[NtkModelGenerator.ModelStep].SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(2, reasons.Count);
        Assert.Single(reasons, r => r == IncrementalStepRunReason.Modified);
        Assert.Single(reasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }
}
