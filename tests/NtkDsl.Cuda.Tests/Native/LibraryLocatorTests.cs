using NtkDsl.Cuda.Native;

namespace NtkDsl.Cuda.Tests.Native;

/// <summary>Library discovery as gpu.md describes it, with a fake loader (no GPU needed).</summary>
public sealed class LibraryLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ntkdsl-locator-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Dir(params string[] parts)
    {
        var d = Path.Combine([_root, .. parts]);
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void SearchOrderIsEnvironmentThenCudaPathThenUsrLocalNewestFirst()
    {
        var usr = Dir("usr", "local");
        Dir("usr", "local", "cuda-12.4");
        Dir("usr", "local", "cuda-13.0");
        Dir("usr", "local", "cuda");
        var search = new CudaLibrarySearch("/opt/a:/opt/b", "/cp", "/ch", usr);
        var dirs = CudaLibraryLocator.CandidateDirectories(search);
        Assert.Equal(
        [
            "/opt/a", "/opt/b",
            "/cp", "/cp/targets/x86_64-linux/lib", "/cp/lib64",
            "/ch", "/ch/targets/x86_64-linux/lib", "/ch/lib64",
            $"{usr}/cuda/targets/x86_64-linux/lib", $"{usr}/cuda-13.0/targets/x86_64-linux/lib", $"{usr}/cuda-12.4/targets/x86_64-linux/lib",
            $"{usr}/cuda/lib64", $"{usr}/cuda-13.0/lib64", $"{usr}/cuda-12.4/lib64",
        ], dirs);
    }

    [Fact]
    public void FailureListsEveryPathTried()
    {
        var usr = Dir("usr", "local");
        var lib = Dir("usr", "local", "cuda-13.0", "targets", "x86_64-linux", "lib");
        File.WriteAllText(Path.Combine(lib, "libcublas.so.13"), "not a library");
        var envDir = Path.Combine(_root, "missing");
        var search = new CudaLibrarySearch(envDir, null, null, usr);
        var ex = Assert.Throws<CudaLibraryNotFoundException>(() =>
            CudaLibraryLocator.LoadToolkitLibrary("cublas", search, p => (IntPtr.Zero, "invalid ELF header"), "libcublas.so.13"));
        Assert.Contains($"{envDir}/libcublas.so* (folder does not exist)", ex.Tried);
        Assert.Contains($"{lib}/libcublas.so.13 (invalid ELF header)", ex.Tried);
        Assert.Contains($"{usr}/cuda-13.0/lib64/libcublas.so* (folder does not exist)", ex.Tried);
        Assert.Contains("libcublas.so.13 on the loader path (invalid ELF header)", ex.Tried);
        Assert.Contains("NTKDSL_CUDA_LIB_DIR", ex.Message);
        foreach (var t in ex.Tried) Assert.Contains(t, ex.Message);
    }

    [Fact]
    public void TheFirstLoadableFileWinsNewestVersionFirst()
    {
        var usr = Dir("usr", "local");
        var env = Dir("env");
        File.WriteAllText(Path.Combine(env, "libnvrtc.so.12"), "");
        File.WriteAllText(Path.Combine(env, "libnvrtc.so.13"), "");
        var tried = new List<string>();
        var h = CudaLibraryLocator.LoadToolkitLibrary("nvrtc", new CudaLibrarySearch(env, null, null, usr), p =>
        {
            tried.Add(p);
            return p.EndsWith(".so.12", StringComparison.Ordinal) ? ((IntPtr)42, null) : (IntPtr.Zero, "nope");
        });
        Assert.Equal((IntPtr)42, h);
        Assert.Equal([Path.Combine(env, "libnvrtc.so.13"), Path.Combine(env, "libnvrtc.so.12")], tried);
    }

    [Fact]
    public void MissingDriverSaysSo()
    {
        var ex = Assert.Throws<CudaLibraryNotFoundException>(() => CudaLibraryLocator.LoadDriver(_ => (IntPtr.Zero, "cannot open shared object file")));
        Assert.Contains("libcuda.so.1 (the NVIDIA driver)", ex.Message);
        Assert.Contains("libcuda.so.1 on the loader path (cannot open shared object file)", ex.Message);
    }
}
