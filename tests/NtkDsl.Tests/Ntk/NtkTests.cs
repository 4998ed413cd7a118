using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Ntk;

/// <summary>The structured NTK against explicit J·Jᵀ (and J·D·Jᵀ) built from the Jacobian.</summary>
public sealed class NtkTests
{
    public static TheoryData<string> Names => Zoo.Names();

    private static double[,,,] Explicit(double[,] j1, double[,] j2, int n1, int n2, int k, double[]? d = null)
    {
        int p = j1.GetLength(1);
        var t = new double[n1, n2, k, k];
        for (int a = 0; a < n1; a++)
            for (int b = 0; b < n2; b++)
                for (int c = 0; c < k; c++)
                    for (int c2 = 0; c2 < k; c2++)
                    {
                        double s = 0;
                        for (int q = 0; q < p; q++) s += j1[a * k + c, q] * j2[b * k + c2, q] * (d?[q] ?? 1.0);
                        t[a, b, c, c2] = s;
                    }
        return t;
    }

    private static double[] FullFlat(double[,,,] t) => t.Cast<double>().ToArray();

    private static double[] TraceFlat(double[,,,] t)
    {
        int n1 = t.GetLength(0), n2 = t.GetLength(1), k = t.GetLength(2);
        var r = new double[n1 * n2];
        for (int a = 0; a < n1; a++)
            for (int b = 0; b < n2; b++)
            {
                double s = 0;
                for (int c = 0; c < k; c++) s += t[a, b, c, c];
                r[a * n2 + b] = s / k;
            }
        return r;
    }

    [Theory, MemberData(nameof(Names))]
    public void EveryModeEqualsExplicitJJt(string name)
    {
        var model = Zoo.Create(name, seed: 4);
        int k = model.Info.Outputs;
        var x1 = Zoo.RandomInputs(5, model.Info.Inputs, 21);
        var x2 = Zoo.RandomInputs(3, model.Info.Inputs, 22);
        var j1 = Zoo.JacobianMatrix(model, x1);
        var j2 = Zoo.JacobianMatrix(model, x2);
        var t12 = Explicit(j1, j2, 5, 3, k);
        var t11 = Explicit(j1, j1, 5, 5, k);
        Close.Relative(FullFlat(t12), model.Ntk(x1, x2, NtkMode.Full).ToFlatArray(), 1e-12, "full");
        Close.Relative(TraceFlat(t12), model.Ntk(x1, x2).ToFlatArray(), 1e-12, "trace");
        Close.Relative(FullFlat(t11), model.Ntk(x1, null, NtkMode.Full).ToFlatArray(), 1e-12, "full symmetric");
        Close.Relative(TraceFlat(t11), model.Ntk(x1).ToFlatArray(), 1e-12, "trace symmetric");
        var diag = new double[5];
        var diagFull = new double[5 * k * k];
        for (int a = 0; a < 5; a++)
        {
            double s = 0;
            for (int c = 0; c < k; c++)
            {
                s += t11[a, a, c, c];
                for (int c2 = 0; c2 < k; c2++) diagFull[(a * k + c) * k + c2] = t11[a, a, c, c2];
            }
            diag[a] = s / k;
        }
        Close.Relative(diag, model.Ntk(x1, null, NtkMode.Diagonal).ToFlatArray(), 1e-12, "diagonal");
        Close.Relative(diagFull, model.Ntk(x1, null, NtkMode.DiagonalFull).ToFlatArray(), 1e-12, "diagonal full");
    }

