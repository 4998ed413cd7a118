using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// Valid declarations that used to crash the generator (CS8785) or make its code fail to compile (issue 13 items 6–8):
/// each now generates every model, and the generated files have no diagnostic of warning severity or above with every
/// compiler warning enabled (warning level 9999, nullable on). NetAnalyzers (AnalysisMode=All) skip files marked
/// &lt;auto-generated/&gt;, so compiler warnings are the ones generated code can raise in a user's build.
/// </summary>
public sealed class GeneratedCodeCompilesTests
{
    private static readonly CSharpCompilationOptions AllWarnings = new(OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, warningLevel: 9999);

    public static TheoryData<string, string, int> Valid => new()
    {
        // Item 6: crashes.
        { "namespace @event", "namespace @event; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } }", 1 },
        { "namespace keywords", "namespace @class.@int { [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } } }", 1 },
        { "names differing in case", "[NtkModel(Inputs = 3)] public partial class Mlp { [Dense(2)] public partial DenseLayer A { get; } } [NtkModel(Inputs = 3)] public partial class MLP { [Dense(2)] public partial DenseLayer A { get; } }", 2 },
        { "namespaces differing in case", "namespace Demo { [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } } } namespace demo { [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } } }", 2 },
        // Item 7: generated code that did not compile.
        { "layer without accessibility", "[NtkModel(Inputs = 3)] public partial class M { [Dense(1)] partial DenseLayer Out { get; } }", 1 },
        { "mixed accessibility", "[NtkModel(Inputs = 3)] public partial class M { [Dense(4)] protected internal partial DenseLayer A { get; } [Dense(3)] private protected partial DenseLayer B { get; } [Dense(1)] internal partial DenseLayer Out { get; } }", 1 },
        { "activation method named like a generated one", "[NtkModel(Inputs = 3)] public partial class M { static double HiddenActivation(double x) => x * x; static double HiddenDerivative(double x) => 2 * x; [Dense(2, Activation.Custom, ActivationMethod = nameof(HiddenActivation))] public partial DenseLayer Hidden { get; } [Dense(1)] public partial DenseLayer Out { get; } }", 1 },
        { "layers Abc and abc", "[NtkModel(Inputs = 3)] public partial class M { [Dense(2, Activation.Tanh)] public partial DenseLayer Abc { get; } [Dense(2)] public partial DenseLayer abc { get; } }", 1 },
        { "layer named _", "[NtkModel(Inputs = 3)] public partial class M { [Dense(2, Activation.Tanh)] public partial DenseLayer _ { get; } [Dense(2)] public partial DenseLayer B { get; } }", 1 },
        { "layers named like generated locals", "[NtkModel(Inputs = 3)] public partial class M { [Dense(2, Activation.Gelu)] public partial DenseLayer h { get; } [Dense(2, Activation.Relu)] public partial DenseLayer copy { get; } [Dense(2)] public partial DenseLayer sampler { get; } }", 1 },
        { "class @class", "[NtkModel(Inputs = 3)] public partial class @class { [Dense(2, Activation.Relu)] public partial DenseLayer @int { get; } [Dense(1)] public partial DenseLayer @event { get; } }", 1 },
        { "virtual layer", "[NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public virtual partial DenseLayer A { get; } }", 1 },
        { "override and new layers", "public class B { public virtual DenseLayer? A => null; public DenseLayer? C => null; } [NtkModel(Inputs = 3)] public partial class M : B { [Dense(2)] public override partial DenseLayer A { get; } [Dense(1)] public new partial DenseLayer C { get; } }", 1 },
        { "unsafe layer", "[NtkModel(Inputs = 3)] public unsafe partial class M { [Dense(2)] public unsafe partial DenseLayer A { get; } }", 1 },
        { "activation method with an in parameter and a keyword name", "[NtkModel(Inputs = 3)] public partial class M { static double @double(in double x) => x * x; [Dense(2, Activation.Custom, ActivationMethod = nameof(@double))] public partial DenseLayer A { get; } }", 1 },
        { "containers", "public ref partial struct R { [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } } } public partial record struct S(int X) { [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } } } public partial class @base { [NtkModel(Inputs = 3)] private partial class M { [Dense(2)] public partial DenseLayer A { get; } } }", 3 },
        { "base with protected constructor", "public abstract class B { protected B() { } } [NtkModel(Inputs = 3)] public sealed partial class M : B { [Dense(2)] public partial DenseLayer A { get; } }", 1 },
        // Item 8: one linear layer (CS0168), and every activation as the output layer.
        { "single linear layer", "[NtkModel(Inputs = 3)] public partial class M { [Dense(1)] public partial DenseLayer Out { get; } }", 1 },
        { "single layer, no bias, float32", "[NtkModel(Inputs = 3, Precision = Precision.Float32)] public partial class M { [Dense(2, UseBias = false)] public partial DenseLayer Out { get; } }", 1 },
        { "every activation", "[NtkModel(Inputs = 3, Parameterization = Parameterization.Standard, OutputScale = 2.0, Centered = true)] public partial class M { static double F(double x) => Math.Exp(-x * x); [Dense(2, Activation.Relu)] public partial DenseLayer A { get; } [Dense(2, Activation.LeakyRelu)] public partial DenseLayer B { get; } [Dense(2, Activation.Abs)] public partial DenseLayer C { get; } [Dense(2, Activation.Erf)] public partial DenseLayer D { get; } [Dense(2, Activation.Tanh)] public partial DenseLayer E { get; } [Dense(2, Activation.Sigmoid)] public partial DenseLayer G { get; } [Dense(2, Activation.Gelu)] public partial DenseLayer H { get; } [Dense(2, Activation.Softplus)] public partial DenseLayer I { get; } [Dense(2, Activation.Sin)] public partial DenseLayer J { get; } [Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer K { get; } }", 1 },
        { "nonlinear output", "[NtkModel(Inputs = 3)] public partial class M { [Dense(1, Activation.Tanh)] public partial DenseLayer Out { get; } }", 1 },
    };

