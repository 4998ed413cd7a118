using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NtkDsl.Generators.Layers;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// Spatial models in the generator pipeline and the analyzers: caching, no Roslyn objects in the pipeline models, the
/// generator's mirror of SpatialGeometry against the run time's, and NTK1020/NTK3001/NTK3002 on spatial models.
/// </summary>
public sealed class SpatialGeneratorTests
{

    [Fact]
    public void AnUnrelatedEditRerunsNothingForASpatialModel()
    {
        var result = IncrementalRuns.EditLast([SnapshotTests.SpatialEveryKind, SnapshotTests.SpatialGap, IncrementalRuns.Unrelated], _ => IncrementalRuns.UnrelatedEdited);
        Assert.Equal(2, result.TrackedSteps[NtkModelGenerator.ModelStep].SelectMany(r => r.Outputs).Count());
        IncrementalRuns.AssertNothingReran(result);
    }

    [Fact]
    public void EditingOneSpatialLayerRerunsOnlyThatModel()
    {
        var result = IncrementalRuns.EditLast([SnapshotTests.SpatialEveryKind, SnapshotTests.SpatialGap], s => s.Replace("[Conv2D(3, 3,", "[Conv2D(5, 3,"));
        IncrementalRuns.AssertOnlyOneOfTwoModelsReran(result);
    }

