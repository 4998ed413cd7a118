using NtkDsl.Cuda.Interop;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Emulation;

/// <summary>
/// cuBLAS over an <see cref="EmulatedGpu"/> with cuBLAS's column-major semantics. Arguments are checked exactly as the
/// cuBLAS documentation lists for CUBLAS_STATUS_INVALID_VALUE (negative sizes, bad operation or fill mode, leading
/// dimensions below max(1, rows of the stored operand), negative batch count) and the status is returned, not thrown.
/// Device ranges are then checked against live allocations (a <see cref="CudaEmulationException"/>, where the GPU
/// would fault). As in the reference BLAS, C is not read when β = 0 and A, B are not read when α = 0 or k = 0.
/// In <see cref="CublasMath.Tf32TensorOp"/> mode the single-precision routines round A and B to TF32 (10 explicit
/// mantissa bits, round to nearest even) before multiplying. The arithmetic is NtkDsl's own row-major
/// <see cref="Blas"/> applied to the transposed problem (column-major C = op(A)·op(B) is row-major Cᵀ = op(B)ᵀ·op(A)ᵀ).
/// </summary>
internal sealed unsafe class EmulatedCublas(EmulatedGpu gpu) : ICublas
{
    private readonly Dictionary<IntPtr, (IntPtr Stream, CublasMath Math)> _handles = new();

    public CublasStatus Create(out IntPtr handle)
    {
        handle = IntPtr.Zero;
        if (gpu.RequireContext() != CudaResult.Success) return CublasStatus.NotInitialized;
        handle = gpu.NewHandle();
        lock (gpu.Gate)
        {
            _handles[handle] = (IntPtr.Zero, CublasMath.Default);
            gpu.Handles[handle] = "cuBLAS";
        }
        return CublasStatus.Success;
    }

    public CublasStatus Destroy(IntPtr handle)
    {
        lock (gpu.Gate)
        {
            if (!_handles.Remove(handle)) return CublasStatus.NotInitialized;
            gpu.Handles.Remove(handle);
        }
        return CublasStatus.Success;
    }

    public CublasStatus SetStream(IntPtr handle, IntPtr stream)
    {
        lock (gpu.Gate)
        {
            if (!_handles.TryGetValue(handle, out var h)) return CublasStatus.NotInitialized;
            gpu.Stream(stream, "cublasSetStream_v2");
            _handles[handle] = (stream, h.Math);
        }
        return CublasStatus.Success;
    }

    public CublasStatus SetMathMode(IntPtr handle, CublasMath mode)
    {
        lock (gpu.Gate)
        {
            if (!_handles.TryGetValue(handle, out var h)) return CublasStatus.NotInitialized;
            if (mode is not (CublasMath.Default or CublasMath.Tf32TensorOp) && (int)mode is not (1 or 2)) return CublasStatus.InvalidValue;
            _handles[handle] = (h.Stream, mode);
        }
        return CublasStatus.Success;
    }

    private bool TryHandle(IntPtr handle, out IntPtr stream, out CublasMath math)
    {
        lock (gpu.Gate)
        {
            if (_handles.TryGetValue(handle, out var h)) { (stream, math) = h; return true; }
        }
        (stream, math) = (IntPtr.Zero, CublasMath.Default);
        return false;
    }

    private static bool ValidOp(CublasOperation op) => (int)op is 0 or 1 or 2;
    private static bool Trans(CublasOperation op) => op != CublasOperation.N;

    /// <summary>Elements spanned by a column-major rows × cols matrix with leading dimension ld.</summary>
    internal static long Extent(long rows, long cols, long ld) => rows == 0 || cols == 0 ? 0 : (cols - 1) * ld + rows;

    public CublasStatus Dgemm(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        double alpha, ulong a, int lda, ulong b, int ldb, double beta, ulong c, int ldc)
        => Gemm("cublasDgemm_v2", handle, transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);

