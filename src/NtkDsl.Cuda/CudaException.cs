using System.Globalization;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda;

/// <summary>A CUDA driver, NVRTC, cuBLAS or cuSOLVER call returned an error status; the message names the call and the status.</summary>
public class CudaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CudaException(string call, string status, int code, string? hint = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"{call} returned {status} ({code}).{(hint is null ? "" : " " + hint)}"))
    {
        Call = call;
        Status = status;
        Code = code;
    }

    /// <summary>Creates an exception with a message only (no library status).</summary>
    public CudaException(string message) : base(message)
    {
        Call = "";
        Status = "";
    }

    /// <summary>The library entry point, e.g. <c>cublasDgemm_v2</c>.</summary>
    public string Call { get; }

    /// <summary>The status name, e.g. <c>CUBLAS_STATUS_INVALID_VALUE</c>.</summary>
    public string Status { get; }

    /// <summary>The numeric status.</summary>
    public int Code { get; }
}

/// <summary>A device allocation did not fit; the message gives the sizes involved.</summary>
public sealed class CudaOutOfMemoryException : CudaException
{
    /// <summary>Creates the exception.</summary>
    public CudaOutOfMemoryException(string what, ulong requestedBytes, ulong freeBytes, ulong totalBytes, ulong heldByThisDevice)
        : this(what, requestedBytes, freeBytes, totalBytes, heldByThisDevice, "Use smaller row tiles (RowTiledAssembly), free buffers earlier, or use float32.")
    {
    }

    /// <summary>Creates the exception with <paramref name="tip"/> (what the user can do) in place of the kernels' default tip.</summary>
    internal CudaOutOfMemoryException(string what, ulong requestedBytes, ulong freeBytes, ulong totalBytes, ulong heldByThisDevice, string tip)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Out of GPU memory allocating {what}: requested {Mib(requestedBytes)}, free {Mib(freeBytes)} of {Mib(totalBytes)} (this NtkDsl device holds {Mib(heldByThisDevice)} in live buffers). {tip}"))
    {
        RequestedBytes = requestedBytes;
        FreeBytes = freeBytes;
        TotalBytes = totalBytes;
    }

    /// <summary>Bytes requested.</summary>
    public ulong RequestedBytes { get; }
    /// <summary>Free device bytes reported by cuMemGetInfo after releasing the pool.</summary>
    public ulong FreeBytes { get; }
    /// <summary>Total device bytes.</summary>
    public ulong TotalBytes { get; }

    internal static string Mib(ulong bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.###} MiB ({bytes} bytes)");
}

/// <summary>NVRTC rejected a kernel source; the message carries the compiler log and the numbered source.</summary>
public sealed class CudaCompileException : CudaException
{
    /// <summary>Creates the exception.</summary>
    public CudaCompileException(string log, string source)
        : base($"NVRTC could not compile the kernel source.\n--- log ---\n{log}\n--- source ---\n{Number(source)}")
    {
        Log = log;
        Source = source;
    }

    /// <summary>The compiler log.</summary>
    public string Log { get; }
    /// <summary>The source text that was compiled.</summary>
    public new string Source { get; }

    private static string Number(string s) =>
        string.Join('\n', s.Split('\n').Select((l, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1,4}: {l}")));
}

/// <summary>A CUDA library could not be found or loaded; the message lists every path tried and how to point NtkDsl at it.</summary>
public sealed class CudaLibraryNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CudaLibraryNotFoundException(string library, IReadOnlyList<string> tried)
        : base($"Could not load {library}. Tried:\n  {string.Join("\n  ", tried)}\nInstall the NVIDIA driver (libcuda.so.1 on the loader path) and the CUDA toolkit libraries, or set NTKDSL_CUDA_LIB_DIR to the folder holding libnvrtc.so.*, libcublas.so.* and libcusolver.so.*.")
    {
        Library = library;
        Tried = tried;
    }

    /// <summary>The library looked for.</summary>
    public string Library { get; }
    /// <summary>Every path or name tried, in order.</summary>
    public IReadOnlyList<string> Tried { get; }
}

/// <summary>Turns library statuses into exceptions naming the call and the status.</summary>
internal static class CudaCheck
{
    public static void Driver(CudaResult r, string call)
    {
        if (r != CudaResult.Success) throw new CudaException(call, DriverName(r), (int)r, DriverHint(r));
    }

    public static void Nvrtc(NvrtcResult r, string call)
    {
        if (r != NvrtcResult.Success) throw new CudaException(call, "NVRTC_ERROR_" + Upper(r.ToString(), (int)r), (int)r);
    }

    public static void Cublas(CublasStatus s, string call)
    {
        if (s != CublasStatus.Success)
            throw new CudaException(call, "CUBLAS_STATUS_" + Upper(s.ToString(), (int)s), (int)s,
                s == CublasStatus.InvalidValue ? "An argument is out of range (negative size, leading dimension too small, bad transpose or fill mode)." : null);
    }

    public static void Cusolver(CusolverStatus s, string call)
    {
        if (s != CusolverStatus.Success) throw new CudaException(call, "CUSOLVER_STATUS_" + Upper(s.ToString(), (int)s), (int)s);
    }

    public static string DriverName(CudaResult r) => r == CudaResult.Success ? "CUDA_SUCCESS" : "CUDA_ERROR_" + Upper(r.ToString(), (int)r);

    private static string? DriverHint(CudaResult r) => r switch
    {
        CudaResult.NoDevice => "No CUDA device is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES).",
        CudaResult.InvalidDevice => "The device ordinal is out of range.",
        CudaResult.IllegalAddress => "A kernel or library call touched memory outside its buffers; the context is now unusable.",
        CudaResult.OutOfMemory => "The device is out of memory.",
        _ => null,
    };

    /// <summary>PascalCase enum name → UPPER_SNAKE; unnamed values print as the number.</summary>
    private static string Upper(string name, int code)
    {
        if (name == code.ToString(CultureInfo.InvariantCulture)) return "UNKNOWN_STATUS";
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) sb.Append('_');
            sb.Append(char.ToUpperInvariant(name[i]));
        }
        return sb.ToString();
    }
}
