using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace NtkDsl.Analytic;

/// <summary>
/// Validation and normalisation of a 2×2 covariance [[q1, c], [c, q2]] shared by the closed forms and the quadrature.
/// </summary>
internal static class Covariance2
{
    /// <summary>
    /// Checks the entries and returns √q1·√q2 and the clamped correlation ρ = c/(√q1·√q2) ∈ [−1, 1]
    /// (ρ = 0 when either variance is 0; callers handle that case separately).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Normalize(double q1, double q2, double c, out double sq, out double rho)
    {
        // !(q >= 0) is also true for NaN; one branch covers every invalid input on the hot path.
        if (!(q1 >= 0.0) || !(q2 >= 0.0) || !double.IsFinite(q1) || !double.IsFinite(q2) || !double.IsFinite(c))
            ThrowInvalid(q1, q2, c);
        // √(q1·q2) is exactly q when q1 = q2 = q (so x = x' gives ρ = 1 exactly: a 1-ulp error in ρ near 1 would move
        // θ = arccos ρ by 2e−8); the product of roots is the fallback where q1·q2 would over- or underflow.
        double prod = q1 * q2;
        sq = q1 == q2 ? q1 : prod > 1e-290 && prod < 1e290 ? Math.Sqrt(prod) : Math.Sqrt(q1) * Math.Sqrt(q2);
        if (sq == 0.0)
        {
            rho = 0.0;
            return;
        }
        rho = c / sq;
        if (rho > 1.0) rho = 1.0;
        else if (rho < -1.0) rho = -1.0;
    }

    /// <summary>
    /// The determinant q1·q2 − c² ≥ 0 of the covariance (c clamped to ±<paramref name="sq"/>), without the cancellation
    /// of forming ρ first: the two products are split into exact head + tail with fused multiply–adds, so near
    /// |ρ| = 1 the difference keeps full relative accuracy. √(det) = √(q1 q2)·sin θ gives the angle
    /// θ = atan2(√det, c), accurate to a few ulps for every θ (arccos ρ would carry an absolute error ε/θ).
    /// </summary>
    /// <param name="q1">First variance (finite, ≥ 0; checked by <see cref="Normalize"/>).</param>
    /// <param name="q2">Second variance.</param>
    /// <param name="c">Covariance.</param>
    /// <param name="sq">√(q1 q2) from <see cref="Normalize"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Determinant(double q1, double q2, double c, double sq)
    {
        double ac = Math.Abs(c);
        if (ac >= sq) return 0.0;
        double p = q1 * q2;
        if (!(p > 1e-290 && p < 1e290)) return (sq - ac) * (sq + ac); // scaled-range fallback (sq − ac is exact near |ρ| = 1)
        double cc = c * c;
        double det = (p - cc) + (Math.FusedMultiplyAdd(q1, q2, -p) - Math.FusedMultiplyAdd(c, c, -cc));
        return det > 0.0 ? det : 0.0;
    }

    /// <summary>Checks a single variance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckVariance(double q)
    {
        if (!(q >= 0.0) || !double.IsFinite(q)) ThrowInvalid(q, q, q);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalid(double q1, double q2, double c)
    {
        string values = string.Create(CultureInfo.InvariantCulture, $"[[{q1:R}, {c:R}], [{c:R}, {q2:R}]]");
        throw new ArgumentOutOfRangeException(nameof(q1),
            "Invalid 2×2 covariance [[q1, c], [c, q2]] = " + values + ": the variances q1, q2 must be finite and ≥ 0 and c finite. " +
            "A negative or non-finite variance means the kernel recursion received a corrupted value (check σ_w, σ_b and the inputs for NaN/∞).");
    }
}
