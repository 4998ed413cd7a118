using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// NTK1001, NTK1009 and NTK1023 on a type that contains a model: reported on the containing type's identifier (the declaration to
/// change), and the message names the model inside and the change to make (a new-user trial saw only "'Outer' must be
/// declared partial" and had to guess why).
/// </summary>
public sealed class ContainingTypeDiagnosticTests
{
    private static string At(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    private static List<Diagnostic> Generate(string source, string id) =>
        GeneratorHarness.Generate(source).GeneratorDiagnostics.Where(d => d.Id == id).ToList();

    [Fact]
    public void NonPartialContainingClassNamesTheModelAndTheFix()
    {
        var d = Assert.Single(Generate("""
            using NtkDsl;
            namespace Demo;
            public class Outer
            {
                [NtkModel(Inputs = 1)] public partial class Inner { [Dense(1)] public partial DenseLayer Out { get; } }
            }
            """, "NTK1001"));
        Assert.Equal("Outer", At(d));
        Assert.Equal("'Outer' must be declared partial because it contains the model 'Inner', whose members NtkDsl generates inside it; add the 'partial' modifier: 'partial class Outer'", d.GetMessage());
    }

    [Fact]
    public void DeeperModelIsNamedByItsPathFromTheContainer()
    {
        // Only Outer lacks 'partial'; Mid is fine. The message on Outer names Mid.Inner, the fix names Outer's own kind.
        var d = Assert.Single(Generate("""
            using NtkDsl;
            namespace Demo;
            public struct Outer
            {
                public partial class Mid
                {
                    [NtkModel(Inputs = 1)] public partial class Inner { [Dense(1)] public partial DenseLayer Out { get; } }
                }
            }
            """, "NTK1001"));
        Assert.Equal("Outer", At(d));
        Assert.Contains("contains the model 'Mid.Inner'", d.GetMessage(), StringComparison.Ordinal);
        Assert.EndsWith("'partial struct Outer'", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void EachModelInANonPartialContainerGetsItsOwnLine()
    {
        var hits = Generate("""
            using NtkDsl;
            namespace Demo;
            public class Outer
            {
                [NtkModel(Inputs = 1)] public partial class A { [Dense(1)] public partial DenseLayer Out { get; } }
                [NtkModel(Inputs = 2)] public partial class B { [Dense(1)] public partial DenseLayer Out { get; } }
            }
            """, "NTK1001");
        Assert.Equal(2, hits.Count);
        Assert.All(hits, d => Assert.Equal("Outer", At(d)));
        Assert.Single(hits, d => d.GetMessage().Contains("the model 'A'", StringComparison.Ordinal));
        Assert.Single(hits, d => d.GetMessage().Contains("the model 'B'", StringComparison.Ordinal));
    }

    [Fact]
    public void NonPartialModelItselfSaysWhatToWrite()
    {
        var d = Assert.Single(Generate("""
            using NtkDsl;
            namespace Demo;
            [NtkModel(Inputs = 1)] public class M { [Dense(1)] public DenseLayer Out { get; } = null!; }
            """, "NTK1001"));
        Assert.Equal("M", At(d));
        Assert.Equal("'M' must be declared partial so that NtkDsl can generate its members (every type containing it must be partial too); add the 'partial' modifier: 'partial class M'", d.GetMessage());
    }

    [Fact]
    public void GenericContainingClassNamesTheModelAndTheFix()
    {
        var d = Assert.Single(Generate("""
            using NtkDsl;
            namespace Demo;
            public partial class Outer<T>
            {
                [NtkModel(Inputs = 1)] public partial class Inner { [Dense(1)] public partial DenseLayer Out { get; } }
            }
            """, "NTK1009"));
        Assert.Equal("Outer", At(d));
        Assert.Equal("'Outer' is generic and contains the model 'Inner'; NtkDsl models must be non-generic classes in non-generic types: move 'Inner' out of 'Outer' or remove the type parameters of 'Outer'", d.GetMessage());
    }

    [Fact]
    public void GenericModelItselfSaysWhatToRemove()
    {
        var d = Assert.Single(Generate("""
            using NtkDsl;
            namespace Demo;
            [NtkModel(Inputs = 1)] public partial class G<T> { [Dense(1)] public partial DenseLayer Out { get; } }
            """, "NTK1009"));
        Assert.Equal("G", At(d));
        Assert.Equal("'G' is generic; NtkDsl models must be non-generic classes in non-generic types: remove its type parameters", d.GetMessage());
    }

    [Fact]
    public void FileLocalContainingClassNamesTheModel()
    {
        var d = Assert.Single(Generate("""
            using NtkDsl;
            file partial class Outer
            {
                public partial class Mid { [NtkModel(Inputs = 1)] public partial class Inner { [Dense(1)] public partial DenseLayer Out { get; } } }
            }
            """, "NTK1023"));
        Assert.Equal("file", At(d));
        Assert.Equal("'Outer' is declared 'file' and contains the model 'Mid.Inner', but the generated members live in another file, which cannot see a file-local type; remove the 'file' modifier of 'Outer' (make it internal)", d.GetMessage());
        var model = Assert.Single(Generate("""
            using NtkDsl;
            [NtkModel(Inputs = 1)] file partial class M { [Dense(1)] public partial DenseLayer Out { get; } }
            """, "NTK1023"));
        Assert.Equal("'M' is declared 'file', but the generated members live in another file, which cannot see a file-local type; remove the 'file' modifier of 'M' (make it internal)", model.GetMessage());
    }
}
