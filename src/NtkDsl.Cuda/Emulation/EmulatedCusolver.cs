using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Emulation;

/// <summary>
/// cuSOLVER (dense, float64) over an <see cref="EmulatedGpu"/>, column-major. Arguments are checked as the cuSOLVER
/// documentation lists for CUSOLVER_STATUS_INVALID_VALUE (n &lt; 0, nrhs &lt; 0, lda or ldb &lt; max(1, n), bad jobz or
/// uplo); a workspace smaller than the queried size is reported LAPACK-style through <c>info</c> = −(its argument
/// position). Only the <c>uplo</c> triangle of A is read; with jobz = NoVector that triangle is destroyed on exit
/// (filled with NaN here), as LAPACK's dsyevd documents. Eigen-decomposition: MathNet.Numerics' symmetric EVD on the
/// referenced triangle, values ascending; Cholesky and the triangular solves are written out here.
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

    public CusolverStatus DsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork)
    {
        lwork = 0;
        if (!TryStream(handle, out _)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || (int)jobz is not (0 or 1) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        lwork = SyevdWork(jobz, n);
        return CusolverStatus.Success;
    }

    public CusolverStatus Dsyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info)
    {
        const string call = "cusolverDnDsyevd";
        if (!TryStream(handle, out var stream)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || (int)jobz is not (0 or 1) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        var ai = gpu.Resolve(info, sizeof(int), call, "devInfo");
        gpu.OnWrite(ai, stream, call, "devInfo");
        if (lwork < SyevdWork(jobz, n)) { *(int*)info = -8; return CusolverStatus.Success; }
        *(int*)info = 0;
        if (n == 0) return CusolverStatus.Success;
        long ext = EmulatedCublas.Extent(n, n, lda);
        var aa = gpu.Resolve(a, (ulong)ext * 8, call, "A");
        var aw = gpu.Resolve(w, (ulong)n * 8, call, "W");
        var awork = gpu.Resolve(work, (ulong)lwork * 8, call, "work");
        gpu.OnRead(aa, stream, call, "A");
        gpu.OnWrite(aa, stream, call, "A");
        gpu.OnWrite(aw, stream, call, "W");
        gpu.OnWrite(awork, stream, call, "work");
        var sa = new Span<double>((void*)a, (int)ext);
        var copy = sa.ToArray();
        var m = Matrix<double>.Build.Dense(n, n, (i, j) => Referenced(uplo, i, j) ? copy[i + j * lda] : copy[j + i * lda]);
        var evd = m.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real).ToArray();
        var sw = new Span<double>((void*)w, n);
        for (int i = 0; i < n; i++) sw[i] = evd.EigenValues[order[i]].Real;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                if (jobz == EigMode.Vector) sa[i + j * lda] = evd.EigenVectors[i, order[j]];
                else if (Referenced(uplo, i, j)) sa[i + j * lda] = double.NaN;
        new Span<double>((void*)work, lwork).Fill(double.NaN);
        gpu.LibraryCallCount++;
        return CusolverStatus.Success;
    }

    private static bool Referenced(CublasFill uplo, int i, int j) => uplo == CublasFill.Lower ? i >= j : i <= j;

    public CusolverStatus DpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork)
    {
        lwork = 0;
        if (!TryStream(handle, out _)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        lwork = Math.Max(1, n);
        return CusolverStatus.Success;
    }

    public CusolverStatus Dpotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info)
    {
        const string call = "cusolverDnDpotrf";
        if (!TryStream(handle, out var stream)) return CusolverStatus.NotInitialized;
        if (n < 0 || lda < Math.Max(1, n) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        var ai = gpu.Resolve(info, sizeof(int), call, "devInfo");
        gpu.OnWrite(ai, stream, call, "devInfo");
        if (lwork < Math.Max(1, n)) { *(int*)info = -7; return CusolverStatus.Success; }
        *(int*)info = 0;
        if (n == 0) return CusolverStatus.Success;
        long ext = EmulatedCublas.Extent(n, n, lda);
        var aa = gpu.Resolve(a, (ulong)ext * 8, call, "A");
        var awork = gpu.Resolve(work, (ulong)lwork * 8, call, "work");
        gpu.OnRead(aa, stream, call, "A");
        gpu.OnWrite(aa, stream, call, "A");
        gpu.OnWrite(awork, stream, call, "work");
        var s = new Span<double>((void*)a, (int)ext);
        // L(i, j) for Lower is stored at (i, j); for Upper the factor U = Lᵀ is stored at (j, i).
        int At(int i, int j) => uplo == CublasFill.Lower ? i + j * lda : j + i * lda;
        for (int j = 0; j < n; j++)
        {
            double d = s[At(j, j)];
            for (int p = 0; p < j; p++) d -= s[At(j, p)] * s[At(j, p)];
            if (!(d > 0)) { *(int*)info = j + 1; break; }
            double l = Math.Sqrt(d);
            s[At(j, j)] = l;
            for (int i = j + 1; i < n; i++)
            {
                double v = s[At(i, j)];
                for (int p = 0; p < j; p++) v -= s[At(i, p)] * s[At(j, p)];
                s[At(i, j)] = v / l;
            }
        }
        gpu.LibraryCallCount++;
        return CusolverStatus.Success;
    }

    public CusolverStatus Dpotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info)
    {
        const string call = "cusolverDnDpotrs";
        if (!TryStream(handle, out var stream)) return CusolverStatus.NotInitialized;
        if (n < 0 || nrhs < 0 || lda < Math.Max(1, n) || ldb < Math.Max(1, n) || !ValidFill(uplo)) return CusolverStatus.InvalidValue;
        var ai = gpu.Resolve(info, sizeof(int), call, "devInfo");
        gpu.OnWrite(ai, stream, call, "devInfo");
        *(int*)info = 0;
        if (n == 0 || nrhs == 0) return CusolverStatus.Success;
        long extA = EmulatedCublas.Extent(n, n, lda), extB = EmulatedCublas.Extent(n, nrhs, ldb);
        var aa = gpu.Resolve(a, (ulong)extA * 8, call, "A");
        var ab = gpu.Resolve(b, (ulong)extB * 8, call, "B");
        gpu.OnRead(aa, stream, call, "A");
        gpu.OnRead(ab, stream, call, "B");
        gpu.OnWrite(ab, stream, call, "B");
        var sa = new ReadOnlySpan<double>((void*)a, (int)extA);
        var sb = new Span<double>((void*)b, (int)extB);
        int At(int i, int j) => uplo == CublasFill.Lower ? i + j * lda : j + i * lda;
        for (int r = 0; r < nrhs; r++)
        {
            var x = sb.Slice(r * ldb, n);
            for (int i = 0; i < n; i++)
            {
                double v = x[i];
                for (int p = 0; p < i; p++) v -= sa[At(i, p)] * x[p];
                x[i] = v / sa[At(i, i)];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double v = x[i];
                for (int p = i + 1; p < n; p++) v -= sa[At(p, i)] * x[p];
                x[i] = v / sa[At(i, i)];
            }
        }
        gpu.LibraryCallCount++;
        return CusolverStatus.Success;
    }
}
