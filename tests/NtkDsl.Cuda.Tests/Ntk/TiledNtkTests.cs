using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.Cuda.Tiling;
using NtkDsl.IO;
using NtkDsl.Kernels;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// End to end through the emulated backend (allocation, copies, NVRTC via g++, launches, cuBLAS, row tiling): the
/// traced structured NTK of Dense stacks against the CPU NtkDsl result of the generated model.
/// </summary>
public sealed class TiledNtkTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.5), n, d);

    private static (INtkModel Model, Tensor X1, Tensor X2) Case(string name) => name switch
    {
        "pair" => (new TanhPair(3), Inputs(23, 7, 31), Inputs(17, 7, 32)),
        "stack" => (new ReluErfStack(4), Inputs(19, 6, 33), Inputs(21, 6, 34)),
        _ => throw new ArgumentException(name),
    };

    private static double[] OnDevice<T>(Emulated e, INtkModel model, Tensor x1, Tensor x2, int tileRows, GpuFloat32Mode mode = GpuFloat32Mode.Strict) where T : unmanaged
    {
        using var ntk = new DenseDeviceNtk<T>(e.Device, model.Info, model.GetParameters(), mode);
        using var d1 = ntk.UploadInputs(x1);
        var d2 = ntk.UploadInputs(x2);
        using var f2 = ntk.Compute(d2, x2.Rows, d2);
        var result = new T[x1.Rows * x2.Rows];
        RowTiledAssembly.ToHost(e.Device, x1.Rows, x2.Rows, tileRows, ntk.Tiles(d1, f2), result);
        return result is double[] dd ? dd : Reference.ToDouble((float[])(object)result);
    }

    [Theory]
    [InlineData("pair", 5)]
    [InlineData("pair", 100)]
    [InlineData("stack", 4)]
    public void Float64MatchesTheCpuNtkTo1e12(string name, int tileRows)
    {
        Emulated.RequireCompiler();
        var (model, x1, x2) = Case(name);
        var cpu = model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray();
        using var e = new Emulated();
        var gpu = OnDevice<double>(e, model, x1, x2, tileRows);
        double err = Reference.MaxRelative(gpu, cpu, floor: 0);
        Assert.True(err < 1e-12, $"relative error {err}");
    }

    [Theory]
    [InlineData("pair")]
    [InlineData("stack")]
    public void Float32MatchesTheCpuNtkTo1e5(string name)
    {
        Emulated.RequireCompiler();
        var (model, x1, x2) = Case(name);
        var cpu = model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray();
        using var e = new Emulated();
        var gpu = OnDevice<float>(e, model, x1, x2, 6);
        double err = Reference.MaxRelative(gpu, cpu, floor: 0);
        Assert.True(err < 1e-5, $"relative error {err}");
        var tf32 = OnDevice<float>(e, model, x1, x2, 6, GpuFloat32Mode.Tf32);
        double errTf32 = Reference.MaxRelative(tf32, cpu, floor: 0);
        Assert.True(errTf32 < 1e-2 && errTf32 > err, $"TF32 relative error {errTf32} (float32 {err})");
    }

    [Theory]
    [InlineData("pair")]
    [InlineData("stack")]
    public void SymmetricKernelBySyrkMatchesTheCpuNtk(string name)
    {
        Emulated.RequireCompiler();
        var (model, x1, _) = Case(name);
        var cpu = model.Ntk(x1).ToFlatArray();
        using var e = new Emulated();
        using var ntk = new DenseDeviceNtk<double>(e.Device, model.Info, model.GetParameters());
        var d1 = ntk.UploadInputs(x1);
        using var f = ntk.Compute(d1, x1.Rows, d1);
        using var k = e.Device.Allocate<double>((long)x1.Rows * x1.Rows);
        ntk.TraceSymmetric(f, k);
        var got = k.ToArray();
        Assert.True(Reference.MaxRelative(got, cpu, floor: 0) < 1e-12);
        int n = x1.Rows;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                Assert.Equal(got[i * n + j], got[j * n + i]);
    }

    [Fact]
    public void TilesSizedFromDeviceMemoryStillMatch()
    {
        Emulated.RequireCompiler();
        var (model, x1, x2) = Case("stack");
        var cpu = model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray();
        // 48 KiB of device memory: the parameters, x2's features and only a few rows of tile fit.
        using var e = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 48 << 10 });
        using var ntk = new DenseDeviceNtk<double>(e.Device, model.Info, model.GetParameters());
        using var d1 = ntk.UploadInputs(x1);
        var d2 = ntk.UploadInputs(x2);
        using var f2 = ntk.Compute(d2, x2.Rows, d2);
        int tileRows = RowTiledAssembly.ChooseTileRows(e.Device, x1.Rows, x2.Rows, sizeof(double), ntk.BytesPerTileRow(x2.Rows) - 8L * x2.Rows, 0.5);
        Assert.InRange(tileRows, 1, x1.Rows - 1);
        var result = new double[x1.Rows * x2.Rows];
        RowTiledAssembly.ToHost(e.Device, x1.Rows, x2.Rows, tileRows, ntk.Tiles(d1, f2), result);
        Assert.True(Reference.MaxRelative(result, cpu, floor: 0) < 1e-12);
    }

    [Fact]
    public void StreamsTheKernelToNpy()
    {
        Emulated.RequireCompiler();
        var (model, x1, x2) = Case("pair");
        var cpu = model.Ntk(x1, x2, NtkMode.Trace).ToFlatArray();
        var dir = Directory.CreateTempSubdirectory("ntkdsl-cuda-npy-").FullName;
        try
        {
            var path = Path.Combine(dir, "k.npy");
            using var e = new Emulated();
            using var ntk = new DenseDeviceNtk<double>(e.Device, model.Info, model.GetParameters());
            using var d1 = ntk.UploadInputs(x1);
            var d2 = ntk.UploadInputs(x2);
            using var f2 = ntk.Compute(d2, x2.Rows, d2);
            using (var w = new NpyStreamWriter(path, DType.Float64, [x1.Rows, x2.Rows]))
                RowTiledAssembly.ToNpy(e.Device, x1.Rows, x2.Rows, 4, ntk.Tiles(d1, f2), w);
            var k = NpyFile.Read(path);
            Assert.Equal([x1.Rows, x2.Rows], k.Shape.ToArray());
            Assert.True(Reference.MaxRelative(k.ToFlatArray(), cpu, floor: 0) < 1e-12);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TiledGramMatchesTheCpuBlasAndSyrkGivesItsLowerTriangle()
    {
        using var e = new Emulated();
        const int n1 = 29, n2 = 13, d = 11;
        var x1 = Reference.Random(n1 * d, 40);
        var x2 = Reference.Random(n2 * d, 41);
        var cpu = new double[n1 * n2];
        Blas.Gemm(Transpose.No, Transpose.Yes, n1, n2, d, 1.0, x1, d, x2, d, 0.0, cpu, n2);
        using var g1 = e.Device.Upload<double>(x1);
        using var g2 = e.Device.Upload<double>(x2);
        var gram = new double[n1 * n2];
        RowTiledAssembly.ToHost<double>(e.Device, n1, n2, 8, (r0, rows, tile) =>
            GpuBlas.Gemm(Transpose.No, Transpose.Yes, rows, n2, d, 1.0, g1.Slice((long)r0 * d, (long)rows * d), d, g2, d, 0.0, tile, n2), gram);
        Assert.True(Reference.MaxRelative(gram, cpu) < 1e-14);

        var sym = new double[n1 * n1];
        Blas.Syrk(n1, d, 1.0, x1, d, 0.0, sym, n1);
        using var s = e.Device.Allocate<double>(n1 * n1);
        s.Clear();
        GpuBlas.SyrkLower(n1, d, 1.0, g1, d, 0.0, s, n1);
        var got = s.ToArray();
        for (int i = 0; i < n1; i++)
            for (int j = 0; j < n1; j++)
                Assert.Equal(j <= i ? sym[i * n1 + j] : 0.0, got[i * n1 + j], 1e-14);
    }

    [Fact]
    public void ATileThatCannotFitIsAClearOutOfMemoryError()
    {
        var ex = Assert.Throws<CudaOutOfMemoryException>(() => RowTiledAssembly.ChooseTileRows(100, 1_000_000, 8, 0, 4_000_000));
        Assert.Equal(8_000_000UL, ex.RequestedBytes);
        Assert.Contains("one row tile", ex.Message);
        Assert.Equal(50, RowTiledAssembly.ChooseTileRows(100, 1000, 8, 0, 400_000));
    }
}
