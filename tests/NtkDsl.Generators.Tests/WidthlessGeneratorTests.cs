using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// Models declared without Inputs or InputShape (issue 15): the generated surface (constructor with the width, instance
/// Info/Cost, static InfoFor/CostFor and analytic kernels), incrementality, and the diagnostics NTK1042, NTK1043 and the
/// collision checks of the extra members, each at the exact span to change.
/// </summary>
public sealed class WidthlessGeneratorTests
{
    private const string Ok = "[Dense(8, Activation.Relu)] public partial DenseLayer H { get; }\n[Dense(1)] public partial DenseLayer Out { get; }";

    private static GeneratorHarness.Run Run(string body, string header = "[NtkModel]", string extra = "") =>
        GeneratorHarness.Generate("using System;\nusing NtkDsl;\nnamespace Demo;\n" + header + "\npublic partial class M\n{\n" + body + "\n}\n" + extra);

    private static Diagnostic Single(GeneratorHarness.Run run, string id)
    {
        var hits = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(hits.Count == 1, $"expected one {id}, got: {string.Join("; ", run.GeneratorDiagnostics)}");
        Assert.True(run.GeneratorDiagnostics.All(d => d.Severity != DiagnosticSeverity.Error || d.Id == id),
            "only " + id + " expected, got: " + string.Join("; ", run.GeneratorDiagnostics));
        DiagnosticTests.NoModelCode(run);
        return hits[0];
    }

    private static string At(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    [Fact]
    public void WidthlessModelCompilesWarningFreeWithTheWidthAtConstruction()
    {
        const string use = """
            public static class Use
            {
                public static double Go()
                {
                    var model = new Demo.M(inputs: 13, seed: 0);
                    var other = new Demo.M(13, 1, NtkDsl.Device.Cpu);
                    NtkDsl.ModelInfo info = Demo.M.InfoFor(13);
                    NtkDsl.ModelCost cost = Demo.M.CostFor(13);
                    NtkDsl.INtkModel clone = model.Clone();
                    var x = NtkDsl.Tensor.Zeros(2, 13);
                    var k = Demo.M.AnalyticNtk(x);
                    return model.Info.ParameterCount + model.Cost.ParameterCount + info.Inputs + cost.ParameterCount + other.Ntk(x).Rows + clone.Info.Inputs + k.Rows;
                }
            }
            """;
        var run = Run(Ok, extra: use);
        Assert.Empty(run.GeneratorDiagnostics);
        var problems = run.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheOldConstructorAndStaticInfoDoNotExist()
    {
        // A width-less model has no (seed) constructor and no static Info: the width must be given.
        var run = Run(Ok, extra: "public static class Use { public static object A() => new Demo.M(0); public static object B() => Demo.M.Info; }");
        Assert.Empty(run.GeneratorDiagnostics);
        var errors = run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToList();
        Assert.Contains("CS7036", errors); // no argument for 'seed' in M(int inputs, int seed, Device?)
        Assert.Contains("CS0120", errors); // an object reference is required for the non-static Info
    }

    [Fact]
    public void ASpatialLayerInAWidthlessModelIsNtk1042AtTheModelAttribute()
    {
        var run = Run("[Conv2D(4, 3)] public partial ConvLayer C { get; }\n[GlobalAvgPool] public partial Layer Gap { get; }\n" + Ok, header: "[NtkModel(WeightStd = 2.0)]");
        var hits = run.GeneratorDiagnostics.Where(d => d.Id == "NTK1042").ToList();
        Assert.Equal(2, hits.Count); // one per spatial layer, each naming its layer
        Assert.All(hits, d => Assert.Equal("NtkModel(WeightStd = 2.0)", At(d)));
        Assert.Contains("'C' is [Conv2D]", hits[0].GetMessage());
        Assert.Contains("'Gap' is [GlobalAvgPool]", hits[1].GetMessage());
        Assert.Contains("InputShape", hits[0].GetMessage());
        Assert.True(run.GeneratorDiagnostics.All(d => d.Severity != DiagnosticSeverity.Error || d.Id == "NTK1042"), string.Join("; ", run.GeneratorDiagnostics));
        DiagnosticTests.NoModelCode(run);
    }

    [Fact]
    public void Float32WithoutInputsIsNtk1043AtThePrecisionArgument()
    {
        var d = Single(Run(Ok, header: "[NtkModel(Precision = Precision.Float32)]"), "NTK1043");
        Assert.Equal("Precision = Precision.Float32", At(d));
        Assert.Contains("'M'", d.GetMessage());
    }

    [Fact]
    public void InfoForAndCostForCollideOnlyInWidthlessModels()
    {
        var member = Single(Run(Ok + "\npublic static int InfoFor(int d) => d;"), "NTK1025");
        Assert.Equal("InfoFor", At(member));
        var layer = Single(Run("[Dense(8)] public partial DenseLayer CostFor { get; }\n" + Ok), "NTK1012");
        Assert.Equal("CostFor", At(layer));
        // In a model declared with Inputs the names are free.
        var declared = Run(Ok + "\npublic static int InfoFor(int d) => d;\n[Dense(8)] public partial DenseLayer CostFor { get; }", header: "[NtkModel(Inputs = 3)]");
        Assert.Empty(declared.GeneratorDiagnostics);
        Assert.Empty(declared.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void AConstructorWithTheGeneratedParametersIsNtk1024()
    {
        var d = Single(Run(Ok + "\npublic M(int a, int b, Device device) { }"), "NTK1024");
        Assert.Equal("M", At(d));
        Assert.Contains("(int, int, Device)", d.GetMessage());
        // (int, Device) is free in a width-less model, and members named like the constructor's parameters are fine.
        var free = Run(Ok + "\npublic M(int a, Device device) : this(a, 0, device) { }\npublic int inputs => 1;\npublic int seed => 2;");
        Assert.Empty(free.GeneratorDiagnostics);
        Assert.Empty(free.CompileDiagnostics.Where(x => x.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void BothInputsAndInputShapeIsStillNtk1027()
    {
        var d = Single(Run("[Dense(2)] public partial DenseLayer Out { get; }", header: "[NtkModel(Inputs = 3, InputShape = new[] { 2, 2, 1 })]"), "NTK1027");
        Assert.Equal("InputShape = new[] { 2, 2, 1 }", At(d));
    }

    [Fact]
    public void AnUnrelatedEditLeavesAWidthlessModelCached()
    {
        var result = IncrementalRuns.EditLast([SnapshotTests.Widthless, IncrementalRuns.Unrelated], _ => IncrementalRuns.UnrelatedEdited);
        Assert.NotEmpty(result.TrackedSteps[NtkModelGenerator.ModelStep].SelectMany(r => r.Outputs));
        IncrementalRuns.AssertNothingReran(result);
    }

    [Fact]
    public void EditingTheWidthlessModelRerunsOnlyIt()
    {
        var result = IncrementalRuns.EditLast([SnapshotTests.Mlp, SnapshotTests.Widthless], s => s.Replace("[Dense(512,", "[Dense(256,"));
        IncrementalRuns.AssertOnlyOneOfTwoModelsReran(result);
    }

    [Fact]
    public void PipelineModelHoldsNoRoslynObjects()
    {
        var compilation = GeneratorHarness.Compilation(SnapshotTests.Widthless);
        var result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        foreach (var run in result.TrackedSteps[NtkModelGenerator.ModelStep])
            foreach (var (value, _) in run.Outputs)
                CachingTests.AssertNoRoslynObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
    }
}
