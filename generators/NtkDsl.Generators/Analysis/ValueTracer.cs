using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace NtkDsl.Generators.Analysis;

/// <summary>
/// Follows a value back to where it was made, within one method body: through conversions and through a local whose
/// only assignment is its initializer. Anything else (fields, parameters, reassigned locals) is "unknown".
/// </summary>
internal static class ValueTracer
{
    public static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation c: operation = c.Operand; continue;
                case IParenthesizedOperation p: operation = p.Operand; continue;
                default: return operation;
            }
        }
    }

    /// <summary>The operation that created the value of <paramref name="operation"/>, following single-assignment locals.</summary>
    public static IOperation Origin(IOperation operation, CancellationToken ct)
    {
        for (int hops = 0; hops < 8; hops++)
        {
            operation = Unwrap(operation);
            if (operation is not ILocalReferenceOperation local) return operation;
            var initializer = SingleAssignment(local, ct);
            if (initializer is null) return operation;
            operation = initializer;
        }
        return operation;
    }

    /// <summary>The initializer of a local that is never assigned again in its method, or null.</summary>
    public static IOperation? SingleAssignment(ILocalReferenceOperation reference, CancellationToken ct)
    {
        var local = reference.Local;
        if (local.DeclaringSyntaxReferences.Length != 1) return null;
        if (local.DeclaringSyntaxReferences[0].GetSyntax(ct) is not VariableDeclaratorSyntax { Initializer: { } init }) return null;
        var root = Root(reference);
        if (root.Descendants().Any(o => IsWrite(o, local))) return null;
        var model = reference.SemanticModel;
        if (model is null || init.SyntaxTree != model.SyntaxTree) return null;
        return model.GetOperation(init.Value, ct);
    }

    /// <summary>Every operation of the method (or lambda, or top-level program) containing <paramref name="operation"/>.</summary>
    public static IOperation Root(IOperation operation)
    {
        while (operation.Parent is not null) operation = operation.Parent;
        return operation;
    }

    private static bool IsWrite(IOperation o, ILocalSymbol local) => o switch
    {
        IAssignmentOperation a => Unwrap(a.Target) is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local),
        IArgumentOperation arg => arg.Parameter?.RefKind is RefKind.Ref or RefKind.Out
            && Unwrap(arg.Value) is ILocalReferenceOperation r2 && SymbolEqualityComparer.Default.Equals(r2.Local, local),
        _ => false,
    };

    /// <summary>Invocations anywhere in the method whose receiver chain starts at <paramref name="local"/> (e.g. <c>gw.Weights("A", 2).Bias("B", 1);</c>).</summary>
    public static IEnumerable<IInvocationOperation> CallsOn(ILocalReferenceOperation local)
    {
        foreach (var invocation in Root(local).Descendants().OfType<IInvocationOperation>())
        {
            IOperation? receiver = invocation.Instance;
            while (receiver is not null && Unwrap(receiver) is IInvocationOperation inner) receiver = inner.Instance;
            if (receiver is not null && Unwrap(receiver) is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local.Local))
                yield return invocation;
        }
    }
}
