namespace NtkDsl;

/// <summary>The per-group NTK terms Θ^g (each layer's weights and biases), named by group; Σ_g Θ^g = Θ.</summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread. (the tensors it returns are plain arrays; do not write into them while other threads read).</remarks>
public sealed class NtkBlocks
{
    private readonly Tensor[] _blocks;

    /// <summary>Creates the collection (called by generated code); <paramref name="blocks"/> follow <paramref name="model"/>'s groups.</summary>
    public NtkBlocks(ModelInfo model, NtkMode mode, Tensor[] blocks)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Length != model.Groups.Count) throw new ArgumentException($"Expected {model.Groups.Count} blocks, got {blocks.Length}.");
        Model = model;
        Mode = mode;
        _blocks = blocks;
    }

    /// <summary>The model the blocks belong to.</summary>
    public ModelInfo Model { get; }

    /// <summary>The output mode of every block.</summary>
    public NtkMode Mode { get; }

    /// <summary>The groups, in order.</summary>
    public IReadOnlyList<ParameterGroup> Groups => Model.Groups;

    /// <summary>Number of blocks.</summary>
    public int Count => _blocks.Length;

    /// <summary>Block g in group order.</summary>
    public Tensor this[int g] => _blocks[g];

    /// <summary>The block of group key <c>"Layer.Weights"</c> or <c>"Layer.Bias"</c>.</summary>
    public Tensor this[string key]
    {
        get
        {
            for (int g = 0; g < _blocks.Length; g++) if (Model.Groups[g].Key == key) return _blocks[g];
            throw new KeyNotFoundException($"'{key}' is not a parameter group of {Model.Name}; groups are {string.Join(", ", Model.Groups.Select(x => x.Key))}.");
        }
    }

    /// <summary>Σ_g w_g Θ^g with weights in group order.</summary>
    public Tensor Combine(ReadOnlySpan<double> weights)
    {
        if (weights.Length != _blocks.Length) throw new ArgumentException($"Expected {_blocks.Length} weights, got {weights.Length}.", nameof(weights));
        var result = Tensor.Zeros(_blocks[0].DType, _blocks[0].Shape.ToArray());
        for (int g = 0; g < _blocks.Length; g++)
        {
            if (weights[g] == 0) continue;
            TensorOps.AddScaled(result, _blocks[g], weights[g]);
        }
        return result;
    }

    /// <summary>Σ_g w_g Θ^g.</summary>
    public Tensor Combine(GroupWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Combine(weights.Resolve(Model));
    }

    /// <summary>Σ_g Θ^g (the NTK).</summary>
    public Tensor Sum() => Combine(Enumerable.Repeat(1.0, _blocks.Length).ToArray());
}
