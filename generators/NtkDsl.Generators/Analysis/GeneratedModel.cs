using System.Linq;
using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Analysis;

/// <summary>
/// Whether the generator emitted a model's members. It emits them only for a model without error diagnostics (a model
/// with any error gets at most throwing stubs of its layer properties, docs/diagnostics.md), and the emitted part
/// carries <c>[GeneratedCode("NtkDsl.Generators", …)]</c>. The analyzers see the compilation with the generated code, so
/// this is the generator's own verdict: NTK3001 and the call-site checks stay silent on a model that was not generated
/// instead of describing the layers they can read (a Dense model's [Conv2D] layer, NTK1041, was simply left out).
/// </summary>
internal static class GeneratedModel
{
    private const string GeneratedCodeAttribute = "System.CodeDom.Compiler.GeneratedCodeAttribute";

    /// <summary>True when <paramref name="type"/> has the generator's emitted part (so the generator reported no error for it).</summary>
    public static bool WasGenerated(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == GeneratedCodeAttribute
            && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value is "NtkDsl.Generators");
}
