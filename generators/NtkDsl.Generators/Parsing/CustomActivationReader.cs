using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Parsing;

/// <summary>Finds a custom activation method and differentiates it symbolically.</summary>
internal static class CustomActivationReader
{
    public static CustomActivationSpec? Read(INamedTypeSymbol model, string layer, string? methodName, LocationInfo? argLocation,
        Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(methodName))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.CustomActivationMissing, argLocation, layer,
                "Activation.Custom needs ActivationMethod = nameof(F) naming a 'static double F(double)' method of the model"));
            return null;
        }
        var candidates = model.GetMembers(methodName!).OfType<IMethodSymbol>().ToList();
        // The generated code calls F(z) with a double z: a generic method cannot infer its type arguments, and a ref/out
        // parameter would need a variable; 'in' and a ref-returning method are fine.
        var method = candidates.FirstOrDefault(m => m.IsStatic && !m.IsGenericMethod && m.Parameters.Length == 1
            && m.Parameters[0].RefKind is RefKind.None or RefKind.In
            && m.Parameters[0].Type.SpecialType == SpecialType.System_Double && m.ReturnType.SpecialType == SpecialType.System_Double);
        if (method is null)
        {
            string why = candidates.Count == 0
                ? $"the model has no method named '{methodName}'"
                : $"'{methodName}' must be 'static double {methodName}(double x)' (not generic, its parameter passed by value)";
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.CustomActivationMissing, argLocation, layer, why + "; ActivationMethod must name a 'static double F(double)' method of the model"));
            return null;
        }
        return SymbolicBridge.Differentiate(method, compilation, diagnostics, ct);
    }
}
