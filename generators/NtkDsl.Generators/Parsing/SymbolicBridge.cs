using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;
using NtkDsl.Generators.Symbolic;

namespace NtkDsl.Generators.Parsing;

/// <summary>Connects a custom activation method to the symbolic differentiator and turns its errors into NTK1007/NTK1013.</summary>
internal static class SymbolicBridge
{
    public static CustomActivationSpec? Differentiate(IMethodSymbol method, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        var result = SymbolicActivation.Differentiate(method, compilation, "z", ct);
        if (result.Succeeded)
            // φ calls the user's own method (so the network runs exactly what was written); φ' is the symbolic derivative.
            return new CustomActivationSpec(method.Name, Emit.Names.Identifier(method.Name) + "(z)", result.DerivativeCSharp!,
                Emit.CudaExprPrinter.ToCuda(result.Value!, "z"), Emit.CudaExprPrinter.ToCuda(result.Derivative!, "z"));
        var error = result.Error!;
        var location = error.FilePath.Length > 0
            ? new LocationInfo(error.FilePath, error.Span, error.LineSpan)
            : LocationInfo.From(method.Locations.FirstOrDefault());
        var descriptor = error.Message.Contains("single expression") ? Descriptors.CustomActivationBody : Descriptors.NotDifferentiable;
        diagnostics.Add(descriptor == Descriptors.CustomActivationBody
            ? DiagnosticInfo.Create(descriptor, location, method.Name)
            : DiagnosticInfo.Create(descriptor, location, method.Name, error.Message));
        return null;
    }
}