    [Fact]
    public void SpatialPipelineModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var compilation = GeneratorHarness.Compilation(SnapshotTests.SpatialEveryKind,
            "using NtkDsl; [NtkModel(InputShape = new[] { 4, 4, 1 })] public partial class Bad { [Conv2D(2, 9, Padding = Padding.Valid)] public partial ConvLayer C { get; } [Flatten] public partial Layer F { get; } [Dense(2)] public partial DenseLayer A { get; } }");
        var result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        var model = Assert.Single(result.TrackedSteps[NtkModelGenerator.ModelStep].SelectMany(r => r.Outputs)).Value;
        var spec = Assert.IsType<ModelSpec>(model);
        Assert.Equal(8, spec.SpatialLayers.Count);
        Assert.Equal(new ShapeSpec(4, 4, 4, false), spec.SpatialLayers[4].Output); // after the 2×2 pool
        foreach (var step in IncrementalRuns.Steps)
            foreach (var run in result.TrackedSteps[step])
                foreach (var (value, _) in run.Outputs)
                    CachingTests.AssertNoRoslynObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step);
    }

    [Fact]
    public void TheGeneratorsGeometryMirrorsTheRunTimes()
    {
        foreach (var padding in new[] { Padding.Same, Padding.Valid, Padding.Circular })
            for (int size = 1; size <= 12; size++)
                for (int window = 1; window <= 7; window++)
                    for (int stride = 1; stride <= 4; stride++)
                    {
                        int expected = NtkDsl.Layers.SpatialGeometry.OutputSize(size, window, stride, padding);
                        Assert.Equal(expected, SpatialGeometryRules.OutputSize(size, window, stride, (PaddingKind)(int)padding));
                        if (padding == Padding.Valid) continue;
                        // The window fits the padded image exactly when the last window's source pixels stay within it.
                        int before = NtkDsl.Layers.SpatialGeometry.PadBefore(size, window, stride, padding);
                        Assert.Equal(before, SpatialGeometryRules.TotalPadding(size, window, stride, (PaddingKind)(int)padding) / 2);
                    }
    }

    private const string CallSite = """
        using NtkDsl;
        namespace Demo;
        [NtkModel(InputShape = new[] { 6, 5, 2 })]
        public partial class Cnn
        {
            [Conv2D(3, 3, Activation.Relu)] public partial ConvLayer C { get; }
            [GlobalAvgPool] public partial Layer Gap { get; }
            [Dense(4)] public partial DenseLayer Out { get; }
        }
        public static class Use
        {
            public static void Run(Cnn m) { BODY }
        }
        """;

    [Fact]
    public void CallSiteChecksUseTheFlattenedFeatureCount()
    {
        var (_, wrong) = AnalyzerHarness.Analyze(CallSite.Replace("BODY", "m.Forward(Tensor.Zeros(3, 30));"));
        var d = Assert.Single(wrong, x => x.Id == "NTK1020");
        Assert.Equal("Tensor.Zeros(3, 30)", AnalyzerHarness.At(d));
        // The declared input as written: not "(Inputs = 60)", which an InputShape model does not declare.
        Assert.Contains("expects 60 input features per row (InputShape = 6×5×2) but this tensor has 30 columns; pass an N × 60 tensor", d.GetMessage());
        var (_, right) = AnalyzerHarness.Analyze(CallSite.Replace("BODY", "m.Forward(Tensor.Zeros(3, 60));"));
        Assert.DoesNotContain(right, x => x.Id == "NTK1020");
        // A model the generator rejects (Inputs and InputShape, in either order) is not analysed: its NTK1027 says what to fix.
        foreach (var header in new[] { "[NtkModel(Inputs = 30, InputShape = new[] { 6, 5, 2 })]", "[NtkModel(InputShape = new[] { 6, 5, 2 }, Inputs = 30)]" })
        {
            var (_, rejected) = AnalyzerHarness.Analyze(CallSite.Replace("[NtkModel(InputShape = new[] { 6, 5, 2 })]", header).Replace("BODY", "m.Forward(Tensor.Zeros(3, 7));"));
            Assert.DoesNotContain(rejected, x => x.Id is "NTK1020" or "AD0001");
        }
    }

    [Fact]
    public void GroupWeightsOnAParameterFreeLayerSaysItHasNoParameters()
    {
        // Used to say "names layer 'Gap', which 'Cnn' does not have" (and suggest a near name) although Cnn has a layer Gap.
        var (_, diagnostics) = AnalyzerHarness.Analyze(CallSite.Replace("BODY", "m.Wntk(Tensor.Zeros(3, 60), null, new GroupWeights().Layer(\"Gap\", 2.0));"));
        var d = Assert.Single(diagnostics, x => x.Id == "NTK1021");
        Assert.Equal("\"Gap\"", AnalyzerHarness.At(d));
        Assert.Equal("GroupWeights names layer 'Gap', a layer of 'Cnn' without parameters ([GlobalAvgPool]), so it has no parameter groups. "
            + "Layers with parameters (one weights group each, and a bias group unless UseBias = false): C, Out.", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(d.Properties.ContainsKey(NtkDsl.Generators.Analysis.CallSiteAnalyzer.SuggestionKey));
        // A name the model does not have at all keeps the old wording.
        var (_, unknown) = AnalyzerHarness.Analyze(CallSite.Replace("BODY", "m.Wntk(Tensor.Zeros(3, 60), null, new GroupWeights().Layer(\"Nope\", 2.0));"));
        Assert.Contains("names layer 'Nope', which 'Cnn' does not have.", Assert.Single(unknown, x => x.Id == "NTK1021").GetMessage());
    }

    [Fact]
    public void JacobianBudgetAndCostSummaryOfASpatialModel()
    {
        // P = 3·3·3·2 + 3 + 3·4 + 4 = 73; N·K·P·8 = 10^6·4·73·8 B ≈ 2.3 GB > 1024 MB.
        var (_, diagnostics) = AnalyzerHarness.Analyze(CallSite.Replace("BODY", "m.Jacobian(Tensor.Zeros(1000000, 60));"),
            severities: new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Info });
        var budget = Assert.Single(diagnostics, x => x.Id == "NTK3002");
        Assert.Contains("1000000 × 4 outputs × 73 parameters × 8 bytes", budget.GetMessage());
        var summary = Assert.Single(diagnostics, x => x.Id == "NTK3001");
        Assert.Equal("Cnn", AnalyzerHarness.At(summary));
        // Forward flops (docs/diagnostics.md#ntk3001): C 2·30·9·2·3 + 2·30·3 + 30·3 = 3510; Gap 6·5·3 + 3 = 93; Out 2·3·4 + 2·4 = 32.
        Assert.StartsWith("Cnn: 73 parameters; Forward 3.6 kFLOP per example (C 3.5 kFLOP, Gap 93 FLOP, Out 32 FLOP)", summary.GetMessage());
        // The Jacobian's bytes: N·K·P·8 = 2,336,000 B plus one row block's temporaries, so at least 2.3 MB.
        Assert.Matches(@"Jacobian at N = 1,000: [0-9.]+ [kM]FLOP, (2\.[3-9]|[3-9]\.[0-9]|[1-9][0-9]+\.[0-9]) MB$", summary.GetMessage());
    }
}
