using System;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// Symbolic derivative d/dx with the chain rule, simplified by <see cref="Simplifier"/>.
/// Conventions at kinks (one-sided choices that match the built-in activations):
/// <list type="bullet">
/// <item><c>Abs'(u) = Sign(u)</c>, so 0 at u = 0;</item>
/// <item><c>Max(u, c)' = (u &gt; c ? 1 : 0) · u'</c> and <c>Min(u, c)' = (u &lt; c ? 1 : 0) · u'</c>, so 0 at u = c;</item>
/// <item><c>Sign'</c> and the indicator's derivative are 0 everywhere (their jumps are ignored).</item>
/// </list>
/// <c>Tanh'(u) = 1 / Cosh(u)²</c> and <c>Tan'(u) = 1 / Cos(u)²</c> (accurate where 1 − tanh² would cancel).
/// </summary>
internal static class Differentiator
{
    private static readonly Expr Zero = Expr.Constant(0.0), One = Expr.Constant(1.0);

    /// <summary>The simplified derivative of <paramref name="e"/> with respect to the variable.</summary>
    public static Expr Derive(Expr e)
    {
        if (e is null) throw new ArgumentNullException(nameof(e));
        return Simplifier.Simplify(D(Simplifier.Simplify(e)));
    }

    private static Expr D(Expr e)
    {
        switch (e)
        {
            case ConstExpr: return Zero;
            case VarExpr: return One;
            case NegExpr n: return Simplifier.Negate(D(n.Operand));
            case BinaryExpr b: return Binary(b);
            case PowExpr p:
                return Simplifier.Multiply(
                    Simplifier.Multiply(Expr.Constant(p.Exponent), Simplifier.Pow(p.Base, p.Exponent - 1.0)), D(p.Base));
            case FunctionExpr f: return Function(f);
            case MaxExpr m: return Simplifier.Multiply(Simplifier.Step(m.Operand, StepComparison.Greater, m.Bound), D(m.Operand));
            case MinExpr m: return Simplifier.Multiply(Simplifier.Step(m.Operand, StepComparison.Less, m.Bound), D(m.Operand));
            case StepExpr: return Zero;
            default: throw new ArgumentException("Unknown expression node " + e.GetType().Name + ".", nameof(e));
        }
    }

    private static Expr Binary(BinaryExpr b)
    {
        Expr u = b.Left, v = b.Right, du = D(u), dv = D(v);
        switch (b.Operator)
        {
            case BinaryOperator.Add: return Simplifier.Add(du, dv);
            case BinaryOperator.Subtract: return Simplifier.Subtract(du, dv);
            case BinaryOperator.Multiply: return Simplifier.Add(Simplifier.Multiply(du, v), Simplifier.Multiply(u, dv));
            default:
                if (dv is ConstExpr { Value: 0.0 }) return Simplifier.Divide(du, v);
                return Simplifier.Divide(
                    Simplifier.Subtract(Simplifier.Multiply(du, v), Simplifier.Multiply(u, dv)),
                    Simplifier.Pow(v, 2.0));
        }
    }

    private static Expr Function(FunctionExpr f)
    {
        Expr u = f.Argument, du = D(u);
        if (du is ConstExpr { Value: 0.0 }) return Zero;
        switch (f.Function)
        {
            case MathFunction.Exp: return Simplifier.Multiply(f, du);
            case MathFunction.Log: return Simplifier.Divide(du, u);
            case MathFunction.Log10: return Simplifier.Divide(du, Simplifier.Multiply(Expr.Constant(Math.Log(10.0)), u));
            case MathFunction.Sqrt: return Simplifier.Divide(du, Simplifier.Multiply(Expr.Constant(2.0), f));
            case MathFunction.Sin: return Simplifier.Multiply(Simplifier.Function(MathFunction.Cos, u), du);
            case MathFunction.Cos: return Simplifier.Negate(Simplifier.Multiply(Simplifier.Function(MathFunction.Sin, u), du));
            case MathFunction.Tan: return Simplifier.Divide(du, Simplifier.Pow(Simplifier.Function(MathFunction.Cos, u), 2.0));
            case MathFunction.Sinh: return Simplifier.Multiply(Simplifier.Function(MathFunction.Cosh, u), du);
            case MathFunction.Cosh: return Simplifier.Multiply(Simplifier.Function(MathFunction.Sinh, u), du);
            case MathFunction.Tanh: return Simplifier.Divide(du, Simplifier.Pow(Simplifier.Function(MathFunction.Cosh, u), 2.0));
            case MathFunction.Atan: return Simplifier.Divide(du, Simplifier.Add(One, Simplifier.Pow(u, 2.0)));
            case MathFunction.Abs: return Simplifier.Multiply(Simplifier.Function(MathFunction.Sign, u), du);
            case MathFunction.Sign: return Zero;
            default: throw new ArgumentException("Unknown function " + f.Function + ".", nameof(f));
        }
    }
}
