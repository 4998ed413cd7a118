using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Tests;

/// <summary>Each diagnostic: its ID, the exact text it points at, and no generated code for the invalid model.</summary>
public sealed class DiagnosticTests
{
    private static (Diagnostic Diagnostic, GeneratorHarness.Run Run) Single(string id, string body, string header = "[NtkModel(Inputs = 3)]", string modifiers = "public partial class")
    {
        string source = $$"""
            using System;
            using NtkDsl;
            namespace Demo;
            {{header}}
            {{modifiers}} M
            {
            {{body}}
            }
            """;
        var run = GeneratorHarness.Generate(source);
        var hits = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(hits.Count == 1, $"expected one {id}, got: {string.Join("; ", run.GeneratorDiagnostics)}");
        return (hits[0], run);
    }

    private static string At(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    /// <summary>
    /// The model got no generated implementation: at most the stub of its [Dense] properties, which must compile, so
    /// that the user sees the NTK diagnostic and no CS9248 cascade.
    /// </summary>
    internal static void NoModelCode(GeneratorHarness.Run run, bool stubPossible = true)
    {
        var sources = run.Result.Results.Single().GeneratedSources.Where(s => s.HintName.StartsWith("Demo.M.", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(sources, s => s.SourceText.ToString().Contains("INtkModel", StringComparison.Ordinal));
        if (stubPossible) Assert.DoesNotContain(run.CompileDiagnostics, d => d.Id == "CS9248");
        Assert.DoesNotContain(run.CompileDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
    }

    private const string Ok = "[Dense(2)] public partial DenseLayer Out { get; }";

    [Fact]
    public void NotPartial()
    {
        var (d, run) = Single("NTK1001", Ok.Replace("partial ", ""), modifiers: "public class");
        Assert.Equal("M", At(d));
        Assert.Contains("partial", d.GetMessage());
        NoModelCode(run);
    }

    [Fact]
    public void NotPartialWithPartialLayersGetsOneCompilerErrorInsteadOfTwoPerLayer()
    {
        // Used to add CS0751 and CS9248 per partial layer property. The stub's part makes the compiler report one
        // CS0260 ("missing partial modifier", NTK1001's own fix) on the class instead.
        var (d, run) = Single("NTK1001", "[Dense(4)] public partial DenseLayer H { get; }\n" + Ok, modifiers: "public class");
        Assert.Equal("M", At(d));
        var error = Assert.Single(run.CompileDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0260", error.Id);
        Assert.Equal("M", At(error));
        NoModelCode(run);
    }

    [Fact]
    public void NoLayersWithAnUnattributedLayerPropertyHasNoCompilerError()
    {
        // The property lacks [Dense]: NTK1002 says so; it used to come with CS9248 for the property as well.
        var (d, run) = Single("NTK1002", "public partial DenseLayer Out { get; }\npublic partial Layer Flat { get; }");
        Assert.Equal("M", At(d));
        Assert.DoesNotContain(run.CompileDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
        NoModelCode(run);
    }

    [Fact]
    public void NoLayers()
    {
        var (d, run) = Single("NTK1002", "public int X { get; set; }");
        Assert.Equal("M", At(d));
        NoModelCode(run);
    }

    [Fact]
    public void NonPositiveWidth()
    {
        var (d, run) = Single("NTK1003", "[Dense(0, Activation.Relu)] public partial DenseLayer H { get; }\n" + Ok);
        Assert.Equal("0", At(d));
        Assert.Contains("'H'", d.GetMessage());
        NoModelCode(run);
    }

    [Fact]
    public void NonPositiveInputs()
    {
        var (d, _) = Single("NTK1004", Ok, header: "[NtkModel(Inputs = -2)]");
        Assert.Equal("Inputs = -2", At(d));
        // Neither Inputs nor InputShape is a width-less model (WidthlessGeneratorTests), not "Inputs = 0".
        var run = GeneratorHarness.Generate("using NtkDsl;\nnamespace Demo;\n[NtkModel]\npublic partial class M\n{\n" + Ok + "\n}\n");
        Assert.Empty(run.GeneratorDiagnostics);
    }

    [Fact]
    public void NegativeStd()
    {
        var (d, _) = Single("NTK1005", "[Dense(2, WeightStd = -1.0)] public partial DenseLayer Out { get; }");
        Assert.Equal("WeightStd = -1.0", At(d));
        var (m, _) = Single("NTK1005", Ok, header: "[NtkModel(Inputs = 3, BiasStd = double.PositiveInfinity)]");
        Assert.Equal("BiasStd = double.PositiveInfinity", At(m));
    }

    [Fact]
    public void CustomActivationMissing()
    {
        var (d, _) = Single("NTK1006", "[Dense(2, Activation.Custom, ActivationMethod = \"Nope\")] public partial DenseLayer Out { get; }");
        Assert.Equal("ActivationMethod = \"Nope\"", At(d));
        Assert.Contains("no method named 'Nope'", d.GetMessage());
        var (noName, _) = Single("NTK1006", "[Dense(2, Activation.Custom)] public partial DenseLayer Out { get; }");
        Assert.Contains("needs ActivationMethod", noName.GetMessage());
        var (wrongSig, _) = Single("NTK1006", "static float F(float x) => x;\n[Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer Out { get; }");
        Assert.Contains("static double F(double x)", wrongSig.GetMessage());
    }

    [Theory]
    [InlineData("public DenseLayer Out { get; } = null!;", "not a partial property")]
    [InlineData("public partial int Out { get; }", "its type is int")]
    [InlineData("public partial DenseLayer Out { get; set; }", "it has a setter")]
    [InlineData("public static partial DenseLayer Out { get; }", "it is static")]
    public void InvalidLayerMember(string declaration, string reason)
    {
        var (d, run) = Single("NTK1008", "[Dense(2)] " + declaration);
        Assert.Equal("Out", At(d));
        Assert.Contains(reason, d.GetMessage());
        NoModelCode(run);
    }

    [Fact]
    public void GenericModel()
    {
        var (d, run) = Single("NTK1009", Ok, modifiers: "public partial class G<T> { } public partial class");
        Assert.Equal("G", At(d)); // the attribute sits on G<T>
        NoModelCode(run, stubPossible: false); // M (not a model) has a partial property without implementation: CS9248 is right
        string nested = """
            using NtkDsl;
            public partial class Outer<T>
            {
                [NtkModel(Inputs = 1)] public partial class Inner { [Dense(1)] public partial DenseLayer Out { get; } }
            }
            """;
        var run2 = GeneratorHarness.Generate(nested);
        var generic = Assert.Single(run2.GeneratorDiagnostics, x => x.Id == "NTK1009");
        Assert.Equal("Outer", At(generic)); // the generic type is the declaration to change, and the message names it
        Assert.StartsWith("'Outer' is generic", generic.GetMessage());
    }

    [Fact]
    public void NonPartialContainingTypeIsReportedOnItsOwnIdentifier()
    {
        // Used to name 'Outer' but sit on Inner's identifier.
        string nested = """
            using NtkDsl;
            namespace Demo;
            public class Outer
            {
                [NtkModel(Inputs = 1)] public partial class Inner { [Dense(1)] public partial DenseLayer Out { get; } }
            }
            """;
        var run = GeneratorHarness.Generate(nested);
        var d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == "NTK1001");
        Assert.Equal("Outer", At(d));
        Assert.StartsWith("'Outer' must be declared partial", d.GetMessage());
        // Inner's layer is implemented by the stub: no CS9248, only the compiler's CS0260 on Outer (same fix).
        var error = Assert.Single(run.CompileDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0260", error.Id);
        Assert.Equal("Outer", At(error));
    }

    [Fact]
    public void NonDifferentiableCustomActivationPointsAtTheConstruct()
    {
        var (d, run) = Single("NTK1007", "static double F(double x) => x * Math.Floor(x);\n[Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer Out { get; }",
            header: "[NtkModel(Inputs = 3)]");
        Assert.Equal("Math.Floor(x)", At(d));
        Assert.Contains("Math.Floor", d.GetMessage());
        NoModelCode(run);
    }

    [Fact]
    public void CustomActivationBodyMustBeOneExpression()
    {
        var (d, _) = Single("NTK1013", "static double F(double x) { var y = x * 2; return y; }\n[Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer Out { get; }");
        Assert.Contains("'F'", d.GetMessage());
    }

    [Fact]
    public void ActivationMethodIgnoredIsAWarning()
    {
        var (d, run) = Single("NTK1010", "static double F(double x) => x;\n[Dense(2, Activation.Relu, ActivationMethod = nameof(F))] public partial DenseLayer Out { get; }");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("ActivationMethod = nameof(F)", At(d));
        Assert.NotEmpty(run.Result.Results.Single().GeneratedSources); // warnings still generate
    }

    [Fact]
    public void LeakySlopeOnAnotherActivationIsAWarning()
    {
        var (d, run) = Single("NTK1026", "[Dense(2, Activation.Relu, LeakySlope = 0.2)] public partial DenseLayer Out { get; }");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("LeakySlope = 0.2", At(d));
        Assert.Contains("its activation is Relu", d.GetMessage());
        Assert.NotEmpty(run.Result.Results.Single().GeneratedSources); // warnings still generate
    }

    [Fact]
    public void NonFiniteLeakySlope()
    {
        var (d, _) = Single("NTK1011", "[Dense(2, Activation.LeakyRelu, LeakySlope = double.NaN)] public partial DenseLayer Out { get; }");
        Assert.Equal("LeakySlope = double.NaN", At(d));
    }

    [Fact]
    public void ReservedLayerName()
    {
        var (d, _) = Single("NTK1012", "[Dense(2)] public partial DenseLayer Forward { get; }");
        Assert.Equal("Forward", At(d));
        Assert.Contains("collides with the generated member 'Forward'", d.GetMessage());
        var (prefixed, _) = Single("NTK1012", "[Dense(2)] public partial DenseLayer __ntkX { get; }");
        Assert.Equal("__ntkX", At(prefixed));
        // No member __ntkX is generated: the message names the reserved prefix, not a collision.
        Assert.Contains("prefix '__ntk', which is reserved", prefixed.GetMessage());
        Assert.DoesNotContain("collides", prefixed.GetMessage());
    }

    [Fact]
    public void ClosedFormOnlyRejectsQuadratureActivations()
    {
        var (d, _) = Single("NTK1014", "[Dense(4, Activation.Tanh)] public partial DenseLayer H { get; }\n" + Ok,
            header: "[NtkModel(Inputs = 3, AnalyticKernels = AnalyticKernels.ClosedFormOnly)]");
        Assert.Equal("Activation.Tanh", At(d));
    }

    [Fact]
    public void ClosedFormOnlyAcceptsSinWhichHasAClosedForm()
    {
        // Sin's dual kernels are closed forms (SinDual), so ClosedFormOnly must not reject it, and no quadrature
        // engine (AdaptiveDual) may be emitted for it.
        var run = GeneratorHarness.Generate("""
            using NtkDsl;
            namespace Demo;
            [NtkModel(Inputs = 3, AnalyticKernels = AnalyticKernels.ClosedFormOnly)]
            public partial class M
            {
                [Dense(4, Activation.Sin)] public partial DenseLayer H { get; }
                [Dense(2)] public partial DenseLayer Out { get; }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        string analytic = run.Result.Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith(".Analytic.g.cs", StringComparison.Ordinal)).SourceText.ToString();
        Assert.Contains("global::NtkDsl.Analytic.SinDual.Dual(", analytic);
        Assert.DoesNotContain("AdaptiveDual", analytic);
    }

    [Fact]
    public void TooManyParameters()
    {
        var (d, _) = Single("NTK1015", "[Dense(100000)] public partial DenseLayer H { get; }\n[Dense(100000)] public partial DenseLayer Out { get; }");
        Assert.Contains("10000", d.GetMessage());
    }

    [Fact]
    public void UndefinedEnumValue()
    {
        var (d, _) = Single("NTK1016", "[Dense(2, (Activation)42)] public partial DenseLayer Out { get; }");
        Assert.Equal("(Activation)42", At(d));
    }

    [Fact]
    public void OutputScaleMustBeFiniteAndNonZero()
    {
        var (d, run) = Single("NTK1018", Ok, header: "[NtkModel(Inputs = 3, OutputScale = 0.0)]");
        Assert.Equal("OutputScale = 0.0", At(d));
        NoModelCode(run);
    }

    [Fact]
    public void StaticOrAbstractModel()
    {
        var (d, _) = Single("NTK1017", Ok, modifiers: "public abstract partial class");
        Assert.Contains("abstract", d.GetMessage());
    }

    [Fact]
    public void AnExceptionInsideTheGeneratorBecomesNtk2001NotCs8785()
    {
        NtkDsl.Generators.Parsing.ModelParser.FaultInjection = name => name == "M" ? new InvalidOperationException("injected fault") : null;
        try
        {
            var (d, run) = Single("NTK2001", Ok);
            Assert.Equal("M", At(d));
            Assert.Contains("InvalidOperationException: injected fault", d.GetMessage());
            Assert.DoesNotContain(run.GeneratorDiagnostics, x => x.Id == "CS8785");
            Assert.All(run.Result.Results, r => Assert.Null(r.Exception));
            NoModelCode(run);
        }
        finally
        {
            NtkDsl.Generators.Parsing.ModelParser.FaultInjection = null;
        }
    }

    [Fact]
    public void EveryDescriptorHasAHelpLinkAndIsDocumented()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "diagnostics.md"));
        var releases = File.ReadAllText(Path.Combine(RepoRoot(), "generators", "NtkDsl.Generators", "AnalyzerReleases.Unshipped.md"));
        foreach (var d in NtkDsl.Generators.Diagnostics.Descriptors.Every)
        {
            Assert.EndsWith("#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.Contains("## " + d.Id, doc);
            Assert.Contains(d.Id + " |", releases);
        }
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtkDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root (NtkDsl.sln) not found above " + AppContext.BaseDirectory);
    }
}
