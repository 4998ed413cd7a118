using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NtkDsl.Generators.Symbolic;

internal static partial class SymbolicParser
{
    /// <summary>The recursive walk over one body; throws <see cref="UnsupportedException"/> on the first bad construct.</summary>
    private sealed partial class Walker
    {
        private readonly SemanticModel _model;
        private readonly IParameterSymbol _parameter;
        private readonly CancellationToken _ct;
        private int _depth;

        public Walker(SemanticModel model, IParameterSymbol parameter, CancellationToken ct)
        {
            _model = model;
            _parameter = parameter;
            _ct = ct;
        }

        /// <summary>
        /// Parses <paramref name="node"/>. Whatever the structure, a node the compiler folds to a numeric constant becomes
        /// that constant (so integer division and conversions follow C#). Any other node must be a double in its context;
        /// <paramref name="castToDouble"/> says an explicit <c>(double)</c> cast encloses it (so an int such as
        /// <c>Math.Sign(x)</c> is allowed there).
        /// </summary>
        public Expr Parse(ExpressionSyntax node, bool castToDouble)
        {
            _ct.ThrowIfCancellationRequested();
            if (++_depth > MaxDepth)
                throw Unsupported(node, "an expression nested too deeply",
                    "the expression is nested more than " + MaxDepth + " levels deep; split it into smaller constants");
            if (node.IsMissing)
                throw Unsupported(node, "a missing expression", "an expression is missing here (fix the syntax errors first)");
            try
            {
                Expr structural = Structural(node, castToDouble);
                var constant = _model.GetConstantValue(node, _ct);
                if (constant.HasValue)
                {
                    if (TryToDouble(constant.Value, out double value)) return new ConstExpr(value);
                    throw Unsupported(node, "the non-numeric constant '" + Short(node) + "'");
                }
                if (ReferenceEquals(structural, Placeholder))
                    throw Unsupported(node, "the constant '" + Short(node) + "'",
                        "the constant '" + Short(node) + "' could not be evaluated (fix the compile errors first)");
                CheckDouble(node, castToDouble);
                return structural;
            }
            finally
            {
                _depth--;
            }
        }

        private Expr Structural(ExpressionSyntax node, bool castToDouble)
        {
            switch (node)
            {
                case LiteralExpressionSyntax literal:
                    if (literal.IsKind(SyntaxKind.NumericLiteralExpression)) return Placeholder;
                    throw Unsupported(node, Describe(node));
                case ParenthesizedExpressionSyntax p:
                    return Parse(p.Expression, castToDouble);
                case CastExpressionSyntax cast:
                    return Cast(cast);
                case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.UnaryMinusExpression):
                    return new NegExpr(Parse(prefix.Operand, castToDouble: false));
                case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.UnaryPlusExpression):
                    return Parse(prefix.Operand, castToDouble: false);
                case BinaryExpressionSyntax binary when ArithmeticOperator(binary) is { } op:
                    return new BinaryExpr(op, Parse(binary.Left, castToDouble: false), Parse(binary.Right, castToDouble: false));
                case IdentifierNameSyntax:
                case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression }:
                    return Name(node);
                case InvocationExpressionSyntax invocation:
                    return Invocation(invocation);
                default:
                    throw Unsupported(node, Describe(node));
            }
        }

        /// <summary>Stands for a node whose value comes from the compiler's constant folding.</summary>
        private static readonly Expr Placeholder = new ConstExpr(double.NaN);

        private static BinaryOperator? ArithmeticOperator(BinaryExpressionSyntax binary) => binary.Kind() switch
        {
            SyntaxKind.AddExpression => BinaryOperator.Add,
            SyntaxKind.SubtractExpression => BinaryOperator.Subtract,
            SyntaxKind.MultiplyExpression => BinaryOperator.Multiply,
            SyntaxKind.DivideExpression => BinaryOperator.Divide,
            _ => null,
        };

        private Expr Cast(CastExpressionSyntax cast)
        {
            var target = _model.GetTypeInfo(cast.Type, _ct).Type;
            bool toDouble = target?.SpecialType == SpecialType.System_Double;
            Expr operand = Parse(cast.Expression, castToDouble: toDouble);
            if (toDouble || _model.GetConstantValue(cast, _ct).HasValue) return operand;
            throw Unsupported(cast, "a cast to " + (target?.ToDisplayString() ?? cast.Type.ToString()),
                "the cast to " + (target?.ToDisplayString() ?? cast.Type.ToString()) + " in '" + Short(cast)
                + "' is not supported (only casts to double can be differentiated)");
        }

        private Expr Name(ExpressionSyntax node)
        {
            var symbol = _model.GetSymbolInfo(node, _ct).Symbol;
            string text = Short(node);
            switch (symbol)
            {
                case IParameterSymbol p when SymbolEqualityComparer.Default.Equals(p, _parameter):
                    return Expr.X;
                case IFieldSymbol { HasConstantValue: true }:
                case ILocalSymbol { HasConstantValue: true }:
                    return Placeholder;
                case IFieldSymbol field:
                    throw Unsupported(node, "the field '" + text + "'",
                        "the field '" + text + "' is not a constant; only the parameter '" + _parameter.Name
                        + "' and constants may appear (declare it 'const double " + field.Name + " = ...;')");
                case IParameterSymbol or ILocalSymbol or IRangeVariableSymbol:
                    throw Unsupported(node, "the variable '" + text + "'",
                        "the variable '" + text + "' is not supported; only the parameter '" + _parameter.Name + "' and constants may appear");
                case IPropertySymbol:
                    throw Unsupported(node, "the property '" + text + "'",
                        "the property '" + text + "' is not supported; only the parameter '" + _parameter.Name + "' and constants may appear");
                case IMethodSymbol:
                    throw Unsupported(node, "the method group '" + text + "'");
                case null:
                    throw Unsupported(node, "the name '" + text + "'",
                        "the name '" + text + "' does not resolve to a single symbol (fix the compile errors first)");
                default:
                    throw Unsupported(node, "the " + symbol.Kind.ToString().ToLowerInvariant() + " '" + text + "'");
            }
        }

        private void CheckDouble(ExpressionSyntax node, bool castToDouble)
        {
            var info = _model.GetTypeInfo(node, _ct);
            if (info.ConvertedType?.SpecialType == SpecialType.System_Double) return;
            var type = info.Type?.SpecialType;
            if (castToDouble && type is SpecialType.System_Double or SpecialType.System_Int32) return;
            string shown = info.Type?.ToDisplayString() ?? "unknown type";
            throw Unsupported(node, "an expression of type " + shown,
                "'" + Short(node) + "' has type " + shown + " here; only double arithmetic can be differentiated (cast it to double)");
        }

        private static bool TryToDouble(object? value, out double result)
        {
            switch (value)
            {
                case double d: result = d; return true;
                case float f: result = f; return true;
                case int i: result = i; return true;
                case long l: result = l; return true;
                case uint ui: result = ui; return true;
                case ulong ul: result = ul; return true;
                case short s: result = s; return true;
                case ushort us: result = us; return true;
                case byte b: result = b; return true;
                case sbyte sb: result = sb; return true;
                case char c: result = c; return true;
                case decimal m: result = (double)m; return true;
                default: result = 0; return false;
            }
        }
    }
}
