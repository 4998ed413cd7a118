using System.Runtime.InteropServices;

namespace NtkDsl.Cuda.Native;

/// <summary>Where to look for the CUDA toolkit libraries (the environment at the time of the search).</summary>
/// <param name="LibDir">NTKDSL_CUDA_LIB_DIR (one folder or several separated by ':').</param>
/// <param name="CudaPath">CUDA_PATH.</param>
/// <param name="CudaHome">CUDA_HOME.</param>
/// <param name="UsrLocal">The folder whose <c>cuda*</c> subfolders are searched (normally /usr/local).</param>
public sealed record CudaLibrarySearch(string? LibDir, string? CudaPath, string? CudaHome, string UsrLocal = "/usr/local");

/// <summary>Handles of the four loaded native libraries.</summary>
internal sealed record CudaLibraries(IntPtr Driver, IntPtr Nvrtc, IntPtr Cublas, IntPtr Cusolver);

/// <summary>
/// Finds and loads the CUDA libraries as ../shared/docs/gpu.md describes: libcuda.so.1 from the loader path (it comes
/// with the driver); libnvrtc, libcublas (with libcublasLt) and libcusolver from, in order, NTKDSL_CUDA_LIB_DIR,
/// CUDA_PATH and CUDA_HOME (each folder itself, its targets/x86_64-linux/lib and its lib64),
/// /usr/local/cuda*/targets/x86_64-linux/lib and /usr/local/cuda*/lib64 (newest version first), then the loader
/// path. The first file that loads wins. When none does, <see cref="CudaLibraryNotFoundException"/> lists every path
/// tried and why it failed.
/// </summary>
public static class CudaLibraryLocator
{
    /// <summary>The search described by the current environment variables.</summary>
    public static CudaLibrarySearch FromEnvironment() => new(
        Environment.GetEnvironmentVariable("NTKDSL_CUDA_LIB_DIR"),
        Environment.GetEnvironmentVariable("CUDA_PATH"),
        Environment.GetEnvironmentVariable("CUDA_HOME"));

