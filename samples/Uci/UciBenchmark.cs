using NtkDsl;
using System.Globalization;
using NtkDsl.Analytic;
using NtkDsl.Regression;
using NtkDsl.Wntk;

namespace Uci;

/// <summary>The four kernel methods on one split.</summary>
internal static class UciBenchmark
{
    public const string AnalyticNtk = "analytic NTK";
    public const string AnalyticWntk = "learned analytic WNTK";
    public const string EmpiricalNtk = "empirical NTK";
    public const string EmpiricalWntk = "empirical WNTK";
    public const int Width = 512;
    private static readonly double[] RelativeGrid = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3];

    public sealed record SplitResult(Dictionary<string, double> Rmse, Dictionary<string, string> Details);

    public static SplitResult RunSplit(UciSplit s, UciOptions o)
    {
        var rmse = new Dictionary<string, double>();
        var details = new Dictionary<string, string>();
        int d = s.TrainX.Columns;

        // Analytic NTK: depth 1–4 and ridge by closed-form leave-one-out. From o.CoarseFrom training rows on, each
        // depth is scored on every other grid point and only the best depth's search is refined (see Search).
        bool coarse = s.TrainX.Rows >= o.CoarseFrom;
        int bestDepth = 0;
        Best? best = null;
        double[]? bestGrid = null;
        Tensor? bestKernel = null;
        for (int depth = 1; depth <= 4; depth++)
        {
            var k = AnalyticMlp.Relu(d, depth).Ntk(s.TrainX);
            double[] grid = Grid(AnalyticMlp.Relu(d, depth).Ntk(s.TrainX.SliceRows(0, Math.Min(200, s.TrainX.Rows))));
            var search = coarse ? Coarse(k, s.TrainY, grid) : Full(k, s.TrainY, grid);
            if (best is null || search.Score < best.Score) { best = search; bestDepth = depth; bestGrid = grid; bestKernel = coarse ? k : null; }
        }
        if (coarse) best = Refine(bestKernel!, s.TrainY, bestGrid!, best!);
        var net = AnalyticMlp.Relu(d, bestDepth);
        var train = net.Kernels(s.TrainX);
        var cross = net.Kernels(s.TestX, s.TrainX);
        rmse[AnalyticNtk] = Score(train.Ntk, cross.Ntk, best!.Ridge, s);
        details[AnalyticNtk] = F($"depth {bestDepth}, λ {best.Ridge:G3}");

        // Learned analytic WNTK at that depth: weights by Adam on the LOO loss (on a subset), ridge re-chosen by LOO.
        var ones = Enumerable.Repeat(1.0, net.GroupCount).ToArray();
        var learned = Learn(train.Blocks, s.TrainY, train.GroupNames, best.Ridge, o);
        rmse[AnalyticWntk] = FitWeighted(train.Combine(learned.Weights.ToArray()), cross.Combine(learned.Weights.ToArray()), s, learned.Ridge, coarse, out double ridgeW);
        details[AnalyticWntk] = F($"λ {ridgeW:G3}, LOO {learned.InitialValue:G4}→{learned.FinalValue:G4}, w [{string.Join(" ", learned.Weights.Select(w => w.ToString("G2", CultureInfo.InvariantCulture)))}]");

        if (o.Empirical)
        {
            var model = Model(d);
            var blocks = model.NtkPerGroup(s.TrainX);
            var crossBlocks = model.NtkPerGroup(s.TestX, s.TrainX);
            var ntk = blocks.Sum();
            var search = Search(ntk, s.TrainY, Grid(ntk), coarse);
            rmse[EmpiricalNtk] = Score(ntk, crossBlocks.Sum(), search.Ridge, s);
            var eb = Enumerable.Range(0, blocks.Count).Select(g => blocks[g]).ToArray();
            var el = Learn(eb, s.TrainY, blocks.Groups.Select(g => g.Key).ToArray(), search.Ridge, o);
            rmse[EmpiricalWntk] = FitWeighted(blocks.Combine(el.Weights.ToArray()), crossBlocks.Combine(el.Weights.ToArray()), s, el.Ridge, coarse, out double er);
            details[EmpiricalWntk] = F($"λ {er:G3}, w [{string.Join(" ", el.Weights.Select(w => w.ToString("G2", CultureInfo.InvariantCulture)))}]");
        }
        return new SplitResult(rmse, details);
    }

    private static INtkModel Model(int d) => d switch
    {
        4 => new Net4(seed: 0),
        6 => new Net6(seed: 0),
        8 => new Net8(seed: 0),
        11 => new Net11(seed: 0),
        _ => throw new NotSupportedException($"No finite model declared for {d} inputs."),
    };

    private static WntkLearningResult Learn(IReadOnlyList<Tensor> blocks, Tensor y, IReadOnlyList<string> names, double ridge, UciOptions o)
    {
        int n = y.Rows;
        int[] rows = n <= o.WntkRows ? Enumerable.Range(0, n).ToArray()
            : RidgeSelection.FoldIndices(n, (int)Math.Ceiling(n / (double)o.WntkRows), 7)[0].ToArray();
        var problem = new WntkProblem(blocks.Select(b => Sub(b, rows, rows)).ToArray(), Sub(y, rows, [0]), names);
        return new WntkLearner(new LeaveOneOutRidgeObjective(), new WntkLearnerOptions { Iterations = o.Iterations, StepSize = 0.1, InitialRidge = ridge }).Learn(problem);
    }

    private static double FitWeighted(Tensor kTrain, Tensor kCross, UciSplit s, double learnedRidge, bool coarse, out double ridge)
    {
        var search = Search(kTrain, s.TrainY, Grid(kTrain), coarse);
        var learnedScore = Full(kTrain, s.TrainY, [learnedRidge]);
        ridge = learnedScore.Score < search.Score ? learnedRidge : search.Ridge;
        return Score(kTrain, kCross, ridge, s);
    }

    /// <summary>The best ridge of a leave-one-out search and its score.</summary>
    private sealed record Best(double Ridge, double Score);

    /// <summary>
    /// Leave-one-out over the relative grid (half-decade steps). Coarse-to-fine for large n, where each ridge costs one
    /// O(n³) factorization: score every other point (whole decades), then the two half-decade neighbours of the best
    /// one. This finds the same ridge as the full grid whenever the LOO error is unimodal along the grid.
    /// </summary>
    private static Best Search(Tensor k, Tensor y, double[] grid, bool coarse) =>
        coarse ? Refine(k, y, grid, Coarse(k, y, grid)) : Full(k, y, grid);

    private static Best Full(Tensor k, Tensor y, double[] grid)
    {
        var r = RidgeSelection.LeaveOneOut(k, y, grid);
        return new Best(r.BestRidge, r.BestScore);
    }

    private static Best Coarse(Tensor k, Tensor y, double[] grid) => Full(k, y, grid.Where((_, i) => i % 2 == 0).ToArray());

    private static Best Refine(Tensor k, Tensor y, double[] grid, Best coarse)
    {
        int at = Array.IndexOf(grid, coarse.Ridge);
        double[] neighbours = new[] { at - 1, at + 1 }.Where(i => i >= 0 && i < grid.Length).Select(i => grid[i]).ToArray();
        if (neighbours.Length == 0) return coarse;
        var fine = Full(k, y, neighbours);
        return fine.Score < coarse.Score ? fine : coarse;
    }

    private static double Score(Tensor kTrain, Tensor kCross, double ridge, UciSplit s)
    {
        var fit = KernelRegression.Fit(kTrain, s.TrainY, ridge);
        var pred = s.TargetScaler.InverseTransform(fit.Predict(kCross));
        return Stats.Rmse(pred, s.TestY);
    }

    private static double[] Grid(Tensor k)
    {
        double mean = 0;
        for (int i = 0; i < k.Rows; i++) mean += k[i, i];
        mean /= k.Rows;
        return RelativeGrid.Select(r => r * mean).ToArray();
    }

    private static Tensor Sub(Tensor t, int[] rows, int[] cols)
    {
        var d = new double[rows.Length * cols.Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < cols.Length; j++) d[i * cols.Length + j] = t[rows[i], cols[j]];
        return Tensor.Wrap(d, rows.Length, cols.Length);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
