using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Kernels;
using NtkDsl.Regression;

namespace NtkDsl.Cuda.Tests;

/// <summary>
/// The device contract, run against the host emulation (<see cref="EmulatedConformanceTests"/>) and the real libraries
/// (<see cref="NativeConformanceTests"/>, skipped without a GPU). Every result is compared with a reference written in
/// the tests (triple loops, closed forms, reconstruction), never with the backend itself.
/// </summary>
public abstract partial class DeviceConformance : IDisposable
{
    private CudaDevice? _device;

    /// <summary>Opens the device under test (or skips).</summary>
    protected abstract CudaDevice OpenDevice();

    /// <summary>Skips when kernels cannot be compiled in this configuration.</summary>
    protected virtual void RequireKernelCompiler() { }

    /// <summary>Called after each test with the device disposed (leak checks).</summary>
    protected virtual void AfterDispose() { }

    protected CudaDevice Device => _device ??= OpenDevice();

    public void Dispose()
    {
        _device?.Dispose();
        if (_device is not null) AfterDispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GemmFloat64MatchesTripleLoop(bool ta, bool tb)
    {
        const int m = 7, n = 5, k = 9;
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 4;
        var a = Reference.Random((ta ? k : m) * lda, 1);
        var b = Reference.Random((tb ? n : k) * ldb, 2);
        var c = Reference.Random(m * ldc, 3);
        var expected = (double[])c.Clone();
        Reference.Gemm(ta, tb, m, n, k, 1.3, a, lda, b, ldb, 0.7, expected, ldc);
        using var da = Device.Upload<double>(a);
        using var db = Device.Upload<double>(b);
        using var dc = Device.Upload<double>(c);
        GpuBlas.Gemm(ta ? Transpose.Yes : Transpose.No, tb ? Transpose.Yes : Transpose.No, m, n, k, 1.3, da, lda, db, ldb, 0.7, dc, ldc);
        Assert.True(Reference.MaxRelative(dc.ToArray(), expected) < 1e-14);
    }

    [Fact]
    public void GemmFloat32StrictMatchesTripleLoop()
    {
        const int m = 33, n = 17, k = 41;
        var a = Reference.Random(m * k, 4);
        var b = Reference.Random(n * k, 5);
        var expected = new double[m * n];
        Reference.Gemm(false, true, m, n, k, 1.0, a, k, b, k, 0, expected, n);
        using var da = Device.Upload<float>(Reference.ToFloat(a));
        using var db = Device.Upload<float>(Reference.ToFloat(b));
        using var dc = Device.Allocate<float>(m * n);
        GpuBlas.Gemm(Transpose.No, Transpose.Yes, m, n, k, 1f, da, k, db, k, 0f, dc, n, GpuFloat32Mode.Strict);
        Assert.True(Reference.MaxRelative(Reference.ToDouble(dc.ToArray()), expected) < 1e-5);
    }

    [Fact]
    public void GemmTf32IsWithinTf32Accuracy()
    {
        const int m = 64, n = 48, k = 256;
        var a = Reference.Random(m * k, 6);
        var b = Reference.Random(k * n, 7);
        var expected = new double[m * n];
        Reference.Gemm(false, false, m, n, k, 1.0, a, k, b, n, 0, expected, n);
        using var da = Device.Upload<float>(Reference.ToFloat(a));
        using var db = Device.Upload<float>(Reference.ToFloat(b));
        using var dc = Device.Allocate<float>(m * n);
        GpuBlas.Gemm(Transpose.No, Transpose.No, m, n, k, 1f, da, k, db, n, 0f, dc, n, GpuFloat32Mode.Tf32);
        double err = Reference.MaxRelative(Reference.ToDouble(dc.ToArray()), expected);
        Assert.True(err < 3e-3, $"TF32 relative error {err}");
        // The strict mode afterwards is really strict again (the math mode is restored per call).
        GpuBlas.Gemm(Transpose.No, Transpose.No, m, n, k, 1f, da, k, db, n, 0f, dc, n, GpuFloat32Mode.Strict);
        Assert.True(Reference.MaxRelative(Reference.ToDouble(dc.ToArray()), expected) < 1e-5);
    }

    [Fact]
    public void SyrkLowerFillsOnlyTheLowerTriangle()
    {
        const int n = 9, k = 6, lda = 8, ldc = 11;
        var a = Reference.Random(n * lda, 8);
        var c = Enumerable.Repeat(12345.0, n * ldc).ToArray();
        using var da = Device.Upload<double>(a);
        using var dc = Device.Upload<double>(c);
        GpuBlas.SyrkLower(n, k, 0.5, da, lda, 0.0, dc, ldc);
        var full = new double[n * n];
        Reference.Gemm(false, true, n, n, k, 0.5, a, lda, a, lda, 0, full, n);
        var got = dc.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < ldc; j++)
                if (j <= i) Assert.Equal(full[i * n + j], got[i * ldc + j], 1e-14);
                else Assert.Equal(12345.0, got[i * ldc + j]);
    }

