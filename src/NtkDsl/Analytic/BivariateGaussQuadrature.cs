namespace NtkDsl.Analytic;

/// <summary>Defaults, limits and factories for <see cref="BivariateGaussQuadrature{TFunction}"/>.</summary>
internal static class BivariateGaussQuadrature
{
    /// <summary>
    /// Default trapezoid resolution κ: step h = min(<see cref="MaxStep"/>, κ/σ) in standard-normal units, where σ is the
    /// standard deviation that dimension feeds into φ (so 2⌈L·σ/κ⌉ nodes per dimension: 58 at q = 1, 180 at q = 10,
    /// 30 for q ≤ 0.25).
    /// </summary>
    /// <remarks>
    /// Measured (q1, q2 ∈ {0.01, 0.03, 0.1, 0.5, 1, 3, 10}, ρ ∈ {±1, ±0.999, −0.9, −0.5, 0, 0.3, 0.7, 0.9, 0.99}), largest
    /// error divided by the Cauchy–Schwarz scale √(K̃(q1,q1,q1)·K̃(q2,q2,q2)) (likewise for Ṫ), K̃ / Ṫ:
    /// erf 4e−15 / 1e−15 (vs the closed form), sin 4e−15 / 3e−15 (vs e^(−(q1+q2)/2)·sinh c, cosh c),
    /// tanh 6e−12 / 1.7e−10, sigmoid 6e−15 / 2e−14, GELU 4e−14 / 6e−15, softplus 3e−14 / 6e−15 (vs κ = 0.1).
    /// At κ = 0.35 tanh reaches 7e−10 / 1.4e−8, at κ = 0.4 1.6e−8 / 2.4e−7. ReLU (a kink; use the closed form):
    /// 8.8e−3 / 7.7e−2 at any κ ≤ 0.4 — the error is set by where the kink line falls between nodes.
    /// For comparison, <see cref="GaussianQuadratureRule.GaussHermite"/> with 64 nodes: erf 4.4e−3 / 8.6e−2,
    /// tanh 4.0e−3 / 8.7e−2, sigmoid 3.7e−6 / 2.9e−4, sin 2e−15 (entire, slowly growing), ReLU 4.1e−3 / 5.2e−2;
    /// with 256 nodes erf is still at 7.8e−8 / 7.4e−6 (the error comes from q = 10).
    /// </remarks>
    public const double DefaultResolution = 0.3;

    /// <summary>
    /// Default Gauss–Hermite nodes per dimension for <see cref="GaussianQuadratureRule.GaussHermite"/> (exact for
    /// polynomial activations of degree ≤ 63 in each variable; see <see cref="DefaultResolution"/> for its errors).
    /// </summary>
    public const int DefaultGaussHermiteNodes = 64;

    /// <summary>Trapezoid truncation L: nodes cover |z| ≤ L in standard-normal units (e^(−L²/2) ≈ 2e−16).</summary>
    public const double Truncation = 8.5;

    /// <summary>
    /// Largest trapezoid step h, used while σ ≤ κ/h: the aliasing error of the standard-normal weight times a
    /// low-degree polynomial, ≈ k²·e^(−2π²/h²) at k = 2π/h, is then below 1e−22.
    /// </summary>
    public const double MaxStep = 0.6;

    /// <summary>
    /// Cap on trapezoid nodes per dimension (2m + 1 ≤ this + 1). It is reached only when σ &gt; κ·m/L
    /// (σ ≈ 36, q ≈ 1300 at the default κ); beyond it the step stops shrinking and the accuracy degrades.
    /// </summary>
    public const int MaxNodesPerDimension = 2048;

    /// <summary>Gauss–Hermite node pairs with w_i·w_j below this are skipped by the tensor-product rule.</summary>
    public const double PruneThreshold = 1e-22;

    /// <summary>The default quadrature (trapezoid rule, κ = <see cref="DefaultResolution"/>) for <paramref name="function"/>.</summary>
    public static BivariateGaussQuadrature<TFunction> Create<TFunction>(TFunction function)
        where TFunction : struct, IScalarFunction => new(function);

    /// <summary>A trapezoid-rule quadrature with resolution κ = <paramref name="resolution"/> ∈ (0, 1].</summary>
    public static BivariateGaussQuadrature<TFunction> CreateTrapezoid<TFunction>(TFunction function, double resolution)
        where TFunction : struct, IScalarFunction => new(function, GaussianQuadratureRule.Trapezoid, resolution: resolution);

    /// <summary>A Gauss–Hermite quadrature with <paramref name="nodeCount"/> nodes per dimension.</summary>
    public static BivariateGaussQuadrature<TFunction> CreateGaussHermite<TFunction>(TFunction function, int nodeCount)
        where TFunction : struct, IScalarFunction => new(function, GaussianQuadratureRule.GaussHermite, nodeCount: nodeCount);
}
