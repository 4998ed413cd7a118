namespace NtkDsl.Tests.Predict;

/// <summary>
/// Sample mean and covariance of S draws of an m-vector, and z-scores of a predicted Gaussian N(μ, Σ) against them.
/// For S independent Gaussian draws, x̄_i − μ_i has standard deviation √(Σ_ii/S) and the unbiased sample covariance
/// Ŝ_ij − Σ_ij has standard deviation √((Σ_ij² + Σ_ii Σ_jj)/(S − 1)) (the Wishart variance); each z-score is the
/// deviation in those units, so |z| &gt; 4.5 has probability below 1e-5 per entry when the prediction is right.
/// </summary>
internal sealed class EnsembleStatistics(int m)
{
    private readonly List<double[]> _draws = [];

    public int Count => _draws.Count;

    public void Add(ReadOnlySpan<double> draw)
    {
        if (draw.Length != m) throw new ArgumentException("draw length");
        _draws.Add(draw.ToArray());
    }

    public double[] Mean()
    {
        var mean = new double[m];
        foreach (var d in _draws)
            for (int i = 0; i < m; i++) mean[i] += d[i] / _draws.Count;
        return mean;
    }

    public double[,] Covariance()
    {
        var mean = Mean();
        var c = new double[m, m];
        foreach (var d in _draws)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++) c[i, j] += (d[i] - mean[i]) * (d[j] - mean[j]) / (_draws.Count - 1);
        return c;
    }

    /// <summary>The largest |z| of the mean and of the covariance entries against N(μ, Σ).</summary>
    public (double Mean, double Cov) MaxZ(Tensor mu, Tensor sigma)
    {
        int s = _draws.Count;
        var mean = Mean();
        var cov = Covariance();
        double zm = 0, zc = 0;
        for (int i = 0; i < m; i++)
        {
            zm = Math.Max(zm, Math.Abs(mean[i] - mu.GetFlat(i)) / Math.Sqrt(sigma[i, i] / s));
            for (int j = 0; j < m; j++)
            {
                double sd = Math.Sqrt((sigma[i, j] * sigma[i, j] + sigma[i, i] * sigma[j, j]) / (s - 1));
                zc = Math.Max(zc, Math.Abs(cov[i, j] - sigma[i, j]) / sd);
            }
        }
        return (zm, zc);
    }
}
