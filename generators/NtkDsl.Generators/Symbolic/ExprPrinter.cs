using System;
using System.Globalization;
using System.Text;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// Prints an <see cref="Expr"/> as C# source. Math calls are fully qualified (<c>global::System.Math.Exp</c>), numbers
/// are invariant round-trip literals that always read as doubles (<c>2.0</c>, <c>1E-05</c>), and parentheses are
/// added only where C# precedence or left-to-right evaluation order needs them (a right operand of equal precedence is
/// always parenthesized, so floating-point evaluation order is kept exactly).
/// </summary>
internal static class ExprPrinter
{
    private const string MathPrefix = "global::System.Math.";

    // Precedence levels: additive 1, multiplicative 2, unary/cast 3, primary 4.
    private const int Additive = 1, Multiplicative = 2, Unary = 3, Primary = 4;

    /// <summary>A C# expression of type double computing <paramref name="e"/>, the variable named <paramref name="variableName"/>.</summary>
    public static string ToCSharp(Expr e, string variableName)
    {
        if (e is null) throw new ArgumentNullException(nameof(e));
        if (string.IsNullOrWhiteSpace(variableName)) throw new ArgumentException("The variable name must be a C# identifier.", nameof(variableName));
        var sb = new StringBuilder();
        Print(e, new Style(variableName, MathPrefix, CSharp: true), sb);
        return sb.ToString();
    }

    /// <summary>A short math form (<c>Exp(x) * x</c>) for messages; not meant to be compiled.</summary>
    public static string ToReadable(Expr e, string variableName)
    {
        var sb = new StringBuilder();
        Print(e, new Style(variableName, "", CSharp: false), sb);
        return sb.ToString();
    }

    /// <summary>An invariant, round-trip double literal with a decimal point or exponent (<c>2.0</c>, <c>-0.5</c>, <c>1E-05</c>).</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "double.NaN";
        if (double.IsPositiveInfinity(value)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return "double.NegativeInfinity";
        string s = value.ToString("R", CultureInfo.InvariantCulture);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double back)
            || BitConverter.DoubleToInt64Bits(back) != BitConverter.DoubleToInt64Bits(value))
            s = value.ToString("G17", CultureInfo.InvariantCulture);
        if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0 && s.IndexOf('e') < 0) s += ".0";
        return s;
    }

    private sealed record Style(string Variable, string Prefix, bool CSharp);

    private static int Print(Expr e, Style style, StringBuilder sb)
    {
        switch (e)
        {
            case ConstExpr c:
            {
                string text = style.CSharp ? Number(c.Value) : ReadableNumber(c.Value);
                sb.Append(text);
                return text.StartsWith("-", StringComparison.Ordinal) ? Unary : Primary;
            }
            case VarExpr:
                sb.Append(style.Variable);
                return Primary;
            case NegExpr n:
            {
                sb.Append('-');
                var inner = new StringBuilder();
                int p = Print(n.Operand, style, inner);
                bool wrap = p < Unary || (inner.Length > 0 && inner[0] is '-' or '+');
                AppendWrapped(sb, inner, wrap);
                return Unary;
            }
            case BinaryExpr b:
            {
                int level = b.Operator is BinaryOperator.Add or BinaryOperator.Subtract ? Additive : Multiplicative;
                PrintOperand(b.Left, style, sb, level);
                sb.Append(b.Operator switch
                {
                    BinaryOperator.Add => " + ",
                    BinaryOperator.Subtract => " - ",
                    BinaryOperator.Multiply => " * ",
                    _ => " / ",
                });
                PrintOperand(b.Right, style, sb, level + 1);
                return level;
            }
            case PowExpr pw:
                sb.Append(style.Prefix).Append("Pow(");
                Print(pw.Base, style, sb);
                sb.Append(", ");
                Print(new ConstExpr(pw.Exponent), style, sb);
                sb.Append(')');
                return Primary;
            case FunctionExpr f:
                if (f.Function == MathFunction.Sign && style.CSharp)
                {
                    // Math.Sign returns int: cast so the printed expression is a double in every context.
                    sb.Append("(double)").Append(style.Prefix).Append("Sign(");
                    Print(f.Argument, style, sb);
                    sb.Append(')');
                    return Unary;
                }
                sb.Append(style.Prefix).Append(f.Function.ToString()).Append('(');
                Print(f.Argument, style, sb);
                sb.Append(')');
                return Primary;
            case MaxExpr mx:
                PrintCall(style, sb, "Max", mx.Operand, mx.Bound);
                return Primary;
            case MinExpr mn:
                PrintCall(style, sb, "Min", mn.Operand, mn.Bound);
                return Primary;
            case StepExpr st:
                sb.Append('(');
                Print(st.Operand, style, sb);
                sb.Append(st.Comparison == StepComparison.Greater ? " > " : " < ");
                Print(new ConstExpr(st.Threshold), style, sb);
                sb.Append(style.CSharp ? " ? 1.0 : 0.0)" : " ? 1 : 0)");
                return Primary;
            default:
                throw new ArgumentException("Unknown expression node " + e.GetType().Name + ".", nameof(e));
        }
    }

    private static void PrintCall(Style style, StringBuilder sb, string name, Expr operand, double constant)
    {
        sb.Append(style.Prefix).Append(name).Append('(');
        Print(operand, style, sb);
        sb.Append(", ");
        Print(new ConstExpr(constant), style, sb);
        sb.Append(')');
    }

    private static void PrintOperand(Expr operand, Style style, StringBuilder sb, int minimumLevel)
    {
        var inner = new StringBuilder();
        int p = Print(operand, style, inner);
        AppendWrapped(sb, inner, p < minimumLevel);
    }

    private static void AppendWrapped(StringBuilder sb, StringBuilder inner, bool wrap)
    {
        if (wrap) sb.Append('(');
        sb.Append(inner);
        if (wrap) sb.Append(')');
    }

    private static string ReadableNumber(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "Infinity" : "-Infinity";
        return value.ToString("R", CultureInfo.InvariantCulture);
    }
}
