namespace NtkDsl.Tests.Audit;

/// <summary>
/// An <c>InputShape</c> model's infinite-width weighted NTK with non-uniform group weights against a reference written
/// here: for a 1×1 convolution (no pixel mixing) then a global average pool, per pixel pair (p, p′)
/// K¹ = σ₁²·x_p·x′_p′/C + σ_b1², Θ¹_w = w₁W·σ₁²·x_p·x′_p′/C + w₁b·σ_b1², and after the pool
/// K = σ₂²·mean_{p,p′} K̃ + σ_b2², Θ_w = w₂W·σ₂²·mean K̃ + w₂b·σ_b2² + σ₂²·mean(Ṫ·Θ¹_w) with the ReLU closed forms
/// (math.md §3, §4; the pool's average of all pixel pairs as in neural-tangents' GlobalAvgPool). The existing
/// CntkPropertyTests check linearity in the weights and that the NNGP ignores them — both blind to a weight given to
/// the wrong group.
/// </summary>
public sealed class SpatialAnalyticWntkAuditTests(ITestOutputHelper output)
{
    private const double S1 = 1.4, B1 = 0.5, S2 = 1.2, B2 = 0.3;

    private static (double K, double Theta) Pair(Tensor x1, int a, Tensor x2, int b, double[] w)
    {
        const int pixels = 4, c = 3;
        double Dot(Tensor u, int i, int p, Tensor v, int j, int q)
        {
            double s = 0;
            for (int ch = 0; ch < c; ch++) s += u[i, p * c + ch] * v[j, q * c + ch];
            return s;
        }
        double kt = 0, tt = 0;
        for (int p = 0; p < pixels; p++)
            for (int q = 0; q < pixels; q++)
            {
                double q1 = S1 * S1 * Dot(x1, a, p, x1, a, p) / c + B1 * B1;
                double q2 = S1 * S1 * Dot(x2, b, q, x2, b, q) / c + B1 * B1;
                double cc = S1 * S1 * Dot(x1, a, p, x2, b, q) / c + B1 * B1;
                double t1 = w[0] * S1 * S1 * Dot(x1, a, p, x2, b, q) / c + w[1] * B1 * B1;
                double rho = Math.Clamp(cc / Math.Sqrt(q1 * q2), -1, 1), th = Math.Acos(rho);
                kt += Math.Sqrt(q1 * q2) / (2 * Math.PI) * (Math.Sin(th) + (Math.PI - th) * Math.Cos(th));
                tt += (Math.PI - th) / (2 * Math.PI) * t1;
            }
        kt /= pixels * pixels;
        tt /= pixels * pixels;
        return (S2 * S2 * kt + B2 * B2, w[2] * S2 * S2 * kt + w[3] * B2 * B2 + S2 * S2 * tt);
    }

    [Fact]
    public void PixelConvAnalyticWntkEqualsTheReferenceWrittenHere()
    {
        Assert.Equal(["C1.Weights", "C1.Bias", "Out.Weights", "Out.Bias"], AuditPixelConv.Info.Groups.Select(g => g.Key).ToArray());
        double[] w = [0.3, 2.5, 1.7, 0.05];
        var gw = new GroupWeights().Weights("C1", w[0]).Bias("C1", w[1]).Weights("Out", w[2]).Bias("Out", w[3]);
        var x1 = AuditReference.Inputs(4, 12, 950);
        var x2 = AuditReference.Inputs(3, 12, 951);
        var eW = new List<double>(); var eT = new List<double>(); var eK = new List<double>();
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 3; b++)
            {
                var (k, t) = Pair(x1, a, x2, b, w);
                eW.Add(t); eK.Add(k); eT.Add(Pair(x1, a, x2, b, [1, 1, 1, 1]).Theta);
            }
        AuditReference.Check(output, eW.ToArray(), AuditPixelConv.AnalyticWntk(x1, x2, gw).ToFlatArray(), 1e-12, "spatial AnalyticWntk vs reference");
        AuditReference.Check(output, eT.ToArray(), AuditPixelConv.AnalyticNtk(x1, x2).ToFlatArray(), 1e-12, "spatial AnalyticNtk vs reference");
        AuditReference.Check(output, eK.ToArray(), AuditPixelConv.AnalyticNngp(x1, x2).ToFlatArray(), 1e-12, "spatial AnalyticNngp vs reference");
        var sym = new List<double>();
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) sym.Add(Pair(x1, a, x1, b, w).Theta);
        AuditReference.Check(output, sym.ToArray(), AuditPixelConv.AnalyticWntk(x1, null, gw).ToFlatArray(), 1e-12, "spatial AnalyticWntk symmetric vs reference");
    }

    [Fact]
    public void PixelConvEmpiricalWntkEqualsJDJt()
    {
        // Layout by hand: C1.W 5×1×1×3 = 15, C1.b 5, Out.W 2×5 = 10, Out.b 2.
        Assert.Equal([("C1.Weights", 0, 15), ("C1.Bias", 15, 5), ("Out.Weights", 20, 10), ("Out.Bias", 30, 2)],
            AuditPixelConv.Info.Groups.Select(g => (g.Key, g.Offset, g.Count)).ToArray());
        var model = new AuditPixelConv(3);
        var gw = new GroupWeights().Weights("C1", 0.3).Bias("C1", 2.5).Weights("Out", 1.7).Bias("Out", 0.05);
        var d = new double[32];
        for (int i = 0; i < 32; i++) d[i] = i < 15 ? 0.3 : i < 20 ? 2.5 : i < 30 ? 1.7 : 0.05;
        var x1 = AuditReference.Inputs(7, 12, 960);
        var x2 = AuditReference.Inputs(1, 12, 961);
        var full = AuditReference.Jdjt(Support.Zoo.JacobianMatrix(model, x1), Support.Zoo.JacobianMatrix(model, x2), 2, d);
        foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
            AuditReference.Check(output, AuditReference.InMode(full, mode), model.Wntk(x1, x2, gw, mode).ToFlatArray(), 1e-12, $"spatial Wntk {mode} 7x1");
    }
}
