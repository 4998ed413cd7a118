using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Predict;
using NtkDsl.Regression;

namespace NtkDsl.Cuda.Tests.Solvers;

/// <summary>
/// The float32 solvers (cusolverDnSsyevd, Spotrf, Spotrs through <see cref="GpuSolver"/>'s float32 overloads) against
/// MathNet's float64 decompositions of the same float32-rounded matrices, at float32 tolerances (n·ε₃₂·κ with margin:
/// these kernels have κ below 20, n below 20, ε₃₂ ≈ 6e-8, so 1e-5); and the resident Cholesky factor, whose solves
/// upload only their right-hand sides (counted at the driver).
/// </summary>
public abstract partial class DeviceSolverConformance
{
    private const double Float32Tolerance = 1e-5;

    [Fact]
    public void Float32EigendecompositionMatchesFloat64AtFloat32Accuracy()
    {
        var k = new SolverKernels(14, 1, 9, 1, seed: 21);
        int n = k.N;
        var a32 = k.Train.Select(v => (float)v).ToArray();
        var rounded = a32.Select(v => (double)v).ToArray();
        using var a = Gpu.Upload<float>(a32);
        using var w = Gpu.Allocate<float>(n);
        GpuSolver.SymmetricEigen(a, n, n, w);
        Assert.Equal(1, Calls.Syevd);
        var values = w.ToArray().Select(v => (double)v).ToArray();
        var rows = a.ToArray(); // row i: the unit eigenvector of values[i]
        var reference = Matrix<double>.Build.DenseOfRowMajor(n, n, rounded).Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).Order().ToArray();
        Assert.True(SolverKernels.Relative(values, reference) < Float32Tolerance, $"eigenvalues {SolverKernels.Relative(values, reference):G3}");
        var rebuilt = new double[n * n];
        var gram = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < n; p++)
                {
                    rebuilt[i * n + j] += rows[p * n + i] * values[p] * rows[p * n + j]; // Σ_p λ_p v_p v_pᵀ
                    gram[i * n + j] += rows[i * n + p] * (double)rows[j * n + p];        // v_i · v_j
                }
        Assert.True(SolverKernels.Relative(rebuilt, rounded) < Float32Tolerance, $"V·Λ·Vᵀ {SolverKernels.Relative(rebuilt, rounded):G3}");
        var identity = new double[n * n];
        for (int i = 0; i < n; i++) identity[i * n + i] = 1;
        Assert.True(SolverKernels.Relative(gram, identity) < Float32Tolerance, $"orthonormality {SolverKernels.Relative(gram, identity):G3}");
    }

    [Fact]
    public void Float32CholeskySolvesMatchFloat64AtFloat32Accuracy()
    {
        var k = new SolverKernels(16, 1, 8, 3, seed: 22);
        int n = k.N, c = k.Outputs;
        var a32 = k.Train.Select(v => (float)v).ToArray();
        var rounded = a32.Select(v => (double)v).ToArray();
        // Right-hand sides as rows of length n: Bᵀ.
        var bt = new float[c * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) bt[j * n + i] = (float)k.Y[i * c + j];
        using var a = Gpu.Upload<float>(a32);
        using var x = Gpu.Upload<float>(bt);
        GpuSolver.Cholesky(a, n, n);
        GpuSolver.CholeskySolve(a, n, n, x, c, n);
        Assert.Equal(1, Calls.Potrf);
        Assert.Equal(1, Calls.Potrs);
        var l = a.ToArray();
        var llt = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p <= Math.Min(i, j); p++) llt[i * n + j] += (double)l[i * n + p] * l[j * n + p];
        Assert.True(SolverKernels.Relative(llt, rounded) < Float32Tolerance, $"L·Lᵀ {SolverKernels.Relative(llt, rounded):G3}");
        var b = Matrix<double>.Build.Dense(n, c, (i, j) => bt[j * n + i]);
        var expected = Matrix<double>.Build.DenseOfRowMajor(n, n, rounded).Cholesky().Solve(b);
        var got = x.ToArray();
        var gotRows = new double[n * c];
        var expectedRows = new double[n * c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
            {
                gotRows[i * c + j] = got[j * n + i];
                expectedRows[i * c + j] = expected[i, j];
            }
        Assert.True(SolverKernels.Relative(gotRows, expectedRows) < Float32Tolerance, $"solutions {SolverKernels.Relative(gotRows, expectedRows):G3}");
    }

    [Fact]
    public void Float32CholeskyOfAnIndefiniteMatrixNamesTheMinor()
    {
        float[] m = [4, 1, 0, 1, -2, 0, 0, 0, 3]; // leading minor of order 2: 4·(−2) − 1 < 0
        using var a = Gpu.Upload<float>(m);
        var e = Assert.Throws<KernelNotPositiveDefiniteException>(() => GpuSolver.Cholesky(a, 3, 3));
        Assert.Contains("leading minor of order 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("cusolverDnSpotrf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACholeskyFactorStaysOnTheDeviceBetweenSolves()
    {
        // NNGP at t = ∞ solves with the training factor for the mean and once per Predict for the variance: the n × n
        // factor must go to the device once (the matrix potrf factors in place), not once per solve.
        var k = new SolverKernels(20, 6, 10, 2, seed: 23, feature: Math.Tanh);
        const double lr = 2.0, ridge = 1e-2;
        long factorBytes = (long)k.N * k.N * sizeof(double);
        var cpu = new NngpPredictor(k.TrainT, k.YT, lr, ridge);
        var gpu = new NngpPredictor(k.TrainT, k.YT, lr, ridge, device: Gpu);
        Assert.True(gpu.UsesCholeskyAtInfinity);
        int afterFit = Copies.Uploads(factorBytes);
        int potrsAfterFit = Calls.Potrs;
        Assert.Equal(1, Calls.Potrf);
        for (int round = 0; round < 3; round++)
        {
            var c = cpu.Predict([double.PositiveInfinity], k.TestTrainT, k.TestTestT)[0];
            var g = gpu.Predict([double.PositiveInfinity], k.TestTrainT, k.TestTestT)[0];
            SolverKernels.Close(g.Mean, c.Mean, 1e-10, "NNGP mean at t = ∞");
            SolverKernels.Close(g.Covariance, c.Covariance, 1e-10, "NNGP covariance at t = ∞");
        }
        Assert.True(Calls.Potrs - potrsAfterFit >= 3, $"{Calls.Potrs - potrsAfterFit} potrs calls"); // the covariance: one solve per Predict
        Assert.Equal(afterFit, Copies.Uploads(factorBytes)); // no factor upload by any solve

        // Another factor on the device takes the slot; the first one's next solve uploads its host copy once.
        var other = new SolverKernels(20, 6, 10, 2, seed: 24, feature: Math.Tanh);
        var second = new NngpPredictor(other.TrainT, other.YT, lr, ridge, device: Gpu);
        second.Predict([double.PositiveInfinity], other.TestTrainT, other.TestTestT);
        int beforeReturn = Copies.Uploads(factorBytes);
        for (int round = 0; round < 2; round++)
        {
            var g = gpu.Predict([double.PositiveInfinity], k.TestTrainT, k.TestTestT)[0];
            SolverKernels.Close(g.Covariance, cpu.Predict([double.PositiveInfinity], k.TestTrainT, k.TestTestT)[0].Covariance, 1e-10, "after eviction");
        }
        Assert.Equal(beforeReturn + 1, Copies.Uploads(factorBytes));
    }
}
