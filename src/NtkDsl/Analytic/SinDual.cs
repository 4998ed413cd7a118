using System.Runtime.CompilerServices;

namespace NtkDsl.Analytic;

/// <summary>
/// Closed-form dual of φ = sin (φ' = cos) for (u, v) ~ N(0, [[q1, c], [c, q2]]), exact for every finite variance:
/// from cos u cos v ∓ sin u sin v = cos(u ± v) and E[cos w] = e^(−Var w/2),
/// K̃ = E[sin u sin v] = (e^(−(q1 + q2 − 2c)/2) − e^(−(q1 + q2 + 2c)/2))/2 and
/// Ṫ = E[cos u cos v] = (e^(−(q1 + q2 − 2c)/2) + e^(−(q1 + q2 + 2c)/2))/2
/// (the same as e^(−(q1+q2)/2)·sinh c and ·cosh c, written so that no factor overflows: q1 + q2 ∓ 2c ≥ 0).
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class SinDual
{
    /// <summary>K̃ and Ṫ of sin at [[q1, c], [c, q2]] (c clamped to ±√(q1 q2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dual(double q1, double q2, double c, out double kTilde, out double tDot)
    {
        Covariance2.Normalize(q1, q2, c, out double sq, out _);
        double cov = Math.Clamp(c, -sq, sq); // the covariance clamped to ±√(q1 q2), c itself when valid
        // Var(u − v) = (q1 − c) + (q2 − c) and Var(u + v) = (q1 + c) + (q2 + c): near ρ = ±1 each bracket is an exact
        // difference of close numbers (Sterbenz), so no information is lost beyond that of the inputs themselves.
        double minus = Math.Exp(-0.5 * Math.Max((q1 - cov) + (q2 - cov), 0.0));
        double plus = Math.Exp(-0.5 * Math.Max((q1 + cov) + (q2 + cov), 0.0));
        // minus − plus = −minus·expm1(−2c) = plus·expm1(2c): no cancellation when c is small (K̃ ≈ c).
        kTilde = cov >= 0.0 ? -0.5 * minus * ExpM1(-2.0 * cov) : 0.5 * plus * ExpM1(2.0 * cov);
        tDot = 0.5 * (minus + plus);
    }

    /// <summary>sin at x = x': K̃ = (1 − e^(−2q))/2, Ṫ = (1 + e^(−2q))/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Diagonal(double q, out double kTilde, out double tDot)
    {
        Covariance2.CheckVariance(q);
        double e = Math.Exp(-2.0 * q);
        kTilde = -0.5 * ExpM1(-2.0 * q);
        tDot = 0.5 * (1.0 + e);
    }

    /// <summary>
    /// e^x − 1 without cancellation: 2·tanh(x/2)/(1 − tanh(x/2)) for |x| &lt; 1 (tanh is accurate near 0; .NET's
    /// double.ExpM1 is computed as Exp(x) − 1), e^x − 1 otherwise.
    /// </summary>
    internal static double ExpM1(double x)
    {
        if (Math.Abs(x) >= 1.0) return Math.Exp(x) - 1.0;
        double t = Math.Tanh(0.5 * x);
        return 2.0 * t / (1.0 - t);
    }
}
