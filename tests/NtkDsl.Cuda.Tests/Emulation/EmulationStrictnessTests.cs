using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests.Emulation;

/// <summary>
/// What the emulation must refuse the way cuBLAS/cuSOLVER/the driver do (documented statuses), and what it must catch
/// that a GPU would punish late: bounds, use after free, leaks, unsynchronized reads, out of memory.
/// </summary>
public sealed class EmulationStrictnessTests
{
    [Fact]
    public void CublasReturnsInvalidValueForTheDocumentedArgumentErrors()
    {
        using var e = new Emulated();
        var blas = e.Device.Backend.Cublas;
        var h = e.Device.CublasHandle;
        using var buf = e.Device.Allocate<double>(100);
        ulong p = buf.Pointer;
        // Column-major: A is m×k for N (lda ≥ m), k×m for T (lda ≥ k); B k×n / n×k; ldc ≥ m.
        Assert.Equal(CublasStatus.InvalidValue, blas.Dgemm(h, CublasOperation.N, CublasOperation.N, 4, 2, 3, 1, p, 3, p, 3, 0, p, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dgemm(h, CublasOperation.T, CublasOperation.N, 4, 2, 3, 1, p, 2, p, 3, 0, p, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dgemm(h, CublasOperation.N, CublasOperation.N, 4, 2, 3, 1, p, 4, p, 2, 0, p, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dgemm(h, CublasOperation.N, CublasOperation.T, 4, 2, 3, 1, p, 4, p, 1, 0, p, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dgemm(h, CublasOperation.N, CublasOperation.N, 4, 2, 3, 1, p, 4, p, 3, 0, p, 3));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dgemm(h, CublasOperation.N, CublasOperation.N, -1, 2, 3, 1, p, 4, p, 3, 0, p, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dgemm(h, (CublasOperation)7, CublasOperation.N, 4, 2, 3, 1, p, 4, p, 3, 0, p, 4));
        Assert.Equal(CublasStatus.Success, blas.Dgemm(h, CublasOperation.N, CublasOperation.N, 4, 2, 3, 1, p, 4, p, 3, 0, p + 400, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dsyrk(h, CublasFill.Lower, CublasOperation.N, 4, 3, 1, p, 3, 0, p + 400, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dsyrk(h, CublasFill.Lower, CublasOperation.T, 4, 3, 1, p, 2, 0, p + 400, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.Dsyrk(h, (CublasFill)2, CublasOperation.N, 4, 3, 1, p, 4, 0, p + 400, 4));
        Assert.Equal(CublasStatus.InvalidValue, blas.DgemmStridedBatched(h, CublasOperation.N, CublasOperation.N, 2, 2, 2, 1, p, 2, 4, p, 2, 4, 0, p + 400, 2, 4, -1));
        Assert.Equal(CublasStatus.NotInitialized, blas.Dgemm((IntPtr)0x77, CublasOperation.N, CublasOperation.N, 1, 1, 1, 1, p, 1, p, 1, 0, p, 1));
        var status = Assert.Throws<CudaException>(() => CudaCheck.Cublas(blas.Dgemm(h, CublasOperation.N, CublasOperation.N, 4, 2, 3, 1, p, 3, p, 3, 0, p, 4), "cublasDgemm_v2"));
        Assert.Contains("cublasDgemm_v2 returned CUBLAS_STATUS_INVALID_VALUE (7)", status.Message);
    }

    [Fact]
    public unsafe void CublasIsColumnMajor()
    {
        using var e = new Emulated();
        // A = [1 2; 3 4] stored column-major is {1, 3, 2, 4}; A·A = [7 10; 15 22], column-major {7, 15, 10, 22}.
        using var a = e.Device.Upload<double>([1, 3, 2, 4]);
        using var c = e.Device.Allocate<double>(4);
        CudaCheck.Cublas(e.Device.Backend.Cublas.Dgemm(e.Device.CublasHandle, CublasOperation.N, CublasOperation.N, 2, 2, 2, 1, a.Pointer, 2, a.Pointer, 2, 0, c.Pointer, 2), "cublasDgemm_v2");
        Assert.Equal([7.0, 15, 10, 22], c.ToArray());
        CudaCheck.Cublas(e.Device.Backend.Cublas.Dgemm(e.Device.CublasHandle, CublasOperation.T, CublasOperation.N, 2, 2, 2, 1, a.Pointer, 2, a.Pointer, 2, 0, c.Pointer, 2), "cublasDgemm_v2");
        // AᵀA = [10 14; 14 20].
        Assert.Equal([10.0, 14, 14, 20], c.ToArray());
    }

    [Fact]
    public void CusolverReturnsInvalidValueAndLapackInfo()
    {
        using var e = new Emulated();
        var s = e.Device.Backend.Cusolver;
        var h = e.Device.CusolverHandle;
        using var a = e.Device.Allocate<double>(16);
        using var info = e.Device.Allocate<int>(1);
        Assert.Equal(CusolverStatus.InvalidValue, s.DsyevdBufferSize(h, EigMode.Vector, CublasFill.Lower, 4, a.Pointer, 3, a.Pointer, out _));
        Assert.Equal(CusolverStatus.InvalidValue, s.DsyevdBufferSize(h, (EigMode)5, CublasFill.Lower, 4, a.Pointer, 4, a.Pointer, out _));
        Assert.Equal(CusolverStatus.InvalidValue, s.DpotrfBufferSize(h, CublasFill.Lower, -1, a.Pointer, 4, out _));
        Assert.Equal(CusolverStatus.InvalidValue, s.Dpotrs(h, CublasFill.Lower, 4, 1, a.Pointer, 4, a.Pointer, 3, info.Pointer));
        Assert.Equal(CusolverStatus.InvalidValue, s.Dpotrs(h, CublasFill.Lower, 4, -1, a.Pointer, 4, a.Pointer, 4, info.Pointer));
        // A workspace below the queried size: info = −(position of lwork), LAPACK style.
        e.Device.Upload<double>([4, 0, 0, 0, 0, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0, 4]).AsMemory().CopyTo(a);
        using var work = e.Device.Allocate<double>(1);
        Assert.Equal(CusolverStatus.Success, s.Dpotrf(h, CublasFill.Lower, 4, a.Pointer, 4, work.Pointer, 1, info.Pointer));
        Assert.Equal(-7, info.ToArray()[0]);
    }

    [Fact]
    public void OutOfBoundsRangesUseAfterFreeAndInvalidPointersAreCaught()
    {
        using var e = new Emulated();
        var blas = e.Device.Backend.Cublas;
        var h = e.Device.CublasHandle;
        var d = e.Device.Backend.Driver;
        d.MemAlloc(out var small, 8 * 6);
        d.MemAlloc(out var big, 8 * 64);
        var oob = Assert.Throws<CudaEmulationException>(() => blas.Dgemm(h, CublasOperation.N, CublasOperation.N, 4, 4, 4, 1, small, 4, big, 4, 0, big + 8 * 32, 4));
        Assert.Equal(EmulationViolation.OutOfBounds, oob.Kind);
        Assert.Contains("A needs 128 bytes", oob.Message);
        Assert.Contains("which has 48 bytes", oob.Message);
        Assert.Equal(CudaResult.Success, d.MemFree(small));
        var uaf = Assert.Throws<CudaEmulationException>(() => d.MemcpyDtoDAsync(big, small, 8, e.Device.Stream));
        Assert.Equal(EmulationViolation.UseAfterFree, uaf.Kind);
        Assert.Equal(EmulationViolation.UseAfterFree, Assert.Throws<CudaEmulationException>(() => d.MemFree(small)).Kind);
        var bad = Assert.Throws<CudaEmulationException>(() => d.MemsetD8Async(0x1234, 0, 8, e.Device.Stream));
        Assert.Equal(EmulationViolation.InvalidPointer, bad.Kind);
        Assert.Equal(CudaResult.Success, d.MemFree(big));
    }

    [Fact]
    public void LeaksAreReported()
    {
        var gpu = new EmulatedGpu();
        try
        {
            var device = CudaDevice.Open(0, gpu.CreateBackend());
            device.Backend.Driver.MemAlloc(out _, 1000);
            device.Dispose();
            var leak = Assert.Throws<CudaEmulationException>(gpu.AssertClean);
            Assert.Equal(EmulationViolation.Leak, leak.Kind);
            Assert.Contains("of 1000 bytes", leak.Message);
        }
        finally
        {
            gpu.Dispose();
        }
    }

    [Fact]
    public void DisposingTheDeviceReleasesEverything()
    {
        var gpu = new EmulatedGpu();
        try
        {
            var device = CudaDevice.Open(0, gpu.CreateBackend());
            var forgotten = device.Allocate<double>(1000);
            using (device.Allocate<float>(10)) { }
            device.Dispose();
            gpu.AssertClean();
            Assert.Throws<ObjectDisposedException>(() => forgotten.ToArray());
            forgotten.Dispose();
        }
        finally
        {
            gpu.Dispose();
        }
    }

    [Fact]
    public void ReadingAnotherStreamsUnsynchronizedWriteThrows()
    {
        using var e = new Emulated();
        var d = e.Device.Backend.Driver;
        Assert.Equal(CudaResult.Success, d.StreamCreate(out var other, 1));
        try
        {
            using var buf = e.Device.Allocate<double>(4);
            var host = new double[4];
            unsafe
            {
                fixed (double* p = host)
                {
                    Assert.Equal(CudaResult.Success, d.MemcpyHtoDAsync(buf.Pointer, (nint)p, 32, other));
                    nint hp = (nint)p;
                    var race = Assert.Throws<CudaEmulationException>(() => d.MemcpyDtoHAsync(hp, buf.Pointer, 32, e.Device.Stream));
                    Assert.Equal(EmulationViolation.UnsynchronizedAccess, race.Kind);
                    Assert.Equal(CudaResult.Success, d.StreamSynchronize(other));
                    Assert.Equal(CudaResult.Success, d.MemcpyDtoHAsync((nint)p, buf.Pointer, 32, e.Device.Stream));
                }
            }
            Assert.Equal(CudaResult.Success, d.StreamSynchronize(e.Device.Stream));
        }
        finally
        {
            Assert.Equal(CudaResult.Success, d.StreamDestroy(other));
        }
    }

    [Fact]
    public unsafe void AHostReadOfAnUnsynchronizedLibraryResultThrows()
    {
        using var e = new Emulated();
        using var a = e.Device.Upload<double>([1, 2, 3, 4]);
        using var c = e.Device.Allocate<double>(4);
        GpuBlas.Gemm(Transpose.No, Transpose.No, 2, 2, 2, 1.0, a, 2, a, 2, 0.0, c, 2);
        var host = new double[4];
        var d = e.Device.Backend.Driver;
        fixed (double* p = host)
        {
            nint hp = (nint)p;
            // The device's stream is non-blocking: a copy on the legacy default stream does not wait for the GEMM.
            var race = Assert.Throws<CudaEmulationException>(() => d.MemcpyDtoHAsync(hp, c.Pointer, 32, IntPtr.Zero));
            Assert.Equal(EmulationViolation.UnsynchronizedAccess, race.Kind);
            Assert.Contains("cuMemcpyDtoHAsync_v2: source", race.Message);
            e.Device.Synchronize();
            Assert.Equal(CudaResult.Success, d.MemcpyDtoHAsync(hp, c.Pointer, 32, IntPtr.Zero));
            Assert.Equal(CudaResult.Success, d.StreamSynchronize(IntPtr.Zero));
        }
        Assert.Equal([7.0, 10, 15, 22], host);
    }

    [Fact]
    public unsafe void AsyncDownloadsLandOnlyAtSynchronization()
    {
        using var e = new Emulated();
        var d = e.Device.Backend.Driver;
        using var buf = e.Device.Upload<double>([1, 2, 3]);
        var host = new double[3];
        fixed (double* p = host)
        {
            Assert.Equal(CudaResult.Success, d.MemcpyDtoHAsync((nint)p, buf.Pointer, 24, e.Device.Stream));
            Assert.All(host, v => Assert.True(double.IsNaN(v)));
            Assert.Equal(CudaResult.Success, d.StreamSynchronize(e.Device.Stream));
        }
        Assert.Equal([1.0, 2, 3], host);
    }

    [Fact]
    public void FreshDeviceMemoryReadsAsNaN()
    {
        using var e = new Emulated();
        using var buf = e.Device.Allocate<double>(5);
        Assert.All(buf.ToArray(), v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void OutOfMemoryNamesTheSizesAndThePoolIsReused()
    {
        using var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 1 << 20 });
        var first = e.Device.Allocate<double>(1000);
        ulong p = first.Pointer;
        first.Dispose();
        using (var again = e.Device.Allocate<double>(1000)) Assert.Equal(p, again.Pointer);
        Assert.Equal(1, e.Gpu.LiveAllocationCount);
        var oom = Assert.Throws<CudaOutOfMemoryException>(() => e.Device.Allocate<double>(200_000));
        Assert.Equal(1_600_000UL, oom.RequestedBytes);
        Assert.Equal(1UL << 20, oom.TotalBytes);
        Assert.Contains("requested 1.526 MiB (1600000 bytes)", oom.Message);
        Assert.Contains("row tiles", oom.Message);
        // The pool was emptied before giving up.
        Assert.Equal(0, e.Gpu.LiveAllocationCount);
    }

    [Fact]
    public void TheNativePoolPolicyReusesBlocksBySizeClass()
    {
        using var gpu = new EmulatedGpu();
        using (var device = CudaDevice.Open(0, gpu.CreateBackend() with { ExactSizePool = false }))
        {
            var first = device.Allocate<double>(1000);
            ulong p = first.Pointer;
            first.Dispose();
            using (var smaller = device.Allocate<double>(990)) Assert.Equal(p, smaller.Pointer);
            using var big = device.Allocate<float>(3 << 18);
            Assert.Equal(2, gpu.LiveAllocationCount);
            Assert.Equal(8192UL + (4UL << 20), gpu.UsedBytes);
        }
        gpu.AssertClean();
    }

    [Fact]
    public void BuffersFromAnotherDeviceAreRejected()
    {
        using var e1 = new Emulated();
        using var e2 = new Emulated();
        using var a = e1.Device.Allocate<double>(4);
        using var c = e2.Device.Allocate<double>(4);
        var ex = Assert.Throws<ArgumentException>(() => GpuBlas.Gemm(Transpose.No, Transpose.No, 2, 2, 2, 1.0, a, 2, a, 2, 0.0, c, 2));
        Assert.Contains("lives on CUDA:0", ex.Message);
        Assert.Contains("copy it to the host and upload it to this device", ex.Message);
    }

    [Fact]
    public void DriverErrorsAreNamed()
    {
        var noDevice = new EmulatedGpu(new EmulatedGpuOptions { DeviceCount = 0 });
        var ex = Assert.Throws<CudaException>(() => CudaDevice.Open(0, noDevice.CreateBackend()));
        Assert.Contains("No CUDA device is visible", ex.Message);
        var broken = new EmulatedGpu(new EmulatedGpuOptions { DriverWorks = false });
        var init = Assert.Throws<CudaException>(() => CudaDevice.Open(0, broken.CreateBackend()));
        Assert.Contains("cuInit returned CUDA_ERROR_NO_DEVICE (100)", init.Message);
        var two = new EmulatedGpu(new EmulatedGpuOptions { DeviceCount = 2 });
        var ordinal = Assert.Throws<ArgumentOutOfRangeException>(() => CudaDevice.Open(5, two.CreateBackend()));
        Assert.Contains("There are 2 CUDA device(s); pass an ordinal from 0 to 1", ordinal.Message);
        noDevice.Dispose();
        broken.Dispose();
        two.Dispose();
    }

    [Fact]
    public void Tf32RoundsInputsToTenMantissaBits()
    {
        using var e = new Emulated();
        const int m = 8, n = 8, k = 64;
        var a = Reference.ToFloat(Reference.Random(m * k, 20));
        var b = Reference.ToFloat(Reference.Random(k * n, 21));
        // The reference rounds by scaling (independent of the emulation's bit manipulation), then multiplies in double.
        var ra = a.Select(x => (double)Reference.Tf32(x)).ToArray();
        var rb = b.Select(x => (double)Reference.Tf32(x)).ToArray();
        var expected = new double[m * n];
        Reference.Gemm(false, false, m, n, k, 1.0, ra, k, rb, n, 0, expected, n);
        var exact = new double[m * n];
        Reference.Gemm(false, false, m, n, k, 1.0, Reference.ToDouble(a), k, Reference.ToDouble(b), n, 0, exact, n);
        using var da = e.Device.Upload<float>(a);
        using var db = e.Device.Upload<float>(b);
        using var dc = e.Device.Allocate<float>(m * n);
        GpuBlas.Gemm(Transpose.No, Transpose.No, m, n, k, 1f, da, k, db, n, 0f, dc, n, GpuFloat32Mode.Tf32);
        var got = Reference.ToDouble(dc.ToArray());
        Assert.True(Reference.MaxRelative(got, expected) < 1e-6);
        Assert.True(Reference.MaxRelative(got, exact) > 1e-5, "TF32 mode must actually round the inputs");
    }

    [Fact]
    public void KernelsWritingOutsideTheirBufferAreCaught()
    {
        Emulated.RequireCompiler();
        var gpu = new EmulatedGpu();
        var device = CudaDevice.Open(0, gpu.CreateBackend());
        try
        {
            const string src = """
                extern "C" __global__ void overrun(double* x, int n)
                {
                    int i = blockIdx.x * blockDim.x + threadIdx.x;
                    x[i] = 1.0; // no bounds check
                }
                """;
            // The emulated pool allocates exact sizes: one element past the end lands in the red zone.
            var buf = device.Allocate<double>(10);
            var k = device.Compile(src).Kernel("overrun");
            var ex = Assert.Throws<CudaEmulationException>(() => k.LaunchLinear(11, 11, buf, 10));
            Assert.Equal(EmulationViolation.KernelOutOfBounds, ex.Kind);
            Assert.Contains("cuLaunchKernel (overrun)", ex.Message);
        }
        finally
        {
            // The red zone stays damaged, so releasing reports it again; that is expected here.
            Assert.ThrowsAny<Exception>(device.Dispose);
            gpu.Dispose();
        }
    }

    [Fact]
    public void KernelsReadingPastTheirBufferGetNaNOrAHugeIndex()
    {
        // The red zones hold a pattern that is NaN as float64 and float32 and far out of range as int32 at every aligned
        // address: a kernel reading one element too far (or one before the start) cannot pass on a plausible value.
        Emulated.RequireCompiler();
        using var e = new Emulated();
        const string src = """
            extern "C" __global__ void read_past(const double* x, const float* y, const float* z, const int* k, double* out, int* idx, int n, int m, int p, int q)
            {
                if (blockIdx.x * blockDim.x + threadIdx.x != 0) return;
                out[0] = x[n];          // one past the end of a float64 buffer
                out[1] = x[-1];         // one before its start
                out[2] = (double)y[m];  // one past an even-length float32 buffer (the red zone starts 8-aligned)
                out[3] = (double)z[p];  // one past an odd-length one (4-aligned, not 8-aligned)
                out[4] = *(const double*)(z + p + 1); // a float64 read at the next 8-aligned address of that red zone
                out[5] = x[n - 1];      // the last element: data, not red zone
                idx[0] = k[q];          // one past an int32 buffer
                idx[1] = k[-1];         // one before its start
            }
            """;
        using var x = e.Device.Upload<double>([1.5, 2.5, 3.5]);
        using var y = e.Device.Upload<float>([1f, 2f, 3f, 4f]);
        using var z = e.Device.Upload<float>([5f, 6f, 7f]);
        using var k = e.Device.Upload<int>([0, 1]);
        using var output = e.Device.Allocate<double>(6);
        using var indices = e.Device.Allocate<int>(2);
        e.Device.Compile(src).Kernel("read_past").LaunchLinear(1, 32, x, y, z, k, output, indices, 3, 4, 3, 2);
        var got = output.ToArray();
        for (int i = 0; i < 5; i++) Assert.True(double.IsNaN(got[i]), $"read {i} past the buffer gave {got[i]}, not NaN");
        Assert.Equal(3.5, got[5]);
        var ix = indices.ToArray();
        Assert.Equal([0x7FF8CDCD, 0x7FF8CDCD], ix);
        Assert.True(ix[0] > int.MaxValue / 2, "an int32 read past the end must be far out of any index range");
        // The pattern itself: float32 and float64 NaN, int32 far out of range (checked here from its bits, not through the emulation).
        Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle(0x7FF8CDCD)));
        Assert.True(double.IsNaN(BitConverter.UInt64BitsToDouble(0x7FF8CDCD7FF8CDCD)));
    }

    [Fact]
    public void SharedMemoryIsRefusedAtCompileTimeInTheEmulation()
    {
        Emulated.RequireCompiler();
        using var e = new Emulated();
        const string src = """
            extern "C" __global__ void reduce(double* x)
            {
                __shared__ double s[32];
                s[threadIdx.x] = x[threadIdx.x];
                __syncthreads();
                x[0] = s[0];
            }
            """;
        var ex = Assert.Throws<CudaCompileException>(() => e.Device.Compile(src));
        Assert.Contains("__shared__ memory is not supported", ex.Log);
    }
}