    [Fact]
    public void SyrkLowerFloat32AccumulatesWithBeta()
    {
        const int n = 6, k = 10;
        var a = Reference.Random(n * k, 9);
        var c = Reference.Random(n * n, 10);
        var expected = (double[])c.Clone();
        Reference.Gemm(false, true, n, n, k, 2.0, a, k, a, k, 0.5, expected, n);
        using var da = Device.Upload<float>(Reference.ToFloat(a));
        using var dc = Device.Upload<float>(Reference.ToFloat(c));
        GpuBlas.SyrkLower(n, k, 2f, da, k, 0.5f, dc, n, GpuFloat32Mode.Strict);
        var got = Reference.ToDouble(dc.ToArray());
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(j <= i ? expected[i * n + j] : (float)c[i * n + j], got[i * n + j], j <= i ? 1e-5 : 0.0);
    }

    [Fact]
    public void GemmStridedBatchedMatchesPerBatchReference()
    {
        const int m = 4, n = 3, k = 5, batches = 3;
        long sa = m * k + 2, sb = k * n + 1, sc = m * n + 3;
        var a = Reference.Random((int)(sa * batches), 11);
        var b = Reference.Random((int)(sb * batches), 12);
        var c = new double[sc * batches];
        var expected = (double[])c.Clone();
        for (int t = 0; t < batches; t++)
        {
            var ab = a.AsSpan((int)(t * sa), m * k).ToArray();
            var bb = b.AsSpan((int)(t * sb), k * n).ToArray();
            var cb = new double[m * n];
            Reference.Gemm(false, false, m, n, k, 1.0, ab, k, bb, n, 0, cb, n);
            cb.CopyTo(expected, (int)(t * sc));
        }
        using var da = Device.Upload<double>(a);
        using var db = Device.Upload<double>(b);
        using var dc = Device.Upload<double>(c);
        GpuBlas.GemmStridedBatched(Transpose.No, Transpose.No, m, n, k, 1.0, da, k, sa, db, n, sb, 0.0, dc, n, sc, batches);
        var got = dc.ToArray();
        for (int t = 0; t < batches; t++)
            for (int i = 0; i < m * n; i++)
                Assert.Equal(expected[t * sc + i], got[t * sc + i], 1e-14);

        using var fa = Device.Upload<float>(Reference.ToFloat(a));
        using var fb = Device.Upload<float>(Reference.ToFloat(b));
        using var fc = Device.Upload<float>(Reference.ToFloat(c));
        GpuBlas.GemmStridedBatched(Transpose.No, Transpose.No, m, n, k, 1f, fa, k, sa, fb, n, sb, 0f, fc, n, sc, batches, GpuFloat32Mode.Strict);
        var gotF = fc.ToArray();
        for (int t = 0; t < batches; t++)
            for (int i = 0; i < m * n; i++)
                Assert.Equal(expected[t * sc + i], gotF[t * sc + i], 1e-5);
    }

