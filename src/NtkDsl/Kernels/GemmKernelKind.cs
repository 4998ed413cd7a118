using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NtkDsl.Kernels;

/// <summary>Which register-blocked micro-kernel the blocked GEMM driver uses.</summary>
internal enum GemmKernelKind
{
    /// <summary><see cref="Vector{T}"/> kernel (4 rows × 2 vectors); correct on every platform.</summary>
    Portable = 0,
    /// <summary>AVX2 + FMA kernel on <see cref="Vector256{T}"/> (6 rows × 2 vectors).</summary>
    Avx2 = 1,
    /// <summary>AVX-512F kernel on <see cref="Vector512{T}"/> (6 rows × 2 vectors).</summary>
    Avx512 = 2,
    /// <summary>AVX-512F kernel on <see cref="Vector512{T}"/> with the wider 8 rows × 3 vectors tile (24 accumulators).</summary>
    Avx512Wide = 3,
}

/// <summary>Kernel selection and the register/cache blocking of each kernel.</summary>
internal static class GemmKernels
{
    /// <summary>
    /// The fastest kernel this CPU supports. Settable only for the benchmarks' in-process A/B of kernels (every kernel
    /// gives bitwise the same products, see <see cref="GemmDriver{T}"/>).
    /// </summary>
    public static GemmKernelKind Best { get; internal set; } =
        IsSupported(GemmKernelKind.Avx512Wide) ? GemmKernelKind.Avx512Wide
        : IsSupported(GemmKernelKind.Avx512) ? GemmKernelKind.Avx512
        : IsSupported(GemmKernelKind.Avx2) ? GemmKernelKind.Avx2
        : GemmKernelKind.Portable;

    /// <summary>Whether <paramref name="kind"/> can run on this CPU.</summary>
    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 or GemmKernelKind.Avx512Wide => Avx512F.IsSupported && Vector512.IsHardwareAccelerated,
        GemmKernelKind.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => true,
    };
}

/// <summary>
/// Blocking of one (element type, kernel) pair: the micro-tile is <see cref="Mr"/> rows × <see cref="Nr"/> columns;
/// packed A steps are <see cref="AStep"/> ≥ <see cref="Mr"/> values apart; packed A blocks are <see cref="Mc"/> ×
/// <see cref="Kc"/> (sized for L2), packed B blocks <see cref="Kc"/> × <see cref="Nc"/> (sized for L3).
/// </summary>
internal readonly record struct GemmBlocking(int Mr, int Nr, int Kc, int Mc, int Nc, int AStep)
{
    public static GemmBlocking For<T>(GemmKernelKind kind) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        // float64: a 192-deep B micro-panel of the 8 × 24 tile is 36 KB, inside the 48 KB L1 with the A panel streaming
        // through (256 filled L1 and measured 3–9 % slower on the whole NTK, gemm-tile-ab, loaded 2-core box); every
        // kernel of a type uses the same depth, so all give bitwise the same products.
        int kc = size == 8 ? 192 : 384;
        return kind switch
        {
            GemmKernelKind.Avx512Wide => new(MicroKernel512Wide<T>.Mr, MicroKernel512Wide<T>.Nr, kc, 144, 2048, MicroKernel512Wide<T>.Mr),
            GemmKernelKind.Avx512 => new(MicroKernel512<T>.Mr, 2 * Vector512<T>.Count, kc, 144, 2048, MicroKernel512<T>.AStep),
            GemmKernelKind.Avx2 => new(MicroKernel256<T>.Mr, 2 * Vector256<T>.Count, kc, 144, 2048, MicroKernel256<T>.Mr),
            _ => new(MicroKernelPortable<T>.Mr, 2 * Vector<T>.Count, kc, 128, 2048, MicroKernelPortable<T>.Mr),
        };
    }
}
