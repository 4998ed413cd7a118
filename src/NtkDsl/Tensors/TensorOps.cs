namespace NtkDsl;

/// <summary>Element-wise helpers on tensors used by generated code and the runtime.</summary>
/// <remarks>Thread safety: stateless; the methods that modify a tensor in place need it alone.</remarks>
public static class TensorOps
{
    /// <summary>target += scale · source (same shape and element type).</summary>
    public static void AddScaled(Tensor target, Tensor source, double scale)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        if (!target.Shape.SequenceEqual(source.Shape))
            throw new ArgumentException($"Shapes differ: [{string.Join(", ", target.Shape.ToArray())}] and [{string.Join(", ", source.Shape.ToArray())}].");
        if (target.DType == DType.Float64)
        {
            var t = target.F64;
            var s = source.DType == DType.Float64 ? source.F64 : source.To(DType.Float64).F64;
            for (long i = 0; i < t.LongLength; i++) t[i] += scale * s[i];
        }
        else
        {
            var t = target.F32;
            var s = source.DType == DType.Float32 ? source.F32 : source.To(DType.Float32).F32;
            float sc = (float)scale;
            for (long i = 0; i < t.LongLength; i++) t[i] += sc * s[i];
        }
    }

    /// <summary>Largest |a − b| / max(|b|_∞, tiny) over all elements: the relative error used in tests and benchmarks.</summary>
    public static double RelativeError(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"Shapes differ: [{string.Join(", ", a.Shape.ToArray())}] and [{string.Join(", ", b.Shape.ToArray())}].");
        double maxDiff = 0, maxRef = 0;
        for (long i = 0; i < a.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(a.GetFlat(i) - b.GetFlat(i)));
            maxRef = Math.Max(maxRef, Math.Abs(b.GetFlat(i)));
        }
        return maxDiff / Math.Max(maxRef, double.Epsilon);
    }
}
