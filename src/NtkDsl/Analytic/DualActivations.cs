using System.Runtime.CompilerServices;

namespace NtkDsl.Analytic;

/// <summary>
/// Closed-form dual activations (math.md §4): for (u, v) ~ N(0, [[q1, c], [c, q2]]) each method returns
/// K̃ = E[φ(u)φ(v)] and Ṫ = E[φ'(u)φ'(v)].
/// </summary>
/// <remarks>
/// <para><b>Domain.</b> q1, q2 must be finite and ≥ 0 and c finite (otherwise <see cref="ArgumentOutOfRangeException"/>).
/// The correlation ρ = c/√(q1 q2) is clamped to [−1, 1], so rounding that pushes |c| slightly above √(q1 q2) is harmless.
/// No method allocates or returns NaN in its domain.</para>
/// <para><b>Zero-norm inputs.</b> When q1 = 0 (or q2 = 0) the variable u is identically 0 — e.g. the input x = 0 with
/// no bias. The result is then the exact expectation with φ'(0) taken as the finite network defines it
/// (the generated activations: ReLU'(0) = 0, LeakyReLU'(0) = slope, |·|'(0) = sign(0) = 0, erf'(0) = 2/√π):
/// K̃ = φ(0)·E[φ(v)] = 0 for every piecewise-linear φ, and Ṫ = φ'(0)·E[φ'(v)] (φ'(0)² when both variances vanish).
/// For ReLU this gives Ṫ = 0. This value is <i>not</i> the limit q1 → 0⁺ of the closed form, which depends on the
/// direction of approach: along ρ = 0 the ReLU limit is Ṫ = 1/4 (in general ((a²+b²)(π−θ) + 2abθ)/(2π)); the kernel
/// of a piecewise-linear activation is discontinuous at q = 0 and the finite network's convention decides. Erf is
/// continuous there and its closed form is used unchanged.</para>
/// <para>The <c>…Diagonal</c> methods are the x = x' shortcuts (q1 = q2 = c = q) used by the diagonal kernels; they
/// agree with the general methods at (q, q, q).</para>
/// </remarks>
public static class DualActivations
{
    private const double InvTwoPi = 1.0 / (2.0 * Math.PI);
    private const double TwoOverPi = 2.0 / Math.PI;
    private const double FourOverPi = 4.0 / Math.PI;

    /// <summary>φ(x) = x: K̃ = c, Ṫ = 1 (c is returned as given, without clamping: it is exactly E[uv]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Identity(double q1, double q2, double c, out double kTilde, out double tDot)
    {
        Covariance2.Normalize(q1, q2, c, out _, out _);
        kTilde = c;
        tDot = 1.0;
    }

