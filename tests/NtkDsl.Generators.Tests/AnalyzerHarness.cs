using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NtkDsl.Generators.Analysis;

namespace NtkDsl.Generators.Tests;

/// <summary>Runs the generator, then the NtkDsl analyzers over the result, with optional MSBuild properties and severities.</summary>
internal static class AnalyzerHarness
{
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = [new CallSiteAnalyzer(), new ModelCostAnalyzer()];

    public static (Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics) Analyze(string source,
        IReadOnlyDictionary<string, string>? globalOptions = null, IReadOnlyDictionary<string, ReportDiagnostic>? severities = null)
    {
        var compilation = GeneratorHarness.Compilation(source);
        if (severities is not null)
            compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(severities));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var options = new AnalyzerOptions([], new GlobalOptionsProvider(globalOptions ?? new Dictionary<string, string>()));
        var diagnostics = output.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        return (output, diagnostics);
    }

    public static string At(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    private sealed class GlobalOptionsProvider(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _options = new(values);
        public override AnalyzerConfigOptions GlobalOptions => _options;
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;
    }

    private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(new Dictionary<string, string>());
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