    public CublasStatus Sgemm(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
        => Gemm("cublasSgemm_v2", handle, transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);

    public CublasStatus DgemmStridedBatched(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        double alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, double beta, ulong c, int ldc, long strideC, int batchCount)
        => Gemm("cublasDgemmStridedBatched", handle, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batchCount);

    public CublasStatus SgemmStridedBatched(IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float beta, ulong c, int ldc, long strideC, int batchCount)
        => Gemm("cublasSgemmStridedBatched", handle, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batchCount);

    private CublasStatus Gemm<T>(string call, IntPtr handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        T alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, T beta, ulong c, int ldc, long strideC, int batchCount)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        if (!TryHandle(handle, out var stream, out var math)) return CublasStatus.NotInitialized;
        if (m < 0 || n < 0 || k < 0 || batchCount < 0 || !ValidOp(transA) || !ValidOp(transB)) return CublasStatus.InvalidValue;
        if (lda < Math.Max(1, Trans(transA) ? k : m) || ldb < Math.Max(1, Trans(transB) ? n : k) || ldc < Math.Max(1, m)) return CublasStatus.InvalidValue;
        if (m == 0 || n == 0 || batchCount == 0) return CublasStatus.Success;
        bool readAb = alpha != T.Zero && k > 0;
        if (!readAb && beta == T.One) return CublasStatus.Success;
        int size = sizeof(T);
        long extA = Trans(transA) ? Extent(k, m, lda) : Extent(m, k, lda);
        long extB = Trans(transB) ? Extent(n, k, ldb) : Extent(k, n, ldb);
        long extC = Extent(m, n, ldc);
        if (batchCount > 1 && Math.Abs(strideC) < extC)
            throw new CudaEmulationException(EmulationViolation.OutOfBounds, $"{call}: strideC = {strideC} is smaller than one C matrix ({extC} elements), so the batch outputs overlap.");
        bool tf32 = typeof(T) == typeof(float) && math == CublasMath.Tf32TensorOp;
        for (int batch = 0; batch < batchCount; batch++)
        {
            ulong pa = (ulong)((long)a + batch * strideA * size), pb = (ulong)((long)b + batch * strideB * size), pc = (ulong)((long)c + batch * strideC * size);
            string sfx = batchCount > 1 ? $" (batch {batch})" : "";
            var ac = gpu.Resolve(pc, (ulong)(extC * size), call, "C" + sfx);
            T[]? ta = null, tb = null;
            if (readAb)
            {
                var aa = gpu.Resolve(pa, (ulong)(extA * size), call, "A" + sfx);
                var ab = gpu.Resolve(pb, (ulong)(extB * size), call, "B" + sfx);
                gpu.OnRead(aa, stream, call, "A" + sfx);
                gpu.OnRead(ab, stream, call, "B" + sfx);
                CheckNoOverlap(call, pc, extC * size, pa, extA * size, "A");
                CheckNoOverlap(call, pc, extC * size, pb, extB * size, "B");
                if (tf32)
                {
                    ta = RoundTf32(new ReadOnlySpan<T>((void*)pa, (int)extA));
                    tb = RoundTf32(new ReadOnlySpan<T>((void*)pb, (int)extB));
                }
            }
            if (beta != T.Zero) gpu.OnRead(ac, stream, call, "C" + sfx);
            gpu.OnWrite(ac, stream, call, "C" + sfx);
            var sa = ta is not null ? ta : readAb ? new ReadOnlySpan<T>((void*)pa, (int)extA) : ReadOnlySpan<T>.Empty;
            var sb = tb is not null ? tb : readAb ? new ReadOnlySpan<T>((void*)pb, (int)extB) : ReadOnlySpan<T>.Empty;
            var sc = new Span<T>((void*)pc, (int)extC);
            ColumnMajorGemm(transA, transB, m, n, readAb ? k : 0, alpha, sa, lda, sb, ldb, beta, sc, ldc);
        }
        gpu.LibraryCallCount++;
        return CublasStatus.Success;
    }

    /// <summary>Column-major C = α·op(A)·op(B) + β·C through the row-major <see cref="Blas"/> on the transposed problem.</summary>
    internal static void ColumnMajorGemm<T>(CublasOperation transA, CublasOperation transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged
    {
        var ta = Trans(transA) ? Transpose.Yes : Transpose.No;
        var tb = Trans(transB) ? Transpose.Yes : Transpose.No;
        if (typeof(T) == typeof(double))
            global::NtkDsl.Kernels.Blas.Gemm(tb, ta, n, m, k, (double)(object)alpha, Cast<T, double>(b), ldb, Cast<T, double>(a), lda, (double)(object)beta, Cast<T, double>(c), ldc);
        else
            global::NtkDsl.Kernels.Blas.Gemm(tb, ta, n, m, k, (float)(object)alpha, Cast<T, float>(b), ldb, Cast<T, float>(a), lda, (float)(object)beta, Cast<T, float>(c), ldc);
    }

    private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> s) where TFrom : unmanaged where TTo : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    private static Span<TTo> Cast<TFrom, TTo>(Span<TFrom> s) where TFrom : unmanaged where TTo : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    private static void CheckNoOverlap(string call, ulong c, long cBytes, ulong x, long xBytes, string name)
    {
        if (c < x + (ulong)xBytes && x < c + (ulong)cBytes)
            throw new CudaEmulationException(EmulationViolation.OutOfBounds, $"{call}: C overlaps {name}; cuBLAS results are undefined then. Use separate buffers.");
    }

