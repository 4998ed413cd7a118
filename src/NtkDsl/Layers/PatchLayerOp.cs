using System.Globalization;
using NtkDsl.Costing;
using NtkDsl.Kernels;

namespace NtkDsl.Layers;

/// <summary>What a layer with parameters keeps from the forward pass of one row block.</summary>
/// <param name="Patches">The layer's input patches, rows × pixels × fan-in (for Dense the input itself).</param>
/// <param name="Derivative">φ'(h), rows × pixels × channels; null for the identity activation (φ' ≡ 1).</param>
internal sealed record PatchCache(double[] Patches, double[]? Derivative);

/// <summary>
/// A layer whose pre-activation at each output pixel p is an affine map of one input patch:
/// h[p] = cW·W·patch[p] + cB·b, a = φ(h), with W channels × fan-in. Dense is the case of one pixel whose patch is the
/// whole (flat) input; Conv2D's patches are its windows (im2col). Everything but the patch extraction and its
/// transpose is shared here: forward, backward, parameter gradients, JVP and the structured-NTK features
/// (Novak et al. 2022, "Fast finite width neural tangent kernel", structured derivatives; docs/math.md §2).
/// </summary>
/// <remarks>
/// Scales (docs/math.md §1): NTK parameterization cW = σ_w/√fan-in, cB = σ_b and N(0, 1) entries; standard
/// parameterization cW = cB = 1 with W ~ N(0, σ_w²/fan-in), b ~ N(0, σ_b²) — the same rules as the generated Dense code.
/// </remarks>
internal abstract class PatchLayerOp : LayerOp
{
    private readonly LayerActivation _activation;
    private readonly bool _identity;

    protected PatchLayerOp(LayerSpec spec, SpatialShape input, int pixels, int fanIn, int channels, LayerActivation activation,
        double weightStd, double biasStd, bool useBias, Parameterization parameterization)
        : base(spec, input)
    {
        Pixels = pixels;
        FanIn = fanIn;
        Channels = channels;
        _activation = activation;
        _identity = activation.Kind == Activation.Identity;
        WeightStd = weightStd;
        BiasStd = biasStd;
        UseBias = useBias;
        bool ntk = parameterization == Parameterization.Ntk;
        WeightScale = ntk ? weightStd / Math.Sqrt(fanIn) : 1.0;
        BiasScale = ntk ? biasStd : 1.0;
        WeightInitStd = ntk ? 1.0 : weightStd / Math.Sqrt(fanIn);
        BiasInitStd = ntk ? 1.0 : biasStd;
    }

    /// <summary>Output pixels P (1 for Dense).</summary>
    public int Pixels { get; }

    /// <summary>Patch length F = fan-in.</summary>
    public int FanIn { get; }

    /// <summary>Output channels C (units for Dense).</summary>
    public int Channels { get; }

    public double WeightStd { get; }
    public double BiasStd { get; }
    public bool UseBias { get; }

    /// <summary>cW = ∂h/∂(W·patch).</summary>
    public double WeightScale { get; }

    /// <summary>cB = ∂h/∂b.</summary>
    public double BiasScale { get; }

    /// <summary>Standard deviation of the weights at initialization.</summary>
    public double WeightInitStd { get; }

    /// <summary>Standard deviation of the biases at initialization.</summary>
    public double BiasInitStd { get; }

    public int WeightCount => Channels * FanIn;

    public bool IsIdentity => _identity;

    public override int GroupCount => UseBias ? 2 : 1;

    public override long ForwardFlopsPerExample => SpatialCostLayer.PatchFlops(Pixels, FanIn, Channels, UseBias, _identity);

    public override LayerInfo Describe(int offset) =>
        new(Name, Kind, FanIn, Channels, _activation.Kind, _activation.Name, WeightStd, BiasStd, UseBias, offset, UseBias ? offset + WeightCount : -1) { Detail = Detail, OutputShape = [OutShape.Height, OutShape.Width, OutShape.Channels] };

    /// <summary>Input patches of <paramref name="rows"/> examples, rows × P × F (may return <paramref name="input"/> itself).</summary>
    public abstract double[] Patches(double[] input, int rows);

