using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Interop;
using NtkDsl.Dynamics;
using NtkDsl.Predict;
using NtkDsl.Regression;

namespace NtkDsl.Cuda.Tests.Solvers;

/// <summary>
/// The solver contract on the strict host emulation (column-major cuSOLVER/cuBLAS with leading-dimension, bounds and
/// synchronization checks); after every test no device buffer may be left alive. Plus what only the emulation can
/// show: out of memory on a tiny device, and that the products really ran in cuBLAS.
/// </summary>
public sealed class EmulatedSolverTests : DeviceSolverConformance
{
    private readonly EmulatedGpu _gpu = new();

    protected override CudaBackend OpenBackend() => _gpu.CreateBackend();

    protected override void AfterDispose()
    {
        try
        {
            _gpu.AssertClean();
        }
        finally
        {
            _gpu.Dispose();
        }
    }

    [Fact]
    public void PredictionProductsRunInCublas()
    {
        var k = new SolverKernels(16, 5, 8, 2, seed: 10);
        var dynamics = new GradientDescentMse(k.TrainT, k.YT, 0.5, device: Gpu);
        long before = _gpu.LibraryCallCount;
        int solverBefore = Calls.Total;
        dynamics.PredictTest(3.0, k.F0TrainT, k.F0TestT, k.TestTrainT);
        // Residual Vᵀ(f₀ − Y), A = Θ(x*, X)·V and A·(g ∘ r): three DGEMMs, no solver call at a finite time.
        Assert.Equal(solverBefore, Calls.Total);
        Assert.Equal(3, _gpu.LibraryCallCount - before);
    }

    [Fact]
    public void ANonFiniteMatrixIsANonConvergenceThatNamesTheFix()
    {
        // The emulation reports syevd on NaN/∞ input as devInfo = n > 0 (no convergence), in both precisions.
        var k = new SolverKernels(5, 1, 4, 1, seed: 25);
        var m = (double[])k.Train.Clone();
        m[2 * 5 + 1] = m[1 * 5 + 2] = double.NaN;
        using (var a = Gpu.Upload<double>(m))
        using (var w = Gpu.Allocate<double>(5))
        {
            var e = Assert.Throws<EigensolverNotConvergedException>(() => GpuSolver.SymmetricEigen(a, 5, 5, w));
            Assert.Equal("cusolverDnDsyevd", e.Call);
            Assert.Equal(5, e.Order);
            Assert.Equal(5, e.Unconverged);
            Assert.Contains("did not converge on the 5 × 5 matrix", e.Message, StringComparison.Ordinal);
            Assert.Contains("Check the matrix for NaN or infinity", e.Message, StringComparison.Ordinal);
            Assert.Contains("Device.Cpu", e.Message, StringComparison.Ordinal);
        }
        using (var a = Gpu.Upload<float>(m.Select(v => (float)v).ToArray()))
        using (var w = Gpu.Allocate<float>(5))
            Assert.Equal("cusolverDnSsyevd", Assert.Throws<EigensolverNotConvergedException>(() => GpuSolver.SymmetricEigen(a, 5, 5, w, vectors: false)).Call);
    }
}

