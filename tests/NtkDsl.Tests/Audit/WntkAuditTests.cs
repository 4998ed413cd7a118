using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Audit;

/// <summary>
/// Weighted NTK and per-group blocks against J·D·Jᵀ with D laid out BY HAND from the documented parameter order
/// (math.md §1, §3), not from <see cref="GroupWeights.PerParameter"/> or <see cref="ModelInfo.Groups"/>: the existing
/// NtkTests.WntkEqualsJDJtAndIsLinearInTheWeights builds D with the library's own PerParameter and checks only Full
/// mode against it (Trace only through linearity and unit weights), and on 2–5 rows; SpatialNtkTests covers the
/// image models. Here: every mode, x1 ≠ x2 and symmetric, N = 1, a prime N, and N crossing the Trace (1024) and
/// Full (512) tiles, a float32 twin, and an output activation in the standard parameterization.
/// </summary>
public sealed class WntkAuditTests(ITestOutputHelper output)
{
    private const int K = 3, P = 105;

    // Non-uniform weights with one exact zero; H2 has no bias group.
    private static GroupWeights Weights() => new GroupWeights(defaultWeight: 9.0) // default unused: every group is named
        .Weights("H1", 0.3).Bias("H1", 2.5).Weights("H2", 0.0).Weights("Out", 1.7).Bias("Out", 0.05);

    /// <summary>D per parameter from the layout written in <see cref="AuditMlp"/>'s comment.</summary>
    private static double[] HandD()
    {
        var d = new double[P];
        void Fill(int from, int count, double w) { for (int i = from; i < from + count; i++) d[i] = w; }
        Fill(0, 35, 0.3); Fill(35, 7, 2.5); Fill(42, 42, 0.0); Fill(84, 18, 1.7); Fill(102, 3, 0.05);
        return d;
    }

