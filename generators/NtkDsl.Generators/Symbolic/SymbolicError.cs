using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// Why an expression cannot be differentiated, and where: plain values only (no <see cref="Location"/>, no syntax
/// tree), so the error is equatable and cacheable. <see cref="Message"/> reads well after
/// "cannot be differentiated symbolically: ", e.g. "Math.Floor is not differentiable (it is piecewise constant)".
/// </summary>
/// <param name="Construct">The offending construct in a few words, e.g. "Math.Floor", "the conditional operator '?:'".</param>
/// <param name="Message">A full explanation naming the construct and, where there is one, the fix.</param>
/// <param name="FilePath">The syntax tree's file path ("" when the construct has no source).</param>
/// <param name="Span">The offending node's span in its file (trivia excluded).</param>
/// <param name="LineSpan">The same span as zero-based line/character positions.</param>
internal sealed record SymbolicError(string Construct, string Message, string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>An error located at <paramref name="node"/>.</summary>
    public static SymbolicError At(SyntaxNode node, string construct, string message)
    {
        var tree = node.SyntaxTree;
        var lineSpan = tree.GetLineSpan(node.Span);
        return new SymbolicError(construct, message, tree.FilePath ?? "", node.Span, lineSpan.Span);
    }

    /// <summary>Rebuilds a Roslyn location (with the tree when <paramref name="compilation"/> still holds it).</summary>
    public Location ToLocation(Compilation? compilation = null)
    {
        if (compilation is not null)
            foreach (var tree in compilation.SyntaxTrees)
                if (tree.FilePath == FilePath && tree.Length >= Span.End) return Location.Create(tree, Span);
        return Location.Create(FilePath, Span, LineSpan);
    }
}

/// <summary>The outcome of parsing: exactly one of <see cref="Expr"/> and <see cref="Error"/> is set.</summary>
internal sealed record SymbolicParseResult(Expr? Expr, SymbolicError? Error)
{
    /// <summary>True when <see cref="Expr"/> is set.</summary>
    public bool Succeeded => Expr is not null;

    /// <summary>A successful parse.</summary>
    public static SymbolicParseResult Success(Expr expr) => new(expr, null);

    /// <summary>A failed parse.</summary>
    public static SymbolicParseResult Failure(SymbolicError error) => new(null, error);
}
