namespace NtkDsl.Cuda.Emulation;

/// <summary>The shape of the emulated device.</summary>
public sealed record EmulatedGpuOptions
{
    /// <summary>Device memory in bytes (allocations beyond it fail with CUDA_ERROR_OUT_OF_MEMORY). Default 256 MiB.</summary>
    public ulong TotalMemoryBytes { get; init; } = 256UL << 20;

    /// <summary>The device name reported by cuDeviceGetName.</summary>
    public string Name { get; init; } = "NtkDsl host emulation";

    /// <summary>Compute capability reported (default 9.0, the H100/H200).</summary>
    public (int Major, int Minor) ComputeCapability { get; init; } = (9, 0);

    /// <summary>Number of devices reported by cuDeviceGetCount (0 emulates a machine with a driver and no GPU).</summary>
    public int DeviceCount { get; init; } = 1;

    /// <summary>When false, cuInit returns CUDA_ERROR_NO_DEVICE, as on a machine without a usable GPU.</summary>
    public bool DriverWorks { get; init; } = true;
}
