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
}
