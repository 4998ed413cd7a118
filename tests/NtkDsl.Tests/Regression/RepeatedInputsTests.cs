using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Regression;

namespace NtkDsl.Tests.Regression;

/// <summary>
/// <see cref="NtkRegressorOptions.RepeatedRows"/>: the merge and the copy removal against LINQ group-bys, the merged
/// regressor's predictions against the dense GP formulas with every repeated row kept (the posterior given replicated
/// observations depends on them only through their means and counts), the copy-dropping regressor against a regressor
/// fitted on rows deduplicated by hand, and the learned noise on data made of exact row copies.
/// </summary>
public sealed class RepeatedInputsTests
{
    [Fact]
    public void MergeKeepsFirstOccurrencesWithMeanTargetsAndCounts()
    {
        double[] x = [1, 2, 3, 4, 1, 2, 5, 6, 1, 2, 3, 4];
        double[] y = [10, 20, 30, 40, 50, 60];
        var (xu, yu, counts) = RepeatedInputs.Merge(Tensor.FromArray(x, 6, 2), Tensor.FromArray(y, 6, 1));
        var groups = Enumerable.Range(0, 6).GroupBy(i => (x[2 * i], x[2 * i + 1])).ToArray(); // first-occurrence order
        Assert.Equal(groups.Length, xu.Rows);
        for (int g = 0; g < groups.Length; g++)
        {
            Assert.Equal(groups[g].Key.Item1, xu[g, 0]);
            Assert.Equal(groups[g].Key.Item2, xu[g, 1]);
            Assert.Equal(groups[g].Average(i => y[i]), yu[g, 0], 1e-14);
            Assert.Equal(groups[g].Count(), counts![g]);
        }
        var (same, _, none) = RepeatedInputs.Merge(Tensor.FromArray([1.0, 2, 3, 4], 2, 2), Tensor.FromArray([1.0, 2], 2, 1));
        Assert.Null(none);
        Assert.Equal(2, same.Rows);
    }