    /// <summary>The folders searched for the toolkit libraries, in order (existing or not).</summary>
    public static IReadOnlyList<string> CandidateDirectories(CudaLibrarySearch search)
    {
        var dirs = new List<string>();
        if (!string.IsNullOrWhiteSpace(search.LibDir))
            dirs.AddRange(search.LibDir.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var root in new[] { search.CudaPath, search.CudaHome })
        {
            if (string.IsNullOrWhiteSpace(root)) continue;
            dirs.Add(root);
            dirs.Add(Path.Combine(root, "targets", "x86_64-linux", "lib"));
            dirs.Add(Path.Combine(root, "lib64"));
        }
        var roots = Directory.Exists(search.UsrLocal)
            ? Directory.GetDirectories(search.UsrLocal, "cuda*").OrderBy(d => Path.GetFileName(d) == "cuda" ? 0 : 1)
                .ThenByDescending(d => VersionKey(Path.GetFileName(d))).ToList()
            : [];
        foreach (var r in roots) dirs.Add(Path.Combine(r, "targets", "x86_64-linux", "lib"));
        foreach (var r in roots) dirs.Add(Path.Combine(r, "lib64"));
        if (roots.Count == 0)
        {
            dirs.Add(Path.Combine(search.UsrLocal, "cuda*", "targets", "x86_64-linux", "lib"));
            dirs.Add(Path.Combine(search.UsrLocal, "cuda*", "lib64"));
        }
        return dirs.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Loads one toolkit library (e.g. "nvrtc") from the first candidate folder holding a loadable <c>lib{name}.so*</c>,
    /// then by soname from the loader path.
    /// </summary>
    /// <param name="name">Library stem without "lib" and ".so".</param>
    /// <param name="search">Where to look.</param>
    /// <param name="tryLoad">The loader (default <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>); returns null and a reason on failure.</param>
    /// <param name="sonames">Sonames tried on the loader path after the folders, newest first.</param>
    /// <exception cref="CudaLibraryNotFoundException">Nothing loaded; lists every path tried.</exception>
    public static IntPtr LoadToolkitLibrary(string name, CudaLibrarySearch search, Func<string, (IntPtr Handle, string? Error)>? tryLoad, params string[] sonames)
    {
        tryLoad ??= DefaultTryLoad;
        var tried = new List<string>();
        foreach (var dir in CandidateDirectories(search))
        {
            if (!Directory.Exists(dir)) { tried.Add($"{Path.Combine(dir, $"lib{name}.so*")} (folder does not exist)"); continue; }
            var files = Directory.GetFiles(dir, $"lib{name}.so*")
                .Where(f => Path.GetFileName(f).StartsWith($"lib{name}.so", StringComparison.Ordinal))
                .OrderByDescending(f => VersionKey(Path.GetFileName(f))).ToList();
            if (files.Count == 0) { tried.Add($"{Path.Combine(dir, $"lib{name}.so*")} (no such file)"); continue; }
            foreach (var f in files)
            {
                var (h, err) = tryLoad(f);
                if (h != IntPtr.Zero) return h;
                tried.Add($"{f} ({err ?? "failed to load"})");
            }
        }
        foreach (var so in sonames)
        {
            var (h, err) = tryLoad(so);
            if (h != IntPtr.Zero) return h;
            tried.Add($"{so} on the loader path ({err ?? "not found"})");
        }
        throw new CudaLibraryNotFoundException($"lib{name}.so", tried);
    }

    /// <summary>Loads libcuda.so.1 (the driver) from the loader path.</summary>
    /// <exception cref="CudaLibraryNotFoundException">The driver is not installed.</exception>
    public static IntPtr LoadDriver(Func<string, (IntPtr Handle, string? Error)>? tryLoad = null)
    {
        tryLoad ??= DefaultTryLoad;
        var tried = new List<string>();
        foreach (var so in new[] { "libcuda.so.1", "libcuda.so" })
        {
            var (h, err) = tryLoad(so);
            if (h != IntPtr.Zero) return h;
            tried.Add($"{so} on the loader path ({err ?? "not found"})");
        }
        throw new CudaLibraryNotFoundException("libcuda.so.1 (the NVIDIA driver)", tried);
    }

    internal static CudaLibraries Load(CudaLibrarySearch search)
    {
        var driver = LoadDriver();
        var nvrtc = LoadToolkitLibrary("nvrtc", search, null, "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");
        // cuBLAS needs cuBLASLt and cuSOLVER may need nvJitLink: load them from the same folders first when present.
        TryPreload("cublasLt", search);
        TryPreload("nvJitLink", search);
        var cublas = LoadToolkitLibrary("cublas", search, null, "libcublas.so.13", "libcublas.so.12", "libcublas.so");
        var cusolver = LoadToolkitLibrary("cusolver", search, null, "libcusolver.so.12", "libcusolver.so.11", "libcusolver.so");
        return new CudaLibraries(driver, nvrtc, cublas, cusolver);
    }

    private static void TryPreload(string name, CudaLibrarySearch search)
    {
        try { LoadToolkitLibrary(name, search, null); }
        catch (CudaLibraryNotFoundException) { /* the main library's own error will name what is missing */ }
    }

    private static (IntPtr, string?) DefaultTryLoad(string path)
    {
        try
        {
            return (NativeLibrary.Load(path), null);
        }
        catch (DllNotFoundException e)
        {
            return (IntPtr.Zero, LoaderReason(e.Message));
        }
        catch (BadImageFormatException e)
        {
            return (IntPtr.Zero, LoaderReason(e.Message));
        }
    }

    /// <summary>The dlerror lines of .NET's loader message (its first line is generic advice).</summary>
    private static string LoaderReason(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Distinct().ToList();
        var reason = lines.Count == 0 ? "not loadable" : string.Join("; ", lines);
        return reason.Length > 300 ? reason[..300] + "…" : reason;
    }

    /// <summary>Sort key: the numbers in a name ("cuda-13.0" → 13, 0), padded so that 13 sorts above 9.</summary>
    private static string VersionKey(string name) =>
        string.Concat(System.Text.RegularExpressions.Regex.Matches(name, @"\d+").Select(m => m.Value.PadLeft(6, '0') + "."));
}
