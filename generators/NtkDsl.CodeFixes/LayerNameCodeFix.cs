using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NtkDsl.CodeFixes;

/// <summary>
/// Fixes NTK1021 (a GroupWeights layer name the model does not have) by replacing the string literal with the nearest
/// layer name, offered only when the analyzer found exactly one nearest name.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LayerNameCodeFix)), Shared]
public sealed class LayerNameCodeFix : CodeFixProvider
{
    /// <summary>The diagnostic fixed (NtkDsl.Generators' UnknownGroupLayer).</summary>
    public const string DiagnosticId = "NTK1021";

    /// <summary>Must match <c>CallSiteAnalyzer.SuggestionKey</c>.</summary>
    public const string SuggestionKey = "NtkDsl.Suggestion";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(SuggestionKey, out var name) || name is null) continue;
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal
                || !literal.IsKind(SyntaxKind.StringLiteralExpression)) continue;
            string title = "Use layer name '" + name + "'";
            context.RegisterCodeFix(CodeAction.Create(title, ct => Replace(context.Document, literal, name, ct), equivalenceKey: title), diagnostic);
        }
    }

    private static async Task<Document> Replace(Document document, LiteralExpressionSyntax literal, string name, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null) return document;
        var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(name)).WithTriviaFrom(literal);
        return document.WithSyntaxRoot(root.ReplaceNode(literal, replacement));
    }
}
