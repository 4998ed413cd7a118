namespace NtkDsl.Generators.Tests;

/// <summary>The generator never throws (an exception would surface as CS8785) and never emits code that fails to compile.</summary>
public sealed class RobustnessTests
{
    public static TheoryData<string> Corpus => new()
    {
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = )] public partial class M { [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = \"three\")] public partial class M { [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(\"wide\")] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2, 7)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial UnknownType A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A { get; }",
        "using NtkDsl; [NtkModel(Inputs = 3)] partial class M { [Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer A { get; } static double F(double x) { var y = x; return y; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] partial class M { [Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer A { get; } static double F(double x) => throw null!; }",
        "using NtkDsl; [NtkModel(Inputs = 3)] partial class M { [Dense(2, Activation.Custom, ActivationMethod = nameof(F))] public partial DenseLayer A { get; } static extern double F(double x); }",
        "using NtkDsl; [NtkModel(Inputs = 3)] partial record M { [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] partial struct M { [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] [NtkModel(Inputs = 4)] public partial class M { [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] [Dense(3)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(int.MaxValue)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer A => null!; }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public DenseLayer A; }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer Info { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { [Dense(2, Activation.LeakyRelu, LeakySlope = 1e400)] public partial DenseLayer A { get; } }",
        "using NtkDsl; namespace A.B.C { [NtkModel(Inputs = 3)] public partial class M { [Dense(2)] public partial DenseLayer @class { get; } } }",
        "[NtkDsl.NtkModel(Inputs = 3)] public partial class M { [NtkDsl.Dense(2)] public partial NtkDsl.DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M : M { [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)] public partial class M { public M(int seed) { } [Dense(2)] public partial DenseLayer A { get; } }",
        "using NtkDsl; [NtkModel(Inputs = 3)]",
        "",
    };

    [Theory, MemberData(nameof(Corpus))]
    public void BrokenInputNeverCrashesTheGeneratorOrEmitsBrokenCode(string source)
    {
        var run = GeneratorHarness.Generate(source);
        Assert.All(run.Result.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id is "CS8785" or "NTK2001");
        // Whatever the user's own errors, nothing the generator added may fail to compile on its own account.
        var generatedErrors = run.CompileDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error
            && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true).ToList();
        Assert.True(generatedErrors.Count == 0, string.Join("\n", generatedErrors));
    }
}
