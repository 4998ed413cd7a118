using NtkDsl.Cuda.Tests.Spatial.Analytic;

namespace NtkDsl.Cuda.Tests.Native;

/// <summary>The spatial analytic device contract against the real driver and NVRTC; skipped with the reason without a GPU.</summary>
public sealed class SpatialAnalyticOnNativeDeviceTests : SpatialAnalyticConformance
{
    protected override CudaDevice OpenDevice() => NativeGpu.OpenOrSkip();
}
