using System.Runtime.InteropServices;

namespace NtkDsl.Benchmarks;

/// <summary>
/// OpenBLAS loaded at run time (never needed to build or test): cblas_dgemm/cblas_sgemm called through unmanaged
/// function pointers, row-major, 32-bit integers (the LP64 build Debian ships).
/// </summary>
internal sealed unsafe class OpenBlasNative
{
    /// <summary>Where OpenBLAS is looked for, in order: loader names first, then the usual Debian/Ubuntu/Fedora paths.</summary>
    public static readonly IReadOnlyList<string> Candidates =
    [
        "libopenblas.so.0",
        "libopenblas.so",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
        "/usr/lib64/libopenblas.so.0",
        "/usr/local/lib/libopenblas.so",
        "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
        "libopenblas.dll",
    ];

    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> _dgemm;
    private readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    private OpenBlasNative(string path, nint handle)
    {
        Path = path;
        _dgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_dgemm");
        _sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemm");
        if (NativeLibrary.TryGetExport(handle, "openblas_get_config", out nint config))
            Config = (Marshal.PtrToStringAnsi(((delegate* unmanaged[Cdecl]<nint>)config)()) ?? "").ReplaceLineEndings(" ").Trim();
        if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out nint core))
            CoreName = Marshal.PtrToStringAnsi(((delegate* unmanaged[Cdecl]<nint>)core)())?.Trim();
        if (NativeLibrary.TryGetExport(handle, "openblas_get_num_threads", out nint threads))
            Threads = ((delegate* unmanaged[Cdecl]<int>)threads)();
    }

    /// <summary>The path or name that loaded.</summary>
    public string Path { get; }

    /// <summary>openblas_get_config(): version, target core and build options.</summary>
    public string Config { get; } = "";

    /// <summary>openblas_get_corename(): the kernel set chosen at load time (e.g. SkylakeX, Haswell, Prescott), or null when the export is missing.</summary>
    public string? CoreName { get; }

    /// <summary>openblas_get_num_threads(), or 0 when the export is missing.</summary>
    public int Threads { get; }

    /// <summary>Loads the first candidate that has cblas_dgemm; null (and every path tried) when none does.</summary>
    public static OpenBlasNative? TryLoad(out IReadOnlyList<string> tried)
    {
        var list = new List<string>();
        tried = list;
        foreach (string candidate in Candidates)
        {
            list.Add(candidate);
            if (!NativeLibrary.TryLoad(candidate, out nint handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "cblas_dgemm", out _) && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _))
                return new OpenBlasNative(candidate, handle);
            NativeLibrary.Free(handle);
        }
        return null;
    }

    /// <summary>C = α·op(A)·op(B) + β·C (row-major) through cblas_dgemm.</summary>
    public void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        fixed (double* pa = a, pb = b, pc = c)
            _dgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>C = α·op(A)·op(B) + β·C (row-major) through cblas_sgemm.</summary>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
