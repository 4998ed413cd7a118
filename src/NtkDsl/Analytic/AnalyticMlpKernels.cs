namespace NtkDsl.Analytic;

/// <summary>
/// The infinite-width kernels of an <see cref="AnalyticMlp"/> between two sets of inputs: the NNGP K, the NTK Θ and
/// the per-group NTK blocks Θ^g (Σ_g Θ^g = Θ), each an N1 × N2 float64 tensor.
/// </summary>
public sealed class AnalyticMlpKernels
{
    internal AnalyticMlpKernels(Tensor nngp, Tensor ntk, Tensor[] blocks, IReadOnlyList<string> groupNames)
    {
        Nngp = nngp;
        Ntk = ntk;
        Blocks = blocks;
        GroupNames = groupNames;
    }

    /// <summary>The NNGP kernel K^{L+1} of the readout, N1 × N2.</summary>
    public Tensor Nngp { get; }

    /// <summary>The NTK Θ^{L+1}, N1 × N2.</summary>
    public Tensor Ntk { get; }

    /// <summary>The per-group blocks Θ^g = ∂Θ_w/∂w_g in <see cref="GroupNames"/> order, each N1 × N2.</summary>
    public IReadOnlyList<Tensor> Blocks { get; }

    /// <summary>Group names, e.g. "Hidden1.Weights", "Hidden1.Bias", …, "Readout.Weights", "Readout.Bias".</summary>
    public IReadOnlyList<string> GroupNames { get; }

    /// <summary>Σ_g w_g Θ^g (weights in <see cref="GroupNames"/> order, each finite and ≥ 0).</summary>
    public Tensor Combine(ReadOnlySpan<double> weights)
    {
        AnalyticMlp.CheckWeights(weights, Blocks.Count);
        var result = Tensor.Zeros(Ntk.Shape.ToArray());
        var r = result.AsSpan();
        for (int g = 0; g < Blocks.Count; g++)
        {
            var b = Blocks[g].AsSpan();
            double w = weights[g];
            for (int i = 0; i < r.Length; i++) r[i] += w * b[i];
        }
        return result;
    }
}
