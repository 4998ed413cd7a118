namespace NtkDsl.Layers;

/// <summary>
/// The run-time engine of a model declared with <c>InputShape</c> (convolutional, pooling, residual and normalization
/// layers, with Dense layers after Flatten/GlobalAvgPool). Stateless: a plan of <see cref="LayerSpec"/>s; the
/// parameters are passed in as one array per parameter group, in <see cref="ModelInfo.Groups"/> order (layer by layer,
/// weights then bias). The generated model class owns those arrays and delegates every method here.
/// </summary>
/// <remarks>Thread safety: immutable; every method may run concurrently with others on distinct or read-only parameters.</remarks>
public sealed partial class SpatialNetwork
{
    /// <summary>Builds the plan, checking shapes; the generator has already reported bad shapes as diagnostics, so a failure here is a bug.</summary>
    /// <param name="modelName">The model class name (used in messages and the fingerprint).</param>
    /// <param name="inputShape">{ height, width, channels }.</param>
    /// <param name="parameterization">NTK or standard parameterization (docs/math.md §1).</param>
    /// <param name="precision">Only <see cref="Precision.Float64"/> for now.</param>
    /// <param name="outputScale">α (stored in <see cref="Info"/>; applied by training, as for Dense models).</param>
    /// <param name="centered">Centered flag (stored in <see cref="Info"/>, as for Dense models).</param>
    /// <param name="layers">The layers in declaration order; the last is a Dense layer.</param>
    public SpatialNetwork(string modelName, IReadOnlyList<int> inputShape, Parameterization parameterization, Precision precision,
        double outputScale, bool centered, IReadOnlyList<LayerSpec> layers)
    {
        throw new NotImplementedException("issue 14: SpatialNetwork is being built");
    }

    /// <summary>The architecture: one <see cref="LayerInfo"/> per layer (parameter-free ones with no weights), with <see cref="LayerInfo.Detail"/> geometry.</summary>
    public ModelInfo Info => throw new NotImplementedException();

    /// <summary>Shape of each parameter group's array, in <see cref="ModelInfo.Groups"/> order (Conv2D weights: channels, k, k, input channels).</summary>
    public IReadOnlyList<int[]> GroupShapes => throw new NotImplementedException();

    /// <summary>What the model costs (parameters, flops and memory of each method), for <c>Cost</c> and memory checks.</summary>
    public ModelCost Cost => throw new NotImplementedException();

    /// <summary>Allocates the parameter arrays (one per group) and draws them from <paramref name="sampler"/> group by group, as Dense models do.</summary>
    public double[][] InitializeParameters(NormalSampler sampler) => throw new NotImplementedException();

    /// <summary>f(x): N × K. Throws on a shape mismatch or non-finite input.</summary>
    public Tensor Forward(double[][] parameters, Tensor x) => throw new NotImplementedException();

    /// <summary>J(x)·v for a parameter-space tangent v of length P: N × K.</summary>
    public Tensor Jvp(double[][] parameters, Tensor x, Tensor tangent) => throw new NotImplementedException();

    /// <summary>J(x)ᵀ·u for a cotangent u of shape N × K: a vector of length P in parameter order.</summary>
    public Tensor Vjp(double[][] parameters, Tensor x, Tensor cotangent) => throw new NotImplementedException();

    /// <summary>The explicit Jacobian, N × K × P (small models and tests).</summary>
    public Tensor Jacobian(double[][] parameters, Tensor x) => throw new NotImplementedException();

    /// <summary>
    /// Structured empirical NTK (never builds J): with <paramref name="perGroup"/> one tensor per parameter group, else
    /// one tensor Σ_g w_g Θ^g with w = <paramref name="groupWeight"/> (length = number of groups). Shapes as the Dense
    /// models' <c>Ntk</c> (Trace N1 × N2, Full N1 × N2 × K × K, Diagonal N, DiagonalFull N × K × K).
    /// </summary>
    public Tensor[] Ntk(double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken) => throw new NotImplementedException();
}
