using System;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// An immutable, value-equatable expression in one real variable (no Roslyn types inside, so it may live in
/// incremental-generator models). Build nodes directly (faithful to the source) or through <see cref="Simplifier"/>'s
/// simplifying constructors.
/// </summary>
internal abstract record Expr
{
    private protected Expr() { }

    /// <summary>The variable.</summary>
    public static Expr X { get; } = new VarExpr();

    /// <summary>A constant node.</summary>
    public static Expr Constant(double value) => new ConstExpr(value);

    /// <summary>Readable math form with the variable printed as <c>x</c> (for diagnostics and test messages).</summary>
    public sealed override string ToString() => ExprPrinter.ToReadable(this, "x");
}

/// <summary>A constant. Equality compares bit patterns, so <c>0.0</c> and <c>-0.0</c> differ (they print differently).</summary>
internal sealed record ConstExpr(double Value) : Expr
{
    public bool Equals(ConstExpr? other) =>
        other is not null && BitConverter.DoubleToInt64Bits(Value) == BitConverter.DoubleToInt64Bits(other.Value);

    public override int GetHashCode() => BitConverter.DoubleToInt64Bits(Value).GetHashCode();
}

/// <summary>The variable (the activation's parameter).</summary>
internal sealed record VarExpr : Expr;

/// <summary>Unary minus.</summary>
internal sealed record NegExpr(Expr Operand) : Expr;

/// <summary>The four arithmetic operators.</summary>
internal enum BinaryOperator { Add, Subtract, Multiply, Divide }

/// <summary><c>Left op Right</c>, evaluated left operand first as in C#.</summary>
internal sealed record BinaryExpr(BinaryOperator Operator, Expr Left, Expr Right) : Expr;

/// <summary><c>Math.Pow(Base, Exponent)</c> with a constant exponent.</summary>
internal sealed record PowExpr(Expr Base, double Exponent) : Expr;

/// <summary>Unary <c>System.Math</c> functions the differentiator understands.</summary>
internal enum MathFunction { Exp, Log, Log10, Sqrt, Sin, Cos, Tan, Sinh, Cosh, Tanh, Atan, Abs, Sign }

/// <summary><c>Math.Function(Argument)</c>. <see cref="MathFunction.Sign"/> yields −1, 0 or 1 as a double.</summary>
internal sealed record FunctionExpr(MathFunction Function, Expr Argument) : Expr;

/// <summary><c>Math.Max(Operand, Bound)</c>.</summary>
internal sealed record MaxExpr(Expr Operand, double Bound) : Expr;

/// <summary><c>Math.Min(Operand, Bound)</c>.</summary>
internal sealed record MinExpr(Expr Operand, double Bound) : Expr;

/// <summary>How a <see cref="StepExpr"/> compares its operand with the threshold.</summary>
internal enum StepComparison { Greater, Less }

/// <summary>
/// The indicator <c>Operand &gt; Threshold ? 1 : 0</c> (or <c>&lt;</c>): the derivative of Max/Min with a constant.
/// Strict comparison, so the value at the kink (and for NaN) is 0.
/// </summary>
internal sealed record StepExpr(Expr Operand, StepComparison Comparison, double Threshold) : Expr;
