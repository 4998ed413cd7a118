using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Review;

/// <summary>
/// The spatial engine's row blocks (at most 1024 rows per block): batches of 1100 rows run as a block of 1024 and a
/// tail of 76, so every offset into the inputs, the outputs, the Jacobian and the per-example features is exercised
/// past the first block. Against the CPU engine at 1e-12.
/// </summary>
public sealed class SpatialRowBlockTests
{
    private static Tensor Inputs(int n, int d, int seed) => Tensor.FromArray(Reference.Random(n * d, seed, 1.3), n, d);

    private static void Same(Tensor device, Tensor cpu, string what)
    {
        Assert.Equal(cpu.Shape.ToArray(), device.Shape.ToArray());
        double err = Reference.MaxRelative(device.ToFlatArray(), cpu.ToFlatArray(), floor: 0);
        Assert.True(err < 1e-12, $"{what}: relative error {err:G3}");
    }

    private static void ManyRows(Func<Device, INtkModel> create, int d, int seed)
    {
        Emulated.RequireCompiler();
        using var emu = new Emulated();
        var cpu = create(Device.Cpu);
        var gpu = create(emu.Device);
        int p = cpu.GetParameters().Length, k = cpu.Info.Outputs, n = 1100;
        var x = Inputs(n, d, seed);
        Same(gpu.Forward(x), cpu.Forward(x), "Forward");
        var tangent = Tensor.FromArray(Reference.Random(p, seed + 1), p);
        Same(gpu.Jvp(x, tangent), cpu.Jvp(x, tangent), "Jvp");
        var cotangent = Tensor.FromArray(Reference.Random(n * k, seed + 2), n, k);
        Same(gpu.Vjp(x, cotangent), cpu.Vjp(x, cotangent), "Vjp");
        Same(gpu.Jacobian(x), cpu.Jacobian(x), "Jacobian");
        Same(gpu.Ntk(x), cpu.Ntk(x), "Ntk Trace");
        var x2 = Inputs(3, d, seed + 3);
        Same(gpu.Ntk(x, x2, NtkMode.Full), cpu.Ntk(x, x2, NtkMode.Full), "Ntk Full x2");
        Same(gpu.Ntk(x, null, NtkMode.DiagonalFull), cpu.Ntk(x, null, NtkMode.DiagonalFull), "Ntk DiagonalFull");
    }

    [Fact]
    public void ConvolutionalModelOverTwoRowBlocks() => ManyRows(d => new EdgeOddValid(41, d), 20, 700);

    [Fact]
    public void WidthlessModelOverTwoRowBlocks() => ManyRows(d => new Spatial.SpatialWidthless(3, 42, d), 3, 710);
}