    private static (double[] X, double[] Y) Data(int distinct, int d, long seed, double noise, bool exactCopies)
    {
        var s = new NormalSampler(seed);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int g = 0; g < distinct; g++)
        {
            double[] row = Enumerable.Range(0, d).Select(_ => s.NextNormal()).ToArray();
            double y = 5 + 2 * Math.Sin(1.3 * row[0]) + row[1] + noise * s.NextNormal();
            int copies = 1 + g % 3;
            for (int c = 0; c < copies; c++)
            {
                xs.AddRange(row);
                ys.Add(exactCopies ? y : y + noise * s.NextNormal());
            }
        }
        return (xs.ToArray(), ys.ToArray());
    }

    [Fact]
    public void MergedRegressorPredictsWithTheDenseGpOfAllRows()
    {
        const int d = 3, m = 10;
        var (x, y) = Data(50, d, 31, 0.2, exactCopies: false);
        int n = y.Length;
        var (xt, _) = Data(m, d, 32, 0.2, exactCopies: false);
        xt = xt.Take(m * d).ToArray();
        // Two test rows repeat training inputs.
        Array.Copy(x, 0, xt, 0, d);
        Array.Copy(x, 5 * d, xt, d, d);
        var reg = NtkRegressor.Fit(Tensor.FromArray(x, n, d), Tensor.FromArray(y, n),
            new NtkRegressorOptions { Weights = NtkRegressorWeights.InputScales, Depths = [2], RepeatedRows = RepeatedTrainingRows.MergeMeans });
        Assert.Equal(n, reg.TrainRows);
        Assert.True(reg.TrainSize < n);

        double[] mean = new double[d], sd = new double[d];
        for (int f = 0; f < d; f++)
        {
            for (int i = 0; i < n; i++) mean[f] += x[i * d + f] / n;
            for (int i = 0; i < n; i++) sd[f] += Math.Pow(x[i * d + f] - mean[f], 2) / n;
            sd[f] = Math.Sqrt(sd[f]);
        }
        double my = y.Average(), sy = Math.Sqrt(y.Select(v => (v - my) * (v - my)).Average());
        var scales = reg.InputScales!;
        Tensor Scaled(double[] raw, int rows) => Tensor.FromArray(Enumerable.Range(0, rows * d)
            .Select(q => (raw[q] - mean[q % d]) / sd[q % d] * scales[q % d]).ToArray(), rows, d);
        var net = reg.Network;
        var k = net.Ntk(Scaled(x, n));
        var kx = net.Ntk(Scaled(xt, m), Scaled(x, n));
        var kss = net.Ntk(Scaled(xt, m));
        double rho = reg.Ridge;
        // Every row kept: A = K + ρI over all n rows.
        var a = Matrix<double>.Build.Dense(n, n, (i, j) => k[i, j] + (i == j ? rho : 0));
        var t = Vector<double>.Build.Dense(n, i => (y[i] - my) / sy);
        var alpha = a.Solve(t);
        // The amplitude of the group-mean likelihood: ȳᵀ(K_u + ρ·diag(1/c))⁻¹ȳ / u over the distinct inputs.
        var groups = Enumerable.Range(0, n).GroupBy(i => string.Join(",", Enumerable.Range(0, d).Select(f => x[i * d + f]))).ToArray();
        int u = groups.Length;
        Assert.Equal(u, reg.TrainSize);
        var au = Matrix<double>.Build.Dense(u, u, (p, q) => k[groups[p].First(), groups[q].First()] + (p == q ? rho / groups[p].Count() : 0));
        var ybar = Vector<double>.Build.Dense(u, p => groups[p].Average(i => t[i]));
        double s2 = ybar * au.Solve(ybar) / u;
        Assert.Equal(s2, reg.Amplitude, 1e-8 * s2);
        // The relative noise refers to the mean diagonal over the distinct inputs.
        var p = reg.Predict(Tensor.FromArray(xt, m, d));
        for (int j = 0; j < m; j++)
        {
            var kj = Vector<double>.Build.Dense(n, i => kx[j, i]);
            double mu = (kj * alpha) * sy + my;
            double latent = s2 * (kss[j, j] - kj * a.Solve(kj)) * sy * sy;
            Assert.Equal(mu, p.Mean.AsSpan()[j], 1e-7 * Math.Abs(mu));
            Assert.Equal(latent, p.LatentVariance.AsSpan()[j], 1e-6 * latent + 1e-12);
            Assert.Equal(latent + s2 * rho * sy * sy, p.Variance.AsSpan()[j], 1e-6 * p.Variance.AsSpan()[j]);
        }
    }

    [Fact]
    public void ExactCopiesOfRowsDoNotCollapseTheLearnedNoise()
    {
        // Each distinct input appears 1–3 times with the same target (copied records, as in wine-quality-red). Kept
        // apart, the copies make the likelihood grow without bound as the noise → 0; merged, the noise stays near the
        // true noise variance 0.3² (in standardized units 0.09/σ_y²).
        const int d = 3;
        var (x, y) = Data(120, d, 41, 0.3, exactCopies: true);
        int n = y.Length;
        double sy2 = y.Select(v => (v - y.Average()) * (v - y.Average())).Average();
        double truth = 0.09 / sy2;
        NtkRegressor Fit(RepeatedTrainingRows repeats) => NtkRegressor.Fit(Tensor.FromArray(x, n, d), Tensor.FromArray(y, n),
            new NtkRegressorOptions { Weights = NtkRegressorWeights.InputScales, Depths = [1], RepeatedRows = repeats });
        var merged = Fit(RepeatedTrainingRows.MergeMeans);
        var dropped = Fit(RepeatedTrainingRows.DropCopies);
        var apart = Fit(RepeatedTrainingRows.Keep);
        Assert.InRange(merged.NoiseVariance, truth / 3, truth * 3);
        Assert.InRange(dropped.NoiseVariance, truth / 3, truth * 3);
        Assert.Equal(120, dropped.TrainSize);
        Assert.True(apart.NoiseVariance < truth / 100, $"kept apart: noise {apart.NoiseVariance:G3}, truth {truth:G3}");
    }

    [Fact]
    public void DropCopiesKeepsOneRowOfEachCopyAndRepeatsWithOtherTargets()
    {
        double[] x = [1, 2, 3, 4, 1, 2, 1, 2, 5, 6];
        double[] y = [10, 20, 10, 11, 30];
        var (xk, yk) = RepeatedInputs.DropCopies(Tensor.FromArray(x, 5, 2), Tensor.FromArray(y, 5, 1));
        // Reference: distinct (x0, x1, y) triples in first-occurrence order.
        var distinct = Enumerable.Range(0, 5).Select(i => (x[2 * i], x[2 * i + 1], y[i])).Distinct().ToArray();
        Assert.Equal(distinct.Length, yk.Rows);
        for (int q = 0; q < distinct.Length; q++)
            Assert.Equal(distinct[q], (xk[q, 0], xk[q, 1], yk[q, 0]));
    }

    [Fact]
    public void DropCopiesRegressorPredictsWithTheDenseGpOfHandDeduplicatedRows()
    {
        const int d = 3, m = 6;
        var (x, y) = Data(40, d, 51, 0.2, exactCopies: true);
        int n = y.Length;
        // Reference rows: first occurrence of each distinct (inputs, target) record.
        int[] rows = Enumerable.Range(0, n).DistinctBy(i => string.Join(",", Enumerable.Range(0, d).Select(f => x[i * d + f]).Append(y[i]))).ToArray();
        int u = rows.Length;
        Assert.True(u < n);
        var (xt, _) = Data(m, d, 52, 0.2, exactCopies: false);
        xt = xt.Take(m * d).ToArray();
        var reg = NtkRegressor.Fit(Tensor.FromArray(x, n, d), Tensor.FromArray(y, n),
            new NtkRegressorOptions { Weights = NtkRegressorWeights.InputScales, Depths = [2], RepeatedRows = RepeatedTrainingRows.DropCopies });
        Assert.Equal(u, reg.TrainSize);
        Assert.Equal(n, reg.TrainRows);

        // Standardization uses the statistics of every training row (copies included); the GP uses the kept rows.
        double[] mean = new double[d], sd = new double[d];
        for (int f = 0; f < d; f++)
        {
            for (int i = 0; i < n; i++) mean[f] += x[i * d + f] / n;
            for (int i = 0; i < n; i++) sd[f] += Math.Pow(x[i * d + f] - mean[f], 2) / n;
            sd[f] = Math.Sqrt(sd[f]);
        }
        double my = y.Average(), sy = Math.Sqrt(y.Select(v => (v - my) * (v - my)).Average());
        var scales = reg.InputScales!;
        double[] xk = rows.SelectMany(i => Enumerable.Range(0, d).Select(f => x[i * d + f])).ToArray();
        Tensor Scaled(double[] raw, int count) => Tensor.FromArray(Enumerable.Range(0, count * d)
            .Select(q => (raw[q] - mean[q % d]) / sd[q % d] * scales[q % d]).ToArray(), count, d);
        var k = reg.Network.Ntk(Scaled(xk, u));
        var kx = reg.Network.Ntk(Scaled(xt, m), Scaled(xk, u));
        var kss = reg.Network.Ntk(Scaled(xt, m));
        var a = Matrix<double>.Build.Dense(u, u, (i, j) => k[i, j] + (i == j ? reg.Ridge : 0));
        var t = Vector<double>.Build.Dense(u, i => (y[rows[i]] - my) / sy);
        var alpha = a.Solve(t);
        double s2 = t * alpha / u;
        Assert.Equal(s2, reg.Amplitude, 1e-8 * s2);
        var p = reg.Predict(Tensor.FromArray(xt, m, d));
        for (int j = 0; j < m; j++)
        {
            var kj = Vector<double>.Build.Dense(u, i => kx[j, i]);
            double mu = (kj * alpha) * sy + my;
            double v = s2 * (kss[j, j] - kj * a.Solve(kj) + reg.Ridge) * sy * sy;
            Assert.Equal(mu, p.Mean.AsSpan()[j], 1e-7 * Math.Abs(mu));
            Assert.Equal(v, p.Variance.AsSpan()[j], 1e-6 * v);
        }
    }
}
