using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;
using NtkDsl.IO;

namespace NtkDsl.Cuda.Tests.Ntk;

/// <summary>
/// The device NTK from blocks of features (BlockedDeviceNtk): every mode, x1 = x2 and x1 ≠ x2, NtkPerGroup and Wntk,
/// odd sizes with tails, N = 1, automatic blocks on a small emulated device, and the single-row out-of-memory error.
/// References: the unblocked device run (same device, whole-batch features) and the generated CPU code.
/// </summary>
public sealed class BlockedDeviceNtkTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.5), n, d);

    private static CudaKernelOptions Blocks(int rows) => CudaKernelOptions.Default with { FeatureBlockRows = rows };

    private static void Close(Tensor actual, Tensor expected, double tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double err = Reference.MaxRelative(actual.ToFlatArray(), expected.ToFlatArray(), floor: 0);
        Assert.True(err < tolerance, $"{what}: relative error {err:G3} ≥ {tolerance:G3}");
    }

    public static TheoryData<NtkMode, bool> Cases() => new()
    {
        { NtkMode.Trace, true }, { NtkMode.Trace, false }, { NtkMode.Full, true }, { NtkMode.Full, false },
        { NtkMode.Diagonal, true }, { NtkMode.DiagonalFull, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BlocksOfFeaturesGiveTheUnblockedKernelAndTheCpus(NtkMode mode, bool symmetric)
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var x1 = Inputs(7, 5, 500);
        var x2 = symmetric ? null : Inputs(5, 5, 501);
        var gpu = new DeviceDeep(50, emu.Device);
        var unblocked = gpu.Ntk(x1, x2, mode);
        Assert.Equal(0, emu.Device.FeatureBlockPairs);
        emu.Device.KernelOptions = Blocks(3);
        var seen = new List<NtkProgress>();
        var blocked = gpu.Ntk(x1, x2, mode, new Progress(seen.Add));
        // Blocks of 3 rows: 7 = 3 + 3 + 1 and 5 = 3 + 2; x1 = x2 computes the 6 pairs J ≤ I, x1 ≠ x2 all 3 × 2, the diagonal modes 3 blocks.
        int expected = mode is NtkMode.Diagonal or NtkMode.DiagonalFull ? 3 : 6;
        Assert.Equal(expected, emu.Device.FeatureBlockPairs);
        Assert.Contains(seen, p => p.Stage == "NTK feature blocks" && p.Done == expected && p.Total == expected);
        Close(blocked, unblocked, 1e-12, "blocked vs unblocked device");
        Close(blocked, new DeviceDeep(50).Ntk(x1, x2, mode), 1e-12, "blocked device vs CPU");
    }

    [Fact]
    public void SymmetricBlocksMirrorFullOutputPairsAndStayExactlySymmetric()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(51, emu.Device);
        emu.Device.KernelOptions = Blocks(2);
        var x = Inputs(5, 5, 502);
        var theta = gpu.Ntk(x, null, NtkMode.Full).ToFlatArray();
        int n = 5, k = 3;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++)
                        Assert.Equal(theta[((i * n + j) * k + a) * k + b], theta[((j * n + i) * k + b) * k + a]);
        Close(Tensor.Wrap(theta, n, n, k, k), new DeviceDeep(51).Ntk(x, null, NtkMode.Full), 1e-12, "Full, blocks of 2");
    }

    [Fact]
    public void PerGroupAndWeightedKernelsInBlocks()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(52, emu.Device);
        var cpu = new DeviceDeep(52);
        emu.Device.KernelOptions = Blocks(4);
        var x1 = Inputs(9, 5, 503);
        var x2 = Inputs(6, 5, 504);
        var weights = new GroupWeights(0.7).Weights("Hidden1", 0.5).Bias("Readout", 2.5).Weights("Hidden3", 0.0);
        foreach (var x in new[] { (Tensor?)null, x2 })
        {
            var blocks = gpu.NtkPerGroup(x1, x, NtkMode.Full);
            var reference = cpu.NtkPerGroup(x1, x, NtkMode.Full);
            for (int g = 0; g < reference.Count; g++) Close(blocks[g], reference[g], 1e-12, $"group {g}");
            Close(gpu.Wntk(x1, x, weights), cpu.Wntk(x1, x, weights), 1e-12, "Wntk");
        }
        Assert.True(emu.Device.FeatureBlockPairs > 0);
    }

    [Fact]
    public void OneRowAndBlocksOfOneRow()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var gpu = new DeviceSquashed(53, emu.Device);
        var cpu = new DeviceSquashed(53);
        emu.Device.KernelOptions = Blocks(1);
        var one = Inputs(1, 4, 505);
        var three = Inputs(3, 4, 506);
        Close(gpu.Ntk(one), cpu.Ntk(one), 1e-12, "N = 1");
        Close(gpu.Ntk(one, three, NtkMode.Full), cpu.Ntk(one, three, NtkMode.Full), 1e-12, "1 × 3");
        Close(gpu.Ntk(three, null, NtkMode.Full), cpu.Ntk(three, null, NtkMode.Full), 1e-12, "3 × 3 in blocks of 1");
        Close(gpu.Ntk(three, null, NtkMode.DiagonalFull), cpu.Ntk(three, null, NtkMode.DiagonalFull), 1e-12, "diagonal in blocks of 1");
        // N = 1 is one block already (the unblocked path); 1 × 3: 3 pairs; 3 × 3: the 6 pairs J ≤ I; the diagonal: 3 blocks.
        Assert.Equal(3 + 6 + 3, emu.Device.FeatureBlockPairs);
    }

    [Fact]
    public void Float32ModelsInBlocks()
    {
        using var emu = new Emulated();
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep32(54, emu.Device);
        var x1 = Inputs(8, 5, 507).To(DType.Float32);
        var x2 = Inputs(5, 5, 508).To(DType.Float32);
        var unblocked = gpu.Ntk(x1, x2, NtkMode.Full);
        emu.Device.KernelOptions = Blocks(3);
        var blocked = gpu.Ntk(x1, x2, NtkMode.Full);
        Assert.Equal(DType.Float32, blocked.DType);
        Close(blocked.To(DType.Float64), unblocked.To(DType.Float64), 1e-12, "float32 blocked vs unblocked (same products per entry)");
        Close(blocked.To(DType.Float64), new DeviceDeep32(54).Ntk(x1, x2, NtkMode.Full).To(DType.Float64), 1e-5, "float32 vs CPU");
    }

    [Fact]
    public void FeaturesBeyondDeviceMemoryAreComputedInAutomaticBlocks()
    {
        // 64 KiB of device memory; the traced features of 150 + 120 rows of DeviceDeep need 67 doubles a row (141 KiB).
        using var emu = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 64UL << 10 });
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(55, emu.Device);
        var cpu = new DeviceDeep(55);
        var x1 = Inputs(150, 5, 509);
        var x2 = Inputs(120, 5, 510);
        Close(gpu.Ntk(x1, x2), cpu.Ntk(x1, x2), 1e-12, "x1 ≠ x2");
        long afterPair = emu.Device.FeatureBlockPairs;
        Assert.True(afterPair > 1, $"{afterPair} block pairs");
        Close(gpu.Ntk(x1), cpu.Ntk(x1), 1e-12, "x1 = x2");
        Assert.True(emu.Device.FeatureBlockPairs > afterPair + 1);
        long beforeDiagonal = emu.Device.FeatureBlockPairs;
        var big = Inputs(700, 5, 511);
        Close(gpu.Ntk(big, null, NtkMode.DiagonalFull), cpu.Ntk(big, null, NtkMode.DiagonalFull), 1e-12, "DiagonalFull of 700 rows");
        Assert.True(emu.Device.FeatureBlockPairs > beforeDiagonal + 1);
    }

    [Fact]
    public void KernelStreamWritesABlockedDeviceKernelToNpy()
    {
        using var emu = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 64UL << 10 });
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(56, emu.Device);
        var x1 = Inputs(90, 5, 512);
        var x2 = Inputs(130, 5, 513);
        string dir = Directory.CreateTempSubdirectory("ntkdsl-blocked-").FullName;
        try
        {
            string path = Path.Combine(dir, "theta.npy");
            KernelStream.NtkToNpy(gpu, path, x1, x2, NtkMode.Trace, new KernelStreamOptions { BlockRows = 40 });
            Close(NpyFile.Read(path), new DeviceDeep(56).Ntk(x1, x2), 1e-12, "streamed .npy");
            Assert.True(emu.Device.FeatureBlockPairs > 3, $"{emu.Device.FeatureBlockPairs} block pairs");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AModelWhoseSingleRowCannotFitIsAClearOutOfMemoryException()
    {
        // 2 KiB: DeviceDeep's parameters (1.1 KiB) fit; one row of x1 and one of x2 need about 1.5 KiB of features and temporaries.
        using var emu = new Emulated(new EmulatedGpuOptions { TotalMemoryBytes = 2UL << 10 });
        Emulated.RequireCompiler();
        var gpu = new DeviceDeep(57, emu.Device);
        var x = Inputs(3, 5, 514);
        var e = Assert.Throws<CudaOutOfMemoryException>(() => gpu.Ntk(x, Inputs(2, 5, 515)));
        Assert.Contains("one row of x1 and one of x2 of DeviceDeep", e.Message, StringComparison.Ordinal);
        Assert.Contains("KiB", e.Message, StringComparison.Ordinal);
        Assert.True(e.RequestedBytes > e.FreeBytes * 0.8, $"requested {e.RequestedBytes}, free {e.FreeBytes}");
        var d = Assert.Throws<CudaOutOfMemoryException>(() => gpu.Ntk(x, null, NtkMode.Diagonal));
        Assert.Contains("NTK diagonal of one row of DeviceDeep", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBlockRowsOptionIsChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CudaKernelOptions.Default with { FeatureBlockRows = 0 });
        Assert.Equal([(0, 3), (3, 3), (6, 1)], BlockedDeviceNtk.Blocks(7, 3));
        Assert.Equal([(0, 1)], BlockedDeviceNtk.Blocks(1, 4));
    }

    private sealed class Progress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
