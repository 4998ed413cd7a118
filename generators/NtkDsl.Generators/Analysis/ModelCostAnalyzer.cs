using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NtkDsl.Generators.Diagnostics;

namespace NtkDsl.Generators.Analysis;

/// <summary>
/// Reports NTK3001 (disabled by default; enable with <c>dotnet_diagnostic.NTK3001.severity = suggestion</c>) on every
/// [NtkModel] class: parameters, Forward flops per layer, Ntk and Jacobian cost at N = 1000 — the figures of the
/// generated <c>Cost</c> property. Nothing for a model the generator reports an error for.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelCostAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ModelCostSummary);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(ctx =>
        {
            var type = (INamedTypeSymbol)ctx.Symbol;
            if (!ModelShape.IsModel(type)) return;
            // A model with any error diagnostic gets no summary: the generator emits nothing for it (docs/diagnostics.md),
            // and ModelShape reads only what it understands (a Dense model's [Conv2D] layer was simply left out).
            if (!GeneratedModel.WasGenerated(type)) return;
            var shape = ModelShape.Read(type, ctx.Compilation, ctx.CancellationToken);
            if (shape is null) return;
            ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.ModelCostSummary, type.Locations[0], ModelCostText.Summary(shape)));
        }, SymbolKind.NamedType);
    }
}
