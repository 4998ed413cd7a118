using System.Globalization;
using NtkDsl.Cuda.Kernels;
using NtkDsl.Cuda.Memory;
using NtkDsl.Kernels;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Spatial;

/// <summary>
/// Dense and Conv2D on the device (<c>PatchLayerOp</c> and its two kinds): h[p] = cW·W·patch[p] + cB·b, a = φ(h), with
/// the patches by the <c>sp_patches</c> im2col kernel (Dense: the flat input itself), the product by cuBLAS and φ/φ' by
/// the model's generated <c>ntk_act_l_d</c> kernel; backward cW·Wᵀ then the patch transpose; parameter gradients summed
/// (Vjp) or per example and cotangent (Jacobian, NTK features: strided batched GEMMs).
/// </summary>
internal sealed class DevicePatchOp : DeviceSpatialOp
{
    private readonly DeviceMemory<int> _table, _start, _entries;
    private readonly bool _conv;

    public DevicePatchOp(SpatialEngine engine, SpatialStep step) : base(engine, step)
    {
        _conv = step.Kind == SpatialStepKind.Conv2D;
        if (_conv)
        {
            var (start, entries) = InverseTable(step.WindowSource!, step.InPixels);
            _table = engine.UploadConstant(step.WindowSource!);
            _start = engine.UploadConstant(start);
            _entries = engine.UploadConstant(entries);
        }
    }

    internal sealed record Cache(DeviceMemory<double> Patches, DeviceMemory<double>? Derivative);

    private int P => Step.Pixels;
    private int F => Step.FanIn;
    private int C => Step.Channels;
    private DeviceMemory<double> W => Engine.Group(Step.WeightGroup);

    /// <summary>rows × P × F patches (the input itself for Dense).</summary>
    private DeviceMemory<double> Patches(DeviceMemory<double> input, int rows)
    {
        if (!_conv) return input;
        long n = (long)rows * P * F;
        var patches = Engine.Alloc(n);
        Engine.Kernel("sp_patches").LaunchLinear(n, SpatialEngine.Block, input, _table, patches, n, P, Step.WindowOffsets, Step.InChannels, Step.InSize);
        return patches;
    }

    /// <summary>The transpose of <see cref="Patches"/> for <paramref name="count"/> rows of patch cotangents.</summary>
    private DeviceMemory<double> PatchesTranspose(DeviceMemory<double> gradPatches, int count)
    {
        if (!_conv) return gradPatches;
        long n = (long)count * Step.InSize;
        var g = Engine.Alloc(n);
        Engine.Kernel("sp_patches_t").LaunchLinear(n, SpatialEngine.Block, gradPatches, _start, _entries, g, n, Step.InPixels, P, Step.WindowOffsets, Step.InChannels);
        return g;
    }

    public override DeviceMemory<double> Forward(DeviceMemory<double> input, DeviceMemory<double>? source, int rows, out object? cache)
    {
        var patches = Patches(input, rows);
        int m = rows * P;
        long count = (long)m * C;
        var pre = Engine.Alloc(count);
        GpuBlas.Gemm(Transpose.No, Transpose.Yes, m, C, F, 1.0, patches, F, W, F, 0.0, pre, C);
        var act = Engine.Alloc(count);
        var dact = Engine.Alloc(count);
        string kernel = "ntk_act_" + Step.Index.ToString(CultureInfo.InvariantCulture) + "_d";
        // The generated kernel: (pre, bias, act, dact, ws, bs, count, width), or (pre, act, dact, ws, count) without bias.
        var args = Step.UseBias
            ? new KernelArg[] { pre, Engine.Group(Step.WeightGroup + 1), act, dact, Step.WeightScale, Step.BiasScale, count, C }
            : new KernelArg[] { pre, act, dact, Step.WeightScale, count };
        Engine.ModelKernel(kernel).LaunchLinear(count, SpatialEngine.Block, args);
        cache = new Cache(patches, Step.IsIdentity ? (DeviceMemory<double>?)null : dact);
        return act;
    }

    /// <summary>∂/∂h = φ'(h) ⊙ ∂/∂a for <paramref name="batch"/> cotangents per example (the argument itself for the identity).</summary>
    public DeviceMemory<double> PreActivationCotangent(object? cache, DeviceMemory<double> gradOutput, int rows, int batch)
    {
        if (((Cache)cache!).Derivative is not { } d) return gradOutput;
        long count = (long)rows * batch * P * C;
        var g = Engine.Alloc(count);
        Engine.Kernel("sp_mul_batch").LaunchLinear(count, SpatialEngine.Block, gradOutput, d, g, count, batch, P * C);
        return g;
    }

