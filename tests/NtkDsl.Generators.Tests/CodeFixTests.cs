using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using NtkDsl.CodeFixes;

namespace NtkDsl.Generators.Tests;

/// <summary>The NTK1021 code fix applied through a real workspace: the literal becomes the nearest layer name, and the error goes away.</summary>
public sealed class CodeFixTests
{
    private const string Source = """
        using NtkDsl;
        namespace Demo;
        [NtkModel(Inputs = 3)]
        public partial class Net
        {
            [Dense(4, Activation.Relu)] public partial DenseLayer Hidden { get; }
            [Dense(2)] public partial DenseLayer Readout { get; }
        }
        public static class Use
        {
            public static Tensor Run(Net net, Tensor x) => net.Wntk(x, null, new GroupWeights().Weights(/*a*/"hiden"/*b*/, 2.0).Bias("Qqqqqqqq", 1.0));
        }
        """;

    private static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var compilation = GeneratorHarness.Compilation();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "User", "User", LanguageNames.CSharp,
            compilationOptions: compilation.Options, parseOptions: GeneratorHarness.ParseOptions, metadataReferences: compilation.References));
        return workspace.AddDocument(project.Id, "Use.cs", SourceText.From(source));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document)
    {
        var (_, diagnostics) = AnalyzerHarness.Analyze((await document.GetTextAsync()).ToString());
        return diagnostics.Where(d => d.Id == LayerNameCodeFix.DiagnosticId).ToImmutableArray();
    }

    private static async Task<List<CodeAction>> ActionsAsync(Document document, Diagnostic diagnostic)
    {
        // Map the diagnostic (computed on an identical text) onto the workspace document's tree.
        var tree = (await document.GetSyntaxTreeAsync())!;
        var mapped = Diagnostic.Create(diagnostic.Descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.Properties);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, mapped, (a, _) => actions.Add(a), CancellationToken.None);
        await new LayerNameCodeFix().RegisterCodeFixesAsync(context);
        return actions;
    }

    [Fact]
    public async Task ReplacesTheNameWithTheUniqueNearestLayerAndKeepsTrivia()
    {
        var document = CreateDocument(Source);
        var diagnostics = await AnalyzeAsync(document);
        Assert.Equal(2, diagnostics.Length);
        var fixable = diagnostics.Single(d => AnalyzerHarness.At(d) == "\"hiden\"");
        var action = Assert.Single(await ActionsAsync(document, fixable));
        Assert.Equal("Use layer name 'Hidden'", action.Title);

        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution.GetDocument(document.Id)!;
        string text = (await changed.GetTextAsync()).ToString();
        Assert.Equal(Source.Replace("/*a*/\"hiden\"/*b*/", "/*a*/\"Hidden\"/*b*/", StringComparison.Ordinal), text);

        // After the fix only the unfixable name is left.
        var after = await AnalyzeAsync(changed);
        Assert.Equal("\"Qqqqqqqq\"", AnalyzerHarness.At(Assert.Single(after)));
    }

    [Fact]
    public async Task OffersNothingWhenTheNearestNameIsNotUnique()
    {
        var document = CreateDocument(Source);
        var ambiguous = (await AnalyzeAsync(document)).Single(d => AnalyzerHarness.At(d) == "\"Qqqqqqqq\"");
        Assert.Empty(await ActionsAsync(document, ambiguous));
        Assert.Equal(["NTK1021"], new LayerNameCodeFix().FixableDiagnosticIds);
    }
}
