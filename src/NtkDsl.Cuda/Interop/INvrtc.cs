namespace NtkDsl.Cuda.Interop;

/// <summary>The NVRTC entry points NtkDsl uses: CUDA C source → CUBIN for the device's architecture.</summary>
public interface INvrtc
{
    /// <summary>nvrtcVersion.</summary>
    NvrtcResult Version(out int major, out int minor);
    /// <summary>nvrtcCreateProgram (no headers).</summary>
    NvrtcResult CreateProgram(out IntPtr program, string source, string name);
    /// <summary>nvrtcCompileProgram.</summary>
    NvrtcResult CompileProgram(IntPtr program, string[] options);
    /// <summary>nvrtcGetProgramLogSize + nvrtcGetProgramLog.</summary>
    NvrtcResult GetProgramLog(IntPtr program, out string log);
    /// <summary>nvrtcGetCUBINSize + nvrtcGetCUBIN.</summary>
    NvrtcResult GetCubin(IntPtr program, out byte[] cubin);
    /// <summary>nvrtcDestroyProgram.</summary>
    NvrtcResult DestroyProgram(IntPtr program);
}
