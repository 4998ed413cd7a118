using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// NTK3001 of models declared with InputShape against the run time: the summary the analyzer prints at compile time
/// must be the text of the compiled model's own <c>Cost.Summary(1000)</c> (SpatialNetwork's cost model, which picks per
/// layer the cheaper of pixel pairs and per-example gradients). Until both used one cost model, the compile-time
/// estimate priced the pixel-pair route only (Cnn16: ≈ 67.8 GFLOP against the run time's 832.5 MFLOP).
/// </summary>
public sealed class SpatialCostSummaryTests
{
    /// <summary>The new user's Cnn16 (issue-trial reproduction).</summary>
    internal const string Cnn16 = """
        using NtkDsl;
        namespace Demo;
        [NtkModel(InputShape = new[] { 6, 6, 2 })]
        public partial class Cnn16
        {
            [Conv2D(16, 3, Activation.Relu)] public partial ConvLayer Conv { get; }
            [AvgPool2D(2)] public partial Layer Pool { get; }
            [Flatten] public partial Layer Flat { get; }
            [Dense(2)] public partial DenseLayer Out { get; }
        }
        """;

    /// <summary>The new user's residual model.</summary>
    internal const string Res16 = """
        using NtkDsl;
        namespace Demo;
        [NtkModel(InputShape = new[] { 6, 6, 2 })]
        public partial class Res16
        {
            [Conv2D(16, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
            [Conv2D(16, 3, Activation.Relu, Padding = Padding.Circular)] public partial ConvLayer C2 { get; }
            [Add(nameof(C1))] public partial Layer Skip { get; }
            [LayerNorm] public partial Layer Norm { get; }
            [GlobalAvgPool] public partial Layer Gap { get; }
            [Dense(2)] public partial DenseLayer Out { get; }
        }
        """;

    /// <summary>Strided Valid convolution, no bias, identity activations and a Dense on a 1×1 image: the gradient route and odd shapes.</summary>
    internal const string Strided = """
        using NtkDsl;
        namespace Demo;
        [NtkModel(InputShape = new[] { 9, 7, 3 })]
        public partial class Strided
        {
            [Conv2D(5, 3, Stride = 2, Padding = Padding.Valid, UseBias = false)] public partial ConvLayer C { get; }
            [AvgPool2D(2, Stride = 1, Padding = Padding.Same)] public partial Layer Pool { get; }
            [GlobalAvgPool] public partial Layer Gap { get; }
            [Dense(7, Activation.Tanh)] public partial DenseLayer Hidden { get; }
            [Dense(3, UseBias = false)] public partial DenseLayer Out { get; }
        }
        """;

    /// <summary>A flat model on a 1×1×d image (Dense without Flatten, LayerNorm on features).</summary>
    internal const string FlatImage = """
        using NtkDsl;
        namespace Demo;
        [NtkModel(InputShape = new[] { 1, 1, 12 })]
        public partial class FlatImage
        {
            [Dense(32, Activation.Erf)] public partial DenseLayer H { get; }
            [LayerNorm] public partial Layer Norm { get; }
            [Dense(4)] public partial DenseLayer Out { get; }
        }
        """;

    public static TheoryData<string, string> Models => new()
    {
        { Cnn16, "Demo.Cnn16" },
        { Res16, "Demo.Res16" },
        { Strided, "Demo.Strided" },
        { FlatImage, "Demo.FlatImage" },
        { SnapshotTests.SpatialEveryKind, "Demo.Vision.ResNetTiny" },
    };

    private static string RunTimeSummary(Compilation output, string typeName)
    {
        using var pe = new MemoryStream();
        var emit = output.Emit(pe);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var context = new AssemblyLoadContext("Cost" + typeName, isCollectible: true);
        try
        {
            var type = context.LoadFromStream(new MemoryStream(pe.ToArray())).GetType(typeName, throwOnError: true)!;
            var cost = (ModelCost)type.GetProperty("Cost", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            return cost.Summary(1000);
        }
        finally
        {
            context.Unload();
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void CompileTimeSummaryIsTheRunTimesCostSummary(string source, string typeName)
    {
        var (output, diagnostics) = AnalyzerHarness.Analyze(source, severities: new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Warn });
        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var summary = Assert.Single(diagnostics, d => d.Id == "NTK3001").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(RunTimeSummary(output, typeName), summary);
    }

    [Fact]
    public void Cnn16SummaryIsTheNewUsersRunTimeFigure()
    {
        // The run time's Cost.Summary(1000) the new user quoted (and whose 0.3 s CPU time for 1000 rows matched it);
        // the pixel-pair-only estimate said ≈ 67.8 GFLOP / 23.6 MB.
        var (_, diagnostics) = AnalyzerHarness.Analyze(Cnn16, severities: new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Warn });
        var summary = Assert.Single(diagnostics, d => d.Id == "NTK3001").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("Ntk (Trace, symmetric) at N = 1,000: 832.5 MFLOP, 52.3 MB", summary);
        Assert.DoesNotContain("≈", summary);
    }
}
