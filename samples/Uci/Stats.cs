using NtkDsl;
namespace Uci;

/// <summary>Mean and standard error over splits.</summary>
internal static class Stats
{
    public static double Mean(IReadOnlyList<double> x) => x.Average();

    /// <summary>Sample standard deviation / √n (0 for a single split).</summary>
    public static double StdErr(IReadOnlyList<double> x)
    {
        if (x.Count < 2) return 0;
        double m = Mean(x);
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1) / x.Count);
    }

    public static double Rmse(Tensor pred, Tensor truth)
    {
        double s = 0;
        for (int i = 0; i < truth.Rows; i++) s += Math.Pow(pred[i, 0] - truth[i, 0], 2);
        return Math.Sqrt(s / truth.Rows);
    }
}

/// <summary>The scores of one data set.</summary>
internal sealed record DatasetResult(UciDataset Spec, int Splits, Dictionary<string, List<double>> Scores)
{
    public string Cell(string method) => Scores.TryGetValue(method, out var v)
        ? (Spec.Name == "wine-quality-red" ? $"{Stats.Mean(v):F3} ± {Stats.StdErr(v):F3}" : $"{Stats.Mean(v):F2} ± {Stats.StdErr(v):F2}")
        : "–";
}
