namespace NtkDsl;

/// <summary>
/// A function f(x; θ) with a flat parameter vector and analytic JVP/VJP: what trainers need. Generated models and
/// their linearizations implement it.
/// </summary>
public interface IDifferentiableModel
{
    /// <summary>The architecture (layers, widths, activations, parameter layout).</summary>
    ModelInfo Info { get; }

    /// <summary>All parameters as one vector: per layer the weights (out × in, row-major), then the biases.</summary>
    double[] GetParameters();

    /// <summary>Replaces every parameter from one vector in <see cref="GetParameters"/> order.</summary>
    void SetParameters(ReadOnlySpan<double> values);

    /// <summary>Outputs f(x): N × d in, N × K out.</summary>
    Tensor Forward(Tensor x);

    /// <summary>J(x)·t for a tangent of length P: N × K.</summary>
    Tensor Jvp(Tensor x, Tensor tangent);

    /// <summary>J(x)ᵀ·u for u of shape N × K: length P.</summary>
    Tensor Vjp(Tensor x, Tensor cotangent);
}

/// <summary>
/// The instance surface every generated model implements, so trainers, experiments and tests work with any model.
/// The generated class also has a static <c>Info</c> with the same value.
/// </summary>
public interface INtkModel : IDifferentiableModel
{
    /// <summary>The device the model computes on.</summary>
    Device Device { get; }

    /// <summary>The explicit Jacobian, N × K × P.</summary>
    Tensor Jacobian(Tensor x);

    /// <summary>An independent copy of the model (same architecture and parameters).</summary>
    INtkModel Clone();

    /// <summary>The empirical NTK (see the generated method).</summary>
    Tensor Ntk(Tensor x1, Tensor? x2 = null, NtkMode mode = NtkMode.Trace, IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The per-group NTK terms.</summary>
    NtkBlocks NtkPerGroup(Tensor x1, Tensor? x2 = null, NtkMode mode = NtkMode.Trace, IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The weighted NTK Σ_g w_g Θ^g.</summary>
    Tensor Wntk(Tensor x1, Tensor? x2, GroupWeights weights, NtkMode mode = NtkMode.Trace, IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default);
}