    [Fact]
    public void SymmetricEigenMatchesClosedForm()
    {
        // Tridiagonal (−1, 2, −1): eigenvalues 2 − 2cos(kπ/(n+1)), k = 1..n (closed form).
        const int n = 12;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[i * n + i] = 2;
            if (i > 0) a[i * n + i - 1] = -1;
            for (int j = i + 1; j < n; j++) a[i * n + j] = double.NaN; // upper triangle is never read
        }
        using var da = Device.Upload<double>(a);
        using var dw = Device.Allocate<double>(n);
        GpuSolver.SymmetricEigen(da, n, n, dw);
        var w = dw.ToArray();
        var v = da.ToArray();
        for (int k = 1; k <= n; k++) Assert.Equal(2 - 2 * Math.Cos(k * Math.PI / (n + 1)), w[k - 1], 1e-12);
        for (int e = 0; e < n; e++)
        {
            for (int i = 0; i < n; i++)
            {
                double av = 2 * v[e * n + i] - (i > 0 ? v[e * n + i - 1] : 0) - (i < n - 1 ? v[e * n + i + 1] : 0);
                Assert.Equal(w[e] * v[e * n + i], av, 1e-12);
            }
            for (int f = 0; f < n; f++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += v[e * n + i] * v[f * n + i];
                Assert.Equal(e == f ? 1.0 : 0.0, dot, 1e-12);
            }
        }
    }

    [Fact]
    public void CholeskyFactorsAndSolves()
    {
        const int n = 10, nrhs = 3;
        var b = Reference.Random(n * n, 13);
        var a = new double[n * n];
        Reference.Gemm(false, true, n, n, n, 1.0, b, n, b, n, 0, a, n);
        for (int i = 0; i < n; i++) a[i * n + i] += n;
        var sentinel = (double[])a.Clone();
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) sentinel[i * n + j] = -7;
        using var da = Device.Upload<double>(sentinel);
        GpuSolver.Cholesky(da, n, n);
        var l = da.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (j > i) { Assert.Equal(-7, l[i * n + j]); continue; }
                double s = 0;
                for (int p = 0; p <= j; p++) s += l[i * n + p] * l[j * n + p];
                Assert.Equal(a[i * n + j], s, 1e-12);
            }
        var rhs = Reference.Random(nrhs * n, 14);
        using var dr = Device.Upload<double>(rhs);
        GpuSolver.CholeskySolve(da, n, n, dr, nrhs, n);
        var x = dr.ToArray();
        for (int r = 0; r < nrhs; r++)
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[i * n + j] * x[r * n + j];
                Assert.Equal(rhs[r * n + i], s, 1e-11);
            }
    }

    [Fact]
    public void CholeskyOfAnIndefiniteMatrixNamesTheMinor()
    {
        // Leading minors: 4 > 0, 4·5 − 4 > 0, the third is negative (the (3,3) entry makes it indefinite).
        double[] a = [4, 0, 0, 2, 5, 0, 0, 1, -3];
        using var da = Device.Upload<double>(a);
        var ex = Assert.Throws<KernelNotPositiveDefiniteException>(() => GpuSolver.Cholesky(da, 3, 3));
        Assert.Contains("order 3", ex.Message);
    }

    [Fact]
    public void CopiesRoundTripThroughSlices()
    {
        var v = Reference.Random(100, 15);
        using var d = Device.Upload<double>(v);
        var part = new double[30];
        d.Slice(40, 30).CopyTo(part);
        Assert.Equal(v.AsSpan(40, 30).ToArray(), part);
        d.Slice(10, 5).Clear();
        using var e = Device.Allocate<double>(100);
        d.AsMemory().CopyTo(e);
        var back = e.ToArray();
        for (int i = 0; i < 100; i++) Assert.Equal(i is >= 10 and < 15 ? 0.0 : v[i], back[i]);
    }

    [Fact]
    public void ActivationKernelsMatchCSharpReferences()
    {
        RequireKernelCompiler();
        const int n = 1000;
        var h = Reference.Random(n, 16, 3.0);
        using var dh = Device.Upload<double>(h);
        using var phi = Device.Allocate<double>(n);
        using var dphi = Device.Allocate<double>(n);
        var module = Device.Compile(KernelSources.Elementwise);
        module.Kernel("erf_forward").LaunchLinear(n, 128, dh, phi, dphi, (long)n);
        var p = phi.ToArray();
        var d = dphi.ToArray();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Special.Erf(h[i]), p[i], 1e-15);
            Assert.Equal(2 / Math.Sqrt(Math.PI) * Math.Exp(-h[i] * h[i]), d[i], 1e-15);
        }

        var hf = Reference.ToFloat(h);
        using var fh = Device.Upload<float>(hf);
        using var fphi = Device.Allocate<float>(n);
        using var fdphi = Device.Allocate<float>(n);
        module.Kernel("tanh_forward_f").LaunchLinear(n, 256, fh, fphi, fdphi, (long)n);
        var pf = fphi.ToArray();
        var df = fdphi.ToArray();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Math.Tanh(hf[i]), pf[i], 1e-6);
            Assert.Equal(Special.TanhDerivative(hf[i]), df[i], 1e-6);
        }
    }

    [Fact]
    public void HadamardAccumulateAndTwoDimensionalGridMatchLoops()
    {
        RequireKernelCompiler();
        const int rows = 37, cols = 23, n = rows * cols;
        var gx = Reference.Random(n, 17);
        var gd = Reference.Random(n, 18);
        var o = Reference.Random(n, 19);
        using var dgx = Device.Upload<double>(gx);
        using var dgd = Device.Upload<double>(gd);
        using var dout = Device.Upload<double>(o);
        var module = Device.Compile(KernelSources.Elementwise);
        module.Kernel("hadamard_accumulate").LaunchLinear(n, 64, dgx, dgd, dout, 0.25, 1.5, (long)n);
        var got = dout.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(o[i] + (0.25 * gx[i] + 1.5) * gd[i], got[i], 1e-15);

        using var t = Device.Allocate<double>(n);
        module.Kernel("transpose2d").Launch((cols + 7) / 8, (rows + 15) / 16, 1, 8, 16, 1, dout, t, rows, cols);
        var tt = t.ToArray();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                Assert.Equal(got[r * cols + c], tt[c * rows + r]);
    }

    [Fact]
    public void BadLaunchAndBadSourceGiveClearErrors()
    {
        RequireKernelCompiler();
        var module = Device.Compile(KernelSources.Elementwise);
        using var d = Device.Allocate<double>(4);
        var ex = Assert.Throws<CudaException>(() => module.Kernel("hadamard_accumulate").Launch(1, 1, 1, 2048, 1, 1, d, d, d, 1.0, 1.0, 4L));
        Assert.Contains("cuLaunchKernel (hadamard_accumulate) returned CUDA_ERROR_INVALID_VALUE (1)", ex.Message);
        var wrongType = Assert.Throws<ArgumentException>(() => module.Kernel("hadamard_accumulate").LaunchLinear(4, 4, d, d, d, 1.0f, 1.0, 4L));
        Assert.Contains("Parameter 3 (cx) of kernel hadamard_accumulate is double, but the launch passed a float", wrongType.Message);
        using var f = Device.Allocate<float>(4);
        var wrongBuffer = Assert.Throws<ArgumentException>(() => module.Kernel("hadamard_accumulate").LaunchLinear(4, 4, d, f, d, 1.0, 1.0, 4L));
        Assert.Contains("Parameter 1 (gd) of kernel hadamard_accumulate is double*, but the launch passed a float*", wrongBuffer.Message);
        var count = Assert.Throws<ArgumentException>(() => module.Kernel("hadamard_accumulate").LaunchLinear(4, 4, d, d, d, 1.0, 1.0));
        Assert.Contains("takes 6 parameters (double* gx, double* gd, double* out, double cx, double cb, long long n); the launch passed 5", count.Message);
        var missing = Assert.Throws<CudaException>(() => module.Kernel("no_such_kernel"));
        Assert.Contains("CUDA_ERROR_NOT_FOUND", missing.Message);
        const string broken = "extern \"C\" __global__ void broken(double* x) { x[0] = undefined_name; }";
        var ce = Assert.Throws<CudaCompileException>(() => Device.Compile(broken));
        Assert.Contains("undefined_name", ce.Log);
        Assert.Contains("1: extern \"C\" __global__ void broken", ce.Message);
    }

    [Fact]
    public void BlasArgumentsAreCheckedBeforeTheLibrary()
    {
        using var a = Device.Allocate<double>(10);
        using var c = Device.Allocate<double>(4);
        var ld = Assert.Throws<ArgumentException>(() => GpuBlas.Gemm(Transpose.No, Transpose.No, 2, 2, 5, 1.0, a, 4, a, 2, 0.0, c, 2));
        Assert.Contains("Leading dimension of A is 4 but A has 5 columns", ld.Message);
        var shortB = Assert.Throws<ArgumentException>(() => GpuBlas.Gemm(Transpose.No, Transpose.No, 2, 3, 5, 1.0, a, 5, a, 3, 0.0, c, 3));
        Assert.Contains("B is 5×3", shortB.Message);
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => GpuBlas.Gemm(Transpose.No, Transpose.No, 1, 1, 1, 1.0, a, 1, a, 1, 0.0, c, 1));
    }
}
