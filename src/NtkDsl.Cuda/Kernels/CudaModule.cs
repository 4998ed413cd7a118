using System.Globalization;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Kernels;

/// <summary>A compiled and loaded CUDA C module (from <see cref="CudaDevice.Compile"/>); owned and unloaded by its device.</summary>
public sealed class CudaModule
{
    private readonly CudaDevice _device;
    private readonly IntPtr _module;
    private readonly Dictionary<string, CudaKernel> _kernels = new(StringComparer.Ordinal);
    private bool _unloaded;

    private CudaModule(CudaDevice device, IntPtr module, string source)
    {
        _device = device;
        _module = module;
        Source = source;
    }

    /// <summary>The CUDA C text compiled.</summary>
    public string Source { get; }

    internal static CudaModule Build(CudaDevice device, string source)
    {
        var nvrtc = device.Backend.Nvrtc;
        CudaCheck.Nvrtc(nvrtc.CreateProgram(out var prog, source, "ntkdsl_kernels.cu"), "nvrtcCreateProgram");
        byte[] cubin;
        try
        {
            var (major, minor) = device.ComputeCapability;
            var options = new[]
            {
                string.Create(CultureInfo.InvariantCulture, $"--gpu-architecture=sm_{major}{minor}"),
                "--std=c++17",
                // No contraction of a·b + c into FMAs (NVRTC's default): the device rounds every product and sum as the
                // CPU engine and the host emulation do, so float64 results agree to the rounding of the sums' order.
                "--fmad=false",
            };
            var r = nvrtc.CompileProgram(prog, options);
            nvrtc.GetProgramLog(prog, out var log);
            if (r == NvrtcResult.Compilation) throw new CudaCompileException(log, source);
            CudaCheck.Nvrtc(r, "nvrtcCompileProgram");
            CudaCheck.Nvrtc(nvrtc.GetCubin(prog, out cubin), "nvrtcGetCUBIN");
        }
        finally
        {
            nvrtc.DestroyProgram(prog);
        }
        CudaCheck.Driver(device.Driver.ModuleLoadData(out var module, cubin), "cuModuleLoadData");
        return new CudaModule(device, module, source);
    }

    /// <summary>The kernel named <paramref name="name"/> (declared <c>extern "C" __global__</c>).</summary>
    /// <exception cref="CudaException">CUDA_ERROR_NOT_FOUND when the module has no such kernel.</exception>
    public CudaKernel Kernel(string name)
    {
        ObjectDisposedException.ThrowIf(_unloaded, this);
        if (_kernels.TryGetValue(name, out var k)) return k;
        _device.MakeCurrent();
        var r = _device.Driver.ModuleGetFunction(out var f, _module, name);
        if (r == CudaResult.NotFound)
            throw new CudaException("cuModuleGetFunction", CudaCheck.DriverName(r), (int)r, $"The module has no kernel '{name}'; declare it extern \"C\" __global__ so its name is not mangled.");
        CudaCheck.Driver(r, "cuModuleGetFunction");
        return _kernels[name] = new CudaKernel(_device, f, name, Source);
    }

    internal void Unload()
    {
        if (_unloaded) return;
        _unloaded = true;
        CudaCheck.Driver(_device.Driver.ModuleUnload(_module), "cuModuleUnload");
    }
}
