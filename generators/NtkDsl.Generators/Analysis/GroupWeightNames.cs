using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace NtkDsl.Generators.Analysis;

/// <summary>The string-constant layer names given to a GroupWeights value (its construction chain and later calls on the same local).</summary>
internal static class GroupWeightNames
{
    private const string GroupWeightsType = "NtkDsl.GroupWeights";

    /// <summary>(layer name, location of the string, whether a bias weight is set) for every constant name found.</summary>
    public static List<(string Name, Location Location, bool Bias)> Collect(IOperation value, CancellationToken ct)
    {
        var found = new List<(string, Location, bool)>();
        var op = ValueTracer.Unwrap(value);
        if (op is ILocalReferenceOperation local)
        {
            var init = ValueTracer.SingleAssignment(local, ct);
            if (init is null) return found;
            Chain(init, found);
            foreach (var call in ValueTracer.CallsOn(local)) Chain(call, found);
        }
        else Chain(op, found);
        return found;
    }

    private static void Chain(IOperation? op, List<(string, Location, bool)> found)
    {
        while (op is not null && ValueTracer.Unwrap(op) is IInvocationOperation call && call.TargetMethod.ContainingType?.ToDisplayString() == GroupWeightsType)
        {
            var method = call.TargetMethod;
            if (method.Name is "Weights" or "Bias" or "Layer" or "Set" && !method.IsStatic && call.Arguments.Length > 0)
            {
                var layerArg = call.Arguments[0];
                foreach (var a in call.Arguments)
                    if (a.Parameter?.Name == "layer") layerArg = a;
                bool bias = method.Name is "Bias" or "Layer";
                if (method.Name == "Set")
                    foreach (var a in call.Arguments)
                        if (a.Parameter?.Name == "kind" && a.Value.ConstantValue is { HasValue: true, Value: int kind }) bias = kind == 1;
                if (ValueTracer.Unwrap(layerArg.Value) is { ConstantValue: { HasValue: true, Value: string name } } literal)
                    found.Add((name, literal.Syntax.GetLocation(), bias));
            }
            op = call.Instance;
        }
    }
}