/// <summary>Out of memory and a device without a linear-algebra backend: clear exceptions, nothing on the CPU.</summary>
public sealed class SolverFailureTests
{
    [Fact]
    public void ATinyDeviceRunsOutOfMemoryWithTheSizesAndTheFix()
    {
        // 64 KiB of device memory; the 100 × 100 kernel alone is 80,000 bytes.
        using var e = new Support.Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 64UL << 10 });
        var k = new SolverKernels(100, 3, 10, 1, seed: 11);
        var oom = Assert.Throws<CudaOutOfMemoryException>(() => new GradientDescentMse(k.TrainT, k.YT, device: e.Device));
        Assert.Contains("100 × 100 symmetric eigendecomposition", oom.Message, StringComparison.Ordinal);
        // The solvers' tip: what a user of the dynamics/regression can do (not the NTK's row tiles or float32).
        Assert.Contains("need their whole matrices on one device and work in float64", oom.Message, StringComparison.Ordinal);
        Assert.Contains("passing Device.Cpu (or no device) to GradientDescentMse, KernelRegression or the predictor", oom.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RowTiledAssembly", oom.Message, StringComparison.Ordinal);
        Assert.Equal(80000UL, oom.RequestedBytes);
        Assert.Equal(64UL << 10, oom.TotalBytes);
        var chol = Assert.Throws<CudaOutOfMemoryException>(() => KernelRegression.Fit(k.TrainT, k.YT, 0.1, e.Device));
        Assert.Contains("100 × 100 Cholesky factorization", chol.Message, StringComparison.Ordinal);
        Assert.Contains("fewer training points", chol.Message, StringComparison.Ordinal);
        // The device is still usable after the failures (everything was returned to the pool).
        var small = new SolverKernels(20, 3, 10, 1, seed: 12);
        var fit = KernelRegression.Fit(small.TrainT, small.YT, 0.1, e.Device);
        SolverKernels.Close(fit.Predict(small.TestTrainT), KernelRegression.Fit(small.TrainT, small.YT, 0.1).Predict(small.TestTrainT), 1e-10, "after OOM");
    }

    [Fact]
    public void AnOutOfMemoryRetryReleasesTheResidentFactor()
    {
        // 48 KiB: the 40 × 40 eigendecomposition (matrix 12.8 kB, workspace 27.5 kB) fits only once the resident
        // 12.8 kB Cholesky factor of the regression fitted before it is released.
        using var e = new Support.Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 48UL << 10 });
        var k = new SolverKernels(40, 3, 10, 1, seed: 26);
        var fit = KernelRegression.Fit(k.TrainT, k.YT, 0.1, e.Device);
        Assert.True(Cuda.Solvers.ResidentFactors.Of(e.Device).HasResident);
        var gd = new GradientDescentMse(k.TrainT, k.YT, 0.5, device: e.Device);
        Assert.False(Cuda.Solvers.ResidentFactors.Of(e.Device).HasResident);
        var cpu = new GradientDescentMse(k.TrainT, k.YT, 0.5);
        SolverKernels.Close(gd.PredictTest(3.0, k.F0TrainT, k.F0TestT, k.TestTrainT), cpu.PredictTest(3.0, k.F0TrainT, k.F0TestT, k.TestTrainT), 1e-10, "after the eviction");
        SolverKernels.Close(fit.Predict(k.TestTrainT), KernelRegression.Fit(k.TrainT, k.YT, 0.1).Predict(k.TestTrainT), 1e-10, "regression after the eviction");
    }

    [Fact]
    public void ADeviceWithoutLinearAlgebraIsRefusedNotRunOnTheCpu()
    {
        var k = new SolverKernels(6, 2, 4, 1, seed: 13);
        var bare = new BareDevice();
        foreach (var call in new Action[]
        {
            () => _ = new GradientDescentMse(k.TrainT, k.YT, device: bare),
            () => KernelRegression.Fit(k.TrainT, k.YT, 0.1, bare),
            () => _ = new NngpPredictor(k.TrainT, k.YT, device: bare),
            () => _ = new NtkGpPredictor(k.TrainT, null, k.YT, device: bare),
        })
        {
            var ex = Assert.Throws<NotSupportedException>(call);
            Assert.Contains("bare test device has no implementation of the eigendecomposition", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Device.Cpu", ex.Message, StringComparison.Ordinal);
        }
    }

    private sealed class BareDevice : Device
    {
        public override string Name => "bare test device";
        public override bool IsCpu => false;
    }
}

