using System;

namespace NtkDsl.Generators.Symbolic;

/// <summary>
/// Algebraic simplification that keeps derivatives readable: constant folding (including functions of constants),
/// <c>u + 0</c>, <c>u * 1</c>, <c>0 * u</c>, <c>u / 1</c>, <c>−(−u)</c>, <c>u + u → 2 * u</c>, sign pulling
/// (<c>u + (−v) → u − v</c>, <c>(−u) * v → −(u * v)</c>), constants moved to the front of products, <c>Pow(u, 1) → u</c>,
/// <c>Pow(u, 0) → 1</c>. <c>0 * u → 0</c> and <c>0 / u → 0</c> ignore the IEEE cases u = ±∞ or NaN; this is the usual
/// convention for derivative expressions (the parser never simplifies the user's φ, so φ stays exact).
/// The simplifying constructors (<see cref="Add"/>, <see cref="Multiply"/>, ...) expect simplified operands.
/// </summary>
internal static class Simplifier
{
    private static readonly Expr Zero = Expr.Constant(0.0), One = Expr.Constant(1.0);

    /// <summary>Rebuilds <paramref name="e"/> bottom-up through the simplifying constructors until nothing changes.</summary>
    public static Expr Simplify(Expr e)
    {
        if (e is null) throw new ArgumentNullException(nameof(e));
        var current = e;
        for (int i = 0; i < 8; i++)
        {
            var next = Once(current);
            if (next.Equals(current)) return next;
            current = next;
        }
        return current;
    }

    private static Expr Once(Expr e) => e switch
    {
        NegExpr n => Negate(Once(n.Operand)),
        BinaryExpr b => Binary(b.Operator, Once(b.Left), Once(b.Right)),
        PowExpr p => Pow(Once(p.Base), p.Exponent),
        FunctionExpr f => Function(f.Function, Once(f.Argument)),
        MaxExpr m => Max(Once(m.Operand), m.Bound),
        MinExpr m => Min(Once(m.Operand), m.Bound),
        StepExpr s => Step(Once(s.Operand), s.Comparison, s.Threshold),
        _ => e,
    };

    /// <summary>A simplified binary operation.</summary>
    public static Expr Binary(BinaryOperator op, Expr a, Expr b) => op switch
    {
        BinaryOperator.Add => Add(a, b),
        BinaryOperator.Subtract => Subtract(a, b),
        BinaryOperator.Multiply => Multiply(a, b),
        _ => Divide(a, b),
    };

    /// <summary>Simplified <c>a + b</c>.</summary>
    public static Expr Add(Expr a, Expr b)
    {
        if (a is ConstExpr ca && b is ConstExpr cb) return Expr.Constant(ca.Value + cb.Value);
        if (IsZero(a)) return b;
        if (IsZero(b)) return a;
        if (b is NegExpr nb) return Subtract(a, nb.Operand);
        if (a is NegExpr na) return Subtract(b, na.Operand);
        if (b is ConstExpr { Value: < 0 } negative) return new BinaryExpr(BinaryOperator.Subtract, a, Expr.Constant(-negative.Value));
        if (IsNegativeProduct(b, out var positiveB)) return Subtract(a, positiveB);
        if (IsNegativeProduct(a, out var positiveA)) return Subtract(b, positiveA);
        if (a.Equals(b)) return Multiply(Expr.Constant(2.0), a);
        if (a is ConstExpr) return Add(b, a);
        if (b is ConstExpr c2 && a is BinaryExpr { Right: ConstExpr c1 } inner
            && inner.Operator is BinaryOperator.Add or BinaryOperator.Subtract)
            return Add(inner.Left, Expr.Constant((inner.Operator == BinaryOperator.Add ? c1.Value : -c1.Value) + c2.Value));
        return new BinaryExpr(BinaryOperator.Add, a, b);
    }

    /// <summary>Simplified <c>a − b</c>.</summary>
    public static Expr Subtract(Expr a, Expr b)
    {
        if (a is ConstExpr ca && b is ConstExpr cb) return Expr.Constant(ca.Value - cb.Value);
        if (IsZero(b)) return a;
        if (IsZero(a)) return Negate(b);
        if (b is NegExpr nb) return Add(a, nb.Operand);
        if (b is ConstExpr constant) return Add(a, Expr.Constant(-constant.Value));
        if (IsNegativeProduct(b, out var positiveB)) return Add(a, positiveB);
        if (a is NegExpr na) return Negate(Add(na.Operand, b));
        return new BinaryExpr(BinaryOperator.Subtract, a, b);
    }

