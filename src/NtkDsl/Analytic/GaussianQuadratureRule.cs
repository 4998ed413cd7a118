namespace NtkDsl.Analytic;

/// <summary>The one-dimensional rule from which <see cref="BivariateGaussQuadrature{TFunction}"/> builds its 2-D rule.</summary>
internal enum GaussianQuadratureRule
{
    /// <summary>
    /// Truncated trapezoid (sinc) rule on the standard-normal coordinates with a step that shrinks with the
    /// standard deviation the activation sees: h = min(<see cref="BivariateGaussQuadrature.MaxStep"/>, κ/σ) over
    /// |z| ≤ <see cref="BivariateGaussQuadrature.Truncation"/>. Geometric convergence for activations analytic in a strip
    /// around the real axis, at a rate that does not degrade as q grows (the default).
    /// </summary>
    Trapezoid = 0,

    /// <summary>
    /// The n-point probabilists' Gauss–Hermite rule (<see cref="GaussHermite"/>), fixed for every covariance.
    /// Exact for polynomials, but its accuracy for sigmoid-like or erf activations degrades quickly as q grows
    /// (their features shrink to width ~1/√q in the standard-normal coordinates).
    /// </summary>
    GaussHermite = 1,
}
