namespace NtkDsl.Cuda;

/// <summary>The arithmetic of a device NTK: an explicit choice on every call (issue 12: never silent).</summary>
public enum GpuPrecision
{
    /// <summary>float64 storage and products (cuBLAS DGEMM/DSYRK): agrees with the CPU to about 1e-15 relative.</summary>
    Float64 = 0,

    /// <summary>
    /// float32 storage, IEEE float32 products (cuBLAS default math, set on every call). Relative error against float64
    /// about 1e-6 for most entries; a ReLU pre-activation within float32 rounding of 0 can take the other derivative
    /// (0 instead of 1), which changes the entries of that example's row by about 1/width of a layer's term.
    /// </summary>
    Float32 = 1,

    /// <summary>float32 storage, TF32 tensor-core products (10 mantissa bits in, float32 accumulation): relative errors about 1e-4 to 1e-3.</summary>
    Tf32 = 2,
}