    /// <summary>Transpose of <see cref="Patches"/>: cotangents of patches (count × P × F) → cotangent of inputs (count × InShape.Size); may return its argument.</summary>
    public abstract double[] PatchesTranspose(double[] gradPatches, int count);

    public override double[] Forward(double[][] parameters, double[] input, double[]? source, int rows, out object? cache)
    {
        var patches = Patches(input, rows);
        var h = Affine(parameters[FirstGroup], UseBias ? parameters[FirstGroup + 1] : null, patches, rows);
        double[]? derivative = null;
        if (!_identity)
        {
            derivative = new double[h.Length];
            var phi = _activation.Phi;
            var dphi = _activation.Derivative;
            for (int i = 0; i < h.Length; i++)
            {
                double z = h[i];
                derivative[i] = dphi(z);
                h[i] = phi(z);
            }
            CheckFinite(h, "activations φ(h)");
        }
        cache = new PatchCache(patches, derivative);
        return h;
    }

    /// <summary>h = cW·patches·Wᵀ + cB·b: rows·P × C.</summary>
    private double[] Affine(double[] w, double[]? b, double[] patches, int rows)
    {
        int m = rows * Pixels;
        var h = new double[(long)m * Channels];
        Blas.Gemm(Transpose.No, Transpose.Yes, m, Channels, FanIn, WeightScale, patches, FanIn, w, FanIn, 0.0, h, Channels);
        if (b is not null) DenseOps<double>.AddRowVector(h, m, Channels, b, BiasScale);
        CheckFinite(h, "pre-activations h = cW·W·patch + cB·b (a non-finite patch means the previous layer overflowed)");
        return h;
    }

    public override double[] Backward(double[][] parameters, object? cache, double[] gradOutput, int rows, int batch)
        => InputCotangent(parameters, PreActivationCotangent(cache, gradOutput, rows, batch), rows, batch);

    /// <summary>∂/∂h = φ'(h) ⊙ ∂/∂a for <paramref name="batch"/> cotangents per example (returns the argument for the identity).</summary>
    public double[] PreActivationCotangent(object? cache, double[] gradOutput, int rows, int batch)
    {
        var d = ((PatchCache)cache!).Derivative;
        if (d is null) return gradOutput;
        int size = Pixels * Channels;
        var g = new double[gradOutput.Length];
        for (int n = 0; n < rows; n++)
            for (int b = 0; b < batch; b++)
            {
                int o = (n * batch + b) * size;
                for (int i = 0; i < size; i++) g[o + i] = gradOutput[o + i] * d[n * size + i];
            }
        CheckFinite(g, "backward cotangents φ'(h) ⊙ ∂f/∂a");
        return g;
    }

    /// <summary>Cotangent of the input from ∂/∂h (rows × batch × P × C): cW·Wᵀ, then the patch transpose.</summary>
    public double[] InputCotangent(double[][] parameters, double[] gradH, int rows, int batch)
    {
        int count = rows * batch;
        var gp = new double[(long)count * Pixels * FanIn];
        Blas.Gemm(Transpose.No, Transpose.No, count * Pixels, FanIn, Channels, WeightScale, gradH, Channels,
            parameters[FirstGroup], FanIn, 0.0, gp, FanIn);
        return PatchesTranspose(gp, count);
    }

    /// <summary>Gradients summed over the rows for one cotangent per row: gW += cW·Σ ∂/∂h ⊗ patch, gb += cB·Σ ∂/∂h.</summary>
    public void AccumulateGradient(object? cache, double[] gradH, int rows, Span<double> gradW, Span<double> gradB)
    {
        var patches = ((PatchCache)cache!).Patches;
        int m = rows * Pixels;
        Blas.Gemm(Transpose.Yes, Transpose.No, Channels, FanIn, m, WeightScale, gradH, Channels, patches, FanIn, 1.0, gradW, FanIn);
        if (!UseBias) return;
        for (int r = 0; r < m; r++)
            for (int c = 0; c < Channels; c++) gradB[c] += BiasScale * gradH[r * Channels + c];
    }

