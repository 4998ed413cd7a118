using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// New-user trial item 2: a model with any error diagnostic gets no NTK3001 cost summary (the generator emits nothing
/// for it, docs/diagnostics.md), and the call-site analyzers stay silent on it too. Before, a Dense model with a
/// [Conv2D] layer got NTK1041 plus a summary that left the Conv2D out, while NTK1003/NTK1005 models got none.
/// </summary>
public sealed class CostSummaryOnErrorTests
{
    private static readonly Dictionary<string, ReportDiagnostic> Enabled = new() { ["NTK3001"] = ReportDiagnostic.Info };

    private static string Model(string attribute, string layers) =>
        "using NtkDsl;\nnamespace Demo;\n[NtkModel(" + attribute + ")]\npublic partial class Bad\n{\n" + layers + "}\n" +
        "public static class Use\n{\n    public static void Run() { var m = new Bad(0); var k = m.Ntk(Tensor.Zeros(2, 7)); }\n}\n";

    private const string Out = "[Dense(1)] public partial DenseLayer Out { get; }\n";

    [Theory]
    [InlineData("Inputs = 3, Precision = Precision.Float32", "[Conv2D(2, 3)] public partial Conv2DLayer C { get; }\n" + Out, "NTK1041")]
    [InlineData("Inputs = 3", "[Dense(0, Activation.Relu)] public partial DenseLayer Hidden { get; }\n" + Out, "NTK1003")]
    [InlineData("Inputs = 3", "[Dense(4, Activation.Relu, WeightStd = -1.0)] public partial DenseLayer Hidden { get; }\n" + Out, "NTK1005")]
    [InlineData("Inputs = 3, WeightStd = double.NaN", "[Dense(4, Activation.Relu)] public partial DenseLayer Hidden { get; }\n" + Out, "NTK1005")]
    [InlineData("Inputs = 3", "[Dense(4, Activation.Relu)] public partial DenseLayer Hidden { get; }\n[Dense(4)] public partial DenseLayer Hidden2 { get; }\n" +
        "[Dense(1)] public partial DenseLayer Hidden { get; }\n", null)]
    public void AModelWithAnErrorGetsNoCostSummaryNorCallSiteDiagnostics(string attribute, string layers, string? errorId)
    {
        string source = Model(attribute, layers);
        var run = GeneratorHarness.Generate(source);
        var errors = run.GeneratorDiagnostics.Concat(run.CompileDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.NotEmpty(errors);
        if (errorId is not null) Assert.Contains(errors, d => d.Id == errorId);
        var (_, analyzed) = AnalyzerHarness.Analyze(source, severities: Enabled);
        // No cost summary, and no call-site figure (NTK1020 on the 7-column input, NTK3002) for a model that was not generated.
        Assert.DoesNotContain(analyzed, d => d.Id is "NTK3001" or "NTK1020" or "NTK3002");
    }

    [Fact]
    public void TheValidTwinStillGetsItsSummaryAndCallSiteCheck()
    {
        string source = Model("Inputs = 3", "[Dense(4, Activation.Relu)] public partial DenseLayer Hidden { get; }\n" + Out);
        var run = GeneratorHarness.Generate(source);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var (_, analyzed) = AnalyzerHarness.Analyze(source, severities: Enabled);
        var summary = Assert.Single(analyzed, d => d.Id == "NTK3001");
        Assert.StartsWith("Bad: 21 parameters", summary.GetMessage(), StringComparison.Ordinal); // 3·4 + 4 + 4·1 + 1
        Assert.Single(analyzed, d => d.Id == "NTK1020"); // 7 columns for a model of 3 inputs
    }
}
