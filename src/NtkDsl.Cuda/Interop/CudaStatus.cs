namespace NtkDsl.Cuda.Interop;

/// <summary>CUresult values of the CUDA driver API that NtkDsl names (cuda.h); other values print as numbers.</summary>
public enum CudaResult
{
    /// <summary>CUDA_SUCCESS.</summary>
    Success = 0,
    /// <summary>CUDA_ERROR_INVALID_VALUE.</summary>
    InvalidValue = 1,
    /// <summary>CUDA_ERROR_OUT_OF_MEMORY.</summary>
    OutOfMemory = 2,
    /// <summary>CUDA_ERROR_NOT_INITIALIZED.</summary>
    NotInitialized = 3,
    /// <summary>CUDA_ERROR_DEINITIALIZED.</summary>
    Deinitialized = 4,
    /// <summary>CUDA_ERROR_NO_DEVICE.</summary>
    NoDevice = 100,
    /// <summary>CUDA_ERROR_INVALID_DEVICE.</summary>
    InvalidDevice = 101,
    /// <summary>CUDA_ERROR_INVALID_IMAGE.</summary>
    InvalidImage = 200,
    /// <summary>CUDA_ERROR_INVALID_CONTEXT.</summary>
    InvalidContext = 201,
    /// <summary>CUDA_ERROR_INVALID_HANDLE.</summary>
    InvalidHandle = 400,
    /// <summary>CUDA_ERROR_NOT_FOUND.</summary>
    NotFound = 500,
    /// <summary>CUDA_ERROR_ILLEGAL_ADDRESS.</summary>
    IllegalAddress = 700,
    /// <summary>CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES.</summary>
    LaunchOutOfResources = 701,
    /// <summary>CUDA_ERROR_LAUNCH_FAILED.</summary>
    LaunchFailed = 719,
    /// <summary>CUDA_ERROR_UNKNOWN.</summary>
    Unknown = 999,
}

/// <summary>nvrtcResult values (nvrtc.h).</summary>
public enum NvrtcResult
{
    /// <summary>NVRTC_SUCCESS.</summary>
    Success = 0,
    /// <summary>NVRTC_ERROR_OUT_OF_MEMORY.</summary>
    OutOfMemory = 1,
    /// <summary>NVRTC_ERROR_PROGRAM_CREATION_FAILURE.</summary>
    ProgramCreationFailure = 2,
    /// <summary>NVRTC_ERROR_INVALID_INPUT.</summary>
    InvalidInput = 3,
    /// <summary>NVRTC_ERROR_INVALID_PROGRAM.</summary>
    InvalidProgram = 4,
    /// <summary>NVRTC_ERROR_INVALID_OPTION.</summary>
    InvalidOption = 5,
    /// <summary>NVRTC_ERROR_COMPILATION.</summary>
    Compilation = 6,
    /// <summary>NVRTC_ERROR_INTERNAL_ERROR.</summary>
    InternalError = 11,
}

/// <summary>cublasStatus_t values (cublas_api.h).</summary>
public enum CublasStatus
{
    /// <summary>CUBLAS_STATUS_SUCCESS.</summary>
    Success = 0,
    /// <summary>CUBLAS_STATUS_NOT_INITIALIZED.</summary>
    NotInitialized = 1,
    /// <summary>CUBLAS_STATUS_ALLOC_FAILED.</summary>
    AllocFailed = 3,
    /// <summary>CUBLAS_STATUS_INVALID_VALUE.</summary>
    InvalidValue = 7,
    /// <summary>CUBLAS_STATUS_ARCH_MISMATCH.</summary>
    ArchMismatch = 8,
    /// <summary>CUBLAS_STATUS_MAPPING_ERROR.</summary>
    MappingError = 11,
    /// <summary>CUBLAS_STATUS_EXECUTION_FAILED.</summary>
    ExecutionFailed = 13,
    /// <summary>CUBLAS_STATUS_INTERNAL_ERROR.</summary>
    InternalError = 14,
    /// <summary>CUBLAS_STATUS_NOT_SUPPORTED.</summary>
    NotSupported = 15,
}

/// <summary>cusolverStatus_t values (cusolver_common.h).</summary>
public enum CusolverStatus
{
    /// <summary>CUSOLVER_STATUS_SUCCESS.</summary>
    Success = 0,
    /// <summary>CUSOLVER_STATUS_NOT_INITIALIZED.</summary>
    NotInitialized = 1,
    /// <summary>CUSOLVER_STATUS_ALLOC_FAILED.</summary>
    AllocFailed = 2,
    /// <summary>CUSOLVER_STATUS_INVALID_VALUE.</summary>
    InvalidValue = 3,
    /// <summary>CUSOLVER_STATUS_ARCH_MISMATCH.</summary>
    ArchMismatch = 4,
    /// <summary>CUSOLVER_STATUS_EXECUTION_FAILED.</summary>
    ExecutionFailed = 6,
    /// <summary>CUSOLVER_STATUS_INTERNAL_ERROR.</summary>
    InternalError = 7,
}

/// <summary>cublasOperation_t.</summary>
public enum CublasOperation
{
    /// <summary>CUBLAS_OP_N: the operand as stored (column-major).</summary>
    N = 0,
    /// <summary>CUBLAS_OP_T: its transpose.</summary>
    T = 1,
}

/// <summary>cublasFillMode_t: which triangle of a symmetric matrix is referenced (column-major).</summary>
public enum CublasFill
{
    /// <summary>CUBLAS_FILL_MODE_LOWER (i ≥ j).</summary>
    Lower = 0,
    /// <summary>CUBLAS_FILL_MODE_UPPER (i ≤ j).</summary>
    Upper = 1,
}

/// <summary>cublasMath_t values used by NtkDsl.</summary>
public enum CublasMath
{
    /// <summary>CUBLAS_DEFAULT_MATH: no TF32 for single precision.</summary>
    Default = 0,
    /// <summary>CUBLAS_TF32_TENSOR_OP_MATH: single-precision routines may round inputs to TF32 (10-bit mantissa).</summary>
    Tf32TensorOp = 3,
}

/// <summary>cusolverEigMode_t.</summary>
public enum EigMode
{
    /// <summary>CUSOLVER_EIG_MODE_NOVECTOR: eigenvalues only.</summary>
    NoVector = 0,
    /// <summary>CUSOLVER_EIG_MODE_VECTOR: eigenvalues and eigenvectors.</summary>
    Vector = 1,
}

/// <summary>CUdevice_attribute values NtkDsl reads.</summary>
public enum CudaDeviceAttribute
{
    /// <summary>CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT.</summary>
    MultiprocessorCount = 16,
    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR.</summary>
    ComputeCapabilityMajor = 75,
    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR.</summary>
    ComputeCapabilityMinor = 76,
}