    /// <summary>
    /// Per-example, per-cotangent weight gradients cW·Σ_p δ[n,b,p] ⊗ patch[n,p] into <paramref name="destination"/>
    /// (row n·batch + b at <paramref name="stride"/>, C × F values each) with one GEMM per example.
    /// </summary>
    public void PerExampleWeightGradients(object? cache, double[] gradH, int rows, int batch, Span<double> destination, int stride, int offset)
    {
        var patches = ((PatchCache)cache!).Patches;
        int p = Pixels, c = Channels, f = FanIn;
        var t = new double[batch * c * p];
        var g = stride == c * f && offset == 0 ? null : new double[batch * c * f];
        for (int n = 0; n < rows; n++)
        {
            // δ[n] as (batch·C) × P.
            for (int b = 0; b < batch; b++)
                for (int q = 0; q < p; q++)
                {
                    int src = ((n * batch + b) * p + q) * c;
                    for (int ch = 0; ch < c; ch++) t[(b * c + ch) * p + q] = gradH[src + ch];
                }
            var dst = g ?? destination.Slice(n * batch * stride, batch * stride);
            Blas.Gemm(Transpose.No, Transpose.No, batch * c, f, p, WeightScale, t, p, patches.AsSpan(n * p * f, p * f), f, 0.0, dst, f);
            if (g is not null)
                for (int b = 0; b < batch; b++) g.AsSpan(b * c * f, c * f).CopyTo(destination.Slice((n * batch + b) * stride + offset, c * f));
        }
    }

    /// <summary>Per-example, per-cotangent bias gradients cB·Σ_p δ[n,b,p] (rows·batch × C) into <paramref name="destination"/> at a stride.</summary>
    public void PerExampleBiasGradients(double[] gradH, int rows, int batch, Span<double> destination, int stride, int offset)
    {
        int p = Pixels, c = Channels;
        for (int r = 0; r < rows * batch; r++)
        {
            var dst = destination.Slice(r * stride + offset, c);
            dst.Clear();
            for (int q = 0; q < p; q++)
                for (int ch = 0; ch < c; ch++) dst[ch] += gradH[(r * p + q) * c + ch];
            for (int ch = 0; ch < c; ch++) dst[ch] *= BiasScale;
        }
    }

    public override double[]? Jvp(double[][] parameters, double[][] tangentGroups, object? cache, double[]? tangentInput, double[]? tangentSource, int rows)
    {
        var pc = (PatchCache)cache!;
        int m = rows * Pixels;
        var hdot = new double[(long)m * Channels];
        Blas.Gemm(Transpose.No, Transpose.Yes, m, Channels, FanIn, WeightScale, pc.Patches, FanIn, tangentGroups[FirstGroup], FanIn, 0.0, hdot, Channels);
        if (UseBias) DenseOps<double>.AddRowVector(hdot, m, Channels, tangentGroups[FirstGroup + 1], BiasScale);
        if (tangentInput is not null)
        {
            var tp = Patches(tangentInput, rows);
            Blas.Gemm(Transpose.No, Transpose.Yes, m, Channels, FanIn, WeightScale, tp, FanIn, parameters[FirstGroup], FanIn, 1.0, hdot, Channels);
        }
        if (pc.Derivative is not null)
            for (int i = 0; i < hdot.Length; i++) hdot[i] *= pc.Derivative[i];
        CheckFinite(hdot, "tangents ḣ (JVP)");
        return hdot;
    }

    public override IEnumerable<int[]> GroupShapes
    {
        get
        {
            yield return WeightShape;
            if (UseBias) yield return [Channels];
        }
    }

    /// <summary>Shape of the weight array.</summary>
    protected abstract int[] WeightShape { get; }

    protected void CheckFinite(ReadOnlySpan<double> values, string stage)
    {
        int bad = FiniteChecks.IndexOfNonFinite(values);
        if (bad < 0) return;
        throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture, $"{QualifiedName} ({Kind}): {stage}"), -1, -1, values[bad]);
    }
}
