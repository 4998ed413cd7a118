using System.Runtime.InteropServices;
using System.Text;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Native;

/// <summary>NVRTC through function pointers.</summary>
internal sealed unsafe class NativeNvrtc : INvrtc
{
    private readonly delegate* unmanaged<int*, int*, int> _version;
    private readonly delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int> _create;
    private readonly delegate* unmanaged<IntPtr, int, byte**, int> _compile;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> _logSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> _log;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> _cubinSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> _cubin;
    private readonly delegate* unmanaged<IntPtr*, int> _destroy;

    public NativeNvrtc(IntPtr lib)
    {
        const string L = "libnvrtc";
        _version = (delegate* unmanaged<int*, int*, int>)NativeExports.Get(lib, "nvrtcVersion", L);
        _create = (delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)NativeExports.Get(lib, "nvrtcCreateProgram", L);
        _compile = (delegate* unmanaged<IntPtr, int, byte**, int>)NativeExports.Get(lib, "nvrtcCompileProgram", L);
        _logSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeExports.Get(lib, "nvrtcGetProgramLogSize", L);
        _log = (delegate* unmanaged<IntPtr, byte*, int>)NativeExports.Get(lib, "nvrtcGetProgramLog", L);
        _cubinSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeExports.Get(lib, "nvrtcGetCUBINSize", L);
        _cubin = (delegate* unmanaged<IntPtr, byte*, int>)NativeExports.Get(lib, "nvrtcGetCUBIN", L);
        _destroy = (delegate* unmanaged<IntPtr*, int>)NativeExports.Get(lib, "nvrtcDestroyProgram", L);
    }

    public NvrtcResult Version(out int major, out int minor)
    {
        int a, b;
        var r = _version(&a, &b);
        major = a;
        minor = b;
        return (NvrtcResult)r;
    }

    public NvrtcResult CreateProgram(out IntPtr program, string source, string name)
    {
        IntPtr p;
        int r;
        fixed (byte* s = Encoding.UTF8.GetBytes(source + "\0"))
        fixed (byte* n = Encoding.UTF8.GetBytes(name + "\0"))
            r = _create(&p, s, n, 0, null, null);
        program = p;
        return (NvrtcResult)r;
    }

    public NvrtcResult CompileProgram(IntPtr program, string[] options)
    {
        var ptrs = new IntPtr[options.Length];
        try
        {
            for (int i = 0; i < options.Length; i++) ptrs[i] = Marshal.StringToCoTaskMemUTF8(options[i]);
            fixed (IntPtr* o = ptrs) return (NvrtcResult)_compile(program, options.Length, (byte**)o);
        }
        finally
        {
            foreach (var p in ptrs) if (p != IntPtr.Zero) Marshal.FreeCoTaskMem(p);
        }
    }

    public NvrtcResult GetProgramLog(IntPtr program, out string log)
    {
        log = "";
        nuint size;
        var r = _logSize(program, &size);
        if (r != 0) return (NvrtcResult)r;
        var buf = new byte[(int)size + 1];
        fixed (byte* b = buf) r = _log(program, b);
        log = Encoding.UTF8.GetString(buf, 0, Math.Max(0, (int)size - 1));
        return (NvrtcResult)r;
    }

    public NvrtcResult GetCubin(IntPtr program, out byte[] cubin)
    {
        cubin = [];
        nuint size;
        var r = _cubinSize(program, &size);
        if (r != 0) return (NvrtcResult)r;
        var buf = new byte[(int)size];
        fixed (byte* b = buf) r = _cubin(program, b);
        cubin = buf;
        return (NvrtcResult)r;
    }

    public NvrtcResult DestroyProgram(IntPtr program)
    {
        IntPtr p = program;
        return (NvrtcResult)_destroy(&p);
    }
}
