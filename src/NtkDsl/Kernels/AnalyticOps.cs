namespace NtkDsl.Kernels;

/// <summary>Helpers of the generated infinite-width kernels.</summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).</remarks>
public static class AnalyticOps
{
    /// <summary>|x_i|²/d for each of the n rows of a row-major n × d array (the input-layer variance x·x/d).</summary>
    public static double[] MeanSquares(ReadOnlySpan<double> x, int n, int d)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            var row = x.Slice(i * d, d);
            for (int j = 0; j < d; j++) s += row[j] * row[j];
            r[i] = s / d;
        }
        return r;
    }
}
