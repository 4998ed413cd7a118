using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NtkDsl.Generators.Tests;

/// <summary>Incrementality: an unrelated edit reruns nothing, and no Roslyn object leaks into the pipeline models.</summary>
public sealed class CachingTests
{

    [Fact]
    public void AnUnrelatedEditLeavesEveryTrackedStepCachedOrUnchanged()
    {
        var result = IncrementalRuns.EditLast([SnapshotTests.Mlp, IncrementalRuns.Unrelated], _ => IncrementalRuns.UnrelatedEdited);
        Assert.True(result.TrackedSteps.ContainsKey(NtkModelGenerator.ParseStep));
        Assert.True(result.TrackedSteps.ContainsKey(NtkModelGenerator.ModelStep));
        IncrementalRuns.AssertNothingReran(result);
    }

    [Fact]
    public void EditingOneModelRerunsOnlyThatModel()
    {
        var result = IncrementalRuns.EditLast([SnapshotTests.Mlp, SnapshotTests.StandardNoBias], s => s.Replace("[Dense(8,", "[Dense(9,"));
        IncrementalRuns.AssertOnlyOneOfTwoModelsReran(result);
    }

    [Fact]
    public void PipelineModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var compilation = GeneratorHarness.Compilation(SnapshotTests.Mlp, SnapshotTests.NestedFloat32,
            "using NtkDsl; [NtkModel(Inputs = 0)] public partial class Bad { [Dense(2)] public partial DenseLayer A { get; } }");
        var result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.True(result.TrackedSteps.ContainsKey(NtkModelGenerator.DiagnosticsStep));
        foreach (var step in IncrementalRuns.Steps)
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
