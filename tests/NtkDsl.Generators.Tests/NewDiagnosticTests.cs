using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// The diagnostics added for issue 13 (NTK1019, NTK1023–NTK1025 and the new NTK1005/1006/1008/1012 cases), each with
/// its exact span, and the misleading diagnostics it removed (cascading CS9248, "width 0" after a typo).
/// </summary>
public sealed class NewDiagnosticTests
{
    private static GeneratorHarness.Run Run(string declaration) => GeneratorHarness.Generate("using System;\nusing NtkDsl;\nnamespace Demo;\n" + declaration);

    private static Diagnostic One(GeneratorHarness.Run run, string id, bool stubPossible = true)
    {
        var hits = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(hits.Count == 1, $"expected one {id}, got: {string.Join("; ", run.GeneratorDiagnostics)}");
        DiagnosticTests.NoModelCode(run, stubPossible);
        return hits[0];
    }

    private static string At(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    private const string Layer = "[Dense(2)] public partial DenseLayer Out { get; }";

    [Fact]
    public void PartialRecordIsReportedNotIgnored()
    {
        var d = One(Run("[NtkModel(Inputs = 3)] public partial record M { " + Layer + " }"), "NTK1019");
        Assert.Equal("record", At(d));
    }

    [Fact]
    public void FileLocalModel()
    {
        // No other file can implement a file-local type's partial property, so CS9248 stays beside NTK1023.
        var d = One(Run("[NtkModel(Inputs = 3)] file partial class M { " + Layer + " }"), "NTK1023", stubPossible: false);
        Assert.Equal("file", At(d));
        var nested = One(Run("file partial class Outer { [NtkModel(Inputs = 3)] public partial class M { " + Layer + " } }"), "NTK1023", stubPossible: false);
        Assert.Equal("file", At(nested));
    }

    [Fact]
    public void PrimaryConstructor()
    {
        var d = One(Run("[NtkModel(Inputs = 3)] public partial class M(int q) { public int Q => q; " + Layer + " }"), "NTK1024");
        Assert.Equal("(int q)", At(d));
        Assert.Contains("primary constructor", d.GetMessage());
    }

    [Fact]
    public void BaseClassWithoutParameterlessConstructor()
    {
        var d = One(Run("public class B { public B(int x) { } }\n[NtkModel(Inputs = 3)] public partial class M : B { public M() : base(1) { } " + Layer + " }"), "NTK1024");
        Assert.Equal("B", At(d));
        Assert.Contains("'B', which has no accessible constructor without arguments", d.GetMessage());
        // A protected or optional-argument constructor is callable: no diagnostic, and the code compiles.
        foreach (var ok in new[] { "public class B { protected B() { } }", "public class B { public B(int x = 1) { } }" })
        {
            var run = Run(ok + "\n[NtkModel(Inputs = 3)] public partial class M : B { " + Layer + " }");
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Empty(run.CompileDiagnostics.Where(x => x.Severity >= DiagnosticSeverity.Warning));
        }
    }

    [Fact]
    public void RequiredMemberAndConflictingConstructor()
    {
        var required = One(Run("[NtkModel(Inputs = 3)] public partial class M { public required int Extra { get; init; } " + Layer + " }"), "NTK1024");
        Assert.Equal("Extra", At(required));
        var ctor = One(Run("[NtkModel(Inputs = 3)] public partial class M { public M(int a, Device b) { } " + Layer + " }"), "NTK1024");
        Assert.Equal("M", At(ctor));
        Assert.Contains("(int, Device)", ctor.GetMessage());
    }

    [Theory]
    [InlineData("Ntk")]
    [InlineData("Info")]
    [InlineData("Device")]
    [InlineData("Forward")]
    [InlineData("Cost")]
    [InlineData("Clone")]
    public void ModelClassNamedLikeAGeneratedMember(string name)
    {
        var run = GeneratorHarness.Generate($"using NtkDsl; namespace Demo; [NtkModel(Inputs = 3)] public partial class {name} {{ {Layer} }}");
        var hits = run.GeneratorDiagnostics.Where(d => d.Id == "NTK1025").ToList();
        Assert.Single(hits);
        Assert.Equal(name, At(hits[0]));
        Assert.DoesNotContain(run.CompileDiagnostics, d => d.Id == "CS9248" || (d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
    }

    [Fact]
    public void UserMembersNamedLikeGeneratedOnes()
    {
        var member = One(Run("[NtkModel(Inputs = 3)] public partial class M { public int Forward() => 1; " + Layer + " }"), "NTK1025");
        Assert.Equal("Forward", At(member));
        var prefix = One(Run("[NtkModel(Inputs = 3)] public partial class M { private int __ntkW0; public int W => __ntkW0; " + Layer + " }"), "NTK1025");
        Assert.Equal("__ntkW0", At(prefix));
        Assert.Contains("reserved", prefix.GetMessage());
        var inherited = One(Run("public class B { public void Save(string p) { } }\n[NtkModel(Inputs = 3)] public partial class M : B { " + Layer + " }"), "NTK1025");
        Assert.Equal("B", At(inherited));
        Assert.Contains("'Save' inherited", inherited.GetMessage());
        var explicitImpl = One(Run("[NtkModel(Inputs = 3)] public partial class M : INtkModel { INtkModel INtkModel.Clone() => this; " + Layer + " }"), "NTK1025");
        Assert.Equal("Clone", At(explicitImpl));
    }

    [Fact]
    public void ATypeNamedVarOrAMemberNamedNameofInScope()
    {
        // Found by the fuzz test: generated bodies declare 'var' locals and use nameof(x).
        var type = One(Run("public class var { }\n[NtkModel(Inputs = 3)] public partial class M { " + Layer + " }"), "NTK1025");
        Assert.Equal("var", At(type));
        Assert.Contains("'var' the generated code uses", type.GetMessage());
        var method = One(Run("[NtkModel(Inputs = 3)] public partial class M { static string nameof(object o) => \"\"; " + Layer + " }"), "NTK1025");
        Assert.Equal("nameof", At(method));
    }

    [Theory]
    [InlineData("[Dense(2)] public partial DenseLayer Clone { get; }", "Clone", "NTK1012")]
    [InlineData("[Dense(2)] public partial DenseLayer Linearize { get; }", "Linearize", "NTK1012")]
    [InlineData("[Dense(2)] public partial DenseLayer __ntkLayer0 { get; }", "__ntkLayer0", "NTK1012")]
    [InlineData("[Dense(2)] public partial ref readonly DenseLayer Out { get; }", "Out", "NTK1008")]
    [InlineData("[Dense(2)] public partial DenseLayer this[int i] { get; }", "this", "NTK1008")]
    public void LayerDeclarationsTheGeneratorCannotImplement(string layer, string at, string id)
    {
        // An indexer gets no stub (the compiler's CS9248 names it as well).
        var d = One(Run("[NtkModel(Inputs = 3)] public partial class M { " + layer + " }"), id, stubPossible: at != "this");
        Assert.Equal(at, At(d));
    }

    [Theory]
    [InlineData("static double F<T>(double x) => x * x;")]
    [InlineData("static double F(ref double x) => x * x;")]
    [InlineData("static double F(out double x) { x = 1.0; return x; }")]
    public void CustomActivationsTheGeneratedCodeCannotCall(string method)
    {
        var d = One(Run("[NtkModel(Inputs = 3)] public partial class M { " + method + " [Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer Out { get; } }"), "NTK1006");
        Assert.Equal("ActivationMethod = nameof(F)", At(d));
        Assert.Contains("not generic, its parameter passed by value", d.GetMessage());
    }

    [Fact]
    public void AnExplicitNaNStdIsAnErrorNotTheModelsValue()
    {
        var w = One(Run("[NtkModel(Inputs = 3, WeightStd = 2.0)] public partial class M { [Dense(2, WeightStd = double.NaN)] public partial DenseLayer Out { get; } }"), "NTK1005");
        Assert.Equal("WeightStd = double.NaN", At(w));
        var b = One(Run("[NtkModel(Inputs = 3)] public partial class M { [Dense(2, BiasStd = 0.0 / 0.0)] public partial DenseLayer Out { get; } }"), "NTK1005");
        Assert.Equal("BiasStd = 0.0 / 0.0", At(b));
    }

    [Fact]
    public void ATypoInAnAttributeIsTheCompilersErrorAlone()
    {
        // 'Tahn' used to add "NTK1003 … width 0" and a CS9248 per layer; now the compiler's CS0117 stands alone.
        var run = Run("[NtkModel(Inputs = 3)] public partial class M { [Dense(2, Activation.Tahn)] public partial DenseLayer A { get; } " + Layer + " }");
        Assert.Empty(run.GeneratorDiagnostics);
        var errors = run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Equal("CS0117", Assert.Single(errors).Id);
        DiagnosticTests.NoModelCode(run);
        var inputs = Run("[NtkModel(Inputs = \"three\")] public partial class M { " + Layer + " }");
        Assert.Empty(inputs.GeneratorDiagnostics); // not "NTK1004 Inputs = 0"
        Assert.Equal("CS0029", Assert.Single(inputs.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)).Id);
    }

    [Fact]
    public void AnNtkErrorDoesNotCascadeIntoCs9248OnEveryLayer()
    {
        var run = Run("""
            [NtkModel(Inputs = 0)] public partial class M
            {
                [Dense(4, Activation.Relu)] internal partial DenseLayer Hidden { get; }
                [Dense(2)] public virtual partial DenseLayer Out { get; }
                [Dense(2)] public static partial DenseLayer Wrong { get; }
            }
            """);
        Assert.Equal(new[] { "NTK1004", "NTK1008" }, run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(x => x, StringComparer.Ordinal));
        Assert.Empty(run.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        DiagnosticTests.NoModelCode(run);
    }
}
