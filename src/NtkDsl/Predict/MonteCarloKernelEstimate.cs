namespace NtkDsl.Predict;

/// <summary>Which empirical NNGP <see cref="MonteCarloKernel"/> averages over seeds.</summary>
public enum NngpEstimator
{
    /// <summary>
    /// E[f(x) f(x')ᵀ | hidden layers]: the expectation over the readout layer's own initialization given the hidden
    /// layers, σ_w²/n·⟨a(x), a(x')⟩ + σ_b² from the last hidden layer's features a (read from the readout layer's
    /// per-group NTK blocks). Unbiased for the NNGP like <see cref="Outputs"/> but with a much smaller variance per seed.
    /// Needs a linear (identity) readout layer.
    /// </summary>
    Readout = 0,

    /// <summary>
    /// (1/K) Σ_c f_c(x) f_c(x'): the outer product of the outputs at initialization, averaged over the K outputs
    /// (neural-tangents' <c>empirical_nngp_fn</c> with <c>trace_axes=(-1,)</c>). Works for any readout, but is noisier.
    /// </summary>
    Outputs = 1,
}

/// <summary>
/// The Monte Carlo estimate of the NNGP and NTK from <see cref="MonteCarloKernel.Estimate"/>: the means over seeds
/// and their standard errors, entry by entry (N1 × N2 each, Trace mode: the mean over the K outputs).
/// </summary>
public sealed class MonteCarloKernelEstimate
{
    internal MonteCarloKernelEstimate(Tensor nngp, Tensor nngpSe, Tensor ntk, Tensor ntkSe, int samples, int firstSeed, NngpEstimator estimator)
    {
        Nngp = nngp;
        NngpStandardError = nngpSe;
        Ntk = ntk;
        NtkStandardError = ntkSe;
        Samples = samples;
        FirstSeed = firstSeed;
        Estimator = estimator;
    }

    /// <summary>The mean empirical NNGP over the seeds, N1 × N2 (float64).</summary>
    public Tensor Nngp { get; }

    /// <summary>
    /// The standard error of each entry of <see cref="Nngp"/>: s/√n with s the sample standard deviation over the
    /// n seeds (Bessel-corrected), N1 × N2.
    /// </summary>
    public Tensor NngpStandardError { get; }

    /// <summary>The mean empirical NTK over the seeds, N1 × N2 (float64).</summary>
    public Tensor Ntk { get; }

    /// <summary>The standard error of each entry of <see cref="Ntk"/>, N1 × N2.</summary>
    public Tensor NtkStandardError { get; }

    /// <summary>The number of seeds n averaged.</summary>
    public int Samples { get; }

    /// <summary>The first seed; seeds FirstSeed … FirstSeed + n − 1 were used.</summary>
    public int FirstSeed { get; }

    /// <summary>Which NNGP estimator was averaged.</summary>
    public NngpEstimator Estimator { get; }
}
