using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Tests.Native;

namespace NtkDsl.Cuda.Tests.Solvers;

/// <summary>
/// The same solver contract against the real cuSOLVER and cuBLAS; without an NVIDIA driver, the CUDA libraries or a
/// device every test is skipped with the reason.
/// </summary>
public sealed class NativeSolverTests : DeviceSolverConformance
{
    protected override CudaBackend OpenBackend()
    {
        using var probe = NativeGpu.OpenOrSkip(); // skips with the reason when there is no GPU
        return probe.Backend;
    }
}
