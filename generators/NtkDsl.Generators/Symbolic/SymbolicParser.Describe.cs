using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NtkDsl.Generators.Symbolic;

internal static partial class SymbolicParser
{
    /// <summary>A short name for an unsupported construct, as used in error messages.</summary>
    private static string Describe(SyntaxNode node) => node switch
    {
        LiteralExpressionSyntax l when l.IsKind(SyntaxKind.StringLiteralExpression) || l.IsKind(SyntaxKind.Utf8StringLiteralExpression) => "a string literal",
        LiteralExpressionSyntax l when l.IsKind(SyntaxKind.CharacterLiteralExpression) => "a character literal",
        LiteralExpressionSyntax l when l.IsKind(SyntaxKind.TrueLiteralExpression) || l.IsKind(SyntaxKind.FalseLiteralExpression) => "a boolean literal",
        LiteralExpressionSyntax l when l.IsKind(SyntaxKind.NullLiteralExpression) => "the null literal",
        LiteralExpressionSyntax l when l.IsKind(SyntaxKind.DefaultLiteralExpression) => "the default literal",
        ConditionalExpressionSyntax => "the conditional operator '?:'",
        LambdaExpressionSyntax => "a lambda expression",
        AnonymousMethodExpressionSyntax => "an anonymous method",
        SwitchExpressionSyntax => "a switch expression",
        IsPatternExpressionSyntax => "a pattern match ('is')",
        CheckedExpressionSyntax c => (c.IsKind(SyntaxKind.CheckedExpression) ? "checked" : "unchecked") + "(...)",
        DefaultExpressionSyntax => "default(...)",
        TypeOfExpressionSyntax => "typeof(...)",
        SizeOfExpressionSyntax => "sizeof(...)",
        BaseObjectCreationExpressionSyntax => "an object creation ('new')",
        ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or CollectionExpressionSyntax
            or StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax or InitializerExpressionSyntax => "an array or collection",
        ElementAccessExpressionSyntax => "an element access '[...]'",
        ConditionalAccessExpressionSyntax => "the null-conditional operator '?.'",
        AssignmentExpressionSyntax a => "the assignment '" + a.OperatorToken.Text + "'",
        PrefixUnaryExpressionSyntax p => "the operator '" + p.OperatorToken.Text + "' in '" + Short(p) + "'",
        PostfixUnaryExpressionSyntax p => "the operator '" + p.OperatorToken.Text + "' in '" + Short(p) + "'",
        BinaryExpressionSyntax b => "the operator '" + b.OperatorToken.Text + "'",
        InterpolatedStringExpressionSyntax => "an interpolated string",
        ThrowExpressionSyntax => "a throw expression",
        TupleExpressionSyntax => "a tuple",
        AwaitExpressionSyntax => "'await'",
        ThisExpressionSyntax => "'this'",
        BaseExpressionSyntax => "'base'",
        RefExpressionSyntax => "a ref expression",
        QueryExpressionSyntax => "a query expression",
        DeclarationExpressionSyntax => "a declaration expression",
        RangeExpressionSyntax => "a range expression",
        WithExpressionSyntax => "a 'with' expression",
        MemberAccessExpressionSyntax m when m.IsKind(SyntaxKind.PointerMemberAccessExpression) => "the pointer member access '->'",
        GenericNameSyntax g => "the generic name '" + Short(g) + "'",
        PredefinedTypeSyntax or TypeSyntax => "the type '" + Short(node) + "'",
        _ => "the expression '" + Short(node) + "'",
    };
}
