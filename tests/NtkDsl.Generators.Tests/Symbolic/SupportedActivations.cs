using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace NtkDsl.Generators.Tests.Symbolic;

/// <summary>A corpus of custom activations the differentiator must accept, compiled once.</summary>
internal static class SupportedActivations
{
    public static readonly double[] Mixed = { -2.3, -0.7, 0.4, 1.3, 2.9 };
    public static readonly double[] Positive = { 0.3, 0.9, 1.7, 3.1 };

    /// <summary>Name, method body (after the signature), points away from kinks and domain edges.</summary>
    public static readonly (string Name, string Body, double[] Points)[] Cases =
    {
        ("Swishish", "=> x * Math.Tanh(x) + 0.1 * Math.Exp(-x * x);", Mixed),
        ("BlockBody", "{ return Math.Sin(x) * Math.Cos(2 * x); }", Mixed),
        ("UsingStatic", "=> Exp(x) / (1 + Exp(x)) + Sqrt(2.0) * Sin(PI * x);", Mixed),
        ("FullyQualified", "=> System.Math.Log(1 + x * x);", Mixed),
        ("SqrtShift", "=> Math.Sqrt(1 + x * x) - 1;", Mixed),
        ("Polynomial", "=> Math.Pow(x, 3) - 2 * Math.Pow(x, 2) + 5 * x - 7;", Mixed),
        ("PowHalf", "=> Math.Pow(1 + x * x, 0.5);", Mixed),
        ("PowThird", "=> Math.Pow(x, 1.0 / 3);", Positive),
        ("PowFoldedExponent", "=> Math.Pow(x, Math.Sqrt(2));", Positive),
        ("PowNegative", "=> Math.Pow(x, -2);", Positive),
        ("PowNamed", "=> Math.Pow(y: 2, x: x + 1);", Mixed),
        ("Constants", "=> Math.PI * x + Math.E - Scale * x * x + Other.K * Math.Tanh(x) / Other.N;", Mixed),
        ("IntegerDivision", "=> 1 / 2 * x + x + (double)1 / 4 * x * x + (int)2.7 * x;", Mixed),
        ("CastToDouble", "=> (double)x * 2 + (double)(x * x);", Mixed),
        ("Softsign", "=> x / (1 + Math.Abs(x));", Mixed),
        ("Sigmoid", "=> 1 / (1 + Math.Exp(-x));", Mixed),
        ("Rational", "=> (x - 1) / (x * x + 2) - x / 3 / 4;", Mixed),
        ("AbsProduct", "=> Math.Abs(x) * x + Math.Abs(Math.Sin(x));", Mixed),
        ("Relu", "=> Math.Max(x, 0.0);", Mixed),
        ("ReluSwapped", "=> Math.Max(0, x) + Math.Min(1.5, x);", Mixed),
        ("MaxOfExpression", "=> Math.Max(x * x - 1, 0.25) * Math.Min(Math.Sin(x), 0.5);", Mixed),
        ("MaxNamed", "=> Math.Max(val2: -0.5, val1: 2 * x);", Mixed),
        ("SignTimesSquare", "=> Math.Sign(x) * x * x + (double)Math.Sign(x - 5);", Mixed),
        ("Trig", "=> Math.Tan(0.3 * x) + Math.Atan(x) - Math.Cos(x * x);", Mixed),
        ("Hyperbolic", "=> Math.Sinh(0.5 * x) - Math.Cosh(0.3 * x) + Math.Tanh(Math.Tanh(Math.Tanh(x)));", Mixed),
        ("Logs", "=> Math.Log10(x) + Math.Log(x, 2) + Math.Log(x + 1);", Positive),
        ("Unary", "=> +x - -x + -(-x) * - x;", Mixed),
        ("ConstantBody", "=> 3;", Mixed),
        ("Identity", "=> x;", Mixed),
        ("Literals", "=> 1e-3 * x + 2.5E2 + 0.5f * x + 3L * x + 0x10 * x;", Mixed),
        ("ExpOfFoldable", "=> Math.Exp(Math.Sqrt(2.0) * x) - Math.Exp(-1) * x;", Mixed),
        ("Gelu", "=> 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * Math.Pow(x, 3))));", Mixed),
        ("Softplus", "=> Math.Log(1 + Math.Exp(x));", Mixed),
        ("Parenthesized", "=> ((x)) * ((2.0 * (x - 1)));", Mixed),
        ("SignAlone", "=> Math.Sign(x - 10);", Mixed),
        ("EnumAndDecimalConstants", "=> (double)Kind.B * x + (double)Rate * x;", Mixed),
    };

    public const string ClassName = "Acts";

    public static string Source()
    {
        var sb = new StringBuilder();
        sb.AppendLine("using System;");
        sb.AppendLine("using static System.Math;");
        sb.AppendLine("public static class Other { public const double K = 1.75; public const int N = 3; }");
        sb.AppendLine("public enum Kind { A = 1, B = 4 }");
        sb.AppendLine("public static class " + ClassName + " {");
        sb.AppendLine("    private const double Scale = 0.37;");
        sb.AppendLine("    private const decimal Rate = 0.125m;");
        foreach (var c in Cases) sb.AppendLine("    public static double " + c.Name + "(double x) " + c.Body);
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static readonly Lazy<(CSharpCompilation Compilation, Assembly Assembly)> Built = new(() =>
    {
        var compilation = SymbolicTestSupport.Compile(Source());
        return (compilation, SymbolicTestSupport.EmitAndLoad(compilation));
    });

    public static CSharpCompilation Compilation => Built.Value.Compilation;

    public static Func<double, double> Original(string name) => SymbolicTestSupport.Function(Built.Value.Assembly, ClassName, name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases) data.Add(c.Name);
        return data;
    }

    public static double[] PointsOf(string name) => Cases.Single(c => c.Name == name).Points;
}
