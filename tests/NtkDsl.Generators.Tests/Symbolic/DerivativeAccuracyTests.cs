using System.Text;
using NtkDsl.Generators.Symbolic;
using static NtkDsl.Generators.Tests.Symbolic.SymbolicTestSupport;

namespace NtkDsl.Generators.Tests.Symbolic;

/// <summary>
/// Every supported construct: the parsed φ reproduces the compiled user method exactly, and φ' matches a finite
/// difference of the compiled user method (the independent reference); the printed C# compiles and agrees.
/// </summary>
public sealed class DerivativeAccuracyTests
{
    public static TheoryData<string> Names => SupportedActivations.Names();

    [Theory, MemberData(nameof(Names))]
    public void DerivativeMatchesFiniteDifferenceOfTheCompiledOriginal(string name)
    {
        var parsed = ParseMethod(SupportedActivations.Compilation, name);
        Assert.True(parsed.Succeeded, parsed.Error?.Message);
        var original = SupportedActivations.Original(name);
        var derivative = Differentiator.Derive(parsed.Expr!);
        foreach (double x in SupportedActivations.PointsOf(name))
        {
            Same(original(x), ExprEvaluator.Evaluate(parsed.Expr!, x), $"{name}({x}) parsed as {parsed.Expr}");
            Close(FiniteDifference(original, x), ExprEvaluator.Evaluate(derivative, x), 1e-7, $"{name}'({x}) = {derivative}");
        }
    }

    [Fact]
    public void PrintedValueAndDerivativeCompileAndAgreeWithTheOriginalAndTheEvaluator()
    {
        var results = SupportedActivations.Cases
            .Select(c => (c.Name, c.Points, Result: SymbolicActivation.FromParse(ParseMethod(SupportedActivations.Compilation, c.Name), "z")))
            .ToList();
        var sb = new StringBuilder("public static class Gen {\n");
        foreach (var (name, _, result) in results)
        {
            Assert.True(result.Succeeded, result.Error?.Message);
            sb.Append("  public static double V_").Append(name).Append("(double z) => ").Append(result.ValueCSharp).AppendLine(";");
            sb.Append("  public static double D_").Append(name).Append("(double z) => ").Append(result.DerivativeCSharp).AppendLine(";");
        }
        sb.AppendLine("}");
        var generated = EmitAndLoad(Compile(sb.ToString(), "Gen.cs"));

        foreach (var (name, points, result) in results)
        {
            var value = Function(generated, "Gen", "V_" + name);
            var derivative = Function(generated, "Gen", "D_" + name);
            var original = SupportedActivations.Original(name);
            foreach (double x in points)
            {
                Same(original(x), value(x), $"printed φ {name}({x}): {result.ValueCSharp}");
                Same(ExprEvaluator.Evaluate(result.Derivative!, x), derivative(x), $"printed φ' {name}({x}): {result.DerivativeCSharp}");
            }
        }
    }

    [Fact]
    public void DifferentiatingFromTheMethodSymbolGivesTheSameResultAsFromSyntax()
    {
        var compilation = SupportedActivations.Compilation;
        var type = compilation.GetTypeByMetadataName(SupportedActivations.ClassName)!;
        var method = type.GetMembers("Swishish").OfType<Microsoft.CodeAnalysis.IMethodSymbol>().Single();
        var fromSymbol = SymbolicActivation.Differentiate(method, compilation, "z");
        var fromSyntax = SymbolicActivation.FromParse(ParseMethod(compilation, "Swishish"), "z");
        Assert.True(fromSymbol.Succeeded, fromSymbol.Error?.Message);
        Assert.Equal(fromSyntax, fromSymbol);
        Assert.Equal(fromSyntax.GetHashCode(), fromSymbol.GetHashCode());
    }
}
