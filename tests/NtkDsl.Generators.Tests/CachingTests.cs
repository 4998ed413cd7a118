using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NtkDsl.Generators.Tests;

/// <summary>Incrementality: an unrelated edit reruns nothing, and no Roslyn object leaks into the pipeline models.</summary>
public sealed class CachingTests
{
    private static readonly string[] Steps = [NtkModelGenerator.ParseStep, NtkModelGenerator.ModelStep, NtkModelGenerator.DiagnosticsStep];

    [Fact]
    public void AnUnrelatedEditLeavesEveryTrackedStepCachedOrUnchanged()
    {
        var compilation = GeneratorHarness.Compilation(SnapshotTests.Mlp, "namespace Other; public class Unrelated { public int X => 1; }");
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var other = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X => 2; public int Y => 3; }", GeneratorHarness.ParseOptions, other.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.True(result.TrackedSteps.ContainsKey(NtkModelGenerator.ParseStep));
        Assert.True(result.TrackedSteps.ContainsKey(NtkModelGenerator.ModelStep));
        foreach (var step in Steps.Where(result.TrackedSteps.ContainsKey))
        {
            foreach (var run in result.TrackedSteps[step])
                foreach (var (_, reason) in run.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}");
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void EditingOneModelRerunsOnlyThatModel()
    {
        string second = SnapshotTests.StandardNoBias;
        var compilation = GeneratorHarness.Compilation(SnapshotTests.Mlp, second);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(second.Replace("[Dense(8,", "[Dense(9,"), GeneratorHarness.ParseOptions, tree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var reasons = result.TrackedSteps[NtkModelGenerator.ModelStep].SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(2, reasons.Count);
        Assert.Single(reasons, r => r == IncrementalStepRunReason.Modified);
        Assert.Single(reasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void PipelineModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var compilation = GeneratorHarness.Compilation(SnapshotTests.Mlp, SnapshotTests.NestedFloat32,
            "using NtkDsl; [NtkModel(Inputs = 0)] public partial class Bad { [Dense(2)] public partial DenseLayer A { get; } }");
        var result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.True(result.TrackedSteps.ContainsKey(NtkModelGenerator.DiagnosticsStep));
        foreach (var step in Steps)
            foreach (var run in result.TrackedSteps[step])
                foreach (var (value, _) in run.Outputs)
                    AssertNoRoslynObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step);
    }

    internal static void AssertNoRoslynObjects(object? node, HashSet<object> seen, string path)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum) return;
        Assert.False(node is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree, $"{path} holds a {node.GetType().Name}");
        if (!node.GetType().IsValueType && !seen.Add(node)) return;
        if (node is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) AssertNoRoslynObjects(item, seen, $"{path}[{i++}]");
        }
        foreach (var f in node.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            AssertNoRoslynObjects(f.GetValue(node), seen, path + "." + f.Name);
    }
}
