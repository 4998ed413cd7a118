using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Emulation;

/// <summary>
/// cuSOLVER (dense, float64 <c>D</c> and float32 <c>S</c> entry points) over an <see cref="EmulatedGpu"/>, column-major.
/// Arguments are checked as the cuSOLVER documentation lists for CUSOLVER_STATUS_INVALID_VALUE (n &lt; 0, nrhs &lt; 0,
/// lda or ldb &lt; max(1, n), bad jobz or uplo); a workspace smaller than the queried size is reported LAPACK-style
/// through <c>info</c> = −(its argument position). Only the <c>uplo</c> triangle of A is read; with jobz = NoVector that
/// triangle is destroyed on exit (filled with NaN here), as LAPACK's dsyevd documents. Eigen-decomposition: MathNet.Numerics'
/// symmetric EVD on the referenced triangle (in float64 for D, in float32 for S, so float32 results carry float32
/// rounding), values ascending; a referenced entry that is NaN or ±∞ is reported as non-convergence (<c>info</c> = n &gt; 0:
/// the QL/QR iteration cannot converge on it; the real library's answer to such input is not specified, this is the
/// strict choice). Cholesky and the triangular solves are written out here, in the element type.
/// </summary>
internal sealed unsafe class EmulatedCusolver(EmulatedGpu gpu) : ICusolver
{
    private readonly Dictionary<IntPtr, IntPtr> _handles = new();

    public CusolverStatus Create(out IntPtr handle)
    {
        handle = IntPtr.Zero;
        if (gpu.RequireContext() != CudaResult.Success) return CusolverStatus.NotInitialized;
        handle = gpu.NewHandle();
        lock (gpu.Gate)
        {
            _handles[handle] = IntPtr.Zero;
            gpu.Handles[handle] = "cuSOLVER";
        }
        return CusolverStatus.Success;
    }

    public CusolverStatus Destroy(IntPtr handle)
    {
        lock (gpu.Gate)
        {
            if (!_handles.Remove(handle)) return CusolverStatus.NotInitialized;
            gpu.Handles.Remove(handle);
        }
        return CusolverStatus.Success;
    }

    public CusolverStatus SetStream(IntPtr handle, IntPtr stream)
    {
        lock (gpu.Gate)
        {
            if (!_handles.ContainsKey(handle)) return CusolverStatus.NotInitialized;
            gpu.Stream(stream, "cusolverDnSetStream");
            _handles[handle] = stream;
        }
        return CusolverStatus.Success;
    }

    private bool TryStream(IntPtr handle, out IntPtr stream)
    {
        lock (gpu.Gate) return _handles.TryGetValue(handle, out stream);
    }

    private static bool ValidFill(CublasFill f) => (int)f is 0 or 1;

    internal static int SyevdWork(EigMode jobz, int n) => jobz == EigMode.Vector ? 1 + 6 * n + 2 * n * n : 2 * n + 1;

