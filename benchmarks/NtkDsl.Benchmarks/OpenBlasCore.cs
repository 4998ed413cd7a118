using System.Runtime.Intrinsics.X86;

namespace NtkDsl.Benchmarks;

/// <summary>
/// The one check of OpenBLAS's run-time core choice, shared by `gemm` (our process's OpenBLAS, via
/// <see cref="OpenBlasNative.CoreName"/>) and `ntk-vs-numpy` (numpy's OpenBLAS, reported by the peer's probe): when
/// OpenBLAS does not recognise the CPU it falls back to its SSE3 "Prescott" kernels, several times slower than its
/// Haswell/SkylakeX ones, and every ratio against it flatters NtkDsl.
/// </summary>
internal static class OpenBlasCore
{
    /// <summary>
    /// A warning naming the OPENBLAS_CORETYPE to set when <paramref name="coreName"/> (openblas_get_corename()) is
    /// Prescott on a CPU with AVX-512 (SkylakeX) or AVX2 + FMA (Haswell); null otherwise (or when the core is unknown).
    /// </summary>
    public static string? Warning(string? coreName, string who)
    {
        if (coreName is null || !coreName.Trim().Equals("Prescott", StringComparison.OrdinalIgnoreCase)) return null;
        string? better = Avx512F.IsSupported ? "SkylakeX" : Avx2.IsSupported && Fma.IsSupported ? "Haswell" : null;
        if (better is null) return null;
        string cpu = better == "SkylakeX" ? "AVX-512" : "AVX2";
        return $"Warning: {who}'s OpenBLAS did not recognise this {cpu} CPU and fell back to its SSE3 (Prescott) kernels, " +
            $"which handicaps it several-fold; for a fair comparison run with OPENBLAS_CORETYPE={better} in the environment.";
    }
}
