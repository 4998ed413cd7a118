namespace NtkDsl.Kernels;

/// <summary>Helpers of the generated infinite-width kernels.</summary>
public static class AnalyticOps
{
    /// <summary>|x_i|²/d for each of the n rows of a row-major n × d array (the input-layer variance x·x/d).</summary>
    public static double[] MeanSquares(ReadOnlySpan<double> x, int n, int d)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * d, d);
            r[i] = Analytic.AnalyticGram.MeanDot(row, row); // the Gram's loop for equal rows (AnalyticGram remarks)
        }
        return r;
    }
}
