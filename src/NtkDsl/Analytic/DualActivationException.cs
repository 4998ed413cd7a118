using System.Globalization;

namespace NtkDsl.Analytic;

/// <summary>
/// An infinite-width kernel of an activation without a closed form could not be computed to the stated accuracy
/// (<see cref="AdaptiveDual.RelativeTolerance"/> relative to the Cauchy–Schwarz scale) at the pre-activation variances of
/// one layer: the activation's expectation overflows, it returned ∞/NaN, or the adaptive rule ran out of panels.
/// No number is returned in that case.
/// </summary>
public sealed class DualActivationException : ArithmeticException
{
    /// <summary>Creates the exception; the message names the layer, the variances and the reason.</summary>
    public DualActivationException(string layer, double q1, double q2, double correlation, string reason)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Infinite-width kernel of layer '{layer}': cannot compute E[φ(u)φ(v)] and E[φ'(u)φ'(v)] to {AdaptiveDual.RelativeTolerance:G2} (relative to the Cauchy–Schwarz scale) at pre-activation variances q1 = {q1:G6}, q2 = {q2:G6}, correlation ρ = {correlation:G6}: {reason}"))
    {
        Layer = layer;
        Variance1 = q1;
        Variance2 = q2;
        Correlation = correlation;
        Reason = reason;
    }

    /// <summary>The layer (model and property name) whose activation failed.</summary>
    public string Layer { get; }

    /// <summary>q1 = K(x, x) entering the activation.</summary>
    public double Variance1 { get; }

    /// <summary>q2 = K(x', x') entering the activation.</summary>
    public double Variance2 { get; }

    /// <summary>ρ = K(x, x')/√(q1 q2).</summary>
    public double Correlation { get; }

    /// <summary>Why the value could not be certified.</summary>
    public string Reason { get; }
}
