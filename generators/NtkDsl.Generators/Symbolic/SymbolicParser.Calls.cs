using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NtkDsl.Generators.Symbolic;

internal static partial class SymbolicParser
{
    private sealed partial class Walker
    {
        private Expr Invocation(InvocationExpressionSyntax invocation)
        {
            if (_model.GetConstantValue(invocation, _ct).HasValue)
                throw Unsupported(invocation, "'" + Short(invocation) + "'"); // nameof(...)
            var method = _model.GetSymbolInfo(invocation, _ct).Symbol as IMethodSymbol;
            if (method is null)
                throw Unsupported(invocation, "the call '" + Short(invocation) + "'",
                    "the call '" + Short(invocation) + "' does not resolve to a single method (fix the compile errors first)");
            string display = (method.ContainingType?.Name is { } owner ? owner + "." : "") + method.Name;
            if (!IsSystemMath(method.ContainingType))
                throw Unsupported(invocation, "a call to the non-math method " + display,
                    "a call to the non-math method " + display + " is not supported; only System.Math functions can be differentiated");

            var args = Arguments(invocation, method);
            string name = "Math." + method.Name;
            switch (method.Name)
            {
                case "Exp": return Unary(MathFunction.Exp, args, invocation, name);
                case "Log" when args.Length == 2:
                {
                    Expr argument = Parse(args[0], castToDouble: false);
                    Expr logBase = ConstantArgument(args[1], name + " with a non-constant base");
                    return new BinaryExpr(BinaryOperator.Divide, new FunctionExpr(MathFunction.Log, argument), new FunctionExpr(MathFunction.Log, logBase));
                }
                case "Log": return Unary(MathFunction.Log, args, invocation, name);
                case "Log10": return Unary(MathFunction.Log10, args, invocation, name);
                case "Sqrt": return Unary(MathFunction.Sqrt, args, invocation, name);
                case "Sin": return Unary(MathFunction.Sin, args, invocation, name);
                case "Cos": return Unary(MathFunction.Cos, args, invocation, name);
                case "Tan": return Unary(MathFunction.Tan, args, invocation, name);
                case "Sinh": return Unary(MathFunction.Sinh, args, invocation, name);
                case "Cosh": return Unary(MathFunction.Cosh, args, invocation, name);
                case "Tanh": return Unary(MathFunction.Tanh, args, invocation, name);
                case "Atan": return Unary(MathFunction.Atan, args, invocation, name);
                case "Abs": return Unary(MathFunction.Abs, args, invocation, name);
                case "Sign": return Unary(MathFunction.Sign, args, invocation, name);
                case "Pow" when args.Length == 2:
                {
                    Expr baseExpr = Parse(args[0], castToDouble: false);
                    Expr exponent = ConstantArgument(args[1], "Pow with a non-constant exponent");
                    return new PowExpr(baseExpr, ((ConstExpr)exponent).Value);
                }
                case "Max" or "Min" when args.Length == 2:
                    return Extremum(method.Name == "Max", args, invocation, name);
                case "Floor" or "Ceiling" or "Round" or "Truncate":
                    throw Unsupported(invocation, name, name + " is not differentiable (it is piecewise constant)");
                default:
                    throw Unsupported(invocation, name,
                        name + (args.Length == 1 ? "" : " with " + args.Length + " arguments") + " is not supported");
            }
        }

        private Expr Unary(MathFunction function, ExpressionSyntax[] args, InvocationExpressionSyntax invocation, string name)
        {
            if (args.Length != 1) throw Unsupported(invocation, name + " with " + args.Length + " arguments");
            return new FunctionExpr(function, Parse(args[0], castToDouble: false));
        }

        /// <summary>An argument that must fold to a constant (the compiler's folding, then ours for Math calls of constants).</summary>
        private Expr ConstantArgument(ExpressionSyntax argument, string construct)
        {
            Expr parsed = Simplifier.Simplify(Parse(argument, castToDouble: false));
            if (parsed is ConstExpr) return parsed;
            throw Unsupported(argument, construct,
                construct + " is not supported: '" + Short(argument) + "' must be a constant");
        }

        private Expr Extremum(bool max, ExpressionSyntax[] args, InvocationExpressionSyntax invocation, string name)
        {
            Expr first = Parse(args[0], castToDouble: false), second = Parse(args[1], castToDouble: false);
            Expr a = Simplifier.Simplify(first), b = Simplifier.Simplify(second);
            (Expr operand, double constant) = b is ConstExpr cb ? (first, cb.Value)
                : a is ConstExpr ca ? (second, ca.Value)
                : throw Unsupported(invocation, name + " with two non-constant arguments",
                    name + " with two non-constant arguments is not supported; one argument must be a constant, as in " + name + "(x, 0.0)");
            return max ? new MaxExpr(operand, constant) : new MinExpr(operand, constant);
        }

        /// <summary>The argument expressions in parameter order (named arguments mapped by name).</summary>
        private static ExpressionSyntax[] Arguments(InvocationExpressionSyntax invocation, IMethodSymbol method)
        {
            var result = new ExpressionSyntax[method.Parameters.Length];
            var list = invocation.ArgumentList.Arguments;
            for (int i = 0; i < list.Count; i++)
            {
                var argument = list[i];
                if (!argument.RefKindKeyword.IsKind(SyntaxKind.None))
                    throw Unsupported(argument, "a '" + argument.RefKindKeyword.Text + "' argument");
                int index = i;
                if (argument.NameColon is { } nameColon)
                {
                    index = -1;
                    for (int p = 0; p < method.Parameters.Length; p++)
                        if (method.Parameters[p].Name == nameColon.Name.Identifier.ValueText) index = p;
                }
                if (index < 0 || index >= result.Length || result[index] is not null)
                    throw Unsupported(argument, "the argument '" + Short(argument) + "'",
                        "the argument '" + Short(argument) + "' does not match a parameter of Math." + method.Name);
                result[index] = argument.Expression;
            }
            for (int p = 0; p < result.Length; p++)
                if (result[p] is null)
                    throw Unsupported(invocation, "Math." + method.Name + " with an omitted argument",
                        "Math." + method.Name + " with the argument '" + method.Parameters[p].Name + "' omitted is not supported");
            return result;
        }

        private static bool IsSystemMath(INamedTypeSymbol? type) =>
            type is { Name: "Math", ContainingType: null, ContainingNamespace: { Name: "System" } ns } && ns.ContainingNamespace is { IsGlobalNamespace: true };
    }
}