    [Theory, MemberData(nameof(Valid))]
    public void GeneratesEveryModelWithoutAnyWarning(string name, string declaration, int models)
    {
        var compilation = GeneratorHarness.Compilation("using System;\nusing NtkDsl;\n" + declaration).WithOptions(AllWarnings);
        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.True(generatorDiagnostics.IsEmpty, name + ": " + string.Join("; ", generatorDiagnostics));
        Assert.Equal(models, run.Results.Single().GeneratedSources.Count(s => s.HintName.EndsWith(".Ntk.g.cs", StringComparison.Ordinal)));
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, name + ":\n" + string.Join("\n", problems));
    }

    [Fact]
    public void AModelAndARejectedGenericNamesakeDoNotShareAHintName()
    {
        // The stub of M<T> (NTK1009) and the model M both used to be "M.Model.g.cs": CS8785, and neither was generated.
        var run = GeneratorHarness.Generate("using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } } [NtkModel(Inputs = 3)] public partial class M<T> { [Dense(2)] public partial DenseLayer A { get; } }");
        Assert.Equal("NTK1009", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Single(run.Result.Results.Single().GeneratedSources, s => s.HintName.EndsWith(".Ntk.g.cs", StringComparison.Ordinal));
        Assert.Empty(run.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void HintNamesAreUniqueIgnoringCaseAndNeverContainAnEscape()
    {
        var run = GeneratorHarness.Generate("using NtkDsl; namespace @event { [NtkModel(Inputs = 1)] public partial class Mlp { [Dense(1)] public partial DenseLayer A { get; } } [NtkModel(Inputs = 1)] public partial class MLP { [Dense(1)] public partial DenseLayer A { get; } } [NtkModel(Inputs = 1)] public partial class mlp { [Dense(1)] public partial DenseLayer A { get; } } }");
        var hints = run.Result.Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
        Assert.Equal(15, hints.Count); // 3 models × (Model, Ntk, Analytic, Cost, Cuda)
        Assert.Equal(15, hints.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(hints, h => Assert.Matches("^[A-Za-z0-9_.]+$", h));
    }

    /// <summary>
    /// Every member the generator declares in the model class is public API listed in ModelParser.ReservedNames (checked
    /// against user names: NTK1012/NTK1025), a layer, the constructor, an explicit interface implementation, or starts
    /// with the reserved prefix — so a generated name can never silently collide with a user's.
    /// </summary>
    [Fact]
    public void EveryGeneratedMemberNameIsReservedOrPrefixed()
    {
        string[] layers = ["Hidden1", "Hidden2", "Readout", "Hidden", "Features", "Probabilities", "Smooth", "Out"];
        foreach (var source in new[] { SnapshotTests.Mlp, SnapshotTests.Custom, SnapshotTests.StandardNoBias, SnapshotTests.NestedFloat32, SnapshotTests.Widthless })
        {
            var run = GeneratorHarness.Generate(source);
            foreach (var tree in run.Result.GeneratedTrees)
            {
                var model = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Last(c => c.Members.Count > 0 && c.Parent is not ClassDeclarationSyntax { Identifier.Text: "Outer" } || c.Identifier.Text == "Classifier");
                foreach (var member in model.Members)
                {
                    string? memberName = member switch
                    {
                        MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } m => m.Identifier.Text,
                        PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } p => p.Identifier.Text,
                        FieldDeclarationSyntax f => f.Declaration.Variables[0].Identifier.Text,
                        BaseTypeDeclarationSyntax t => t.Identifier.Text,
                        _ => null,
                    };
                    if (memberName is null || layers.Contains(memberName)) continue;
                    bool widthless = source == SnapshotTests.Widthless && Generators.Parsing.ModelParser.WidthlessReservedNames.Contains(memberName);
                    Assert.True(widthless || Generators.Parsing.ModelParser.ReservedNames.Contains(memberName) || memberName.StartsWith(Generators.Emit.Names.Reserved, StringComparison.Ordinal),
                        $"{tree.FilePath}: generated member '{memberName}' is neither in ModelParser.ReservedNames nor prefixed with '{Generators.Emit.Names.Reserved}'");
                }
            }
        }
    }

    [Fact]
    public void CostAnalyzerSkipsAModelWithTooManyParametersInsteadOfCrashing()
    {
        // Used to throw OverflowException in the checked sums of NTK3001 (AD0001); the generator reports NTK1015.
        var (_, diagnostics) = AnalyzerHarness.Analyze(
            "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(int.MaxValue)] public partial DenseLayer A { get; } [Dense(int.MaxValue)] public partial DenseLayer B { get; } }"
            + " public static class U { public static void R(M m) { m.Jacobian(Tensor.Zeros(10, 3)); } }",
            severities: new Dictionary<string, ReportDiagnostic> { ["NTK3001"] = ReportDiagnostic.Info });
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        Assert.DoesNotContain(diagnostics, d => d.Id is "NTK3001" or "NTK3002");
    }
}
