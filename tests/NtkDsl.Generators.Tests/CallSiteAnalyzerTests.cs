using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Tests;

/// <summary>NTK1020–NTK1022 and NTK3002 at call sites, NTK3001 on the model, each at the exact expression.</summary>
public sealed class CallSiteAnalyzerTests
{
    private const string Model = """
        using NtkDsl;
        namespace Demo;
        [NtkModel(Inputs = 784)]
        public partial class Net
        {
            [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
            [Dense(64, Activation.Tanh, UseBias = false)] public partial DenseLayer Narrow { get; }
            [Dense(10)] public partial DenseLayer Readout { get; }
        }
        public static class Use
        {
            public const int Rows = 5000;
            public static void Run(Net net)
            {
        """;

    private static List<Diagnostic> Diagnostics(string body, IReadOnlyDictionary<string, string>? options = null, string? id = null)
    {
        var (_, diagnostics) = AnalyzerHarness.Analyze(Model + body + "\n    }\n}\n", options);
        return diagnostics.Where(d => id is null ? d.Id.StartsWith("NTK", StringComparison.Ordinal) : d.Id == id).ToList();
    }

    [Fact]
    public void ConstantFeatureCountMismatchIsAnErrorAtTheArgument()
    {
        var d = Assert.Single(Diagnostics("var f = net.Forward(Tensor.Zeros(4, 783));"));
        Assert.Equal("NTK1020", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("Tensor.Zeros(4, 783)", AnalyzerHarness.At(d));
        Assert.Contains("expects 784 input features per row (Inputs = 784)", d.GetMessage());
        Assert.Contains("783 columns", d.GetMessage());
    }

    [Fact]
    public void MismatchIsFoundThroughLocalsArraysDTypesAndEveryInputParameter()
    {
        var ds = Diagnostics("""
            var a = Tensor.Zeros(DType.Float64, 3, 10);
            var b = Tensor.FromArray(new double[2, 5]);
            var k = net.Ntk(a, b);
            var w = net.Wntk(Tensor.Wrap(new double[6], 2, 3), null, GroupWeights.Ones);
            var j = net.Jacobian(a);
            """, id: "NTK1020");
        Assert.Equal(["a", "b", "Tensor.Wrap(new double[6], 2, 3)", "a"], ds.Select(AnalyzerHarness.At));
    }

    [Fact]
    public void NothingIsReportedWhenTheShapeIsRightOrUnknown()
    {
        Assert.Empty(Diagnostics("""
            var a = Tensor.Zeros(3, 784);
            var f = net.Forward(a);
            var n = net.Ntk(a, Tensor.Zeros(DType.Float64, 2, 784), NtkMode.Full);
            int cols = System.Environment.ProcessorCount;
            var u = net.Forward(Tensor.Zeros(3, cols));
            var r = Tensor.Zeros(3, 5);
            r = Tensor.Zeros(3, 784);
            var g = net.Forward(r);
            var t = net.Jvp(a, Tensor.Zeros(Net.Info.ParameterCount));
            """));
    }

    [Fact]
    public void UnknownGroupLayerNamesAreErrorsOnTheStringWithTheUniqueNearestName()
    {
        var ds = Diagnostics("""
            var x = Tensor.Zeros(3, 784);
            var k = net.Wntk(x, null, new GroupWeights().Weights("Hiden", 2.0).Bias("Readout", 0.5));
            var gw = new GroupWeights(0.5).Layer("Readot", 1.0);
            gw.Weights("Zzz", 3.0);
            var k2 = net.Wntk(x, null, gw, NtkMode.Full);
            """, id: "NTK1021");
        Assert.Equal(["\"Hiden\"", "\"Readot\"", "\"Zzz\""], ds.Select(AnalyzerHarness.At));
        Assert.Contains("which 'Net' does not have. Did you mean 'Hidden'? Layers with parameters", ds[0].GetMessage());
        Assert.Equal("Hidden", ds[0].Properties[NtkDsl.Generators.Analysis.CallSiteAnalyzer.SuggestionKey]);
        Assert.Equal("Readout", ds[1].Properties[NtkDsl.Generators.Analysis.CallSiteAnalyzer.SuggestionKey]);
        Assert.EndsWith("unless UseBias = false): Hidden, Narrow, Readout.", ds[2].GetMessage());
        // "Zzz" is 3+ edits from every layer: no suggestion and no code fix.
        Assert.False(ds[2].Properties.ContainsKey(NtkDsl.Generators.Analysis.CallSiteAnalyzer.SuggestionKey));
        Assert.DoesNotContain("Did you mean", ds[2].GetMessage());
    }

    [Fact]
    public void AnAmbiguousNearestNameGivesNoSuggestion()
    {
        // "Narrox" is one edit from "Narrow"; "Xidden"-like ties: "Readoux"/"Readout" vs nothing else — use a name equally far from two layers.
        var ds = Diagnostics("""var k = net.Wntk(Tensor.Zeros(2, 784), null, new GroupWeights().Weights("Qqqqqq", 1.0));""", id: "NTK1021");
        var d = Assert.Single(ds);
        Assert.False(d.Properties.ContainsKey(NtkDsl.Generators.Analysis.CallSiteAnalyzer.SuggestionKey));
        Assert.DoesNotContain("Did you mean", d.GetMessage());
    }

    [Fact]
    public void BiasOfABiasFreeLayerIsAnError()
    {
        var ds = Diagnostics("""
            var x = Tensor.Zeros(3, 784);
            var k = net.Wntk(x, null, new GroupWeights().Bias("Narrow", 2.0).Weights("Narrow", 1.0).Set("Narrow", ParameterKind.Bias, 1.0).Layer("Narrow", 3.0));
            """, id: "NTK1022");
        Assert.Equal(3, ds.Count);
        Assert.All(ds, d => Assert.Equal("\"Narrow\"", AnalyzerHarness.At(d)));
        Assert.Contains("UseBias = false", ds[0].GetMessage());
    }

    [Fact]
    public void JacobianOverTheBudgetWarnsWithTheFigures()
    {
        // 5000 × 10 × P × 8 bytes with P = 784·512 + 512 + 512·64 + 64·10 + 10 = 435,338 → 174 GB.
        const long p = 784 * 512 + 512 + 512 * 64 + 64 * 10 + 10;
        var d = Assert.Single(Diagnostics("var j = net.Jacobian(Tensor.Zeros(Rows, 784));", id: "NTK3002"));
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Tensor.Zeros(Rows, 784)", AnalyzerHarness.At(d));
        Assert.Contains($"5000 × 10 outputs × {p} parameters × 8 bytes", d.GetMessage());
        Assert.Contains(ModelCost.FormatBytes(5000L * 10 * p * 8), d.GetMessage());
        Assert.Contains("NtkDslMemoryBudgetMB = 1024 MB", d.GetMessage());
    }

    [Fact]
    public void TheBudgetComesFromTheMsBuildProperty()
    {
        const long p = 784 * 512 + 512 + 512 * 64 + 64 * 10 + 10;
        // 2 rows: 2·10·P·8 = 69.7 MB. Under the default 1024 MB, over a budget of 50 MB, under 70 MB.
        string body = "var j = net.Jacobian(Tensor.Zeros(2, 784));";
        Assert.InRange(2L * 10 * p * 8, 50L * 1024 * 1024, 70L * 1024 * 1024);
        Assert.Empty(Diagnostics(body, id: "NTK3002"));
        Assert.Single(Diagnostics(body, new Dictionary<string, string> { ["build_property.NtkDslMemoryBudgetMB"] = "50" }, "NTK3002"));
        Assert.Empty(Diagnostics(body, new Dictionary<string, string> { ["build_property.NtkDslMemoryBudgetMB"] = "70" }, "NTK3002"));
        // An invalid value falls back to the default.
        Assert.Empty(Diagnostics(body, new Dictionary<string, string> { ["build_property.NtkDslMemoryBudgetMB"] = "lots" }, "NTK3002"));
    }

    [Fact]
    public void CostSummaryIsOffByDefaultAndMatchesTheRuntimeCostWhenEnabled()
    {
        string source = Model + "}\n}\n";
        Assert.DoesNotContain(AnalyzerHarness.Analyze(source).Diagnostics, d => d.Id == "NTK3001");
        var (_, diagnostics) = AnalyzerHarness.Analyze(source, severities: new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Info });
        var d = Assert.Single(diagnostics, d => d.Id == "NTK3001");
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Equal("Net", AnalyzerHarness.At(d));
        // The same figures as the run-time ModelCost of the same architecture.
        var info = new ModelInfo("Net", 784, Parameterization.Ntk, Precision.Float64,
        [
            new LayerInfo("Hidden", "Dense", 784, 512, Activation.Relu, "Relu", 1, 1, true, 0, 784 * 512),
            new LayerInfo("Narrow", "Dense", 512, 64, Activation.Tanh, "Tanh", 1, 1, false, 784 * 512 + 512, -1),
            new LayerInfo("Readout", "Dense", 64, 10, Activation.Identity, "Identity", 1, 1, true, 784 * 512 + 512 + 512 * 64, 784 * 512 + 512 + 512 * 64 + 640),
        ]);
        Assert.Equal(new ModelCost(info).Summary(1000), d.GetMessage());
    }