    [Theory, MemberData(nameof(Names))]
    public void PerGroupBlocksSumToNtkAndEachIsItsJacobianSlice(string name)
    {
        var model = Zoo.Create(name, seed: 5);
        int k = model.Info.Outputs;
        var x1 = Zoo.RandomInputs(4, model.Info.Inputs, 23);
        var x2 = Zoo.RandomInputs(3, model.Info.Inputs, 24);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
        {
            var blocks = model.NtkPerGroup(x1, x2, mode);
            Assert.Equal(model.Info.Groups.Count, blocks.Count);
            Close.Relative(model.Ntk(x1, x2, mode), blocks.Sum(), 1e-12, "sum " + mode);
        }
        var j1 = Zoo.JacobianMatrix(model, x1);
        var j2 = Zoo.JacobianMatrix(model, x2);
        var perGroup = model.NtkPerGroup(x1, x2, NtkMode.Full);
        foreach (var g in model.Info.Groups)
        {
            var d = new double[model.Info.ParameterCount];
            Array.Fill(d, 1.0, g.Offset, g.Count);
            Close.Relative(FullFlat(Explicit(j1, j2, 4, 3, k, d)), perGroup[g.Key].ToFlatArray(), 1e-12, g.Key);
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void WntkEqualsJDJtAndIsLinearInTheWeights(string name)
    {
        var model = Zoo.Create(name, seed: 6);
        int k = model.Info.Outputs;
        var x1 = Zoo.RandomInputs(4, model.Info.Inputs, 25);
        var x2 = Zoo.RandomInputs(2, model.Info.Inputs, 26);
        Close.Relative(model.Ntk(x1, x2), model.Wntk(x1, x2, GroupWeights.Ones), 1e-14, "ones");
        var rng = new NormalSampler(27);
        var w1 = model.Info.Groups.Select(_ => Math.Abs(rng.NextNormal())).ToArray();
        var w2 = model.Info.Groups.Select(_ => Math.Abs(rng.NextNormal())).ToArray();
        var gw1 = GroupWeights.FromVector(model.Info, w1);
        var gw2 = GroupWeights.FromVector(model.Info, w2);
        var j1 = Zoo.JacobianMatrix(model, x1);
        var j2 = Zoo.JacobianMatrix(model, x2);
        var expected = Explicit(j1, j2, 4, 2, k, gw1.PerParameter(model.Info));
        Close.Relative(FullFlat(expected), model.Wntk(x1, x2, gw1, NtkMode.Full).ToFlatArray(), 1e-12, "J D J^T");
        // Linearity: Θ_{2·w1 + 3·w2} = 2Θ_{w1} + 3Θ_{w2}.
        var combo = GroupWeights.FromVector(model.Info, w1.Zip(w2, (a, b) => 2 * a + 3 * b).ToArray());
        var lhs = model.Wntk(x1, x2, combo);
        var rhs = model.Wntk(x1, x2, gw1).Clone();
        TensorOps.AddScaled(rhs, rhs, 1.0);
        TensorOps.AddScaled(rhs, model.Wntk(x1, x2, gw2), 3.0);
        Close.Relative(rhs, lhs, 1e-12, "linearity");
    }

    [Theory, MemberData(nameof(Names))]
    public void TrainingKernelIsSymmetricPositiveSemidefinite(string name)
    {
        var model = Zoo.Create(name, seed: 7);
        var x = Zoo.RandomInputs(12, model.Info.Inputs, 28);
        var t = model.Ntk(x).ToArray();
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
                Assert.Equal(t[i, j], t[j, i]);
        var evd = Matrix<double>.Build.DenseOfArray(t).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        double max = evd.EigenValues.Max(e => e.Real);
        Assert.All(evd.EigenValues, e => Assert.True(e.Real >= -1e-12 * max, $"eigenvalue {e.Real} < 0"));
    }

    [Fact]
    public void ManyTilesAndFeatureBlocksAgreeWithExplicitJJt()
    {
        // 1,100 rows: two Trace tiles of 1,024 (the second ragged) and two feature blocks of 1,024 rows, so every mirror/offset path runs.
        var model = new Models.ReluNet(8);
        var x = Zoo.RandomInputs(1100, 3, 29);
        var j = Zoo.JacobianMatrix(model, x);
        int n = 1100, k = 2, p = j.GetLength(1);
        var ntk = model.Ntk(x).ToFlatArray();
        var rng = new Random(30);
        for (int s = 0; s < 400; s++)
        {
            int a = rng.Next(n), b = rng.Next(n);
            double e = 0;
            for (int c = 0; c < k; c++)
                for (int q = 0; q < p; q++) e += j[a * k + c, q] * j[b * k + c, q];
            e /= k;
            Assert.True(Math.Abs(e - ntk[a * n + b]) <= 1e-12 * Math.Max(1, Math.Abs(e)), $"({a},{b}): {ntk[a * n + b]} vs {e}");
            Assert.Equal(ntk[a * n + b], ntk[b * n + a]);
        }
        var x2 = x.SliceRows(0, 600);
        var cross = model.Ntk(x, x2).ToFlatArray();
        for (int s = 0; s < 200; s++)
        {
            int a = rng.Next(n), b = rng.Next(600);
            Assert.True(Math.Abs(cross[a * 600 + b] - ntk[a * n + b]) <= 1e-12 * Math.Max(1, Math.Abs(ntk[a * n + b])));
        }
    }

    [Fact]
    public void ProgressIsReportedAndCancellationIsHonoured()
    {
        var model = new Models.ReluNet(9);
        var x = Zoo.RandomInputs(2 * NtkDsl.Kernels.NtkAssembler.TraceTile + 76, 3, 31);
        var reports = new List<NtkProgress>();
        model.Ntk(x, null, NtkMode.Trace, new SyncProgress(reports.Add));
        Assert.Equal(6, reports.Count); // 3 row tiles (the last of 76) → 6 lower-triangle tiles
        Assert.Equal(1.0, reports[^1].Fraction);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => model.Ntk(x, null, NtkMode.Trace, null, cts.Token));
    }

    private sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
    {
        public void Report(NtkProgress value) => report(value);
    }
}
