using System.Globalization;

namespace NtkDsl.Analytic;

/// <summary>The activations with closed-form dual kernels in <see cref="DualActivations"/>, for <see cref="AnalyticMlp"/>.</summary>
public enum AnalyticActivation
{
    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>x for x &gt; 0, slope·x otherwise (slope from <see cref="AnalyticHiddenLayer.LeakySlope"/>).</summary>
    LeakyRelu,

    /// <summary>|x|.</summary>
    Abs,

    /// <summary>erf(x).</summary>
    Erf,

    /// <summary>x (a linear layer).</summary>
    Identity,
}

/// <summary>
/// One hidden dense layer of an <see cref="AnalyticMlp"/> in the NTK parameterization:
/// h = (σ_w/√fan-in)·W·a + σ_b·b, followed by the activation.
/// </summary>
/// <param name="Activation">The activation applied to this layer's pre-activations.</param>
/// <param name="WeightVariance">σ_w² (&gt; 0).</param>
/// <param name="BiasVariance">σ_b² (≥ 0; ignored when <paramref name="UseBias"/> is false).</param>
/// <param name="UseBias">Whether the layer has a bias (and therefore a bias parameter group).</param>
/// <param name="LeakySlope">Negative-side slope of <see cref="AnalyticActivation.LeakyRelu"/>; ignored otherwise.</param>
public sealed record AnalyticHiddenLayer(AnalyticActivation Activation, double WeightVariance, double BiasVariance,
    bool UseBias = true, double LeakySlope = 0.01)
{
    internal void Check(string name)
    {
        AnalyticReadout.CheckVariances(name, WeightVariance, BiasVariance);
        if (!Enum.IsDefined(Activation))
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, $"{name}: unknown activation; use one of {string.Join(", ", Enum.GetNames<AnalyticActivation>())}.");
        if (Activation == AnalyticActivation.LeakyRelu && !double.IsFinite(LeakySlope))
            throw new ArgumentOutOfRangeException(nameof(LeakySlope), LeakySlope, $"{name}: the leaky-ReLU slope must be finite.");
    }
}

/// <summary>The linear readout layer of an <see cref="AnalyticMlp"/>: f = (σ_w/√n_L)·W·a + σ_b·b.</summary>
/// <param name="WeightVariance">σ_w² (&gt; 0).</param>
/// <param name="BiasVariance">σ_b² (≥ 0; ignored when <paramref name="UseBias"/> is false).</param>
/// <param name="UseBias">Whether the readout has a bias.</param>
public sealed record AnalyticReadout(double WeightVariance, double BiasVariance, bool UseBias = true)
{
    internal static void CheckVariances(string name, double weightVariance, double biasVariance)
    {
        if (!double.IsFinite(weightVariance) || weightVariance <= 0)
            throw new ArgumentOutOfRangeException(nameof(weightVariance), weightVariance, string.Create(CultureInfo.InvariantCulture,
                $"{name}: σ_w² must be finite and > 0 (it is the variance scale of the weights, e.g. 2 for ReLU); got {weightVariance}."));
        if (!double.IsFinite(biasVariance) || biasVariance < 0)
            throw new ArgumentOutOfRangeException(nameof(biasVariance), biasVariance, string.Create(CultureInfo.InvariantCulture,
                $"{name}: σ_b² must be finite and ≥ 0; got {biasVariance}."));
    }
}
