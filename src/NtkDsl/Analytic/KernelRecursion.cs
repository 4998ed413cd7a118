using System.Runtime.CompilerServices;

namespace NtkDsl.Analytic;

/// <summary>
/// One step of the infinite-width NNGP / NTK / weighted-NTK recursions (math.md §3–4, NTK parameterization).
/// Every argument σ_w², σ_b² is the <i>squared</i> standard deviation of the layer the step produces.
/// </summary>
/// <remarks>
/// Per pair of inputs (x, x'), the first layer gives K¹ = Θ¹ = σ_w²·x·x'/d + σ_b² (<see cref="FirstLayer"/>); each
/// hidden layer with activation φ then takes K̃ and Ṫ from <see cref="DualActivations"/> (or a
/// <see cref="BivariateGaussQuadrature{TFunction}"/>) evaluated at q1 = K(x, x), q2 = K(x', x'), c = K(x, x') and applies
/// <see cref="NextNngp"/>, <see cref="NextNtk"/> and, for group weights, <see cref="NextWeightedNtk"/>.
/// </remarks>
internal static class KernelRecursion
{
    /// <summary>
    /// First layer: K¹(x, x') = σ_w²·⟨x, x'⟩/d + σ_b² (also Θ¹, since the first layer's parameters give exactly this).
    /// </summary>
    /// <param name="weightVariance">σ_w² of the first layer.</param>
    /// <param name="biasVariance">σ_b² of the first layer (0 without a bias).</param>
    /// <param name="dot">⟨x, x'⟩.</param>
    /// <param name="inputDimension">d, the number of input features (&gt; 0).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double FirstLayer(double weightVariance, double biasVariance, double dot, int inputDimension) =>
        weightVariance * dot / inputDimension + biasVariance;

    /// <summary>
    /// Weighted first layer: Θ_w¹ = w_W·σ_w²·⟨x, x'⟩/d + w_b·σ_b², with w_W, w_b the first layer's group weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double FirstLayerWeighted(double weightGroupWeight, double biasGroupWeight, double weightVariance,
        double biasVariance, double dot, int inputDimension) =>
        weightGroupWeight * weightVariance * dot / inputDimension + biasGroupWeight * biasVariance;

    /// <summary>NNGP step: K^{l+1} = σ_w²·K̃ + σ_b².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NextNngp(double weightVariance, double biasVariance, double kTilde) =>
        weightVariance * kTilde + biasVariance;

    /// <summary>NTK step: Θ^{l+1} = K^{l+1} + σ_w²·Ṫ·Θ^l, with K^{l+1} from <see cref="NextNngp"/>.</summary>
    /// <param name="nextNngp">K^{l+1}(x, x').</param>
    /// <param name="weightVariance">σ_w² of layer l + 1.</param>
    /// <param name="tDot">Ṫ = E[φ'(u)φ'(v)] at layer l.</param>
    /// <param name="ntk">Θ^l(x, x').</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NextNtk(double nextNngp, double weightVariance, double tDot, double ntk) =>
        nextNngp + weightVariance * tDot * ntk;

    /// <summary>
    /// Weighted-NTK step: Θ_w^{l+1} = w_W·σ_w²·K̃ + w_b·σ_b² + σ_w²·Ṫ·Θ_w^l, with w_W, w_b the group weights of
    /// layer l + 1's weights and bias. With w_W = w_b = 1 it equals <see cref="NextNtk"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NextWeightedNtk(double weightGroupWeight, double biasGroupWeight, double weightVariance,
        double biasVariance, double kTilde, double tDot, double weightedNtk) =>
        weightGroupWeight * weightVariance * kTilde + biasGroupWeight * biasVariance + weightVariance * tDot * weightedNtk;

    /// <summary>
    /// Both unweighted steps at once: K ← σ_w²·K̃ + σ_b², Θ ← K_new + σ_w²·Ṫ·Θ (in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(double weightVariance, double biasVariance, double kTilde, double tDot, ref double nngp, ref double ntk)
    {
        nngp = weightVariance * kTilde + biasVariance;
        ntk = nngp + weightVariance * tDot * ntk;
    }
}
