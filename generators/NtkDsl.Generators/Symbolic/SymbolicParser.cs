using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// Turns the body of a custom activation <c>static double F(double x)</c> into an <see cref="Expr"/>.
/// Accepted: numeric literals, parentheses, unary <c>+</c>/<c>-</c>, binary <c>+ - * /</c>, casts to double, the
/// parameter, constants of any kind the compiler folds (<c>Math.PI</c>, <c>Math.E</c>, <c>const</c> fields of any type,
/// <c>1 / 2</c> folds to 0 exactly as C# does), and <c>System.Math</c> calls (also through <c>using static</c>):
/// Exp, Log (one argument, or a constant base), Log10, Sqrt, Sin, Cos, Tan, Sinh, Cosh, Tanh, Atan, Abs, Sign,
/// Pow with a constant exponent, Max/Min with one constant argument. Every other construct gives an error naming it,
/// with its span; the parser never throws (except <see cref="OperationCanceledException"/>).
/// The result is faithful to the source: it is not simplified, so printing it reproduces the user's φ exactly.
/// </summary>
internal static partial class SymbolicParser
{
    /// <summary>Deepest expression nesting accepted (guards the recursive walk).</summary>
    public const int MaxDepth = 256;

    /// <summary>Parses <paramref name="body"/>, in which <paramref name="parameter"/> is the variable.</summary>
    public static SymbolicParseResult Parse(ExpressionSyntax body, IParameterSymbol parameter, SemanticModel model,
        CancellationToken cancellationToken = default)
    {
        if (body is null) throw new ArgumentNullException(nameof(body));
        if (parameter is null) throw new ArgumentNullException(nameof(parameter));
        if (model is null) throw new ArgumentNullException(nameof(model));
        try
        {
            var walker = new Walker(model, parameter, cancellationToken);
            return SymbolicParseResult.Success(walker.Parse(body, castToDouble: false));
        }
        catch (UnsupportedException ex)
        {
            return SymbolicParseResult.Failure(ex.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return SymbolicParseResult.Failure(SymbolicError.At(body, "an unexpected construct",
                "the expression could not be analysed (" + ex.GetType().Name + ": " + ex.Message + ")"));
        }
    }

    /// <summary>
    /// Parses a whole method declaration: it must have one parameter and a single-expression body
    /// (<c>=&gt; expr;</c> or <c>{ return expr; }</c>).
    /// </summary>
    public static SymbolicParseResult ParseMethod(MethodDeclarationSyntax declaration, SemanticModel model,
        CancellationToken cancellationToken = default)
    {
        if (declaration is null) throw new ArgumentNullException(nameof(declaration));
        if (model is null) throw new ArgumentNullException(nameof(model));
        var body = FindBodyExpression(declaration);
        if (body.Error is not null) return SymbolicParseResult.Failure(body.Error);
        IMethodSymbol? method;
        try { method = model.GetDeclaredSymbol(declaration, cancellationToken); }
        catch (ArgumentException) { method = null; }
        if (method is null || method.Parameters.Length != 1)
            return SymbolicParseResult.Failure(SymbolicError.At(declaration.ParameterList, "the parameter list",
                "the method must take exactly one parameter: 'static double " + declaration.Identifier.ValueText + "(double x)'"));
        return Parse(body.Expression!, method.Parameters[0], model, cancellationToken);
    }

    /// <summary>
    /// The single expression of a method body: the expression body, or the expression of a block whose only statement
    /// is <c>return expr;</c>. Otherwise an error: "the body must be a single expression", or "the method has no body".
    /// </summary>
    public static BodyExpressionResult FindBodyExpression(MethodDeclarationSyntax declaration)
    {
        if (declaration is null) throw new ArgumentNullException(nameof(declaration));
        string name = declaration.Identifier.ValueText;
        string fix = "write 'static double " + name + "(double x) => expression;' or a block with just 'return expression;'";
        if (declaration.ExpressionBody is { } arrow)
            return new BodyExpressionResult(arrow.Expression, null);
        if (declaration.Body is not { } block)
            return new BodyExpressionResult(null, SymbolicError.At(declaration, "a method without a body",
                "the method '" + name + "' has no body to differentiate; " + fix));
        if (block.Statements.Count == 1 && block.Statements[0] is ReturnStatementSyntax { Expression: { } returned })
            return new BodyExpressionResult(returned, null);
        SyntaxNode where = block.Statements.Count == 0 ? block
            : block.Statements[0] is ReturnStatementSyntax && block.Statements.Count > 1 ? block.Statements[1] : block.Statements[0];
        return new BodyExpressionResult(null, SymbolicError.At(where, "a body with statements",
            "the body must be a single expression; " + fix));
    }

    /// <summary>Carries an error out of the recursive walk.</summary>
    private sealed class UnsupportedException : Exception
    {
        public UnsupportedException(SymbolicError error) : base(error.Message) => Error = error;

        public SymbolicError Error { get; }
    }

    private static UnsupportedException Unsupported(SyntaxNode node, string construct, string? message = null) =>
        new(SymbolicError.At(node, construct, message ?? construct + " is not supported"));

    private static string Short(SyntaxNode node)
    {
        string text = node.ToString().Replace("\r", " ").Replace("\n", " ");
        return text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }
}

/// <summary>The outcome of <see cref="SymbolicParser.FindBodyExpression"/>: an expression, or an error.</summary>
internal sealed record BodyExpressionResult(ExpressionSyntax? Expression, SymbolicError? Error);
