using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Audit;

/// <summary>
/// A GENERATED image model (odd sizes, stride 2 with circular padding, an even kernel, Add, LayerNorm, strided Same
/// pooling) through its generated members: the Jacobian against central finite differences of Forward, the NTK and a
/// non-uniform WNTK against J·D·Jᵀ, and batch independence (N = 1 calls against one call on a prime N = 7 and on
/// N = 131). The existing SpatialNetworkTests/SpatialNtkTests check the same layer kinds on SpatialNetwork built from
/// specs, not through generated code.
/// </summary>
public sealed class SpatialBatchAuditTests(ITestOutputHelper output)
{
    private const int D = 70, K = 2;

    [Fact]
    public void JacobianEqualsCentralDifferencesOfForward()
    {
        var model = new AuditOddCnn(61);
        var x = AuditReference.Inputs(3, D, 1200);
        var j = Zoo.JacobianMatrix(model, x);
        var p0 = model.GetParameters();
        int pCount = p0.Length;
        var fd = new double[j.Length];
        var jf = new double[j.Length];
        const double h = 1e-5;
        for (int q = 0; q < pCount; q++)
        {
            var p = (double[])p0.Clone();
            p[q] = p0[q] + h; model.SetParameters(p); var fp = model.Forward(x).ToFlatArray();
            p[q] = p0[q] - h; model.SetParameters(p); var fm = model.Forward(x).ToFlatArray();
            for (int r = 0; r < fp.Length; r++)
            {
                fd[r * pCount + q] = (fp[r] - fm[r]) / (2 * h);
                jf[r * pCount + q] = j[r, q];
            }
        }
        model.SetParameters(p0);
        AuditReference.Check(output, fd, jf, 1e-7, "generated CNN Jacobian vs central differences (h = 1e-5)");
    }

    [Fact]
    public void NtkAndWntkEqualJDJtAndDoNotDependOnTheBatch()
    {
        var model = new AuditOddCnn(62);
        var groups = AuditOddCnn.Info.Groups.Select(g => (g.Key, g.Offset, g.Count)).ToArray();
        // Layout by hand: C1.W 3×3×3×2 = 54, C1.b 3, C2.W 3×2×2×3 = 36, C2.b 3, Out.W 2×12 = 24, Out.b 2.
        Assert.Equal([("C1.Weights", 0, 54), ("C1.Bias", 54, 3), ("C2.Weights", 57, 36), ("C2.Bias", 93, 3), ("Out.Weights", 96, 24), ("Out.Bias", 120, 2)], groups);
        double[] w = [0.3, 2.5, 0.0, 1.1, 1.7, 0.05];
        var gw = new GroupWeights().Weights("C1", w[0]).Bias("C1", w[1]).Weights("C2", w[2]).Bias("C2", w[3]).Weights("Out", w[4]).Bias("Out", w[5]);
        var d = new double[122];
        for (int g = 0; g < groups.Length; g++) Array.Fill(d, w[g], groups[g].Offset, groups[g].Count);
        var ones = Enumerable.Repeat(1.0, 122).ToArray();
        var x1 = AuditReference.Inputs(7, D, 1210);
        var x2 = AuditReference.Inputs(3, D, 1211);
        var j1 = Zoo.JacobianMatrix(model, x1);
        var j2 = Zoo.JacobianMatrix(model, x2);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
        {
            AuditReference.Check(output, AuditReference.InMode(AuditReference.Jdjt(j1, j2, K, ones), mode), model.Ntk(x1, x2, mode).ToFlatArray(), 1e-12, $"generated CNN Ntk {mode}");
            AuditReference.Check(output, AuditReference.InMode(AuditReference.Jdjt(j1, j2, K, d), mode), model.Wntk(x1, x2, gw, mode).ToFlatArray(), 1e-12, $"generated CNN Wntk {mode}");
        }
        foreach (var mode in new[] { NtkMode.Diagonal, NtkMode.DiagonalFull })
            AuditReference.Check(output, AuditReference.InMode(AuditReference.Jdjt(j1, j1, K, d), mode), model.Wntk(x1, null, gw, mode).ToFlatArray(), 1e-12, $"generated CNN Wntk {mode}");

        // Batch independence: N = 131 in one call against one-row calls, for the symmetric and the cross kernel.
        var big = AuditReference.Inputs(131, D, 1212);
        var sym = model.Ntk(big, null, NtkMode.Full);
        var cross = model.Ntk(big, x2, NtkMode.Full);
        var forward = model.Forward(big);
        double worst = 0, scale = 0;
        foreach (int i in new[] { 0, 1, 64, 127, 128, 130 })
        {
            var xi = big.SliceRows(i, 1);
            var fi = model.Forward(xi);
            for (int c = 0; c < K; c++) Assert.Equal(forward[i, c], fi[0, c], 1e-14 * Math.Max(1, Math.Abs(fi[0, c])));
            var ci = model.Ntk(xi, x2, NtkMode.Full);
            foreach (int jj in new[] { 0, 5, 77, 130 })
            {
                var si = model.Ntk(xi, big.SliceRows(jj, 1), NtkMode.Full);
                for (int c = 0; c < K; c++)
                    for (int c2 = 0; c2 < K; c2++)
                    {
                        worst = Math.Max(worst, Math.Abs(si[0, 0, c, c2] - sym[i, jj, c, c2]));
                        scale = Math.Max(scale, Math.Abs(si[0, 0, c, c2]));
                    }
            }
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < K; c++)
                    for (int c2 = 0; c2 < K; c2++) worst = Math.Max(worst, Math.Abs(ci[0, b, c, c2] - cross[i, b, c, c2]));
        }
        output.WriteLine($"generated CNN: one-row calls vs N = 131 in one call, worst |Δ| / scale = {worst / scale:E2}");
        Assert.True(worst <= 1e-12 * scale, $"batch dependence {worst / scale:E3}");
    }
}
