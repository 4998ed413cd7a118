using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace NtkDsl.Generators.Analysis;

/// <summary>The compile-time shape of a tensor argument, when the code makes it evident.</summary>
internal static class TensorShapes
{
    public const string TensorType = "NtkDsl.Tensor";

    /// <summary>
    /// (rows, columns) of a 2-D tensor made by <c>Tensor.Zeros(r, c)</c>, <c>Tensor.Zeros(dtype, r, c)</c>,
    /// <c>Tensor.Wrap(data, r, c)</c>, <c>Tensor.FromArray(span, r, c)</c> or <c>Tensor.FromArray(new double[r, c])</c> with
    /// constant dimensions, directly or through a local assigned once.
    /// </summary>
    public static (int Rows, int Columns)? Of(IOperation value, CancellationToken ct)
    {
        if (ValueTracer.Origin(value, ct) is not IInvocationOperation call) return null;
        var method = call.TargetMethod;
        if (!method.IsStatic || method.ContainingType?.ToDisplayString() != TensorType) return null;
        if (method.Name is not ("Zeros" or "Wrap" or "FromArray")) return null;
        var shapeArgument = call.Arguments.FirstOrDefault(a => a.Parameter?.Name == "shape");
        if (shapeArgument is not null)
        {
            if (shapeArgument.ArgumentKind != ArgumentKind.ParamArray || ValueTracer.Unwrap(shapeArgument.Value) is not IArrayCreationOperation array
                || array.Initializer is null || array.Initializer.ElementValues.Length != 2) return null;
            return Pair(array.Initializer.ElementValues[0], array.Initializer.ElementValues[1]);
        }
        var values = call.Arguments.FirstOrDefault(a => a.Parameter?.Name == "values");
        if (values is not null && ValueTracer.Origin(values.Value, ct) is IArrayCreationOperation matrix && matrix.DimensionSizes.Length == 2)
            return Pair(matrix.DimensionSizes[0], matrix.DimensionSizes[1]);
        return null;
    }

    private static (int, int)? Pair(IOperation rows, IOperation columns) =>
        rows.ConstantValue is { HasValue: true, Value: int r } && columns.ConstantValue is { HasValue: true, Value: int c } ? (r, c) : null;
}