    /// <summary>Cotangent of the input from ∂/∂h (rows × batch × P × C): cW·Wᵀ, then the patch transpose.</summary>
    public DeviceMemory<double> InputCotangent(DeviceMemory<double> gradH, int rows, int batch)
    {
        int count = rows * batch;
        var gp = Engine.Alloc((long)count * P * F);
        GpuBlas.Gemm(Transpose.No, Transpose.No, count * P, F, C, Step.WeightScale, gradH, C, W, F, 0.0, gp, F);
        return PatchesTranspose(gp, count);
    }

    public override DeviceMemory<double> Backward(object? cache, DeviceMemory<double> gradOutput, int rows, int batch)
        => InputCotangent(PreActivationCotangent(cache, gradOutput, rows, batch), rows, batch);

    /// <summary>gW += cW·Σ ∂/∂h ⊗ patch, gb += cB·Σ ∂/∂h over the rows (one cotangent per row) into the flat gradient.</summary>
    public void AccumulateGradient(object? cache, DeviceMemory<double> gradH, int rows, DeviceMemory<double> grad)
    {
        var patches = ((Cache)cache!).Patches;
        int m = rows * P;
        GpuBlas.Gemm(Transpose.Yes, Transpose.No, C, F, m, Step.WeightScale, gradH, C, patches, F, 1.0, grad.Slice(Step.WeightOffset, (long)C * F), F);
        if (Step.UseBias)
            Engine.Kernel("sp_colsum_acc").LaunchLinear(C, SpatialEngine.Block, gradH, grad.Slice(Step.BiasOffset, C), Step.BiasScale, (long)m, C);
    }

    /// <summary>
    /// Per-example, per-cotangent gradients: row r = n·batch + b of <paramref name="destination"/> (at <paramref name="stride"/>)
    /// receives cW·Σ_p δ[n,b,p] ⊗ patch[n,p] (C × F) at <paramref name="weightOffset"/> and cB·Σ_p δ[n,b,p] at
    /// <paramref name="biasOffset"/> (when the layer has a bias and the offset is ≥ 0): one strided batched GEMM over the examples per cotangent.
    /// </summary>
    public void PerExampleGradients(object? cache, DeviceMemory<double> gradH, int rows, int batch, DeviceMemory<double> destination, long stride, long weightOffset, long biasOffset)
    {
        var patches = ((Cache)cache!).Patches;
        long cp = (long)C * P;
        var t = Engine.Alloc(rows * batch * cp);
        Engine.Kernel("sp_delta_t").LaunchLinear(rows * batch * cp, SpatialEngine.Block, gradH, t, rows * batch * cp, P, C);
        for (int b = 0; b < batch; b++)
        {
            long a0 = b * cp, c0 = b * stride + weightOffset;
            GpuBlas.GemmStridedBatched(Transpose.No, Transpose.No, C, F, P, Step.WeightScale,
                t.Slice(a0, t.Length - a0), P, batch * cp,
                patches, F, (long)P * F, 0.0,
                destination.Slice(c0, destination.Length - c0), F, batch * stride, rows);
        }
        if (Step.UseBias && biasOffset >= 0)
        {
            long count = (long)rows * batch * C;
            Engine.Kernel("sp_bias_grad").LaunchLinear(count, SpatialEngine.Block, gradH, destination, Step.BiasScale, count, P, C, stride, biasOffset);
        }
    }

    public override DeviceMemory<double>? Jvp(object? cache, DeviceMemory<double>? tangentInput, DeviceMemory<double>? tangentSource, int rows, DeviceMemory<double> tangent)
    {
        var pc = (Cache)cache!;
        int m = rows * P;
        long count = (long)m * C;
        var hdot = Engine.Alloc(count);
        GpuBlas.Gemm(Transpose.No, Transpose.Yes, m, C, F, Step.WeightScale, pc.Patches, F, tangent.Slice(Step.WeightOffset, (long)C * F), F, 0.0, hdot, C);
        if (Step.UseBias)
            Engine.Kernel("sp_add_row").LaunchLinear(count, SpatialEngine.Block, hdot, tangent.Slice(Step.BiasOffset, C), Step.BiasScale, count, C);
        if (tangentInput is { } tin)
        {
            var tp = Patches(tin, rows);
            GpuBlas.Gemm(Transpose.No, Transpose.Yes, m, C, F, Step.WeightScale, tp, F, W, F, 1.0, hdot, C);
        }
        if (pc.Derivative is { } d)
            Engine.Kernel("sp_mul").LaunchLinear(count, SpatialEngine.Block, hdot, d, count);
        return hdot;
    }
}
