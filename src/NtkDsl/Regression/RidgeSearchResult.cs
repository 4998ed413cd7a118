using System.Globalization;
using System.Text;

namespace NtkDsl.Regression;

/// <summary>The outcome of a ridge search over a grid: one validation score per ridge and the best one.</summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class RidgeSearchResult
{
    internal RidgeSearchResult(string method, double[] ridges, double[] scores)
    {
        Method = method;
        Ridges = ridges;
        Scores = scores;
        int best = -1;
        for (int i = 0; i < scores.Length; i++)
            if (double.IsFinite(scores[i]) && (best < 0 || scores[i] < scores[best])) best = i;
        BestIndex = best;
    }

    /// <summary>How the scores were computed, e.g. "leave-one-out" or "5-fold (seed 0)".</summary>
    public string Method { get; }

    /// <summary>The ridges tried, in the order given.</summary>
    public IReadOnlyList<double> Ridges { get; }

    /// <summary>
    /// Mean squared validation error over all held-out entries (rows × target columns) for each ridge;
    /// +∞ where K + λI (or a fold's training block) is not positive definite.
    /// </summary>
    public IReadOnlyList<double> Scores { get; }

    /// <summary>Index of the lowest score (the first one on ties).</summary>
    public int BestIndex { get; }

    /// <summary>The ridge with the lowest score.</summary>
    public double BestRidge => Ridges[BestIndex];

    /// <summary>The lowest score.</summary>
    public double BestScore => Scores[BestIndex];

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Ridge search ({Method}): best ridge {BestRidge:G6}, score {BestScore:G6}");
        for (int i = 0; i < Ridges.Count; i++)
            sb.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  ridge {Ridges[i]:G6}: {Scores[i]:G6}");
        return sb.ToString();
    }
}
