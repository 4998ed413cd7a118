using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Audit;

/// <summary>
/// A generated model's infinite-width weighted NTK with non-uniform group weights against the math.md §3/§4
/// recursion written out here with the ReLU and erf closed forms (not through KernelRecursion or DualActivations).
/// The existing GeneratedAnalyticKernelTests check unit weights and that one-hot weights sum to the NTK — both hold
/// even if the generated code hands each weight to the wrong group (a swap of a layer's weight and bias factors is
/// invisible to them); AnalyticMlpTests checks the run-time AnalyticMlp against KernelRecursion, not generated code.
/// </summary>
public sealed class AnalyticWntkAuditTests(ITestOutputHelper output)
{
    private const double Sw1 = 1.5, Sb1 = 0.4, Sw2 = 1.3, Sb2 = 0.2, Sw3 = 0.9, Sb3 = 0.4;

    /// <summary>(NNGP, weighted NTK) of one pair by the recursion; w = [H1.W, H1.b, H2.W, H2.b, Out.W, Out.b].</summary>
    private static (double K, double Theta) Pair(double[] x, double[] xp, double[] w)
    {
        int d = x.Length;
        double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < d; i++) s += a[i] * b[i]; return s; }
        // Layer 1 (pre-activations of H1), its own variances for both points.
        (double k, double t) L1(double dot, double wW = 1, double wB = 1) => (Sw1 * Sw1 * dot / d + Sb1 * Sb1, wW * Sw1 * Sw1 * dot / d + wB * Sb1 * Sb1);
        var (k11, _) = L1(Dot(x, x));
        var (k22, _) = L1(Dot(xp, xp));
        var (k12, t12) = L1(Dot(x, xp), w[0], w[1]);
        // ReLU: K̃ = √(q1q2)/(2π)(sin θ + (π − θ) cos θ), Ṫ = (π − θ)/(2π); at x = x': q/2 and 1/2.
        static (double Kt, double Td) Relu(double q1, double q2, double c)
        {
            double rho = Math.Clamp(c / Math.Sqrt(q1 * q2), -1, 1), th = Math.Acos(rho);
            return (Math.Sqrt(q1 * q2) / (2 * Math.PI) * (Math.Sin(th) + (Math.PI - th) * Math.Cos(th)), (Math.PI - th) / (2 * Math.PI));
        }
        var (r11, _) = Relu(k11, k11, k11);
        var (r22, _) = Relu(k22, k22, k22);
        var (r12, rd12) = Relu(k11, k22, k12);
        double q1 = Sw2 * Sw2 * r11 + Sb2 * Sb2, q2 = Sw2 * Sw2 * r22 + Sb2 * Sb2, c = Sw2 * Sw2 * r12 + Sb2 * Sb2;
        double theta2 = w[2] * Sw2 * Sw2 * r12 + w[3] * Sb2 * Sb2 + Sw2 * Sw2 * rd12 * t12;
        // erf: K̃ = (2/π) arcsin(2c/√((1+2q1)(1+2q2))), Ṫ = (4/π)/√((1+2q1)(1+2q2) − 4c²).
        double den = (1 + 2 * q1) * (1 + 2 * q2);
        double ke = 2 / Math.PI * Math.Asin(2 * c / Math.Sqrt(den)), te = 4 / Math.PI / Math.Sqrt(den - 4 * c * c);
        double k3 = Sw3 * Sw3 * ke + Sb3 * Sb3;
        double theta3 = w[4] * Sw3 * Sw3 * ke + w[5] * Sb3 * Sb3 + Sw3 * Sw3 * te * theta2;
        return (k3, theta3);
    }

    private static double[] Row(Tensor x, int i) => Enumerable.Range(0, x.Columns).Select(j => x[i, j]).ToArray();

    [Fact]
    public void GeneratedAnalyticWntkNngpAndDiagonalEqualTheRecursionWrittenHere()
    {
        var info = AuditReluErf.Info;
        Assert.Equal(["H1.Weights", "H1.Bias", "H2.Weights", "H2.Bias", "Out.Weights", "Out.Bias"], info.Groups.Select(g => g.Key).ToArray());
        double[] w = [0.3, 2.5, 0.0, 1.7, 0.6, 4.0];
        var gw = new GroupWeights().Weights("H1", w[0]).Bias("H1", w[1]).Weights("H2", w[2]).Bias("H2", w[3]).Weights("Out", w[4]).Bias("Out", w[5]);
        double[] ones = [1, 1, 1, 1, 1, 1];
        var x1 = AuditReference.Inputs(6, 4, 900);
        var x2 = AuditReference.Inputs(5, 4, 901);
        var wntk = AuditReluErf.AnalyticWntk(x1, x2, gw).ToFlatArray();
        var ntk = AuditReluErf.AnalyticNtk(x1, x2).ToFlatArray();
        var nngp = AuditReluErf.AnalyticNngp(x1, x2).ToFlatArray();
        var eW = new List<double>(); var eT = new List<double>(); var eK = new List<double>();
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < 5; b++)
            {
                var (k, tw) = Pair(Row(x1, a), Row(x2, b), w);
                eW.Add(tw); eK.Add(k); eT.Add(Pair(Row(x1, a), Row(x2, b), ones).Theta);
            }
        AuditReference.Check(output, eW.ToArray(), wntk, 1e-12, "AnalyticWntk (non-uniform) vs recursion");
        AuditReference.Check(output, eT.ToArray(), ntk, 1e-12, "AnalyticNtk vs recursion");
        AuditReference.Check(output, eK.ToArray(), nngp, 1e-12, "AnalyticNngp vs recursion");
        var symW = AuditReluErf.AnalyticWntk(x1, null, gw);
        var diagT = AuditReluErf.AnalyticNtkDiagonal(x1).ToFlatArray();
        var diagK = AuditReluErf.AnalyticNngpDiagonal(x1).ToFlatArray();
        var eSym = new List<double>(); var eDT = new List<double>(); var eDK = new List<double>();
        for (int a = 0; a < 6; a++)
        {
            for (int b = 0; b < 6; b++) eSym.Add(Pair(Row(x1, a), Row(x1, b), w).Theta);
            var (k, t) = Pair(Row(x1, a), Row(x1, a), ones);
            eDT.Add(t); eDK.Add(k);
        }
        AuditReference.Check(output, eSym.ToArray(), symW.ToFlatArray(), 1e-12, "AnalyticWntk symmetric vs recursion");
        AuditReference.Check(output, eDT.ToArray(), diagT, 1e-12, "AnalyticNtkDiagonal vs recursion");
        AuditReference.Check(output, eDK.ToArray(), diagK, 1e-12, "AnalyticNngpDiagonal vs recursion");
    }

    /// <summary>
    /// Standard parameterization (neural-tangents' convention, math.md §4): Θ¹_w = w₁W·x·x′ + w₁b, K¹ = σ₁²·x·x′/d + σ_b1²,
    /// Θ²_w = w₂W·n₁·K̃ + w₂b + σ₂²·Ṫ·Θ¹_w (the weight term uses the declared fan-in, the bias term is 1), K² = σ₂²·K̃ + σ_b2².
    /// </summary>
    [Fact]
    public void StandardParameterizationAnalyticWntkEqualsTheRecursionWrittenHere()
    {
        const double s1 = 1.5, b1 = 0.4, s2 = 1.3, b2 = 0.4;
        double[] w = [0.3, 2.5, 1.7, 0.05];
        var gw = new GroupWeights().Weights("H1", w[0]).Bias("H1", w[1]).Weights("Out", w[2]).Bias("Out", w[3]);
        var x1 = AuditReference.Inputs(5, 4, 920);
        var x2 = AuditReference.Inputs(3, 4, 921);
        (double K, double T) P(double[] a, double[] b, double[] ww)
        {
            double Dot(double[] u, double[] v) => u.Zip(v, (p, q) => p * q).Sum();
            double q1 = s1 * s1 * Dot(a, a) / 4 + b1 * b1, q2 = s1 * s1 * Dot(b, b) / 4 + b1 * b1, c = s1 * s1 * Dot(a, b) / 4 + b1 * b1;
            double t1 = ww[0] * Dot(a, b) + ww[1];
            double rho = Math.Clamp(c / Math.Sqrt(q1 * q2), -1, 1), th = Math.Acos(rho);
            double kt = Math.Sqrt(q1 * q2) / (2 * Math.PI) * (Math.Sin(th) + (Math.PI - th) * Math.Cos(th)), td = (Math.PI - th) / (2 * Math.PI);
            return (s2 * s2 * kt + b2 * b2, ww[2] * 64 * kt + ww[3] + s2 * s2 * td * t1);
        }
        var eW = new List<double>(); var eT = new List<double>(); var eK = new List<double>();
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 3; b++)
            {
                var (k, t) = P(Row(x1, a), Row(x2, b), w);
                eW.Add(t); eK.Add(k); eT.Add(P(Row(x1, a), Row(x2, b), [1, 1, 1, 1]).T);
            }
        AuditReference.Check(output, eW.ToArray(), AuditStandardRelu.AnalyticWntk(x1, x2, gw).ToFlatArray(), 1e-12, "standard AnalyticWntk vs recursion");
        AuditReference.Check(output, eT.ToArray(), AuditStandardRelu.AnalyticNtk(x1, x2).ToFlatArray(), 1e-12, "standard AnalyticNtk vs recursion");
        AuditReference.Check(output, eK.ToArray(), AuditStandardRelu.AnalyticNngp(x1, x2).ToFlatArray(), 1e-12, "standard AnalyticNngp vs recursion");
    }
}
