using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Review;

/// <summary>
/// The emulation fills fresh allocations with NaN bytes so that reading before writing shows; a block that the device's
/// pool hands out a second time must show the same, not the previous user's values (on a GPU those are plausible
/// numbers of an earlier call, often the right ones when the same shape is computed twice).
/// </summary>
public sealed class PoolReuseStrictnessTests
{
    [Fact]
    public void ABlockReusedByThePoolReadsAsNaN()
    {
        using var e = new Emulated();
        var first = e.Device.Upload<double>([1.0, 2.0, 3.0]);
        ulong p = first.Pointer;
        first.Dispose();
        using var again = e.Device.Allocate<double>(3);
        Assert.Equal(p, again.Pointer); // the same block, from the pool
        Assert.All(again.ToArray(), v => Assert.True(double.IsNaN(v), $"reused block read {v}, the previous user's value"));
    }

    [Fact]
    public void AKernelThatSkipsAnElementShowsNaNOnASecondCallWithTheSameShape()
    {
        Emulated.RequireCompiler();
        using var e = new Emulated();
        const string src = """
            extern "C" __global__ void fill(double* y, double v, long long n)
            {
                long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) y[i] = v;
            }
            extern "C" __global__ void fill_but_last(double* y, double v, long long n)
            {
                long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n - 1) y[i] = v; // the fault: the last element is never written
            }
            """;
        var module = e.Device.Compile(src);
        double[] Run(string kernel, double v)
        {
            using var y = e.Device.Allocate<double>(8);
            module.Kernel(kernel).LaunchLinear(8, 4, y, v, 8L);
            return y.ToArray();
        }
        Assert.All(Run("fill", 2.5), v => Assert.Equal(2.5, v));
        // The faulty kernel gets the same block back: its unwritten element must not read the previous call's 2.5.
        var second = Run("fill_but_last", 2.5);
        Assert.All(second[..7], v => Assert.Equal(2.5, v));
        Assert.True(double.IsNaN(second[7]), $"the unwritten element read {second[7]}");
    }

    [Fact]
    public void TheNativeBackendDoesNotPayForTheFill()
    {
        using var gpu = new EmulatedGpu();
        using (var device = CudaDevice.Open(0, gpu.CreateBackend() with { PoisonReusedBlocks = false }))
        {
            var first = device.Upload<double>([1.0, 2.0, 3.0]);
            first.Dispose();
            using var again = device.Allocate<double>(3);
            Assert.Equal([1.0, 2.0, 3.0], again.ToArray());
        }
        gpu.AssertClean();
    }
}
