using System.Globalization;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda;

/// <summary>
/// One NVIDIA GPU: its primary context, one non-blocking stream on which every operation of this device is queued in
/// order, a cuBLAS and a cuSOLVER handle bound to that stream, a pooled allocator and a cache of compiled modules.
/// Open it with <c>Device.Cuda(ordinal)</c> (the native libraries) or <see cref="Open(int, CudaBackend)"/> (any backend,
/// e.g. the host emulation in tests). Dispose it to release everything it holds. Not thread-safe: use one device
/// object from one thread at a time.
/// Generated Dense models constructed on it (<c>new Mlp(seed, gpu)</c>) run Forward, Jvp, Vjp, Jacobian and the NTK
/// (features and assembly: Ntk in every mode, NtkPerGroup, Wntk) here through <see cref="IModelBackend"/>, with their
/// parameters resident on the device between calls, as <see cref="KernelOptions"/> says; host tensors in, host tensors out.
/// </summary>
public sealed partial class CudaDevice : Device, IDisposable, IModelBackend
{
    private readonly Dictionary<string, CudaModule> _modules = new(StringComparer.Ordinal);
    private readonly int _device;
    private bool _disposed;

    private CudaDevice(CudaBackend backend, int ordinal)
    {
        Backend = backend;
        Ordinal = ordinal;
        var d = backend.Driver;
        CudaCheck.Driver(d.Init(0), "cuInit");
        CudaCheck.Driver(d.DeviceGetCount(out int count), "cuDeviceGetCount");
        if (count == 0) throw new CudaException("cuDeviceGetCount", "0 devices", 0, "No CUDA device is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES); use Device.Cpu instead.");
        if (ordinal < 0 || ordinal >= count)
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, string.Create(CultureInfo.InvariantCulture, $"There are {count} CUDA device(s); pass an ordinal from 0 to {count - 1}."));
        CudaCheck.Driver(d.DeviceGet(out _device, ordinal), "cuDeviceGet");
        CudaCheck.Driver(d.DeviceGetName(_device, out var name), "cuDeviceGetName");
        CudaCheck.Driver(d.DeviceGetAttribute(out int major, CudaDeviceAttribute.ComputeCapabilityMajor, _device), "cuDeviceGetAttribute");
        CudaCheck.Driver(d.DeviceGetAttribute(out int minor, CudaDeviceAttribute.ComputeCapabilityMinor, _device), "cuDeviceGetAttribute");
        CudaCheck.Driver(d.DeviceTotalMem(out ulong total, _device), "cuDeviceTotalMem_v2");
        DeviceName = name;
        ComputeCapability = (major, minor);
        TotalMemoryBytes = total;
        CudaCheck.Driver(d.DevicePrimaryCtxRetain(out var ctx, _device), "cuDevicePrimaryCtxRetain");
        Context = ctx;
        try
        {
            MakeCurrent();
            CudaCheck.Driver(d.StreamCreate(out var stream, 1), "cuStreamCreate");
            Stream = stream;
            CudaCheck.Cublas(backend.Cublas.Create(out var blas), "cublasCreate_v2");
            CublasHandle = blas;
            CudaCheck.Cublas(backend.Cublas.SetStream(blas, stream), "cublasSetStream_v2");
            CudaCheck.Cusolver(backend.Cusolver.Create(out var solver), "cusolverDnCreate");
            CusolverHandle = solver;
            CudaCheck.Cusolver(backend.Cusolver.SetStream(solver, stream), "cusolverDnSetStream");
            Allocator = new DeviceAllocator(this);
        }
        catch
        {
            ReleaseHandles();
            throw;
        }
    }

    /// <summary>Opens a device through the native CUDA libraries (found as <see cref="Native.CudaLibraryLocator"/> describes).</summary>
    /// <exception cref="CudaLibraryNotFoundException">The driver or a toolkit library is missing.</exception>
    /// <exception cref="CudaException">No device, or a driver call failed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The ordinal is not that of a present device.</exception>
    public static CudaDevice Open(int ordinal = 0) => Open(ordinal, CudaBackend.LoadNative());

    /// <summary>Opens device <paramref name="ordinal"/> through <paramref name="backend"/> (native or emulated).</summary>
    public static CudaDevice Open(int ordinal, CudaBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return new CudaDevice(backend, ordinal);
    }

    /// <summary>The libraries behind this device.</summary>
    public CudaBackend Backend { get; }

    /// <summary>The device ordinal.</summary>
    public int Ordinal { get; }

    /// <summary>The name the driver reports.</summary>
    public string DeviceName { get; }

    /// <summary>Compute capability (major, minor).</summary>
    public (int Major, int Minor) ComputeCapability { get; }

    /// <summary>Device memory in bytes.</summary>
    public ulong TotalMemoryBytes { get; }

    /// <inheritdoc />
    public override string Name => string.Create(CultureInfo.InvariantCulture,
        $"CUDA:{Ordinal} {DeviceName} (sm_{ComputeCapability.Major}{ComputeCapability.Minor}, {TotalMemoryBytes / 1073741824.0:0.#} GiB, {Backend.Name})");

    /// <inheritdoc />
    public override bool IsCpu => false;

    /// <summary>cuSOLVER (syevd, potrf/potrs) and cuBLAS for the dynamics, kernel regression and GP predictors given this device.</summary>
    public override ILinearAlgebraBackend LinearAlgebra => new Solvers.CudaLinearAlgebra(this);

    /// <summary>Precision mode and tiling of generated models' kernel assembly on this device.</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public CudaKernelOptions KernelOptions
    {
        get => _kernelOptions;
        set => _kernelOptions = value ?? throw new ArgumentNullException(nameof(value), "Pass CudaKernelOptions.Default for the defaults.");
    }

    private CudaKernelOptions _kernelOptions = CudaKernelOptions.Default;

    void IModelBackend.RequireModel(ModelInfo info) => DeviceModelSupport.Require(this, info);

    internal IntPtr Context { get; }
    internal IntPtr Stream { get; }
    internal IntPtr CublasHandle { get; }
    internal IntPtr CusolverHandle { get; }
    internal ICudaDriver Driver => Backend.Driver;
    internal DeviceAllocator Allocator { get; } = null!;

    /// <summary>Makes this device's context current on the calling thread (every operation does it).</summary>
    internal void MakeCurrent()
    {
        ThrowIfDisposed();
        CudaCheck.Driver(Driver.CtxSetCurrent(Context), "cuCtxSetCurrent");
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>True once <see cref="Dispose"/> ran (every buffer's memory was released with the device).</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>Waits until everything queued on this device's stream has finished.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        CudaCheck.Driver(Driver.StreamSynchronize(Stream), "cuStreamSynchronize");
    }

    /// <summary>Free and total device memory in bytes (cuMemGetInfo).</summary>
    public (ulong Free, ulong Total) MemoryInfo()
    {
        MakeCurrent();
        CudaCheck.Driver(Driver.MemGetInfo(out var free, out var total), "cuMemGetInfo_v2");
        return (free, total);
    }

    /// <summary>An uninitialized device buffer of <paramref name="length"/> elements (from the pool when one fits).</summary>
    /// <exception cref="CudaOutOfMemoryException">It does not fit even after the pool is emptied.</exception>
    public DeviceBuffer<T> Allocate<T>(long length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new DeviceBuffer<T>(this, length);
    }

    /// <summary>A device buffer holding a copy of <paramref name="values"/>.</summary>
    public DeviceBuffer<T> Upload<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var b = Allocate<T>(values.Length);
        try
        {
            b.CopyFrom(values);
            return b;
        }
        catch
        {
            b.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Compiles CUDA C <paramref name="source"/> with NVRTC for this device's architecture (once per source text and
    /// device) and loads the module. Kernels must be declared <c>extern "C" __global__</c>.
    /// </summary>
    /// <exception cref="CudaCompileException">NVRTC rejected the source; the message holds its log and the source.</exception>
    public CudaModule Compile(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        MakeCurrent();
        if (_modules.TryGetValue(source, out var cached)) return cached;
        var m = CudaModule.Build(this, source);
        _modules[source] = m;
        return m;
    }

    /// <summary>
    /// Sets the cuBLAS math mode of this device's handle. Called before every float32 product with the mode that call
    /// asks for: the mode is handle state, and a cached "already set" would trust state that anything else holding the
    /// handle (or an earlier TF32 call that failed half-way) can change, turning strict float32 silently into TF32.
    /// </summary>
    internal void SetMath(CublasMath mode) =>
        CudaCheck.Cublas(Backend.Cublas.SetMathMode(CublasHandle, mode), "cublasSetMathMode");

    /// <summary>Waits for queued work, then releases modules, buffers (live ones too), handles, the stream and the context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        try
        {
            CudaCheck.Driver(Driver.CtxSetCurrent(Context), "cuCtxSetCurrent");
            CudaCheck.Driver(Driver.StreamSynchronize(Stream), "cuStreamSynchronize");
        }
        finally
        {
            ReleaseHandles();
            _disposed = true;
        }
    }

    private void ReleaseHandles()
    {
        var errors = new List<Exception>();
        void Try(Action a)
        {
            try { a(); } catch (CudaException e) { errors.Add(e); }
        }
        Try(Models.Dispose);
        foreach (var m in _modules.Values) Try(m.Unload);
        _modules.Clear();
        if (Allocator is not null) Try(Allocator.ReleaseAll);
        if (CusolverHandle != IntPtr.Zero) Try(() => CudaCheck.Cusolver(Backend.Cusolver.Destroy(CusolverHandle), "cusolverDnDestroy"));
        if (CublasHandle != IntPtr.Zero) Try(() => CudaCheck.Cublas(Backend.Cublas.Destroy(CublasHandle), "cublasDestroy_v2"));
        if (Stream != IntPtr.Zero) Try(() => CudaCheck.Driver(Driver.StreamDestroy(Stream), "cuStreamDestroy_v2"));
        if (Context != IntPtr.Zero) Try(() => CudaCheck.Driver(Driver.DevicePrimaryCtxRelease(_device), "cuDevicePrimaryCtxRelease_v2"));
        if (errors.Count > 0) throw new AggregateException("Releasing the CUDA device failed.", errors);
    }
}
