using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using NtkDsl.Generators.Symbolic;
using static NtkDsl.Generators.Tests.Symbolic.SymbolicTestSupport;

namespace NtkDsl.Generators.Tests.Symbolic;

/// <summary>Unsupported constructs give an error that names them, located at the offending node; odd syntax never throws.</summary>
public sealed class ParserErrorTests
{
    /// <summary>Name, body, a fragment the message must contain, the exact source text of the reported span.</summary>
    private static readonly (string Name, string Body, string Fragment, string SpanText)[] Unsupported =
    {
        ("Floor", "=> x + Math.Floor(x);", "Math.Floor is not differentiable", "Math.Floor(x)"),
        ("Round", "=> Math.Round(2 * x) * x;", "Math.Round is not differentiable", "Math.Round(2 * x)"),
        ("Conditional", "=> 1 + (x > 0 ? x : 0.0);", "the conditional operator", "x > 0 ? x : 0.0"),
        ("UserMethod", "=> x * Helper(x);", "a call to the non-math method Bad.Helper", "Helper(x)"),
        ("SingleMathF", "=> MathF.Exp((float)x);", "a call to the non-math method MathF.Exp", "MathF.Exp((float)x)"),
        ("ReadonlyField", "=> Y * x;", "the field 'Y' is not a constant", "Y"),
        ("Property", "=> x * Prop;", "the property 'Prop'", "Prop"),
        ("UnknownName", "=> x + y;", "the name 'y'", "y"),
        ("PowVariableExponent", "=> Math.Pow(x, 2 * x);", "Pow with a non-constant exponent", "2 * x"),
        ("LogVariableBase", "=> Math.Log(3.0, x);", "Math.Log with a non-constant base", "x"),
        ("MaxTwoVariables", "=> Math.Max(x, x * 2);", "Math.Max with two non-constant arguments", "Math.Max(x, x * 2)"),
        ("Atan2", "=> Math.Atan2(x, 1.0);", "Math.Atan2 with 2 arguments is not supported", "Math.Atan2(x, 1.0)"),
        ("Cbrt", "=> 2 * Math.Cbrt(x);", "Math.Cbrt is not supported", "Math.Cbrt(x)"),
        ("Modulo", "=> 1 + x % 2.0;", "the operator '%'", "x % 2.0"),
        ("IntegerSign", "=> Math.Sign(x) / 2;", "has type int", "Math.Sign(x)"),
        ("FloatCast", "=> (float)x * 2;", "the cast to float", "(float)x"),
        ("IntCast", "=> x + (int)x;", "the cast to int", "(int)x"),
        ("Statements", "{ var y = x; return y; }", "the body must be a single expression", "var y = x;"),
        ("EmptyBlock", "{ }", "the body must be a single expression", "{ }"),
        ("Checked", "=> checked(x + 1);", "checked(...)", "checked(x + 1)"),
        ("Default", "=> x + default;", "the default literal", "default"),
        ("Lambda", "=> ((Func<double, double>)(t => t * t))(x);", "a call to the non-math method Func.Invoke", "((Func<double, double>)(t => t * t))(x)"),
        ("Increment", "=> x++;", "the operator '++'", "x++"),
        ("StringLength", "=> x * \"abc\".Length;", "the property '\"abc\".Length'", "\"abc\".Length"),
        ("Switch", "=> x switch { > 0 => x, _ => 0.0 };", "a switch expression", "x switch { > 0 => x, _ => 0.0 }"),
        ("Throw", "=> throw new InvalidOperationException();", "a throw expression", "throw new InvalidOperationException()"),
        ("Assignment", "=> x = 2;", "the assignment '='", "x = 2"),
        ("Incomplete", "=> x + ;", "an expression is missing", ""),
        ("InstanceCall", "=> x.CompareTo(1.0) * x;", "the non-math method Double.CompareTo", "x.CompareTo(1.0)"),
    };

