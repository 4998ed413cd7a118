using System.Runtime.CompilerServices;

namespace NtkDsl.Analytic;

/// <summary>
/// Closed-form dual activations (math.md §4): for (u, v) ~ N(0, [[q1, c], [c, q2]]) each method returns
/// K̃ = E[φ(u)φ(v)] and Ṫ = E[φ'(u)φ'(v)].
/// <para>Infrastructure for generated code; not part of the supported API.</para>
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
/// <para>The <c>…Diagonal</c> methods are the x = x' shortcuts (q1 = q2 = c = q) used by the diagonal kernels. The
/// general methods return exactly (bit for bit) the diagonal values whenever q1 = q2 and c ≥ q1, so a kernel entry of
/// two equal inputs equals the diagonal chain's value: near ρ = 1 a one-ulp difference in a variance would otherwise
/// become an angle of order √ε at the next layer.</para>
/// <para><b>Angles.</b> θ = arccos ρ is computed as atan2(√(q1 q2 − c²), c) with the determinant formed from exact
/// products (<see cref="Covariance2.Determinant"/>), accurate to a few ulps for every θ including θ → 0, where
/// arccos of a rounded ρ carries an absolute error of order ε/θ.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
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
    /// With θ = arccos ρ (computed as atan2(√(q1 q2 − c²), c), see the class remarks):
    /// Ṫ = ((a² + b²)(π − θ) + 2ab·θ)/(2π) and K̃ = (a − b)²·√(q1 q2)·sin θ/(2π) + Ṫ·√(q1 q2)·cos θ
    /// (from φ(u) = b·relu(u) − a·relu(−u) and the degree-1 arc-cosine kernel at ±ρ).
    /// When q1 = 0 or q2 = 0: K̃ = 0 and Ṫ = φ'(0)·(a + b)/2 (φ'(0)² when both are 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AbRelu(double a, double b, double derivativeAtZero, double q1, double q2, double c,
        out double kTilde, out double tDot)
    {
        Covariance2.Normalize(q1, q2, c, out double sq, out double rho);
        if (q1 == q2 && c >= q1)
        {
            // x = x' (or parallel with equal variances): exactly the diagonal formula, so the pair recursion and the
            // diagonal chain agree bit for bit.
            AbReluDiagonal(a, b, derivativeAtZero, q1, out kTilde, out tDot);
            return;
        }
        if (sq == 0.0)
        {
            kTilde = 0.0;
            tDot = q1 == 0.0 && q2 == 0.0
                ? derivativeAtZero * derivativeAtZero
                : derivativeAtZero * 0.5 * (a + b); // E[φ'(v)] = (a + b)/2 for v with positive variance
            return;
        }
        // θ = atan2(√(q1 q2) sin θ, √(q1 q2) cos θ) from the exact determinant: no arccos, whose error ε/θ near ρ = 1
        // would grow into √ε at θ → 0.
        double cc = sq * rho; // clamped covariance
        double r = Math.Sqrt(Covariance2.Determinant(q1, q2, c, sq)); // √(q1 q2)·sin θ
        double theta = Math.Atan2(r, cc);
        double sumSq = a * a + b * b;
        double amb = a - b;
        // (a² + b²)(π − θ) + 2abθ = (a² + b²)π − (a − b)²θ: the second form is exact at θ = 0, the first at θ = π.
        double t = theta <= 0.5 * Math.PI
            ? 0.5 * sumSq - amb * amb * theta * InvTwoPi
            : (sumSq * (Math.PI - theta) + 2.0 * a * b * theta) * InvTwoPi;
        kTilde = amb * amb * r * InvTwoPi + t * cc;
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
        if (q1 == q2 && c >= q1)
        {
            ErfDiagonal(q1, out kTilde, out tDot); // x = x': bit for bit the diagonal chain's value
            return;
        }
        double cc = sq * rho; // clamped covariance
        // (1 + 2q1)(1 + 2q2) − 4c² as a sum of non-negative terms (≥ 1, no cancellation), with q1q2 − c² from the
        // exact determinant; then arcsin(2c/√((1 + 2q1)(1 + 2q2))) = atan2(2c, √det), well conditioned where the
        // arcsine's argument approaches ±1.
        double det = 1.0 + 2.0 * (q1 + q2) + 4.0 * Covariance2.Determinant(q1, q2, c, sq);
        kTilde = TwoOverPi * Math.Atan2(2.0 * cc, Math.Sqrt(det));
        tDot = FourOverPi / Math.Sqrt(det);
    }

    /// <summary>erf at x = x': K̃ = (2/π)·arcsin(2q/(1 + 2q)) = (2/π)·atan2(2q, √(1 + 4q)), Ṫ = (4/π)/√(1 + 4q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ErfDiagonal(double q, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        double det = 1.0 + 4.0 * q; // (1 + 2q)² − 4q²
        kTilde = TwoOverPi * Math.Atan2(2.0 * q, Math.Sqrt(det)); // = (2/π) arcsin(2q/(1 + 2q)), accurate for large q
        tDot = FourOverPi / Math.Sqrt(det);
    }
}
