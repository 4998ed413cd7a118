using System.Globalization;

namespace NtkDsl.Wntk;

/// <summary>Argument checks shared by the WNTK objectives.</summary>
internal static class WntkChecks
{
    public static void Point(WntkProblem problem, ReadOnlySpan<double> weights, double ridge, Span<double> gradient)
    {
        if (weights.Length != problem.GroupCount)
            throw new ArgumentException($"Expected {problem.GroupCount} weights (one per block), got {weights.Length}.", nameof(weights));
        if (gradient.Length != problem.GroupCount)
            throw new ArgumentException($"The gradient buffer must have {problem.GroupCount} entries, got {gradient.Length}.", nameof(gradient));
        foreach (double w in weights)
            if (!double.IsFinite(w) || w < 0)
                throw new ArgumentOutOfRangeException(nameof(weights), w, string.Create(CultureInfo.InvariantCulture, $"Every group weight must be finite and ≥ 0; got {w}."));
        if (!double.IsFinite(ridge) || ridge < 0)
            throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "The ridge must be finite and ≥ 0.");
    }
}
