namespace NtkDsl.Cuda;

/// <summary>How float32 products run on the GPU: an explicit choice on every float32 call, never a silent default.</summary>
public enum GpuFloat32Mode
{
    /// <summary>IEEE float32 multiply-add (cuBLAS default math).</summary>
    Strict = 0,
    /// <summary>
    /// TF32 tensor cores (cuBLAS CUBLAS_TF32_TENSOR_OP_MATH): inputs rounded to 10 mantissa bits, float32 accumulation;
    /// about 8x the float32 rate on an H100, relative errors around 1e-4 (gpu.md measured 1.7e-4 for W1).
    /// </summary>
    Tf32 = 1,
}
