using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NtkDsl.Generators.Symbolic;

namespace NtkDsl.Generators.Tests.Symbolic;

/// <summary>In-memory compilations of activation methods, their semantic models, and the compiled originals.</summary>
internal static class SymbolicTestSupport
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    public static CSharpCompilation Compile(string source, string path = "Activations.cs") =>
        CSharpCompilation.Create("Act" + Guid.NewGuid().ToString("N"),
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview), path) },
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Emits and loads the compilation (it must compile without errors).</summary>
    public static Assembly EmitAndLoad(CSharpCompilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        return new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true).LoadFromStream(stream);
    }

    public static Func<double, double> Function(Assembly assembly, string typeName, string methodName) =>
        assembly.GetType(typeName, throwOnError: true)!.GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
            .CreateDelegate<Func<double, double>>();

    public static MethodDeclarationSyntax Method(Compilation compilation, string name) =>
        compilation.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            .Single(m => m.Identifier.ValueText == name);

    public static SymbolicParseResult ParseMethod(Compilation compilation, string name)
    {
        var method = Method(compilation, name);
        return SymbolicParser.ParseMethod(method, compilation.GetSemanticModel(method.SyntaxTree));
    }

    /// <summary>
    /// Central difference with one Richardson step, (4 D(h/2) − D(h)) / 3: error O(h⁴) plus rounding ≈ ε|f|/h, so with
    /// h = 1e-3·max(1, |x|) it is accurate to roughly 1e-11 relative for smooth f.
    /// </summary>
    public static double FiniteDifference(Func<double, double> f, double x)
    {
        double h = 1e-3 * Math.Max(1.0, Math.Abs(x));
        double D(double step) => (f(x + step) - f(x - step)) / (2 * step);
        return (4 * D(h / 2) - D(h)) / 3;
    }

    /// <summary>|actual − expected| ≤ tol · max(1, |expected|).</summary>
    public static void Close(double expected, double actual, double tol, string what)
    {
        double err = Math.Abs(actual - expected);
        Assert.True(err <= tol * Math.Max(1.0, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R} (error {err:E2})");
    }

    /// <summary>Exactly the same double (both NaN counts as the same).</summary>
    public static void Same(double expected, double actual, string what) =>
        Assert.True(expected.Equals(actual), $"{what}: expected {expected:R}, got {actual:R}");
}
