namespace NtkDsl;

/// <summary>Element type of a <see cref="Tensor"/>.</summary>
public enum DType
{
    /// <summary>64-bit IEEE floating point.</summary>
    Float64 = 0,
    /// <summary>32-bit IEEE floating point.</summary>
    Float32 = 1,
}
