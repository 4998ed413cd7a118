namespace NtkDsl.Predict;

/// <summary>
/// A Gaussian over the outputs at m test points (neural-tangents' <c>predict.Gaussian</c>): the mean of every output
/// and one m × m covariance shared by all K outputs (the kernels are Θ ⊗ I_K, so the outputs are independent with the
/// same covariance). Returned by <see cref="NngpPredictor"/> and <see cref="NtkGpPredictor"/>.
/// </summary>
public sealed class GaussianPrediction
{
    internal GaussianPrediction(double time, Tensor mean, Tensor? covariance, Tensor variance, int clipped, double largestClipped)
    {
        Time = time;
        Mean = mean;
        Covariance = covariance;
        Variance = variance;
        ClippedVariances = clipped;
        LargestClippedVariance = largestClipped;
    }

    /// <summary>The training time t (in steps, s = η·t) of the prediction; +∞ for the end of training.</summary>
    public double Time { get; }

    /// <summary>Posterior mean, m × K (or length m when the targets were a vector), float64.</summary>
    public Tensor Mean { get; }

    /// <summary>
    /// The m × m posterior covariance (exactly symmetric, float64) when the full test–test kernel was given; null when
    /// only its diagonal was given (then only <see cref="Variance"/> is available).
    /// </summary>
    public Tensor? Covariance { get; }

    /// <summary>The marginal posterior variances, length m, float64, every entry ≥ 0 (see <see cref="ClippedVariances"/>).</summary>
    public Tensor Variance { get; }

    /// <summary>
    /// How many marginal variances came out negative by rounding (above −tolerance·scale, docs/math.md §8) and were set
    /// to 0.
    /// </summary>
    public int ClippedVariances { get; }

    /// <summary>The magnitude of the most negative variance that was clipped to 0 (0 when none was).</summary>
    public double LargestClippedVariance { get; }

    /// <summary>The marginal standard deviations √Variance, length m.</summary>
    public Tensor StandardDeviation()
    {
        double[] v = Variance.ToFlatArray();
        for (int i = 0; i < v.Length; i++) v[i] = Math.Sqrt(v[i]);
        return Tensor.Wrap(v, v.Length);
    }
}