    private static readonly Lazy<Microsoft.CodeAnalysis.CSharp.CSharpCompilation> Compilation = new(() =>
    {
        var sb = new StringBuilder("using System;\npublic static class Bad {\n");
        sb.AppendLine("    private static readonly double Y = 2.0;");
        sb.AppendLine("    private static double Prop => 2.0;");
        sb.AppendLine("    private static double Helper(double t) => t;");
        foreach (var c in Unsupported) sb.AppendLine("    public static double " + c.Name + "(double x) " + c.Body);
        sb.AppendLine("}");
        return Compile(sb.ToString(), "Bad.cs");
    });

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var c in Unsupported) data.Add(c.Name);
            return data;
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void UnsupportedConstructIsNamedAndLocated(string name)
    {
        var c = Unsupported.Single(u => u.Name == name);
        var compilation = Compilation.Value;
        var result = ParseMethod(compilation, name);
        Assert.False(result.Succeeded, $"{name} parsed as {result.Expr}");
        var error = result.Error!;
        Assert.Contains(c.Fragment, error.Message, StringComparison.Ordinal);

        var method = Method(compilation, name);
        var tree = method.SyntaxTree;
        string text = tree.GetText().ToString();
        Assert.Equal(c.SpanText, text.Substring(error.Span.Start, error.Span.Length));
        Assert.True(method.Span.Contains(error.Span), "the span must lie inside the method");
        Assert.Equal("Bad.cs", error.FilePath);
        Assert.Equal(tree.GetLineSpan(error.Span).Span, error.LineSpan);
        Assert.Equal(error.Span, error.ToLocation(compilation).SourceSpan);
    }

    [Fact]
    public void MethodsWithoutBodyOrWithTwoParametersAreReported()
    {
        var compilation = Compile("""
            public static partial class P
            {
                public static extern double External(double x);
                public static double Two(double x, double y) => x * y;
                public static double None() => 1.0;
            }
            """);
        var external = ParseMethod(compilation, "External");
        Assert.Contains("has no body", external.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("exactly one parameter", ParseMethod(compilation, "Two").Error!.Message, StringComparison.Ordinal);
        Assert.Contains("exactly one parameter", ParseMethod(compilation, "None").Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsAreEquatableAcrossRuns()
    {
        var first = ParseMethod(Compilation.Value, "Floor");
        var second = ParseMethod(Compile(Compilation.Value.SyntaxTrees[0].ToString(), "Bad.cs"), "Floor");
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    /// <summary>Odd syntax, much of it not even valid C#: every body yields an error result, never an exception.</summary>
    private static readonly string[] Fuzz =
    {
        "=> (t => t)(x);", "=> \"abc\";", "=> x++;", "=> --x;", "=> checked(x * 2);", "=> unchecked(x * 2);",
        "=> x > 0 ? x : 0;", "=> Helper(x);", "=> default;", "=> default(double) + x;", "=> x switch { _ => x };",
        "=> nameof(x).Length * x;", "=> new double[] { x }[0];", "=> x is double d ? d : 0;", "=> (x, x).Item1;",
        "=> x = 2;", "=> x += 1;", "=> sizeof(double) * x;", "=> typeof(double).Name.Length * x;", "=> $\"{x}\".Length;",
        "=> x!;", "=> Math.Exp();", "=> Math.Exp(x, 2);", "=> Math.Max(x);", "=> System.Math * x;", "=> (int)x * 1.0;",
        "=> x.ToString().Length;", "=> ~x;", "=> !x;", "=> x << 2;", "=> x & 1;", "=> x ?? 1;", "=> x as object;",
        "=> await x;", "=> stackalloc double[1];", "=> from a in x select a;", "=> x with { };", "=> 1..2;", "=> ref x;",
        "=> this.x;", "=> base.ToString().Length;", "=> Math.Abs(ref x);", "=> Math.Pow(x);", "=> Math.Pow(x, y: 1, 2);",
        "=> Math.Sign(x) / Math.Sign(x);", "=> -Math.Sign(x);", "=> x * 'a';", "=> true ? x : x;", "=> null;",
        "=> Math.Log(x, );", "=> ;", "=> x +;", "=> Math.;", "=> (double);", "=> Math.Max(x, y);", "=> (Func<double>)(() => x);",
        "=> new();", "=> [x];", "=> x?.ToString().Length;", "=> Helper;", "=> Math.PI.ToString().Length;",
        "=> delegate { return x; };", "=> y;", "=> Math.Clamp(x, 0.0, 1.0);", "=> Math.FusedMultiplyAdd(x, x, x);",
        "=> x * MathF.PI + MathF.Sqrt((float)x);", "=> Math.Min(val1: x, val3: 1.0);", "{ return; }", "{ return x; return x; }",
        "{ if (x > 0) return x; return 0; }", "{ throw null!; }", "=> 1 + " + new string('(', 400) + "x" + new string(')', 400) + ";",
        "=> " + string.Join(" + ", Enumerable.Repeat("x", 300)) + ";",
    };

    [Fact]
    public void OddSyntaxYieldsErrorsAndNeverThrows()
    {
        var sb = new StringBuilder("using System;\npublic static partial class Odd {\n    private static double Helper(double t) => t;\n");
        for (int i = 0; i < Fuzz.Length; i++) sb.AppendLine("    public static double F" + i + "(double x) " + Fuzz[i]);
        sb.AppendLine("}");
        var compilation = Compile(sb.ToString(), "Odd.cs");
        var failures = new List<string>();
        for (int i = 0; i < Fuzz.Length; i++)
        {
            SymbolicParseResult result;
            try { result = ParseMethod(compilation, "F" + i); }
            catch (Exception ex) { failures.Add($"F{i} {Fuzz[i]} threw {ex}"); continue; }
            if (result.Succeeded) failures.Add($"F{i} {Fuzz[i]} was accepted as {result.Expr}");
            else if (string.IsNullOrWhiteSpace(result.Error!.Message) || result.Error.FilePath != "Odd.cs"
                || result.Error.Construct == "an unexpected construct") failures.Add($"F{i}: bad error {result.Error}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void DeepButLegalNestingIsAccepted()
    {
        string body = "=> " + new string('(', 100) + "x" + new string(')', 100) + " * 2;";
        var compilation = Compile("public static class Deep { public static double F(double x) " + body + " }");
        var result = ParseMethod(compilation, "F");
        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(2.0, ExprEvaluator.Evaluate(Differentiator.Derive(result.Expr!), 0.7));
    }
}
