using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Parsing;

/// <summary>Connects a custom activation method to the symbolic differentiator.</summary>
internal static class SymbolicBridge
{
    public static CustomActivationSpec? Differentiate(IMethodSymbol method, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        diagnostics.Add(DiagnosticInfo.Create(Descriptors.NotDifferentiable, LocationInfo.From(method.Locations.FirstOrDefault()), method.Name, "symbolic differentiation is not available yet"));
        return null;
    }
}
