using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// A differentiated custom activation: φ and φ' as expressions and as C# text (in the variable name given), or the
/// reason it could not be differentiated. Equatable (no Roslyn syntax or symbols), so it may be cached.
/// </summary>
internal sealed record SymbolicActivationResult(
    Expr? Value, Expr? Derivative, string? ValueCSharp, string? DerivativeCSharp, SymbolicError? Error)
{
    /// <summary>True when φ and φ' are available.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>One call from a custom activation method to C# for φ and φ'.</summary>
internal static class SymbolicActivation
{
    /// <summary>
    /// Finds the source of <paramref name="method"/> (the implementation part of a partial method), takes its single
    /// expression, parses it (φ is printed unsimplified, faithful to the source) and differentiates it (φ' simplified).
    /// Never throws except <see cref="OperationCanceledException"/>.
    /// </summary>
    public static SymbolicActivationResult Differentiate(IMethodSymbol method, Compilation compilation, string variableName,
        CancellationToken cancellationToken = default)
    {
        if (method is null) throw new ArgumentNullException(nameof(method));
        if (compilation is null) throw new ArgumentNullException(nameof(compilation));
        var source = method.PartialImplementationPart ?? method;
        var declarations = source.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().ToList();
        var declaration = declarations.FirstOrDefault(d => d.Body is not null || d.ExpressionBody is not null) ?? declarations.FirstOrDefault();
        if (declaration is null)
            return Failed(new SymbolicError("a method without source", "the method '" + method.Name + "' has no source to differentiate",
                "", default, default));
        var model = compilation.GetSemanticModel(declaration.SyntaxTree);
        return FromParse(SymbolicParser.ParseMethod(declaration, model, cancellationToken), variableName);
    }

    /// <summary>Differentiates an already parsed φ and prints both; a parse error passes through.</summary>
    public static SymbolicActivationResult FromParse(SymbolicParseResult parsed, string variableName)
    {
        if (parsed is null) throw new ArgumentNullException(nameof(parsed));
        if (parsed.Expr is not { } value) return Failed(parsed.Error!);
        var derivative = Differentiator.Derive(value);
        return new SymbolicActivationResult(value, derivative,
            ExprPrinter.ToCSharp(value, variableName), ExprPrinter.ToCSharp(derivative, variableName), null);
    }

    private static SymbolicActivationResult Failed(SymbolicError error) => new(null, null, null, null, error);
}
