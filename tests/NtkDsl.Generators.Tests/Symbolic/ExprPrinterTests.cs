using System.Globalization;
using System.Text;
using NtkDsl.Generators.Symbolic;
using static NtkDsl.Generators.Tests.Symbolic.SymbolicTestSupport;

namespace NtkDsl.Generators.Tests.Symbolic;

/// <summary>Number literals, parenthesization and evaluation order of the printed C#.</summary>
public sealed class ExprPrinterTests
{
    private static readonly Expr X = Expr.X;
    private static Expr C(double v) => Expr.Constant(v);
    private static Expr Add(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Add, a, b);
    private static Expr Sub(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Subtract, a, b);
    private static Expr Mul(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Multiply, a, b);
    private static Expr Div(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Divide, a, b);
    private static Expr Neg(Expr a) => new NegExpr(a);
    private static Expr F(MathFunction f, Expr a) => new FunctionExpr(f, a);

    [Theory]
    [InlineData(2.0, "2.0")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(1e-5, "1E-05")]
    [InlineData(1e20, "1E+20")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(double.NaN, "double.NaN")]
    [InlineData(double.NegativeInfinity, "double.NegativeInfinity")]
    public void NumbersAreInvariantDoubleLiterals(double value, string expected) => Assert.Equal(expected, ExprPrinter.Number(value));

    [Fact]
    public void NumbersRoundTripAndAlwaysReadAsDoubles()
    {
        var random = new Random(1234);
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // a comma decimal separator must not leak in
        try
        {
            for (int i = 0; i < 2000; i++)
            {
                double v = BitConverter.Int64BitsToDouble((long)(random.NextDouble() * long.MaxValue) * (random.Next(2) == 0 ? 1 : -1));
                if (double.IsNaN(v) || double.IsInfinity(v)) continue;
                string text = ExprPrinter.Number(v);
                Assert.True(text.IndexOfAny(new[] { '.', 'E' }) >= 0, text);
                Assert.Equal(BitConverter.DoubleToInt64Bits(v), BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)));
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void ParenthesesFollowCSharpPrecedenceAndNoMore()
    {
        Assert.Equal("z + z * 2.0", ExprPrinter.ToCSharp(Add(X, Mul(X, C(2))), "z"));
        Assert.Equal("(z + 1.0) * z", ExprPrinter.ToCSharp(Mul(Add(X, C(1)), X), "z"));
        Assert.Equal("z - z - 1.0", ExprPrinter.ToCSharp(Sub(Sub(X, X), C(1)), "z"));
        Assert.Equal("z - (z - 1.0)", ExprPrinter.ToCSharp(Sub(X, Sub(X, C(1))), "z"));
        Assert.Equal("z / (z * 2.0)", ExprPrinter.ToCSharp(Div(X, Mul(X, C(2))), "z"));
        Assert.Equal("-(-z)", ExprPrinter.ToCSharp(Neg(Neg(X)), "z"));
        Assert.Equal("-(z + 1.0)", ExprPrinter.ToCSharp(Neg(Add(X, C(1))), "z"));
        Assert.Equal("global::System.Math.Exp(-z)", ExprPrinter.ToCSharp(F(MathFunction.Exp, Neg(X)), "z"));
    }

    /// <summary>Unsimplified trees with every awkward shape: the compiled text must equal the evaluator bit for bit.</summary>
    private static readonly Expr[] Shapes =
    {
        Neg(Neg(X)), Neg(C(-2)), Sub(X, C(-2)), Mul(X, C(-2)), Sub(X, Add(X, C(1))), Sub(X, Sub(X, C(1))),
        Add(X, Add(C(1), C(1))), Add(Add(X, C(1)), C(1)), Div(X, Mul(X, C(2))), Div(Div(X, C(3)), C(7)), Div(X, Div(C(3), C(7))),
        Mul(X, Div(C(1), X)), Neg(Add(X, C(1))), Mul(Neg(X), X), Add(C(-1), X), Mul(C(-1), F(MathFunction.Sign, X)),
        Div(F(MathFunction.Sign, X), C(2)), Neg(F(MathFunction.Sign, X)), F(MathFunction.Sign, X),
        Div(F(MathFunction.Sign, X), F(MathFunction.Sign, Add(X, C(3)))),
        Mul(new StepExpr(X, StepComparison.Greater, 0), new StepExpr(X, StepComparison.Less, 1)),
        Neg(new StepExpr(X, StepComparison.Greater, -0.5)), Sub(new StepExpr(X, StepComparison.Less, 0), new StepExpr(X, StepComparison.Greater, 0)),
        new PowExpr(Neg(X), 2), new PowExpr(Sub(X, C(1)), 3), new MaxExpr(Neg(X), -1), new MinExpr(Sub(C(0), X), 0.25),
        Add(X, C(double.PositiveInfinity)), Mul(C(double.NaN), X), Mul(C(-0.0), X), Mul(C(1e300), X), Sub(C(0), Neg(C(-0.0))),
        F(MathFunction.Log10, F(MathFunction.Abs, X)), F(MathFunction.Atan, Div(X, Neg(X))), Neg(Mul(C(-1.5), Neg(X))),
    };

    private static readonly double[] Points = { -2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, 1e16 };

    [Fact]
    public void PrintedShapesCompileAndMatchTheEvaluatorExactly()
    {
        var sb = new StringBuilder("public static class Shapes {\n");
        for (int i = 0; i < Shapes.Length; i++)
            sb.Append("  public static double S").Append(i).Append("(double v) => ").Append(ExprPrinter.ToCSharp(Shapes[i], "v")).AppendLine(";");
        sb.AppendLine("}");
        var assembly = EmitAndLoad(Compile(sb.ToString(), "Shapes.cs"));
        for (int i = 0; i < Shapes.Length; i++)
        {
            var compiled = Function(assembly, "Shapes", "S" + i);
            foreach (double x in Points)
                Same(ExprEvaluator.Evaluate(Shapes[i], x), compiled(x), $"S{i} = {ExprPrinter.ToCSharp(Shapes[i], "v")} at {x}");
        }
    }
}
