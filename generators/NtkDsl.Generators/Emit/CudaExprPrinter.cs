using System;
using System.Text;
using NtkDsl.Generators.Symbolic;

namespace NtkDsl.Generators.Emit;

/// <summary>
/// Prints an <see cref="Expr"/> (a custom activation φ or its symbolic φ') as CUDA C for NVRTC, the device twin of
/// <see cref="ExprPrinter"/>'s C#: the same tree, the same left-to-right order and parenthesization, so the device
/// evaluates the same IEEE operations as the generated C# code.
/// </summary>
/// <remarks>
/// Products are written <c>__dmul_rn(a, b)</c>: NVRTC contracts a plain <c>a * b + c</c> into one FMA by default, which
/// rounds once where C# rounds twice; <c>__dmul_rn</c> is never contracted (sums, differences and quotients keep their
/// operators, which round exactly as C#'s). Math calls map to the CUDA math API (<c>exp</c>, <c>log</c>, <c>fabs</c>, …);
/// <c>Math.Sign</c>, <c>Math.Max</c> and <c>Math.Min</c> to the helpers <c>ntk_sign</c>, <c>ntk_max</c>, <c>ntk_min</c>
/// of <see cref="CudaEmitter"/>'s prelude, which reproduce .NET's NaN and signed-zero rules (<c>fmax</c> does not).
/// </remarks>
internal static class CudaExprPrinter
{
    private const int Additive = 1, Multiplicative = 2, Unary = 3, Primary = 4;

    /// <summary>A CUDA C expression of type double computing <paramref name="e"/>, the variable named <paramref name="variable"/>.</summary>
    public static string ToCuda(Expr e, string variable)
    {
        if (e is null) throw new ArgumentNullException(nameof(e));
        var sb = new StringBuilder();
        Print(e, variable, sb);
        return sb.ToString();
    }

    /// <summary>A CUDA C double literal that round-trips exactly (NaN and ±∞ as expressions NVRTC and g++ both accept).</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "nan(\"\")";
        if (double.IsPositiveInfinity(value)) return "(1.0 / 0.0)";
        if (double.IsNegativeInfinity(value)) return "(-1.0 / 0.0)";
        return ExprPrinter.Number(value);
    }

    private static int Print(Expr e, string variable, StringBuilder sb)
    {
        switch (e)
        {
            case ConstExpr c:
            {
                string text = Number(c.Value);
                sb.Append(text);
                return text.StartsWith("-", StringComparison.Ordinal) ? Unary : Primary;
            }
            case VarExpr:
                sb.Append(variable);
                return Primary;
            case NegExpr n:
            {
                sb.Append('-');
                var inner = new StringBuilder();
                int p = Print(n.Operand, variable, inner);
                Append(sb, inner, p < Unary || (inner.Length > 0 && inner[0] is '-' or '+'));
                return Unary;
            }
            case BinaryExpr { Operator: BinaryOperator.Multiply } m:
                // Both operands are full expressions inside the call: no parentheses needed, order kept by the tree.
                sb.Append("__dmul_rn(");
                Print(m.Left, variable, sb);
                sb.Append(", ");
                Print(m.Right, variable, sb);
                sb.Append(')');
                return Primary;
            case BinaryExpr b:
            {
                int level = b.Operator is BinaryOperator.Add or BinaryOperator.Subtract ? Additive : Multiplicative;
                Operand(b.Left, variable, sb, level);
                sb.Append(b.Operator switch
                {
                    BinaryOperator.Add => " + ",
                    BinaryOperator.Subtract => " - ",
                    _ => " / ",
                });
                Operand(b.Right, variable, sb, level + 1);
                return level;
            }
            case PowExpr pw:
                sb.Append("pow(");
                Print(pw.Base, variable, sb);
                sb.Append(", ").Append(Number(pw.Exponent)).Append(')');
                return Primary;
            case FunctionExpr f:
                sb.Append(Function(f.Function)).Append('(');
                Print(f.Argument, variable, sb);
                sb.Append(')');
                return Primary;
            case MaxExpr mx:
                sb.Append("ntk_max(");
                Print(mx.Operand, variable, sb);
                sb.Append(", ").Append(Number(mx.Bound)).Append(')');
                return Primary;
            case MinExpr mn:
                sb.Append("ntk_min(");
                Print(mn.Operand, variable, sb);
                sb.Append(", ").Append(Number(mn.Bound)).Append(')');
                return Primary;
            case StepExpr st:
                sb.Append('(');
                Print(st.Operand, variable, sb);
                sb.Append(st.Comparison == StepComparison.Greater ? " > " : " < ").Append(Number(st.Threshold)).Append(" ? 1.0 : 0.0)");
                return Primary;
            default:
                throw new ArgumentException("Unknown expression node " + e.GetType().Name + ".", nameof(e));
        }
    }

    /// <summary>The CUDA math API name of a <c>System.Math</c> function (double precision).</summary>
    private static string Function(MathFunction f) => f switch
    {
        MathFunction.Exp => "exp",
        MathFunction.Log => "log",
        MathFunction.Log10 => "log10",
        MathFunction.Sqrt => "sqrt",
        MathFunction.Sin => "sin",
        MathFunction.Cos => "cos",
        MathFunction.Tan => "tan",
        MathFunction.Sinh => "sinh",
        MathFunction.Cosh => "cosh",
        MathFunction.Tanh => "tanh",
        MathFunction.Atan => "atan",
        MathFunction.Abs => "fabs",
        MathFunction.Sign => "ntk_sign",
        _ => throw new ArgumentException("Unknown math function " + f + ".", nameof(f)),
    };

    private static void Operand(Expr operand, string variable, StringBuilder sb, int minimumLevel)
    {
        var inner = new StringBuilder();
        int p = Print(operand, variable, inner);
        Append(sb, inner, p < minimumLevel);
    }

    private static void Append(StringBuilder sb, StringBuilder inner, bool wrap)
    {
        if (wrap) sb.Append('(');
        sb.Append(inner);
        if (wrap) sb.Append(')');
    }
}