    /// <summary>Simplified <c>a * b</c> (constants first).</summary>
    public static Expr Multiply(Expr a, Expr b)
    {
        if (a is ConstExpr ca && b is ConstExpr cb) return Expr.Constant(ca.Value * cb.Value);
        if (IsZero(a) || IsZero(b)) return Zero;
        if (IsConst(a, 1.0)) return b;
        if (IsConst(b, 1.0)) return a;
        if (IsConst(a, -1.0)) return Negate(b);
        if (IsConst(b, -1.0)) return Negate(a);
        if (a is NegExpr na && b is NegExpr nb) return Multiply(na.Operand, nb.Operand);
        if (a is NegExpr na2) return Negate(Multiply(na2.Operand, b));
        if (b is NegExpr nb2) return Negate(Multiply(a, nb2.Operand));
        if (b is ConstExpr && a is not ConstExpr) return Multiply(b, a);
        if (a is ConstExpr c1 && b is BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstExpr c2 } inner)
            return Multiply(Expr.Constant(c1.Value * c2.Value), inner.Right);
        // Pull constant factors to the front: u * (c * v) → c * (u * v), (c * u) * v → c * (u * v).
        if (a is not ConstExpr && b is BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstExpr c3 } right)
            return Multiply(c3, Multiply(a, right.Right));
        if (b is not ConstExpr && a is BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstExpr c4 } left)
            return Multiply(c4, Multiply(left.Right, b));
        // u * (c / v) → (c * u) / v and (c / v) * u → (c * u) / v.
        if (b is BinaryExpr { Operator: BinaryOperator.Divide, Left: ConstExpr n1 } q1) return Divide(Multiply(n1, a), q1.Right);
        if (a is BinaryExpr { Operator: BinaryOperator.Divide, Left: ConstExpr n2 } q2) return Divide(Multiply(n2, b), q2.Right);
        return new BinaryExpr(BinaryOperator.Multiply, a, b);
    }

    /// <summary>Simplified <c>a / b</c>.</summary>
    public static Expr Divide(Expr a, Expr b)
    {
        if (a is ConstExpr ca && b is ConstExpr cb) return Expr.Constant(ca.Value / cb.Value);
        if (IsConst(b, 1.0)) return a;
        if (IsConst(b, -1.0)) return Negate(a);
        if (IsZero(a)) return Zero;
        if (a is NegExpr na) return Negate(Divide(na.Operand, b));
        if (b is NegExpr nb) return Negate(Divide(a, nb.Operand));
        if (b is ConstExpr d && a is BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstExpr c } product)
            return Multiply(Expr.Constant(c.Value / d.Value), product.Right);
        return new BinaryExpr(BinaryOperator.Divide, a, b);
    }

    /// <summary>Simplified <c>−a</c>.</summary>
    public static Expr Negate(Expr a) => a switch
    {
        ConstExpr c => Expr.Constant(-c.Value),
        NegExpr n => n.Operand,
        BinaryExpr { Operator: BinaryOperator.Subtract } s => new BinaryExpr(BinaryOperator.Subtract, s.Right, s.Left),
        BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstExpr c } p => Multiply(Expr.Constant(-c.Value), p.Right),
        _ => new NegExpr(a),
    };

    /// <summary>Simplified <c>Pow(a, exponent)</c>.</summary>
    public static Expr Pow(Expr a, double exponent)
    {
        if (exponent == 0.0) return One;
        if (exponent == 1.0) return a;
        if (a is ConstExpr c) return Expr.Constant(Math.Pow(c.Value, exponent));
        return new PowExpr(a, exponent);
    }

    /// <summary>Simplified <c>f(a)</c>.</summary>
    public static Expr Function(MathFunction f, Expr a)
    {
        if (a is ConstExpr c) return Expr.Constant(ExprEvaluator.Apply(f, c.Value));
        if (f == MathFunction.Abs && a is NegExpr n) return Function(f, n.Operand);
        if (f == MathFunction.Abs && a is FunctionExpr { Function: MathFunction.Abs }) return a;
        return new FunctionExpr(f, a);
    }

    /// <summary>Simplified <c>Math.Max(a, constant)</c>.</summary>
    public static Expr Max(Expr a, double constant) =>
        a is ConstExpr c ? Expr.Constant(Math.Max(c.Value, constant)) : new MaxExpr(a, constant);

    /// <summary>Simplified <c>Math.Min(a, constant)</c>.</summary>
    public static Expr Min(Expr a, double constant) =>
        a is ConstExpr c ? Expr.Constant(Math.Min(c.Value, constant)) : new MinExpr(a, constant);

    /// <summary>Simplified indicator <c>a &gt; threshold ? 1 : 0</c> (or <c>&lt;</c>).</summary>
    public static Expr Step(Expr a, StepComparison comparison, double threshold) =>
        a is ConstExpr c ? Expr.Constant(ExprEvaluator.Step(comparison, c.Value, threshold)) : new StepExpr(a, comparison, threshold);

    /// <summary>Whether <paramref name="e"/> is <c>c * v</c> with c &lt; 0; <paramref name="positive"/> is then <c>(−c) * v</c>.</summary>
    private static bool IsNegativeProduct(Expr e, out Expr positive)
    {
        if (e is BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstExpr { Value: < 0 } c } product)
        {
            positive = Multiply(Expr.Constant(-c.Value), product.Right);
            return true;
        }
        positive = e;
        return false;
    }

    private static bool IsZero(Expr e) => e is ConstExpr { Value: 0.0 };

    private static bool IsConst(Expr e, double value) => e is ConstExpr c && c.Value == value;
}
