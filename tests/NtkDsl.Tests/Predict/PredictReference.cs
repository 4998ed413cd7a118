using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Analytic;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Predict;

/// <summary>
/// Dense references for the predictors, written from Lee et al. 2019 §2.3 with explicit MathNet inverses and a
/// matrix exponential by scaling and squaring of the Taylor series (no eigendecomposition, unlike the code under test).
/// </summary>
internal static class PredictReference
{
    /// <summary>The train/test blocks of a joint (n + m) × (n + m) kernel, train points first.</summary>
    internal sealed record Blocks(Matrix<double> TrainTrain, Matrix<double> TestTrain, Matrix<double> TestTest)
    {
        public Tensor TrainTrainT => ToTensor(TrainTrain);
        public Tensor TestTrainT => ToTensor(TestTrain);
        public Tensor TestTestT => ToTensor(TestTest);
        public Tensor TestDiagonalT => Tensor.FromArray(TestTest.Diagonal().ToArray(), TestTest.RowCount);
    }

    /// <summary>NNGP and NTK blocks of one analytic kernel on train ∪ test.</summary>
    internal sealed record KernelSet(Blocks Nngp, Blocks Ntk, int N, int M);

    /// <summary>The analytic ReLU kernels (AnalyticMlp, depth 2, σ_w² = 2, σ_b² = 0.1) of n train and m test Gaussian points.</summary>
    public static KernelSet AnalyticKernels(int n, int m, int d, int seed)
    {
        var x = Zoo.RandomInputs(n + m, d, seed);
        var kernels = AnalyticMlp.Relu(d, 2, 2.0, 0.1).Kernels(x);
        return new KernelSet(Split(kernels.Nngp, n), Split(kernels.Ntk, n), n, m);
    }

    public static Blocks Split(Tensor joint, int n)
    {
        var a = Matrix<double>.Build.DenseOfArray(joint.ToArray());
        int m = a.RowCount - n;
        return new Blocks(a.SubMatrix(0, n, 0, n), a.SubMatrix(n, m, 0, n), a.SubMatrix(n, m, n, m));
    }

    public static Tensor ToTensor(Matrix<double> a) => Tensor.FromArray(a.ToArray());

    public static Matrix<double> FromTensor(Tensor t) =>
        t.Rank == 1 ? Matrix<double>.Build.Dense(t.Shape[0], 1, t.ToFlatArray()) : Matrix<double>.Build.DenseOfArray(t.ToArray());

    /// <summary>e^A by scaling and squaring: A/2^j with ‖A/2^j‖₁ ≤ 1/4, a 24-term Taylor series, then j squarings.</summary>
    public static Matrix<double> Expm(Matrix<double> a)
    {
        double norm = a.L1Norm();
        int j = norm > 0.25 ? (int)Math.Ceiling(Math.Log2(norm / 0.25)) : 0;
        var scaled = a / Math.Pow(2, j);
        var result = Matrix<double>.Build.DenseIdentity(a.RowCount);
        var term = Matrix<double>.Build.DenseIdentity(a.RowCount);
        for (int k = 1; k <= 24; k++)
        {
            term = term * scaled / k;
            result += term;
        }
        for (int i = 0; i < j; i++) result *= result;
        return result;
    }

    /// <summary>(K + λI)^{-1}(I − e^{−c·s(K + λI)/N}) by explicit inverse; c·s = ∞ gives (K + λI)^{-1}.</summary>
    public static Matrix<double> Gain(Matrix<double> k, double ridge, double cs, int normalization)
    {
        var kl = k + ridge * Matrix<double>.Build.DenseIdentity(k.RowCount);
        var inv = kl.Inverse();
        if (double.IsPositiveInfinity(cs)) return inv;
        var e = Expm(-cs / normalization * kl);
        return inv * (Matrix<double>.Build.DenseIdentity(k.RowCount) - e);
    }

    /// <summary>NNGP mean and covariance at s = η·t (Lee et al. 2019 §2.3, readout layer trained; neural-tangents' conventions).</summary>
    public static (Matrix<double> Mean, Matrix<double> Cov) Nngp(Blocks k, Matrix<double> y, double ridge, double s, int normalization)
    {
        var mean = k.TestTrain * Gain(k.TrainTrain, ridge, s, normalization) * y;
        var cov = k.TestTest - k.TestTrain * Gain(k.TrainTrain, ridge, 2 * s, normalization) * k.TestTrain.Transpose();
        return (mean, cov);
    }

    /// <summary>NTK-GP mean and covariance at s = η·t (Lee et al. 2019 §2.3, all layers trained).</summary>
    public static (Matrix<double> Mean, Matrix<double> Cov) NtkGp(KernelSet ks, Matrix<double> y, double ridge, double s, int normalization)
    {
        var a = Gain(ks.Ntk.TrainTrain, ridge, s, normalization);
        var tA = ks.Ntk.TestTrain * a;
        var mean = tA * y;
        var cross = tA * ks.Nngp.TestTrain.Transpose();
        var cov = ks.Nngp.TestTest + tA * ks.Nngp.TrainTrain * tA.Transpose() - cross - cross.Transpose();
        return (mean, cov);
    }

    /// <summary>Max |a − b| / max |b|.</summary>
    public static void AssertClose(Matrix<double> expected, Tensor actual, double tolerance, string what)
    {
        var e = expected.ToRowMajorArray();
        Support.Close.Relative(e, actual.ToFlatArray(), tolerance, what);
    }
}
