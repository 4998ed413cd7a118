namespace NtkDsl;

/// <summary>
/// A function f(x; θ) with a flat parameter vector and analytic JVP/VJP: what trainers need. Generated models and
/// their linearizations implement it.
/// </summary>
/// <remarks>
/// Thread safety (generated models and <see cref="Training.LinearizedModel"/>): any number of threads may call the
/// reading members (<see cref="Forward"/>, <see cref="Jvp"/>, <see cref="Vjp"/>, <see cref="GetParameters"/> and the
/// kernels) at once; <see cref="SetParameters"/> and training runs need the instance alone. A conflicting call throws
/// <see cref="ConcurrentModelAccessException"/> instead of tearing a result. Use one
/// <c>Clone()</c> per thread to train or mutate in parallel.
/// </remarks>
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
/// <remarks>Thread safety: as <see cref="IDifferentiableModel"/> — concurrent reads are safe, a write or a training run
/// needs the instance alone, and a conflict throws <see cref="ConcurrentModelAccessException"/>. The static members of
/// the generated class (<c>Info</c>, <c>Cost</c>, the analytic kernels) are safe from any thread.</remarks>
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
