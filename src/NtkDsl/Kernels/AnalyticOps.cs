using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NtkDsl.Kernels;

/// <summary>Helpers of the generated infinite-width kernels.</summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).
/// <para>Infrastructure for generated code; not part of the supported API.</para></remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class AnalyticOps
{
    /// <summary>|x_i|²/d for each of the n rows of a row-major n × d array (the input-layer variance x·x/d); throws
    /// <see cref="NonFiniteResultException"/> naming the row when it overflows.</summary>
    public static double[] MeanSquares(ReadOnlySpan<double> x, int n, int d)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * d, d);
            r[i] = Analytic.AnalyticGram.MeanDot(row, row); // the Gram's loop for equal rows (AnalyticGram remarks)
        }
        // |x|²/d overflows before anything else of an analytic kernel does: name the row, never let ∞ reach the recursion.
        FiniteChecks.Block<double>(r, 1, "Infinite-width kernel: the input-layer variance |x|²/d");
        return r;
    }

    /// <summary>
    /// Throws the <see cref="NonFiniteResultException"/> of an infinite-width recursion whose pre-activation variance
    /// q = σ_w²·E[φ(h)²] + σ_b² (math.md §3) overflowed at layer <paramref name="layer"/> of <paramref name="info"/> for
    /// input row <paramref name="row"/>; called by the generated diagonal chain before the value reaches the next dual
    /// kernel. The message names the model, the layer, its σ values and the fix.
    /// </summary>
    /// <exception cref="NonFiniteResultException">Always.</exception>
    [DoesNotReturn]
    public static void ThrowVarianceOverflow(ModelInfo info, int layer, int row, double value)
    {
        ArgumentNullException.ThrowIfNull(info);
        var l = info.Layers[layer];
        throw VarianceOverflow(info.Name, l.Name, string.Create(CultureInfo.InvariantCulture,
            $"{l.Kind}, {l.ActivationName}, WeightStd σ_w = {l.WeightStd:G6}, BiasStd σ_b = {(l.UseBias ? l.BiasStd : 0.0):G6}"), row, value);
    }

    /// <summary>The exception of <see cref="ThrowVarianceOverflow"/> for any model or recursion (the analytic MLP's too).</summary>
    internal static NonFiniteResultException VarianceOverflow(string model, string layer, string description, int row, double value) =>
        new(string.Create(CultureInfo.InvariantCulture,
                $"{model}, layer '{layer}' ({description}): the infinite-width pre-activation variance q = σ_w²·E[φ(h)²] + σ_b² ")
            + "(each layer multiplies it by about σ_w²: lower WeightStd of this layer or of the layers before it; σ_w ≈ 1–2 keeps q near the input's |x|²/d)",
            row, -1, value);
}
