using NtkDsl.Analytic;

namespace NtkDsl.Tests.Analytic;

public sealed class KernelRecursionTests
{
    private static readonly double[] X1 = [0.3, -1.2, 0.8];
    private static readonly double[] X2 = [1.1, 0.4, -0.5];

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();

    /// <summary>
    /// Runs a depth-3 ReLU recursion for (x1, x2) with per-layer group weights (wW[l], wB[l]); returns (K, Θ, Θ_w).
    /// </summary>
    private static (double K, double Theta, double ThetaW) Run(double[] wW, double[] wB)
    {
        double[] sw2 = [1.5, 2.0, 1.2], sb2 = [0.1, 0.05, 0.3];
        int d = X1.Length;
        double k11 = KernelRecursion.FirstLayer(sw2[0], sb2[0], Dot(X1, X1), d);
        double k22 = KernelRecursion.FirstLayer(sw2[0], sb2[0], Dot(X2, X2), d);
        double k12 = KernelRecursion.FirstLayer(sw2[0], sb2[0], Dot(X1, X2), d);
        double theta = k12;
        double thetaW = KernelRecursion.FirstLayerWeighted(wW[0], wB[0], sw2[0], sb2[0], Dot(X1, X2), d);
        for (int l = 1; l < 3; l++)
        {
            DualActivations.ReluDiagonal(k11, out double kt11, out _);
            DualActivations.ReluDiagonal(k22, out double kt22, out _);
            DualActivations.Relu(k11, k22, k12, out double kt, out double td);
            k11 = KernelRecursion.NextNngp(sw2[l], sb2[l], kt11);
            k22 = KernelRecursion.NextNngp(sw2[l], sb2[l], kt22);
            thetaW = KernelRecursion.NextWeightedNtk(wW[l], wB[l], sw2[l], sb2[l], kt, td, thetaW);
            double kNext = KernelRecursion.NextNngp(sw2[l], sb2[l], kt);
            double thetaNext = KernelRecursion.NextNtk(kNext, sw2[l], td, theta);
            // The fused Step must agree with the two separate updates.
            double kStep = k12, thetaStep = theta;
            KernelRecursion.Step(sw2[l], sb2[l], kt, td, ref kStep, ref thetaStep);
            Assert.Equal(kNext, kStep);
            Assert.Equal(thetaNext, thetaStep);
            k12 = kNext;
            theta = thetaNext;
        }
        return (k12, theta, thetaW);
    }

    [Fact]
    public void FirstLayerIsTheScaledDotProduct()
    {
        Assert.Equal(2.0 * 3.0 / 4 + 0.5, KernelRecursion.FirstLayer(2.0, 0.5, 3.0, 4));
        Assert.Equal(0.7 * 2.0 * 3.0 / 4 + 0.2 * 0.5, KernelRecursion.FirstLayerWeighted(0.7, 0.2, 2.0, 0.5, 3.0, 4), 1e-15);
    }

    [Fact]
    public void UnitGroupWeightsGiveTheNtk()
    {
        var (_, theta, thetaW) = Run([1, 1, 1], [1, 1, 1]);
        Assert.Equal(theta, thetaW, 1e-14);
    }

    [Fact]
    public void WeightedNtkIsLinearInTheGroupWeightsAndSumsToTheNtk()
    {
        // Θ_w = Σ_g w_g Θ^g: evaluate each group alone (one weight 1, the others 0) and recombine.
        double[] wW = [0.3, 2.0, 0.7], wB = [1.5, 0.1, 0.4];
        var (_, theta, thetaW) = Run(wW, wB);
        double recombined = 0, total = 0;
        for (int l = 0; l < 3; l++)
        {
            double[] eW = new double[3], eB = new double[3];
            eW[l] = 1;
            var (_, _, gW) = Run(eW, new double[3]);
            eB[l] = 1;
            var (_, _, gB) = Run(new double[3], eB);
            recombined += wW[l] * gW + wB[l] * gB;
            total += gW + gB;
        }
        Assert.Equal(recombined, thetaW, 1e-13);
        Assert.Equal(theta, total, 1e-13);
    }

    [Fact]
    public void StepUpdatesBothKernels()
    {
        double k = 0, theta = 0.8;
        KernelRecursion.Step(2.0, 0.1, 0.6, 0.5, ref k, ref theta);
        Assert.Equal(2.0 * 0.6 + 0.1, k, 1e-15);
        Assert.Equal(k + 2.0 * 0.5 * 0.8, theta, 1e-15);
    }
}
