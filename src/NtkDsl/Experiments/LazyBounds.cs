namespace NtkDsl.Experiments;

/// <summary>
/// The bounds of lazy training (math.md §6), in the units of Chizat et al. and Boix-Adsera &amp; Littwin:
/// R(y) = ½‖y − y*‖² (not divided by N), F_α(w) = R(α h(w))/α², gradient flow dw/dτ = −∇F_α(w).
/// <para>
/// Relation to <see cref="Training.Trainer"/>: it minimizes F(w) = L(α h)/α² with L = R/N, N = rows·K, by steps of η,
/// so after k steps it has run the flow of F for s = k·η, and dw/ds = −∇F = −(1/N)∇F_α. Hence τ = s/N = k·η/N, and
/// with L0 = R0/N the movement bound reads ‖w − w0‖ ≤ √(τ R0)/α = √(s L0)/α: either pair of units, never a mix.
/// </para>
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).</remarks>
public static class LazyBounds
{
    /// <summary>
    /// The constant c = 1 + √(3/2) ≈ 2.2247 of <see cref="KappaBound"/>. Derivation (both flows exact, e = r − r̄ with
    /// r = αh(w) − y*, r̄ = αh̄(w̄) − y*, J_t = Dh(w_t), J0 = Dh(w0)):
    /// e' = −J0J0ᵀe − (J_t − J0)J_tᵀr − J0(J_t − J0)ᵀr. Bounding the last term by ‖J0ᵀe‖² + ¼‖J_t − J0‖²‖r‖² cancels
    /// −‖J0ᵀe‖², so d(½‖e‖²)/dτ ≤ ‖e‖·ℓ·α‖w'‖ + ½ℓ²R0 with ℓ(τ) = Lip(Dh)·√(τR0)/α ≥ ‖J_τ − J0‖ (movement bound) and
    /// ‖r‖ ≤ √(2R0). Integrating to T with α∫‖w'‖ ≤ √(T R0) (energy) gives ½E² ≤ E·κ√R0 + κ²R0/4 for
    /// E = sup_{τ≤T}‖e‖, so E ≤ (1 + √(3/2))·κ√R0. This is our own derivation; Boix-Adsera &amp; Littwin prove a bound of
    /// the same form (linear in κ, capped by √(8R0)).
    /// </summary>
    public static readonly double KappaConstant = 1 + Math.Sqrt(1.5);

    /// <summary>
    /// ‖w(τ) − w0‖ ≤ √(τ·R0)/α. Proof: ‖w(τ) − w0‖ ≤ ∫‖w'‖ ≤ √τ·(∫‖w'‖²)^½ and ∫‖w'‖² = F_α(w0) − F_α(w(τ)) ≤ R0/α².
    /// Exact for gradient flow; for gradient descent on a linear model it holds per eigendirection as long as
    /// η·λ_max(Θ)/N ≤ 0.3 (sup_k (1 − (1 − x)^k)²/(k x) ≤ ½ for x ≤ 0.3), and the experiments check it.
    /// </summary>
    public static double MovementBound(double time, double r0, double alpha)
    {
        CheckNonNegative(time, nameof(time));
        CheckNonNegative(r0, nameof(r0));
        CheckAlpha(alpha);
        return Math.Sqrt(time * r0) / Math.Abs(alpha);
    }

    /// <summary>
    /// √(8·R0): the training-set error ‖αh(w) − αh̄(w̄)‖ never exceeds it, because both flows decrease R, so
    /// ‖αh − αh̄‖ ≤ ‖αh − y*‖ + ‖αh̄ − y*‖ ≤ 2√(2R0). (Training points only: nothing caps test points.)
    /// </summary>
    public static double ErrorCap(double r0)
    {
        CheckNonNegative(r0, nameof(r0));
        return Math.Sqrt(8 * r0);
    }

    /// <summary>κ = (T/α)·Lip(Dh)·√R0 (math.md §6), with Lip(Dh) in the operator norm.</summary>
    public static double Kappa(double horizon, double alpha, double lipschitz, double r0)
    {
        CheckNonNegative(horizon, nameof(horizon));
        CheckNonNegative(lipschitz, nameof(lipschitz));
        CheckNonNegative(r0, nameof(r0));
        CheckAlpha(alpha);
        return horizon / Math.Abs(alpha) * lipschitz * Math.Sqrt(r0);
    }

    /// <summary>
    /// min(c·κ·√R0, √(8R0)) with c = <see cref="KappaConstant"/>: a rigorous bound on sup_{τ≤T} ‖αh(w(τ)) − αh̄(w̄(τ))‖
    /// on the training set for the exact flows.
    /// </summary>
    public static double KappaBound(double kappa, double r0)
    {
        CheckNonNegative(kappa, nameof(kappa));
        CheckNonNegative(r0, nameof(r0));
        return Math.Min(KappaConstant * kappa * Math.Sqrt(r0), ErrorCap(r0));
    }

    private static void CheckNonNegative(double v, string name)
    {
        if (!(v >= 0) || double.IsInfinity(v))
            throw new ArgumentOutOfRangeException(name, v, $"{name} must be finite and ≥ 0.");
    }

    private static void CheckAlpha(double alpha)
    {
        if (!double.IsFinite(alpha) || alpha == 0)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The output scale α must be finite and non-zero.");
    }
}