    public CusolverStatus DsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork) =>
        SyevdBufferSize(handle, jobz, uplo, n, lda, out lwork);

    public CusolverStatus SsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork) =>
        SyevdBufferSize(handle, jobz, uplo, n, lda, out lwork);

    private CusolverStatus SyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, int lda, out int lwork)
    {
        lwork = 0;
        if (!TryStream(handle, out _)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || (int)jobz is not (0 or 1) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        lwork = SyevdWork(jobz, n);
        return CusolverStatus.Success;
    }

    public CusolverStatus Dsyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info) =>
        Syevd<double>("cusolverDnDsyevd", handle, jobz, uplo, n, a, lda, w, work, lwork, info);

    public CusolverStatus Ssyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info) =>
        Syevd<float>("cusolverDnSsyevd", handle, jobz, uplo, n, a, lda, w, work, lwork, info);

    private CusolverStatus Syevd<T>(string call, IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryStream(handle, out var stream)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || (int)jobz is not (0 or 1) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        var ai = gpu.Resolve(info, sizeof(int), call, "devInfo");
        gpu.OnWrite(ai, stream, call, "devInfo");
        if (lwork < SyevdWork(jobz, n)) { *(int*)info = -8; return CusolverStatus.Success; }
        *(int*)info = 0;
        if (n == 0) return CusolverStatus.Success;
        long ext = EmulatedCublas.Extent(n, n, lda);
        var aa = gpu.Resolve(a, (ulong)(ext * sizeof(T)), call, "A");
        var aw = gpu.Resolve(w, (ulong)(n * sizeof(T)), call, "W");
        var awork = gpu.Resolve(work, (ulong)((long)lwork * sizeof(T)), call, "work");
        gpu.OnRead(aa, stream, call, "A");
        gpu.OnWrite(aa, stream, call, "A");
        gpu.OnWrite(aw, stream, call, "W");
        gpu.OnWrite(awork, stream, call, "work");
        var sa = new Span<T>((void*)a, (int)ext);
        var sw = new Span<T>((void*)w, n);
        new Span<T>((void*)work, lwork).Fill(T.NaN);
        gpu.LibraryCallCount++;
        var copy = sa.ToArray();
        T At(int i, int j) => Referenced(uplo, i, j) ? copy[i + j * lda] : copy[j + i * lda];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                if (Referenced(uplo, i, j) && !T.IsFinite(copy[i + j * lda]))
                {
                    *(int*)info = n; // no convergence on non-finite input; A and W are left undefined (NaN)
                    sw.Fill(T.NaN);
                    for (int q = 0; q < n; q++)
                        for (int p = 0; p < n; p++) sa[p + q * lda] = T.NaN;
                    return CusolverStatus.Success;
                }
        T[] values;
        T[,] vectors;
        if (typeof(T) == typeof(double))
        {
            var evd = Matrix<double>.Build.Dense(n, n, (i, j) => (double)(object)At(i, j)).Evd(Symmetricity.Symmetric);
            values = evd.EigenValues.Select(c => (T)(object)c.Real).ToArray();
            vectors = (T[,])(object)evd.EigenVectors.ToArray();
        }
        else
        {
            var evd = Matrix<float>.Build.Dense(n, n, (i, j) => (float)(object)At(i, j)).Evd(Symmetricity.Symmetric);
            values = evd.EigenValues.Select(c => (T)(object)(float)c.Real).ToArray();
            vectors = (T[,])(object)evd.EigenVectors.ToArray();
        }
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        for (int i = 0; i < n; i++) sw[i] = values[order[i]];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                if (jobz == EigMode.Vector) sa[i + j * lda] = vectors[i, order[j]];
                else if (Referenced(uplo, i, j)) sa[i + j * lda] = T.NaN;
        return CusolverStatus.Success;
    }

    private static bool Referenced(CublasFill uplo, int i, int j) => uplo == CublasFill.Lower ? i >= j : i <= j;

    public CusolverStatus DpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork) =>
        PotrfBufferSize(handle, uplo, n, lda, out lwork);

    public CusolverStatus SpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork) =>
        PotrfBufferSize(handle, uplo, n, lda, out lwork);

    private CusolverStatus PotrfBufferSize(IntPtr handle, CublasFill uplo, int n, int lda, out int lwork)
    {
        lwork = 0;
        if (!TryStream(handle, out _)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        lwork = Math.Max(1, n);
        return CusolverStatus.Success;
    }

    public CusolverStatus Dpotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info) =>
        Potrf<double>("cusolverDnDpotrf", handle, uplo, n, a, lda, work, lwork, info);

    public CusolverStatus Spotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info) =>
        Potrf<float>("cusolverDnSpotrf", handle, uplo, n, a, lda, work, lwork, info);

    private CusolverStatus Potrf<T>(string call, IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryStream(handle, out var stream)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        var ai = gpu.Resolve(info, sizeof(int), call, "devInfo");
        gpu.OnWrite(ai, stream, call, "devInfo");
        if (lwork < Math.Max(1, n)) { *(int*)info = -7; return CusolverStatus.Success; }
        *(int*)info = 0;
        if (n == 0) return CusolverStatus.Success;
        long ext = EmulatedCublas.Extent(n, n, lda);
        var aa = gpu.Resolve(a, (ulong)(ext * sizeof(T)), call, "A");
        var awork = gpu.Resolve(work, (ulong)((long)lwork * sizeof(T)), call, "work");
        gpu.OnRead(aa, stream, call, "A");
        gpu.OnWrite(aa, stream, call, "A");
        gpu.OnWrite(awork, stream, call, "work");
        var s = new Span<T>((void*)a, (int)ext);
        // L(i, j) for Lower is stored at (i, j); for Upper the factor U = Lᵀ is stored at (j, i).
        int At(int i, int j) => uplo == CublasFill.Lower ? i + j * lda : j + i * lda;
        for (int j = 0; j < n; j++)
        {
            T d = s[At(j, j)];
            for (int p = 0; p < j; p++) d -= s[At(j, p)] * s[At(j, p)];
            if (!(d > T.Zero)) { *(int*)info = j + 1; break; }
            T l = T.Sqrt(d);
            s[At(j, j)] = l;
            for (int i = j + 1; i < n; i++)
            {
                T v = s[At(i, j)];
                for (int p = 0; p < j; p++) v -= s[At(i, p)] * s[At(j, p)];
                s[At(i, j)] = v / l;
            }
        }
        gpu.LibraryCallCount++;
        return CusolverStatus.Success;
    }

    public CusolverStatus Dpotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info) =>
        Potrs<double>("cusolverDnDpotrs", handle, uplo, n, nrhs, a, lda, b, ldb, info);

    public CusolverStatus Spotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info) =>
        Potrs<float>("cusolverDnSpotrs", handle, uplo, n, nrhs, a, lda, b, ldb, info);

    private CusolverStatus Potrs<T>(string call, IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryStream(handle, out var stream)) return CusolverStatus.NotInitialized;
        if (n < 0 || nrhs < 0 || lda < Math.Max(1, n) || ldb < Math.Max(1, n) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        var ai = gpu.Resolve(info, sizeof(int), call, "devInfo");
        gpu.OnWrite(ai, stream, call, "devInfo");
        *(int*)info = 0;
        if (n == 0 || nrhs == 0) return CusolverStatus.Success;
        long extA = EmulatedCublas.Extent(n, n, lda), extB = EmulatedCublas.Extent(n, nrhs, ldb);
        var aa = gpu.Resolve(a, (ulong)(extA * sizeof(T)), call, "A");
        var ab = gpu.Resolve(b, (ulong)(extB * sizeof(T)), call, "B");
        gpu.OnRead(aa, stream, call, "A");
        gpu.OnRead(ab, stream, call, "B");
        gpu.OnWrite(ab, stream, call, "B");
        var sa = new ReadOnlySpan<T>((void*)a, (int)extA);
        var sb = new Span<T>((void*)b, (int)extB);
        int At(int i, int j) => uplo == CublasFill.Lower ? i + j * lda : j + i * lda;
        for (int r = 0; r < nrhs; r++)
        {
            var x = sb.Slice(r * ldb, n);
            for (int i = 0; i < n; i++)
            {
                T v = x[i];
                for (int p = 0; p < i; p++) v -= sa[At(i, p)] * x[p];
                x[i] = v / sa[At(i, i)];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                T v = x[i];
                for (int p = i + 1; p < n; p++) v -= sa[At(p, i)] * x[p];
                x[i] = v / sa[At(i, i)];
            }
        }
        gpu.LibraryCallCount++;
        return CusolverStatus.Success;
    }
}