/// <summary>A device whose eigensolver returns a NaN eigenvalue (the core's check on the device's result rejects it) or reports no convergence.</summary>
public sealed unsafe class FaultyEigensolverTests
{
    [Fact]
    public void ANonFiniteEigenvalueFromTheDeviceIsRejected()
    {
        using var gpu = new EmulatedGpu();
        var backend = gpu.CreateBackend();
        using (var device = CudaDevice.Open(0, backend with { Cusolver = new PatchedSyevd(backend.Cusolver, (w, _) => *(double*)w = double.NaN) }))
        {
            var k = new SolverKernels(9, 2, 5, 1, seed: 15);
            var e = Assert.Throws<ArithmeticException>(() => new GradientDescentMse(k.TrainT, k.YT, device: device));
            Assert.Contains("device's symmetric eigensolver returned eigenvalue 0 = NaN", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArithmeticException>(() => GradientDescentMse.MaxLearningRate(k.TrainT, device: device));
        }
        gpu.AssertClean();
    }

    [Fact]
    public void NonConvergenceInTheDynamicsIsTheSpecificException()
    {
        // devInfo > 0 from syevd on a finite kernel (the real library's failure mode): the dynamics surface the solver's
        // own exception, with the count and the fix, not a bare CudaException or a result.
        using var gpu = new EmulatedGpu();
        var backend = gpu.CreateBackend();
        using (var device = CudaDevice.Open(0, backend with { Cusolver = new PatchedSyevd(backend.Cusolver, (w, info) => *(int*)info = 3) }))
        {
            var k = new SolverKernels(9, 2, 5, 1, seed: 17);
            var e = Assert.Throws<EigensolverNotConvergedException>(() => new GradientDescentMse(k.TrainT, k.YT, device: device));
            Assert.Equal(3, e.Unconverged);
            Assert.Equal(9, e.Order);
            Assert.Contains("cusolverDnDsyevd returned devInfo 3 (3)", e.Message, StringComparison.Ordinal);
            Assert.Contains("3 off-diagonal elements", e.Message, StringComparison.Ordinal);
            Assert.Contains("pass Device.Cpu", e.Message, StringComparison.Ordinal);
        }
        gpu.AssertClean();
    }

    [Fact]
    public void MaxLearningRateOnTheDeviceMatchesTheCpu()
    {
        using var e = new Support.Emulated();
        var k = new SolverKernels(11, 2, 5, 1, seed: 16);
        double cpu = GradientDescentMse.MaxLearningRate(k.TrainT, 3);
        double dev = GradientDescentMse.MaxLearningRate(k.TrainT, 3, e.Device);
        Assert.Equal(cpu, dev, 1e-10 * cpu);
    }

    /// <summary>Runs syevd, then lets the test overwrite what it returned (W, devInfo): the emulation's device pointers are host addresses.</summary>
    private sealed class PatchedSyevd(ICusolver inner, Action<ulong, ulong> patch) : ICusolver
    {
        public CusolverStatus Create(out IntPtr handle) => inner.Create(out handle);
        public CusolverStatus Destroy(IntPtr handle) => inner.Destroy(handle);
        public CusolverStatus SetStream(IntPtr handle, IntPtr stream) => inner.SetStream(handle, stream);
        public CusolverStatus DsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork) =>
            inner.DsyevdBufferSize(handle, jobz, uplo, n, a, lda, w, out lwork);

        public CusolverStatus Dsyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info)
        {
            var s = inner.Dsyevd(handle, jobz, uplo, n, a, lda, w, work, lwork, info);
            patch(w, info);
            return s;
        }

        public CusolverStatus DpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork) =>
            inner.DpotrfBufferSize(handle, uplo, n, a, lda, out lwork);
        public CusolverStatus Dpotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info) =>
            inner.Dpotrf(handle, uplo, n, a, lda, work, lwork, info);
        public CusolverStatus Dpotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info) =>
            inner.Dpotrs(handle, uplo, n, nrhs, a, lda, b, ldb, info);
        public CusolverStatus SsyevdBufferSize(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, out int lwork) =>
            inner.SsyevdBufferSize(handle, jobz, uplo, n, a, lda, w, out lwork);
        public CusolverStatus Ssyevd(IntPtr handle, EigMode jobz, CublasFill uplo, int n, ulong a, int lda, ulong w, ulong work, int lwork, ulong info) =>
            inner.Ssyevd(handle, jobz, uplo, n, a, lda, w, work, lwork, info);
        public CusolverStatus SpotrfBufferSize(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, out int lwork) =>
            inner.SpotrfBufferSize(handle, uplo, n, a, lda, out lwork);
        public CusolverStatus Spotrf(IntPtr handle, CublasFill uplo, int n, ulong a, int lda, ulong work, int lwork, ulong info) =>
            inner.Spotrf(handle, uplo, n, a, lda, work, lwork, info);
        public CusolverStatus Spotrs(IntPtr handle, CublasFill uplo, int n, int nrhs, ulong a, int lda, ulong b, int ldb, ulong info) =>
            inner.Spotrs(handle, uplo, n, nrhs, a, lda, b, ldb, info);
    }
}
