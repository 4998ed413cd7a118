using NtkDsl.Generators.Symbolic;
using static NtkDsl.Generators.Tests.Symbolic.SymbolicTestSupport;

namespace NtkDsl.Generators.Tests.Symbolic;

/// <summary>Derivative rules and simplification on generated expressions, against finite differences of the evaluator.</summary>
public sealed class DifferentiatorTests
{
    private static readonly Expr X = Expr.X;
    private static Expr C(double v) => Expr.Constant(v);
    private static Expr B(BinaryOperator op, Expr a, Expr b) => new BinaryExpr(op, a, b);
    private static Expr F(MathFunction f, Expr a) => new FunctionExpr(f, a);

    /// <summary>
    /// A random smooth expression whose values stay moderate on [-1.5, 1.5]: denominators are 1 + u², Log and Sqrt get
    /// arguments bounded away from 0, Exp/Sinh/Cosh/Tan see bounded arguments.
    /// </summary>
    private static Expr RandomSmooth(Random r, int depth)
    {
        if (depth == 0 || r.Next(5) == 0)
            return r.Next(3) == 0 ? C(new[] { 0.0, 1.0, -1.0, 2.0, -0.5, 0.3 }[r.Next(6)]) : X;
        Expr Sub() => RandomSmooth(r, depth - 1);
        Expr Bounded() => F(MathFunction.Sin, Sub());
        switch (r.Next(16))
        {
            case 0: return B(BinaryOperator.Add, Sub(), Sub());
            case 1: return B(BinaryOperator.Subtract, Sub(), Sub());
            case 2: case 3: return B(BinaryOperator.Multiply, Sub(), Sub());
            case 4: return B(BinaryOperator.Divide, Sub(), B(BinaryOperator.Add, C(1), new PowExpr(Sub(), 2)));
            case 5: return new NegExpr(Sub());
            case 6: return new PowExpr(Bounded(), r.Next(2) == 0 ? 3 : 2);
            case 7: return F(MathFunction.Exp, Bounded());
            case 8: return F(MathFunction.Log, B(BinaryOperator.Add, C(1.5), Bounded()));
            case 9: return F(MathFunction.Sqrt, B(BinaryOperator.Add, C(2), Bounded()));
            case 10: return F(MathFunction.Tanh, Sub());
            case 11: return F(MathFunction.Cos, Sub());
            case 12: return F(MathFunction.Atan, Sub());
            case 13: return F(r.Next(2) == 0 ? MathFunction.Sinh : MathFunction.Cosh, Bounded());
            case 14: return F(MathFunction.Tan, B(BinaryOperator.Multiply, C(0.5), Bounded()));
            default: return new PowExpr(B(BinaryOperator.Add, C(2), Bounded()), 0.5);
        }
    }

    private static readonly double[] Points = { -1.4, -0.6, -0.1, 0.35, 0.9, 1.45 };

    [Fact]
    public void RandomExpressionsDifferentiateCorrectlyAndSimplifyWithoutChangingValues()
    {
        var r = new Random(20240611);
        for (int n = 0; n < 300; n++)
        {
            var e = RandomSmooth(r, 4);
            var simplified = Simplifier.Simplify(e);
            var derivative = Differentiator.Derive(e);
            Assert.Equal(derivative, Simplifier.Simplify(derivative)); // Derive returns a fixed point of the simplifier
            Func<double, double> f = x => ExprEvaluator.Evaluate(e, x);
            foreach (double x in Points)
            {
                Close(f(x), ExprEvaluator.Evaluate(simplified, x), 1e-12, $"simplify {e} -> {simplified} at {x}");
                Close(FiniteDifference(f, x), ExprEvaluator.Evaluate(derivative, x), 1e-7, $"d/dx {e} = {derivative} at {x}");
            }
        }
    }

    [Fact]
    public void KinkConventionsAreTheDocumentedOnes()
    {
        Assert.Equal(new StepExpr(X, StepComparison.Greater, 0.0), Differentiator.Derive(new MaxExpr(X, 0.0)));
        Assert.Equal(new StepExpr(X, StepComparison.Less, 1.5), Differentiator.Derive(new MinExpr(X, 1.5)));
        Assert.Equal(F(MathFunction.Sign, X), Differentiator.Derive(F(MathFunction.Abs, X)));
        Assert.Equal(C(0), Differentiator.Derive(F(MathFunction.Sign, X)));
        Assert.Equal(C(0), Differentiator.Derive(new StepExpr(X, StepComparison.Greater, 2)));
        // Values at the kinks: 0 for Abs at 0, Max at the bound, Min at the bound.
        Assert.Equal(0.0, ExprEvaluator.Evaluate(Differentiator.Derive(F(MathFunction.Abs, X)), 0.0));
        Assert.Equal(0.0, ExprEvaluator.Evaluate(Differentiator.Derive(new MaxExpr(X, 0.0)), 0.0));
        Assert.Equal(0.0, ExprEvaluator.Evaluate(Differentiator.Derive(new MinExpr(X, 1.5)), 1.5));
        // Away from kinks the one-sided slopes are the finite differences.
        foreach (double x in new[] { -1.0, 0.7 })
        {
            Close(FiniteDifference(t => Math.Max(t, 0.0), x), ExprEvaluator.Evaluate(Differentiator.Derive(new MaxExpr(X, 0.0)), x), 1e-9, "Max'");
            Close(FiniteDifference(Math.Abs, x), ExprEvaluator.Evaluate(Differentiator.Derive(F(MathFunction.Abs, X)), x), 1e-9, "Abs'");
        }
    }

    [Fact]
    public void SimplifierRemovesNeutralElements()
    {
        Assert.Equal(X, Simplifier.Simplify(B(BinaryOperator.Add, B(BinaryOperator.Multiply, X, C(1)), C(0))));
        Assert.Equal(X, Simplifier.Simplify(new NegExpr(new NegExpr(X))));
        Assert.Equal(C(0), Simplifier.Simplify(B(BinaryOperator.Multiply, C(0), F(MathFunction.Exp, X))));
        Assert.Equal(X, Simplifier.Simplify(B(BinaryOperator.Divide, X, C(1))));
        Assert.Equal(C(6), Simplifier.Simplify(B(BinaryOperator.Multiply, C(2), C(3))));
        Assert.Equal(X, Simplifier.Simplify(new PowExpr(X, 1)));
        Assert.Equal(C(1), Simplifier.Simplify(new PowExpr(F(MathFunction.Exp, X), 0)));
        Assert.Equal(C(3), Differentiator.Derive(B(BinaryOperator.Multiply, C(3), X)));
        Assert.Equal(B(BinaryOperator.Multiply, C(2), X), Differentiator.Derive(B(BinaryOperator.Multiply, X, X)));
    }

    [Fact]
    public void ExpressionsCompareByValue()
    {
        Assert.Equal(B(BinaryOperator.Add, X, F(MathFunction.Exp, C(0.5))), B(BinaryOperator.Add, X, F(MathFunction.Exp, C(0.5))));
        Assert.Equal(B(BinaryOperator.Add, X, C(0.5)).GetHashCode(), B(BinaryOperator.Add, X, C(0.5)).GetHashCode());
        Assert.NotEqual(C(0.0), C(-0.0)); // they print differently, so a cache must not conflate them
        Assert.Equal(C(double.NaN), C(double.NaN));
        Assert.NotEqual<Expr>(new MaxExpr(X, 0), new MinExpr(X, 0));
        Assert.Equal("x * Exp(-x)", B(BinaryOperator.Multiply, X, F(MathFunction.Exp, new NegExpr(X))).ToString());
    }
}
