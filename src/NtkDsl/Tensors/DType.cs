namespace NtkDsl;

/// <summary>Element type of a <see cref="Tensor"/>.</summary>
public enum DType
{
    /// <summary>64-bit IEEE floating point.</summary>
    Float64 = 0,
    /// <summary>32-bit IEEE floating point.</summary>
    Float32 = 1,
}

/// <summary>The <see cref="DType"/> of a generic scalar type used by the runtime (double or float).</summary>
internal static class ScalarType
{
    public static DType Of<T>() => typeof(T) == typeof(double) ? DType.Float64 : DType.Float32;
}
