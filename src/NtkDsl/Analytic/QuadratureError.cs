namespace NtkDsl.Analytic;

/// <summary>
/// An a-posteriori error estimate of a quadrature dual activation: its values and their distance to the values of the
/// same rule with twice the nodes per dimension. When the rule converges geometrically the finer value is far more
/// accurate, so the distance estimates the error of the coarse value; for kinks (slow, algebraic convergence) it
/// underestimates it by a small factor.
/// </summary>
/// <param name="KTilde">K̃ of the rule being assessed.</param>
/// <param name="TDot">Ṫ of the rule being assessed.</param>
/// <param name="KTildeError">|K̃ − K̃(finer rule)|.</param>
/// <param name="TDotError">|Ṫ − Ṫ(finer rule)|.</param>
internal readonly record struct QuadratureErrorEstimate(double KTilde, double TDot, double KTildeError, double TDotError);

/// <summary>Error estimates of the quadrature dual activation by node doubling.</summary>
internal static class QuadratureError
{
    /// <summary>
    /// Compares <paramref name="quadrature"/> with the same rule at twice the nodes per dimension at the covariance
    /// [[q1, c], [c, q2]] (see <see cref="BivariateGaussQuadrature{TFunction}.EstimateError"/>).
    /// </summary>
    public static QuadratureErrorEstimate Estimate<TFunction>(BivariateGaussQuadrature<TFunction> quadrature, double q1, double q2, double c)
        where TFunction : struct, IScalarFunction
    {
        ArgumentNullException.ThrowIfNull(quadrature);
        return quadrature.EstimateError(q1, q2, c);
    }

    /// <summary>
    /// The largest estimated error (the larger of the K̃ and Ṫ estimates, each divided by its diagonal scale
    /// √(K̃(q1)K̃(q2)) resp. √(Ṫ(q1)Ṫ(q2)), which bounds |K̃| resp. |Ṫ| by Cauchy–Schwarz) over a grid of
    /// variances in [<paramref name="minVariance"/>, <paramref name="maxVariance"/>] and correlations in [−1, 1].
    /// Use it to choose the resolution (or node count) for a new activation.
    /// </summary>
    public static double MaxRelativeError<TFunction>(BivariateGaussQuadrature<TFunction> quadrature, double minVariance, double maxVariance)
        where TFunction : struct, IScalarFunction
    {
        if (!(minVariance > 0.0) || !(maxVariance >= minVariance) || !double.IsFinite(maxVariance))
            throw new ArgumentOutOfRangeException(nameof(minVariance),
                "MaxRelativeError needs 0 < minVariance ≤ maxVariance < ∞; pass the variance range the kernel recursion visits.");
        ArgumentNullException.ThrowIfNull(quadrature);
        var quad = quadrature;
        double[] qs = [minVariance, Math.Sqrt(minVariance * maxVariance), maxVariance];
        double[] rhos = [-1.0, -0.9, -0.5, 0.0, 0.3, 0.7, 0.95, 0.999, 1.0];
        double worst = 0.0;
        foreach (double q1 in qs)
            foreach (double q2 in qs)
                foreach (double rho in rhos)
                {
                    var e = quad.EstimateError(q1, q2, rho * Math.Sqrt(q1) * Math.Sqrt(q2));
                    quad.Diagonal(q1, out double k1, out double t1);
                    quad.Diagonal(q2, out double k2, out double t2);
                    double kScale = Math.Sqrt(k1 * k2), tScale = Math.Sqrt(t1 * t2);
                    if (kScale > 0) worst = Math.Max(worst, e.KTildeError / kScale);
                    if (tScale > 0) worst = Math.Max(worst, e.TDotError / tScale);
                }
        return worst;
    }
}