    /// <summary>φ(x) = x at x = x': K̃ = q, Ṫ = 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void IdentityDiagonal(double q, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        kTilde = q;
        tDot = 1.0;
    }

    /// <summary>
    /// φ(x) = max(x, 0) (arc-cosine kernel of degree 1): with θ = arccos ρ,
    /// K̃ = √(q1 q2)/(2π)·(sin θ + (π − θ) cos θ), Ṫ = (π − θ)/(2π); K̃ = Ṫ = 0 when q1 = 0 or q2 = 0 (ReLU'(0) = 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Relu(double q1, double q2, double c, out double kTilde, out double tDot) =>
        AbRelu(0.0, 1.0, 0.0, q1, q2, c, out kTilde, out tDot);

    /// <summary>ReLU at x = x': K̃ = q/2, Ṫ = 1/2 (Ṫ = 0 when q = 0, as ReLU'(0) = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReluDiagonal(double q, out double kTilde, out double tDot) =>
        AbReluDiagonal(0.0, 1.0, 0.0, q, out kTilde, out tDot);

    /// <summary>
    /// Leaky ReLU φ(x) = x for x &gt; 0, slope·x otherwise: <see cref="AbRelu(double, double, double, double, double, double, out double, out double)"/>
    /// with a = slope, b = 1 and φ'(0) = slope (the generated derivative is <c>z &gt; 0 ? 1 : slope</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LeakyRelu(double slope, double q1, double q2, double c, out double kTilde, out double tDot) =>
        AbRelu(slope, 1.0, slope, q1, q2, c, out kTilde, out tDot);

    /// <summary>Leaky ReLU at x = x': K̃ = (1 + slope²)·q/2, Ṫ = (1 + slope²)/2 (slope² when q = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LeakyReluDiagonal(double slope, double q, out double kTilde, out double tDot) =>
        AbReluDiagonal(slope, 1.0, slope, q, out kTilde, out tDot);

    /// <summary>
    /// φ(x) = |x|: <see cref="AbRelu(double, double, double, double, double, double, out double, out double)"/> with
    /// a = −1, b = 1 and φ'(0) = sign(0) = 0 (the generated derivative is <c>Math.Sign(z)</c>).
    /// K̃ = √(q1 q2)/π·(2 sin θ + (π − 2θ) cos θ), Ṫ = (π − 2θ)/π = (2/π)·arcsin ρ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Abs(double q1, double q2, double c, out double kTilde, out double tDot) =>
        AbRelu(-1.0, 1.0, 0.0, q1, q2, c, out kTilde, out tDot);

    /// <summary>|x| at x = x': K̃ = q, Ṫ = 1 (Ṫ = 0 when q = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AbsDiagonal(double q, out double kTilde, out double tDot) =>
        AbReluDiagonal(-1.0, 1.0, 0.0, q, out kTilde, out tDot);

    /// <summary>
    /// φ(x) = a·min(x, 0) + b·max(x, 0) with the convention φ'(0) = a (the left derivative, as for ReLU and leaky ReLU).
    /// See <see cref="AbRelu(double, double, double, double, double, double, out double, out double)"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AbRelu(double a, double b, double q1, double q2, double c, out double kTilde, out double tDot) =>
        AbRelu(a, b, a, q1, q2, c, out kTilde, out tDot);

    /// <summary>
    /// φ(x) = a·min(x, 0) + b·max(x, 0) with φ'(0) = <paramref name="derivativeAtZero"/> (used only when q1 or q2 is 0).
    /// With θ = arccos ρ:
    /// Ṫ = ((a² + b²)(π − θ) + 2ab·θ)/(2π) and K̃ = (a − b)²·√(q1 q2)·sin θ/(2π) + Ṫ·√(q1 q2)·cos θ
    /// (from φ(u) = b·relu(u) − a·relu(−u) and the degree-1 arc-cosine kernel at ±ρ).
    /// When q1 = 0 or q2 = 0: K̃ = 0 and Ṫ = φ'(0)·(a + b)/2 (φ'(0)² when both are 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AbRelu(double a, double b, double derivativeAtZero, double q1, double q2, double c,
        out double kTilde, out double tDot)
    {
        Covariance2.Normalize(q1, q2, c, out double sq, out double rho);
        if (sq == 0.0)
        {
            kTilde = 0.0;
            tDot = q1 == 0.0 && q2 == 0.0
                ? derivativeAtZero * derivativeAtZero
                : derivativeAtZero * 0.5 * (a + b); // E[φ'(v)] = (a + b)/2 for v with positive variance
            return;
        }
        double theta = Math.Acos(rho);
        double sinTheta = Math.Sqrt((1.0 - rho) * (1.0 + rho)); // accurate near ρ = ±1, never negative
        double sumSq = a * a + b * b;
        double t = (sumSq * (Math.PI - theta) + 2.0 * a * b * theta) * InvTwoPi;
        double amb = a - b;
        kTilde = sq * (amb * amb * sinTheta * InvTwoPi + t * rho);
        tDot = t;
    }

    /// <summary>a·min(x, 0) + b·max(x, 0) at x = x' with φ'(0) = a: K̃ = (a² + b²)·q/2, Ṫ = (a² + b²)/2 (a² when q = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AbReluDiagonal(double a, double b, double q, out double kTilde, out double tDot) =>
        AbReluDiagonal(a, b, a, q, out kTilde, out tDot);

    /// <summary>
    /// a·min(x, 0) + b·max(x, 0) at x = x' with φ'(0) = <paramref name="derivativeAtZero"/>:
    /// K̃ = (a² + b²)·q/2, Ṫ = (a² + b²)/2, or Ṫ = φ'(0)² when q = 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AbReluDiagonal(double a, double b, double derivativeAtZero, double q, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        double sumSq = a * a + b * b;
        kTilde = 0.5 * sumSq * q;
        tDot = q == 0.0 ? derivativeAtZero * derivativeAtZero : 0.5 * sumSq;
    }

    /// <summary>
    /// φ(x) = erf(x): K̃ = (2/π)·arcsin(2c/√((1 + 2q1)(1 + 2q2))), Ṫ = (4/π)/√((1 + 2q1)(1 + 2q2) − 4c²), with c
    /// clamped to ±√(q1 q2). Continuous everywhere, including q = 0 (erf'(0) = 2/√π) and ρ = ±1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Erf(double q1, double q2, double c, out double kTilde, out double tDot)
    {
        Covariance2.Normalize(q1, q2, c, out double sq, out double rho);
        double cc = sq * rho; // clamped covariance
        double a1 = 1.0 + 2.0 * q1, a2 = 1.0 + 2.0 * q2;
        double r = 2.0 * cc / (Math.Sqrt(a1) * Math.Sqrt(a2));
        if (r > 1.0) r = 1.0;
        else if (r < -1.0) r = -1.0;
        kTilde = TwoOverPi * Math.Asin(r);
        // (1 + 2q1)(1 + 2q2) − 4c² written as a sum of non-negative terms: ≥ 1, no cancellation.
        double det = 1.0 + 2.0 * (q1 + q2) + 4.0 * sq * sq * (1.0 - rho) * (1.0 + rho);
        tDot = FourOverPi / Math.Sqrt(det);
    }

    /// <summary>erf at x = x': K̃ = (2/π)·arcsin(2q/(1 + 2q)), Ṫ = (4/π)/√(1 + 4q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ErfDiagonal(double q, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        kTilde = TwoOverPi * Math.Asin(2.0 * q / (1.0 + 2.0 * q));
        tDot = FourOverPi / Math.Sqrt(1.0 + 4.0 * q);
    }
}