    /// <summary>Rounds float32 values to TF32 (8-bit exponent, 10 explicit mantissa bits), round to nearest even.</summary>
    internal static T[] RoundTf32<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var src = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values);
        var dst = new float[src.Length];
        for (int i = 0; i < src.Length; i++) dst[i] = RoundTf32(src[i]);
        return (T[])(object)dst;
    }

    /// <summary>One float32 value rounded to TF32 (NaN and infinity unchanged).</summary>
    internal static float RoundTf32(float x)
    {
        if (!float.IsFinite(x)) return x;
        uint bits = BitConverter.SingleToUInt32Bits(x);
        uint lsb = (bits >> 13) & 1u;
        bits = (bits + 0x0FFFu + lsb) & ~0x1FFFu;
        return BitConverter.UInt32BitsToSingle(bits);
    }

    public CublasStatus Dsyrk(IntPtr handle, CublasFill uplo, CublasOperation trans, int n, int k,
        double alpha, ulong a, int lda, double beta, ulong c, int ldc)
        => Syrk("cublasDsyrk_v2", handle, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);

    public CublasStatus Ssyrk(IntPtr handle, CublasFill uplo, CublasOperation trans, int n, int k,
        float alpha, ulong a, int lda, float beta, ulong c, int ldc)
        => Syrk("cublasSsyrk_v2", handle, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);

    private CublasStatus Syrk<T>(string call, IntPtr handle, CublasFill uplo, CublasOperation trans, int n, int k,
        T alpha, ulong a, int lda, T beta, ulong c, int ldc) where T : unmanaged, System.Numerics.INumber<T>
    {
        if (!TryHandle(handle, out var stream, out var math)) return CublasStatus.NotInitialized;
        if (n < 0 || k < 0 || (int)uplo is not (0 or 1) || !ValidOp(trans)) return CublasStatus.InvalidValue;
        if (lda < Math.Max(1, Trans(trans) ? k : n) || ldc < Math.Max(1, n)) return CublasStatus.InvalidValue;
        if (n == 0) return CublasStatus.Success;
        bool readA = alpha != T.Zero && k > 0;
        if (!readA && beta == T.One) return CublasStatus.Success;
        int size = sizeof(T);
        long extA = Trans(trans) ? Extent(k, n, lda) : Extent(n, k, lda);
        long extC = Extent(n, n, ldc);
        var ac = gpu.Resolve(c, (ulong)(extC * size), call, "C");
        var product = new T[(long)n * n];
        if (readA)
        {
            var aa = gpu.Resolve(a, (ulong)(extA * size), call, "A");
            gpu.OnRead(aa, stream, call, "A");
            CheckNoOverlap(call, c, extC * size, a, extA * size, "A");
            ReadOnlySpan<T> sa = new((void*)a, (int)extA);
            if (typeof(T) == typeof(float) && math == CublasMath.Tf32TensorOp) sa = RoundTf32(sa);
            // op(A)·op(A)ᵀ: with op(A) = A (n×k) the second factor is Aᵀ, and the other way round.
            var other = Trans(trans) ? CublasOperation.N : CublasOperation.T;
            ColumnMajorGemm(trans, other, n, n, k, T.One, sa, lda, sa, lda, T.Zero, product, n);
        }
        if (beta != T.Zero) gpu.OnRead(ac, stream, call, "C");
        gpu.OnWrite(ac, stream, call, "C");
        var sc = new Span<T>((void*)c, (int)extC);
        for (int j = 0; j < n; j++)
        {
            int i0 = uplo == CublasFill.Lower ? j : 0, i1 = uplo == CublasFill.Lower ? n : j + 1;
            for (int i = i0; i < i1; i++)
            {
                T p = alpha * product[i + (long)j * n];
                sc[i + j * ldc] = beta == T.Zero ? p : p + beta * sc[i + j * ldc];
            }
        }
        gpu.LibraryCallCount++;
        return CublasStatus.Success;
    }
}
