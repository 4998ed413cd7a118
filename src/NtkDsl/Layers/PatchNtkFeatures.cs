using NtkDsl.Memory;

namespace NtkDsl.Layers;

/// <summary>
/// How the structured NTK contracts a layer with parameters (Novak et al. 2022, "Fast finite width neural tangent
/// kernel", structured derivatives): over pixel pairs, Θ_W(n,m) = Σ_{p,p'} ⟨δ_{n,p}, δ_{m,p'}⟩·⟨patch_{n,p}, patch_{m,p'}⟩,
/// or through per-example weight gradients G_n = Σ_p δ_{n,p} ⊗ patch_{n,p}, Θ_W(n,m) = ⟨G_n, G_m⟩. For a Dense layer
/// (one pixel) the first is the familiar δδᵀ ⊙ aaᵀ of docs/math.md §2.
/// </summary>
internal enum ContractionOrder
{
    /// <summary>Per layer, whichever order needs fewer flops (and fits the feature memory).</summary>
    Auto = 0,
    /// <summary>Gram of patches times Gram of deltas, summed over pixel pairs.</summary>
    PixelPairs = 1,
    /// <summary>Gram of per-example weight gradients.</summary>
    Gradients = 2,
}

/// <summary>
/// One layer's NTK features for a batch: scaled patches and deltas (pixel-pair order) or per-example weight gradients,
/// and the per-example bias gradients. All include the parameter scales (cW, cB), so Grams of them are NTK terms.
/// </summary>
internal sealed class PatchNtkFeatures
{
    public PatchNtkFeatures(PatchLayerOp op, int rows, int outputs, bool full, ContractionOrder order, string model)
    {
        Op = op;
        Rows = rows;
        Outputs = outputs;
        Full = full;
        Order = order;
        int p = op.Pixels, f = op.FanIn, c = op.Channels, k = outputs;
        long elements = order == ContractionOrder.PixelPairs ? (long)rows * p * (f + (long)k * c) : (long)rows * k * c * f;
        if (op.UseBias) elements += (long)rows * k * c;
        MemoryBudget.EnsureArray(elements, sizeof(double), model + ".Ntk", $"the NTK features of layer {op.QualifiedName} ({rows} rows, {order} contraction)",
            "Compute the kernel for fewer rows at a time (x.SliceRows).");
        if (order == ContractionOrder.PixelPairs)
        {
            Patches = new double[(long)rows * p * f];
            Deltas = new double[(long)rows * p * k * c];
        }
        else Gradients = new double[(long)rows * k * c * f];
        if (op.UseBias) BiasGradients = new double[(long)rows * k * c];
    }

    public PatchLayerOp Op { get; }
    public int Rows { get; }
    public int Outputs { get; }
    public bool Full { get; }
    public ContractionOrder Order { get; }

    /// <summary>cW·patches, rows × P × F (pixel-pair order).</summary>
    public double[]? Patches { get; }

    /// <summary>∂f/∂h (pixel-pair order): rows × P × (K·C) for traced modes, rows × K × P × C for full modes.</summary>
    public double[]? Deltas { get; }

    /// <summary>Per-example weight gradients, rows × K × (C·F) (gradient order).</summary>
    public double[]? Gradients { get; }

    /// <summary>Per-example bias gradients cB·Σ_p δ, rows × K × C (null without bias).</summary>
    public double[]? BiasGradients { get; }

    /// <summary>Stores one row block: <paramref name="gradH"/> is ∂f_c/∂h, rows × K × P × C.</summary>
    public void Fill(int row0, int rows, object? cache, double[] gradH)
    {
        int p = Op.Pixels, f = Op.FanIn, c = Op.Channels, k = Outputs;
        if (Order == ContractionOrder.PixelPairs)
        {
            var patches = ((PatchCache)cache!).Patches;
            double s = Op.WeightScale;
            long o = (long)row0 * p * f;
            for (long i = 0; i < (long)rows * p * f; i++) Patches![o + i] = s * patches[i];
            long d0 = (long)row0 * p * k * c;
            if (Full) Array.Copy(gradH, 0, Deltas!, d0, (long)rows * k * p * c);
            else
                for (int n = 0; n < rows; n++)
                    for (int b = 0; b < k; b++)
                        for (int q = 0; q < p; q++)
                            Array.Copy(gradH, ((long)(n * k + b) * p + q) * c, Deltas!, d0 + (((long)n * p + q) * k + b) * c, c);
        }
        else Op.PerExampleWeightGradients(cache, gradH, rows, k, Gradients.AsSpan((int)((long)row0 * k * c * f)), c * f, 0);
        if (BiasGradients is not null) Op.PerExampleBiasGradients(gradH, rows, k, BiasGradients.AsSpan(row0 * k * c), c, 0);
    }
}
