using System;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// Evaluates an <see cref="Expr"/> in double arithmetic, node for node as the printed C# would (same operations, same
/// order). One deliberate difference: <c>Sign(NaN)</c> is NaN here, where <c>System.Math.Sign</c> throws.
/// </summary>
internal static class ExprEvaluator
{
    /// <summary>The value of <paramref name="e"/> at <paramref name="x"/>.</summary>
    public static double Evaluate(Expr e, double x) => e switch
    {
        ConstExpr c => c.Value,
        VarExpr => x,
        NegExpr n => -Evaluate(n.Operand, x),
        BinaryExpr b => Binary(b.Operator, Evaluate(b.Left, x), Evaluate(b.Right, x)),
        PowExpr p => Math.Pow(Evaluate(p.Base, x), p.Exponent),
        FunctionExpr f => Apply(f.Function, Evaluate(f.Argument, x)),
        MaxExpr m => Math.Max(Evaluate(m.Operand, x), m.Bound),
        MinExpr m => Math.Min(Evaluate(m.Operand, x), m.Bound),
        StepExpr s => Step(s.Comparison, Evaluate(s.Operand, x), s.Threshold),
        null => throw new ArgumentNullException(nameof(e)),
        _ => throw new ArgumentException("Unknown expression node " + e.GetType().Name + ".", nameof(e)),
    };

    /// <summary>One arithmetic operation.</summary>
    public static double Binary(BinaryOperator op, double a, double b) => op switch
    {
        BinaryOperator.Add => a + b,
        BinaryOperator.Subtract => a - b,
        BinaryOperator.Multiply => a * b,
        BinaryOperator.Divide => a / b,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown operator."),
    };

    /// <summary>One math function, as <c>System.Math</c> computes it (Sign(NaN) gives NaN instead of throwing).</summary>
    public static double Apply(MathFunction function, double a) => function switch
    {
        MathFunction.Exp => Math.Exp(a),
        MathFunction.Log => Math.Log(a),
        MathFunction.Log10 => Math.Log10(a),
        MathFunction.Sqrt => Math.Sqrt(a),
        MathFunction.Sin => Math.Sin(a),
        MathFunction.Cos => Math.Cos(a),
        MathFunction.Tan => Math.Tan(a),
        MathFunction.Sinh => Math.Sinh(a),
        MathFunction.Cosh => Math.Cosh(a),
        MathFunction.Tanh => Math.Tanh(a),
        MathFunction.Atan => Math.Atan(a),
        MathFunction.Abs => Math.Abs(a),
        MathFunction.Sign => double.IsNaN(a) ? double.NaN : Math.Sign(a),
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, "Unknown function."),
    };

    /// <summary>The indicator: 1 when the strict comparison holds, else 0 (also for NaN).</summary>
    public static double Step(StepComparison comparison, double a, double threshold) =>
        (comparison == StepComparison.Greater ? a > threshold : a < threshold) ? 1.0 : 0.0;
}