    [Fact]
    public void FiguresBeyondSixtyFourBitsAreSaidPlainlyAndNeverCrashTheAnalyzers()
    {
        // P = 2,000,000,000·1 + 1 + 1·600,000 + 600,000 = 2,001,200,001 (< 2³¹); J at N = 1000 is 1000·600,000·P·8
        // ≈ 9.6·10¹⁸ bytes > 2⁶³ − 1 ≈ 9.22·10¹⁸: the NTK3001 summary and NTK3002's J bytes overflow a 64-bit count.
        const long p = 2_000_000_000L + 1 + 600_000 + 600_000;
        Assert.True((double)1000 * 600_000 * p * 8 > long.MaxValue);
        const string source = """
            using NtkDsl;
            namespace Demo;
            [NtkModel(Inputs = 2000000000)]
            public partial class Huge
            {
                [Dense(1, Activation.Relu)] public partial DenseLayer H { get; }
                [Dense(600000)] public partial DenseLayer Out { get; }
            }
            public static class Use
            {
                public static void Run(Huge net) { var j = net.Jacobian(Tensor.Zeros(1000, 2000000000)); }
            }
            """;
        var (_, diagnostics) = AnalyzerHarness.Analyze(source, severities: new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Info });
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var summary = Assert.Single(diagnostics, d => d.Id == "NTK3001");
        Assert.Equal(
            "Huge: 2,001,200,001 parameters; the Ntk or Jacobian cost at N = 1,000 does not fit a 64-bit count (a flop or byte figure exceeds 9,223,372,036,854,775,807)",
            summary.GetMessage());
        // J bytes saturate: certainly over the budget, reported (before, the wrapped count could fall under it).
        var over = Assert.Single(diagnostics, d => d.Id == "NTK3002");
        Assert.Contains("9.2 EB", over.GetMessage());
    }

    [Fact]
    public void AWidthlessModelGetsNoCostSummaryEvenWhenEnabled()
    {
        // Declared without Inputs, its parameter count and every cost figure depend on d, known only at run time
        // (README "The compile-time cost summary", docs/dsl.md): NTK3001 stays silent while the declared twin reports.
        const string layers = "[Dense(16, Activation.Relu)] public partial DenseLayer Hidden { get; }\n[Dense(1)] public partial DenseLayer Out { get; }\n}\n";
        var enabled = new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Info };
        var (_, widthless) = AnalyzerHarness.Analyze("using NtkDsl;\nnamespace Demo;\n[NtkModel]\npublic partial class AnyWidth\n{\n" + layers, severities: enabled);
        Assert.DoesNotContain(widthless, d => d.Id == "NTK3001");
        var (_, declared) = AnalyzerHarness.Analyze("using NtkDsl;\nnamespace Demo;\n[NtkModel(Inputs = 13)]\npublic partial class Declared\n{\n" + layers, severities: enabled);
        Assert.Single(declared, d => d.Id == "NTK3001");
    }
}
