using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace NtkDsl.Generators.Tests;

/// <summary>Runs alone: the snippets write to the console and to the current folder, both process-wide.</summary>
[CollectionDefinition(nameof(ReadmeSnippetCollection), DisableParallelization = true)]
public sealed class ReadmeSnippetCollection;

/// <summary>
/// Every ```csharp block of README.md, docs/dsl.md and docs/math.md is compiled as a new console project would compile
/// it — the SDK's implicit usings, nullable enabled, the NtkDsl generator and analyzers — and must build without
/// errors or warnings.
/// A block with top-level statements is a complete program (statements, then the model classes): it is then run in a
/// temporary folder and must finish and print something. A block of declarations only (a model) is compiled as a
/// library. A block directly preceded by the line <c>&lt;!-- snippet: compile-only --&gt;</c> is compiled but not run.
/// </summary>
[Collection(nameof(ReadmeSnippetCollection))]
public sealed class ReadmeSnippetTests
{
    /// <summary>Microsoft.NET.Sdk's implicit global usings for a console project.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private const string CompileOnlyMarker = "<!-- snippet: compile-only -->";

    /// <summary>The documents whose examples must work (docs/diagnostics.md shows mistakes on purpose and is not here).</summary>
    private static readonly string[] Documents = ["README.md", "docs/dsl.md", "docs/math.md"];

    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (string document in Documents)
            foreach (var s in ReadSnippets(document)) data.Add(document, s.Line);
        return data;
    }

    [Fact]
    public void ReadmeHasTheTourSnippets()
    {
        // The tour: first model, training, dynamics, regression, WNTK learning, I/O, analytic kernels.
        var snippets = ReadSnippets("README.md");
        Assert.True(snippets.Count >= 7, $"README.md has {snippets.Count} ```csharp blocks; the tour needs at least 7.");
        Assert.Contains(snippets, s => !s.CompileOnly);
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void SnippetCompilesAndRuns(string document, int line)
    {
        var snippet = ReadSnippets(document).Single(s => s.Line == line);
        byte[] image = Compile(snippet, out bool program);
        if (snippet.CompileOnly || !program) return;
        string output = Run(image, snippet);
        TestContext.Current.TestOutputHelper?.WriteLine($"{snippet.Where}:\n{output}");
        Assert.False(string.IsNullOrWhiteSpace(output), $"{snippet.Where}: the snippet printed nothing.");
    }

    private static byte[] Compile(Snippet snippet, out bool program)
    {
        var parse = GeneratorHarness.ParseOptions;
        var tree = CSharpSyntaxTree.ParseText(snippet.Code, parse, path: snippet.Where);
        program = tree.GetCompilationUnitRoot().Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create("DocSnippet" + snippet.Line,
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "GlobalUsings.g.cs"), tree],
            GeneratorHarness.Compilation().References,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        // The call-site and cost analyzers run in a user's build too (NTK1020–1022 are errors there).
        var analyzerDiagnostics = output.WithAnalyzers(AnalyzerHarness.Analyzers, new AnalyzerOptions([]))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        using var pe = new MemoryStream();
        var emit = output.Emit(pe);
        var problems = generatorDiagnostics.Concat(analyzerDiagnostics).Concat(emit.Diagnostics)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => Describe(d, snippet))
            .ToList();
        Assert.True(problems.Count == 0 && emit.Success,
            $"{snippet.Where}: the snippet does not build cleanly:\n" + string.Join("\n", problems));
        return pe.ToArray();
    }

    private static string Describe(Diagnostic d, Snippet snippet)
    {
        var span = d.Location.GetLineSpan();
        string where = span.Path == snippet.Where
            ? $"{snippet.Document}:{snippet.Line + 1 + span.StartLinePosition.Line}"
            : span.Path;
        return $"{where}: {d.Severity} {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static string Run(byte[] image, Snippet snippet)
    {
        var context = new AssemblyLoadContext("DocSnippet" + snippet.Line, isCollectible: true);
        string folder = Directory.CreateTempSubdirectory("ntkdsl-readme-").FullName;
        string previousFolder = Environment.CurrentDirectory;
        var previousOut = Console.Out;
        var captured = new StringWriter(new StringBuilder(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image));
            var entry = assembly.EntryPoint ?? throw new InvalidOperationException("The snippet has no entry point.");
            Environment.CurrentDirectory = folder;
            Console.SetOut(captured);
            object?[] args = entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()];
            try
            {
                entry.Invoke(null, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                Assert.Fail($"{snippet.Where}: the snippet threw {e.InnerException}\nOutput so far:\n{captured}");
            }
        }
        finally
        {
            Console.SetOut(previousOut);
            Environment.CurrentDirectory = previousFolder;
            context.Unload();
            Directory.Delete(folder, recursive: true);
        }
        return captured.ToString();
    }

    private sealed record Snippet(string Document, int Line, string Code, bool CompileOnly)
    {
        public string Where => $"{Document}:{Line}";
    }

    /// <summary>The ```csharp blocks of a document with the 1-based line of their opening fence.</summary>
    private static List<Snippet> ReadSnippets(string document)
    {
        string[] lines = File.ReadAllLines(Path.Combine(DiagnosticTests.RepoRoot(), document));
        var snippets = new List<Snippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            int start = i;
            var code = new StringBuilder();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++) code.AppendLine(lines[i]);
            Assert.True(i < lines.Length, $"{document}:{start + 1}: the ```csharp block is not closed.");
            bool compileOnly = start > 0 && lines[start - 1].Trim() == CompileOnlyMarker;
            snippets.Add(new Snippet(document, start + 1, code.ToString(), compileOnly));
        }
        return snippets;
    }
}
