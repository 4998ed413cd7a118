using NtkDsl.Cuda.Tests.Spatial;

namespace NtkDsl.Cuda.Tests.Native;

/// <summary>The spatial device contract against the real driver, NVRTC and cuBLAS; skipped with the reason without a GPU.</summary>
public sealed class SpatialOnNativeDeviceTests : SpatialOnDeviceConformance
{
    protected override CudaDevice OpenDevice() => NativeGpu.OpenOrSkip();
}
