namespace NtkDsl.Cuda;

/// <summary><c>Device.Cuda(ordinal)</c>: the NVIDIA GPU backend as a static extension of <see cref="Device"/>.</summary>
public static class DeviceCudaExtensions
{
    extension(Device)
    {
        /// <summary>
        /// Opens CUDA device <paramref name="ordinal"/> through the native libraries (a new <see cref="CudaDevice"/>
        /// each call; dispose it). Nothing falls back to the CPU: a missing driver, library or device throws.
        /// </summary>
        /// <exception cref="CudaLibraryNotFoundException">The driver or a toolkit library is missing (lists every path tried).</exception>
        /// <exception cref="CudaException">No device is present, or a driver call failed.</exception>
        /// <exception cref="ArgumentOutOfRangeException">No device has that ordinal.</exception>
        public static CudaDevice Cuda(int ordinal = 0) => CudaDevice.Open(ordinal);
    }
}
