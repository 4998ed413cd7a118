using NtkDsl.Cuda.Ntk;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Review;

/// <summary>
/// The device engines at the edges of their index arithmetic, on the strict emulation, against the same model on the
/// CPU engine (1e-12 relative to the largest entry, float64): N = 1; x1 ≠ x2 with N2 &gt; N1; row tiles of 1 and of a
/// size that does not divide N; 1×1 images; kernels the size of the image; Valid windows dropping rows at stride 2
/// on odd sizes; Circular windows larger than the image; one channel and LayerNorm of constant rows; one output; Dense
/// models of one and two layers (unit, diagonal and traced-reduced deltas); zero group weights.
/// </summary>
public sealed class DeviceEdgeCaseTests
{
    private static readonly NtkMode[] AllModes = [NtkMode.Trace, NtkMode.Full, NtkMode.Diagonal, NtkMode.DiagonalFull];

    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.3), n, d);

    private static void Same(Tensor device, Tensor cpu, string what, double tolerance = 1e-12)
    {
        Assert.Equal(cpu.Shape.ToArray(), device.Shape.ToArray());
        var expected = cpu.ToFlatArray();
        Assert.Contains(expected, v => v != 0); // a reference of zeros would let a zero result pass
        double err = Reference.MaxRelative(device.ToFlatArray(), expected, floor: 0);
        Assert.True(err < tolerance, $"{what}: relative error {err:G3} ≥ {tolerance:G1}");
    }

    /// <summary>Every method of the model on the device against the CPU, at N1 ∈ {1, 6}, N2 = 9, tiles of 1, 4 and auto.</summary>
    private static void EveryMethodAtTheEdges(Func<Device, INtkModel> create, int d, int seed)
    {
        Emulated.RequireCompiler();
        using var emu = new Emulated();
        var cpu = create(Device.Cpu);
        var gpu = create(emu.Device);
        Assert.Equal(cpu.GetParameters(), gpu.GetParameters());
        int p = cpu.GetParameters().Length, k = cpu.Info.Outputs;
        var x2 = Inputs(9, d, seed + 1);
        foreach (int n1 in new[] { 1, 6 })
        {
            var x1 = Inputs(n1, d, seed + n1);
            Same(gpu.Forward(x1), cpu.Forward(x1), $"Forward N={n1}");
            var tangent = Tensor.FromArray(Reference.Random(p, seed + 2), p);
            Same(gpu.Jvp(x1, tangent), cpu.Jvp(x1, tangent), $"Jvp N={n1}");
            var cotangent = Tensor.FromArray(Reference.Random(n1 * k, seed + 3), n1, k);
            Same(gpu.Vjp(x1, cotangent), cpu.Vjp(x1, cotangent), $"Vjp N={n1}");
            Same(gpu.Jacobian(x1), cpu.Jacobian(x1), $"Jacobian N={n1}");
            foreach (int? tileRows in new int?[] { 1, 4, null })
            {
                emu.Device.KernelOptions = new CudaKernelOptions { TileRows = tileRows };
                foreach (var mode in AllModes)
                    foreach (var second in new[] { null, x2 })
                    {
                        if (second is not null && mode is NtkMode.Diagonal or NtkMode.DiagonalFull) continue;
                        string what = $"Ntk {mode} N1={n1} x2 {(second is null ? "null" : "N2=9")} tiles {tileRows?.ToString() ?? "auto"}";
                        Same(gpu.Ntk(x1, second, mode), cpu.Ntk(x1, second, mode), what);
                    }
            }
            emu.Device.KernelOptions = CudaKernelOptions.Default;
            var blocks = gpu.NtkPerGroup(x1, x2, NtkMode.Full);
            var reference = cpu.NtkPerGroup(x1, x2, NtkMode.Full);
            Assert.Equal(reference.Count, blocks.Count);
            for (int g = 0; g < blocks.Count; g++)
            {
                // A group whose gradient is identically zero (LayerNorm of one channel) gives zeros on both engines.
                if (reference[g].ToFlatArray().All(v => v == 0)) Assert.All(blocks[g].ToFlatArray(), v => Assert.Equal(0.0, v));
                else Same(blocks[g], reference[g], $"NtkPerGroup {blocks.Groups[g].Key} N={n1}");
            }
            // Zero weights on the first and the last group: both engines skip them.
            var info = cpu.Info;
            var weights = new GroupWeights(0.6).Set(info.Groups[0].Layer, info.Groups[0].Kind, 0.0).Set(info.Groups[^1].Layer, info.Groups[^1].Kind, 0.0);
            if (info.Groups.Count > 2)
            {
                Same(gpu.Wntk(x1, null, weights), cpu.Wntk(x1, null, weights), $"Wntk N={n1}");
                Same(gpu.Wntk(x1, x2, weights, NtkMode.Full), cpu.Wntk(x1, x2, weights, NtkMode.Full), $"Wntk Full N={n1}");
            }
        }
    }

    [Fact]
    public void OnePixelImagesWithAWindowLargerThanTheImage() => EveryMethodAtTheEdges(d => new EdgeOnePixel(31, d), 2, 600);

    [Fact]
    public void AValidKernelAsLargeAsTheImage() => EveryMethodAtTheEdges(d => new EdgeKernelIsImage(38, d), 18, 670);

    [Fact]
    public void OddSizesWithValidStridesAndCircularWrapping() => EveryMethodAtTheEdges(d => new EdgeOddValid(32, d), 20, 610);

    [Fact]
    public void OneChannelWithLayerNormOfConstantRows() => EveryMethodAtTheEdges(d => new EdgeOneChannel(33, d), 21, 620);

    [Fact]
    public void DenseModelOfOneLinearLayerAndOneOutput() => EveryMethodAtTheEdges(d => new EdgeLinearOne(34, d), 4, 630);

    [Fact]
    public void DenseModelOfOneActivatedLayerWithoutBias() => EveryMethodAtTheEdges(d => new EdgeSquashOne(35, d), 3, 640);

    [Fact]
    public void TracedReductionWithOneOutput() => EveryMethodAtTheEdges(d => new EdgeReducedOne(36, d), 3, 650);

    [Fact]
    public void TracedReductionOfATwoLayerModel() => EveryMethodAtTheEdges(d => new EdgeReducedPair(37, d), 3, 660);
}