    [Fact]
    public void GroupsAndParameterOrderAreTheDocumentedLayout()
    {
        var info = AuditMlp.Info;
        Assert.Equal(P, info.ParameterCount);
        var groups = info.Groups.Select(g => (g.Key, g.Offset, g.Count)).ToArray();
        Assert.Equal([("H1.Weights", 0, 35), ("H1.Bias", 35, 7), ("H2.Weights", 42, 42), ("Out.Weights", 84, 18), ("Out.Bias", 102, 3)], groups);
        // GetParameters order: the live tensors of each layer, weights (out × in row-major) then bias.
        var m = new AuditMlp(3);
        var p = m.GetParameters();
        Assert.Equal(m.H1.Weights.ToFlatArray(), p[..35]);
        Assert.Equal(m.H1.Bias!.ToFlatArray(), p[35..42]);
        Assert.Equal(m.H2.Weights.ToFlatArray(), p[42..84]);
        Assert.Null(m.H2.Bias);
        Assert.Equal(m.Out.Weights.ToFlatArray(), p[84..102]);
        Assert.Equal(m.Out.Bias!.ToFlatArray(), p[102..]);
        // The hand-built D is what the library resolves too (so a mismatch below is in the kernel, not the layout).
        Assert.Equal(HandD(), Weights().PerParameter(info));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 4)]
    [InlineData(13, 0)]
    [InlineData(1, 5)]
    public void WntkEveryModeEqualsJDJt(int n1, int n2)
    {
        var model = new AuditMlp(11);
        var x1 = AuditReference.Inputs(n1, 5, 100 + n1);
        var x2 = n2 == 0 ? null : AuditReference.Inputs(n2, 5, 200 + n2);
        var j1 = Zoo.JacobianMatrix(model, x1);
        var j2 = x2 is null ? j1 : Zoo.JacobianMatrix(model, x2);
        var full = AuditReference.Jdjt(j1, j2, K, HandD());
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
            AuditReference.Check(output, AuditReference.InMode(full, mode), model.Wntk(x1, x2, Weights(), mode).ToFlatArray(), 1e-12, $"Wntk {mode} {n1}x{(x2 is null ? n1 : n2)}");
        if (x2 is null)
            foreach (var mode in new[] { NtkMode.Diagonal, NtkMode.DiagonalFull })
                AuditReference.Check(output, AuditReference.InMode(full, mode), model.Wntk(x1, null, Weights(), mode).ToFlatArray(), 1e-12, $"Wntk {mode} {n1}");
    }

    [Fact]
    public void PerGroupBlocksInEveryModeAreJacobianColumnSlicesAndCombineToWntk()
    {
        var model = new AuditMlp(12);
        var x1 = AuditReference.Inputs(11, 5, 300);
        var x2 = AuditReference.Inputs(6, 5, 301);
        var j1 = Zoo.JacobianMatrix(model, x1);
        var j2 = Zoo.JacobianMatrix(model, x2);
        (int Offset, int Count)[] slices = [(0, 35), (35, 7), (42, 42), (84, 18), (102, 3)];
        foreach (var (x2m, j2m, modes) in new[] { (x2, j2, new[] { NtkMode.Trace, NtkMode.Full }),
                                                 ((Tensor?)null, j1, new[] { NtkMode.Trace, NtkMode.Full, NtkMode.Diagonal, NtkMode.DiagonalFull }) })
            foreach (var mode in modes)
            {
                var blocks = model.NtkPerGroup(x1, x2m, mode);
                Assert.Equal(slices.Length, blocks.Count);
                for (int g = 0; g < slices.Length; g++)
                {
                    var d = new double[P];
                    Array.Fill(d, 1.0, slices[g].Offset, slices[g].Count);
                    AuditReference.Check(output, AuditReference.InMode(AuditReference.Jdjt(j1, j2m, K, d), mode), blocks[g].ToFlatArray(), 1e-12,
                        $"block {blocks.Groups[g].Key} {mode} {(x2m is null ? "sym" : "cross")}");
                }
                var combined = blocks.Combine(Weights()).ToFlatArray();
                AuditReference.Check(output, model.Wntk(x1, x2m, Weights(), mode).ToFlatArray(), combined, 1e-13, $"Combine vs Wntk {mode}");
                AuditReference.Check(output, model.Ntk(x1, x2m, mode).ToFlatArray(), blocks.Sum().ToFlatArray(), 1e-13, $"Sum vs Ntk {mode}");
            }
    }

    [Theory]
    [InlineData(NtkMode.Trace, 1100)]
    [InlineData(NtkMode.Full, 600)]
    public void ManyRowsCrossTilesAndStillEqualJDJt(NtkMode mode, int n)
    {
        var model = new AuditMlp(13);
        var x = AuditReference.Inputs(n, 5, 400);
        var xc = AuditReference.Inputs(n / 2 + 3, 5, 401); // cross kernel: a column count that is not a tile multiple
        var j = Zoo.JacobianMatrix(model, x);
        var jc = Zoo.JacobianMatrix(model, xc);
        var d = HandD();
        var sym = model.Wntk(x, null, Weights(), mode);
        var cross = model.Wntk(x, xc, Weights(), mode);
        var diag = model.Wntk(x, null, Weights(), mode == NtkMode.Trace ? NtkMode.Diagonal : NtkMode.DiagonalFull);
        var rng = new Random(402);
        double worst = 0, scale = 0;
        // Every row and column tile meets at least one sampled pair (corners of the tile grid included).
        var pairs = Enumerable.Range(0, 500).Select(_ => (rng.Next(n), rng.Next(n)))
            .Concat([(0, 0), (n - 1, n - 1), (n - 1, 0), (0, n - 1), (511, 512), (512, 511), (1023, 1024), (1024, 1023)])
            .Where(ab => ab.Item1 < n && ab.Item2 < n).ToList();
        foreach (var (a, b) in pairs)
        {
            int bc = b % xc.Rows;
            double traceS = 0, traceC = 0;
            for (int c = 0; c < K; c++)
                for (int c2 = 0; c2 < K; c2++)
                {
                    double e = 0, ec = 0;
                    for (int q = 0; q < P; q++)
                    {
                        e += j[a * K + c, q] * d[q] * j[b * K + c2, q];
                        ec += j[a * K + c, q] * d[q] * jc[bc * K + c2, q];
                    }
                    scale = Math.Max(scale, Math.Abs(e));
                    if (mode == NtkMode.Full)
                        worst = Math.Max(worst, Math.Max(Math.Abs(e - sym[a, b, c, c2]), Math.Abs(ec - cross[a, bc, c, c2])));
                    else if (c == c2) { traceS += e / K; traceC += ec / K; }
                }
            if (mode == NtkMode.Trace)
            {
                worst = Math.Max(worst, Math.Max(Math.Abs(traceS - sym[a, b]), Math.Abs(traceC - cross[a, bc])));
                Assert.Equal(sym[a, b], sym[b, a]);
            }
            else Assert.Equal(sym[a, b, 0, 1], sym[b, a, 1, 0]);
        }
        // The diagonal mode equals the diagonal of the symmetric kernel computed in tiles.
        double worstDiag = 0;
        for (int a = 0; a < n; a++)
        {
            if (mode == NtkMode.Trace) worstDiag = Math.Max(worstDiag, Math.Abs(diag.GetFlat(a) - sym[a, a]));
            else
                for (int c = 0; c < K; c++)
                    for (int c2 = 0; c2 < K; c2++) worstDiag = Math.Max(worstDiag, Math.Abs(diag[a, c, c2] - sym[a, a, c, c2]));
        }
        output.WriteLine($"{mode} N={n}: worst |Wntk − JDJᵀ| / scale = {worst / scale:E2}; diagonal mode vs kernel diagonal {worstDiag / scale:E2}");
        Assert.True(worst <= 1e-12 * scale, $"worst {worst / scale:E3}");
        Assert.True(worstDiag <= 1e-12 * scale, $"diagonal {worstDiag / scale:E3}");
    }

    [Fact]
    public void Float32ModelAgreesWithTheFloat64ModelInEveryMode()
    {
        var m32 = new AuditMlp32(14);
        var m64 = new AuditMlp(0);
        m64.SetParameters(m32.GetParameters()); // float32 values widen exactly
        var x1 = AuditReference.Inputs(9, 5, 500);
        var x2 = AuditReference.Inputs(4, 5, 501);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
            AuditReference.Check(output, m64.Wntk(x1, x2, Weights(), mode).ToFlatArray(),
                m32.Wntk(x1.To(DType.Float32), x2.To(DType.Float32), Weights(), mode).To(DType.Float64).ToFlatArray(), 1e-5, $"f32 Wntk {mode}");
        foreach (var mode in new[] { NtkMode.Diagonal, NtkMode.DiagonalFull })
            AuditReference.Check(output, m64.Wntk(x1, null, Weights(), mode).ToFlatArray(),
                m32.Wntk(x1.To(DType.Float32), null, Weights(), mode).To(DType.Float64).ToFlatArray(), 1e-5, $"f32 Wntk {mode}");
        var b32 = m32.NtkPerGroup(x1.To(DType.Float32), x2.To(DType.Float32), NtkMode.Full);
        var b64 = m64.NtkPerGroup(x1, x2, NtkMode.Full);
        for (int g = 0; g < b64.Count; g++)
            AuditReference.Check(output, b64[g].ToFlatArray(), b32[g].To(DType.Float64).ToFlatArray(), 1e-5, $"f32 block {b64.Groups[g].Key}");
    }

    [Fact]
    public void OutputActivationInTheStandardParameterizationEqualsJDJt()
    {
        var model = new AuditOutAct(15);
        var info = AuditOutAct.Info;
        // Layout by hand: H1.W 6×4 = 24, H1.b 6, Out.W 3×6 = 18, Out.b 3.
        Assert.Equal([("H1.Weights", 0, 24), ("H1.Bias", 24, 6), ("Out.Weights", 30, 18), ("Out.Bias", 48, 3)], info.Groups.Select(g => (g.Key, g.Offset, g.Count)).ToArray());
        var w = new GroupWeights().Weights("H1", 0.2).Bias("H1", 3.0).Weights("Out", 1.1).Bias("Out", 0.0);
        var d = new double[51];
        for (int i = 0; i < 51; i++) d[i] = i < 24 ? 0.2 : i < 30 ? 3.0 : i < 48 ? 1.1 : 0.0;
        var x1 = AuditReference.Inputs(8, 4, 600);
        var x2 = AuditReference.Inputs(5, 4, 601);
        var full = AuditReference.Jdjt(Zoo.JacobianMatrix(model, x1), Zoo.JacobianMatrix(model, x2), 3, d);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
            AuditReference.Check(output, AuditReference.InMode(full, mode), model.Wntk(x1, x2, w, mode).ToFlatArray(), 1e-12, $"out-act Wntk {mode}");
        var fullSym = AuditReference.Jdjt(Zoo.JacobianMatrix(model, x1), Zoo.JacobianMatrix(model, x1), 3, d);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full, NtkMode.Diagonal, NtkMode.DiagonalFull })
            AuditReference.Check(output, AuditReference.InMode(fullSym, mode), model.Wntk(x1, null, w, mode).ToFlatArray(), 1e-12, $"out-act Wntk sym {mode}");
    }
}
