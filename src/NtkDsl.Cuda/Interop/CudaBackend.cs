using NtkDsl.Cuda.Native;

namespace NtkDsl.Cuda.Interop;

/// <summary>
/// The four libraries behind a <see cref="CudaDevice"/>: the real native ones (<see cref="LoadNative"/>) or the strict
/// host emulation (<c>NtkDsl.Cuda.Emulation.EmulatedGpu.CreateBackend</c>) that CI runs.
/// </summary>
/// <param name="Name">"native" or "emulated", shown in device names and errors.</param>
/// <param name="Driver">The driver API.</param>
/// <param name="Nvrtc">The runtime compiler.</param>
/// <param name="Cublas">cuBLAS.</param>
/// <param name="Cusolver">cuSOLVER (dense).</param>
public sealed record CudaBackend(string Name, ICudaDriver Driver, INvrtc Nvrtc, ICublas Cublas, ICusolver Cusolver)
{
    /// <summary>
    /// When true, the device's pool keeps blocks of exactly the requested size instead of size classes, so that the
    /// emulation's red zones sit right after every buffer: a kernel writing one element too far is caught, and one reading
    /// one element too far reads NaN.
    /// The emulated backend sets it; the native one pools by size class.
    /// </summary>
    public bool ExactSizePool { get; init; }

    /// <summary>
    /// When true, a block the device's pool hands out again is first filled with NaN bytes (as the emulation fills fresh
    /// allocations), so that a kernel reading a buffer before writing it shows NaN instead of the previous call's values.
    /// The emulated backend sets it; the native one does not pay for the fill.
    /// </summary>
    internal bool PoisonReusedBlocks { get; init; }

    private static readonly Lock Gate = new();
    private static CudaBackend? _native;

    /// <summary>
    /// Loads libcuda.so.1 from the loader path and NVRTC, cuBLAS and cuSOLVER from the directories
    /// <see cref="CudaLibraryLocator"/> searches (once per process).
    /// </summary>
    /// <exception cref="CudaLibraryNotFoundException">A library is missing; the message lists every path tried.</exception>
    public static CudaBackend LoadNative()
    {
        lock (Gate)
        {
            if (_native is not null) return _native;
            var libs = CudaLibraryLocator.Load(CudaLibraryLocator.FromEnvironment());
            _native = new CudaBackend("native", new NativeCudaDriver(libs.Driver), new NativeNvrtc(libs.Nvrtc),
                new NativeCublas(libs.Cublas), new NativeCusolver(libs.Cusolver));
            return _native;
        }
    }
}
