using NtkDsl.Cuda.Interop;
using NtkDsl.Dynamics;
using NtkDsl.Predict;
using NtkDsl.Regression;

namespace NtkDsl.Cuda.Tests.Solvers;

/// <summary>
/// The closed-form dynamics, kernel regression and GP predictors given a <see cref="CudaDevice"/> (cuSOLVER syevd,
/// potrf/potrs and cuBLAS behind <see cref="Device.LinearAlgebra"/>), run on the emulation
/// (<see cref="EmulatedSolverTests"/>) and the real libraries (<see cref="NativeSolverTests"/>, skipped without a GPU).
/// Each result is compared with the CPU's (itself tested against dense references in NtkDsl.Tests) at 1e-10 relative,
/// and where cheap with a reference written here (explicit gradient-descent steps, V·Λ·Vᵀ, the residual of the linear
/// system). Eigenvectors are sign-ambiguous, so only predictions, reconstructions and residuals are compared. Every
/// test also checks through a counting cuSOLVER that the solver really ran on the device.
/// </summary>
public abstract partial class DeviceSolverConformance : IDisposable
{
    private const double Tolerance = 1e-10;
    private CudaDevice? _device;

    /// <summary>The backend the device under test opens on (or skips).</summary>
    protected abstract CudaBackend OpenBackend();

    /// <summary>Called after each test with the device disposed (leak checks).</summary>
    protected virtual void AfterDispose() { }

    private protected CountingCusolver Calls { get; private set; } = null!;

    private protected CopyCountingDriver Copies { get; private set; } = null!;

    private protected CudaDevice Gpu
    {
        get
        {
            if (_device is not null) return _device;
            var backend = OpenBackend();
            Calls = new CountingCusolver(backend.Cusolver);
            Copies = CopyCountingDriver.Wrap(backend.Driver);
            return _device = CudaDevice.Open(0, backend with { Cusolver = Calls, Driver = Copies.Driver });
        }
    }

    public void Dispose()
    {
        _device?.Dispose();
        if (_device is not null) AfterDispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void TheEigendecompositionReconstructsTheKernel()
    {
        var k = new SolverKernels(17, 1, 9, 1, seed: 1);
        int n = k.N;
        var values = new double[n];
        var v = new double[n * n];
        Gpu.LinearAlgebra.SymmetricEigen(k.Train, n, values, v);
        Assert.Equal(1, Calls.Syevd);
        for (int j = 1; j < n; j++) Assert.True(values[j] >= values[j - 1], "eigenvalues ascending");
        var rebuilt = new double[n * n];
        var gram = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < n; p++)
                {
                    rebuilt[i * n + j] += v[i * n + p] * values[p] * v[j * n + p]; // V·Λ·Vᵀ
                    gram[i * n + j] += v[p * n + i] * v[p * n + j];               // VᵀV
                }
        Assert.True(SolverKernels.Relative(rebuilt, k.Train) < 1e-12);
        var identity = new double[n * n];
        for (int i = 0; i < n; i++) identity[i * n + i] = 1;
        Assert.True(SolverKernels.Relative(gram, identity) < 1e-12);
        var reference = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowMajor(n, n, k.Train).Evd().EigenValues.Select(c => c.Real).Order().ToArray();
        Assert.True(SolverKernels.Relative(values, reference) < 1e-12);
    }

    [Fact]
    public void DynamicsMatchTheCpuAtEveryTimeAndStep()
    {
        var k = new SolverKernels(24, 7, 12, 2, seed: 2);
        const double lr = 0.5, ridge = 1e-3;
        var cpu = new GradientDescentMse(k.TrainT, k.YT, lr, ridge);
        var gpu = new GradientDescentMse(k.TrainT, k.YT, lr, ridge, device: Gpu);
        Assert.Equal(1, Calls.Syevd);
        Assert.True(SolverKernels.Relative(gpu.Eigenvalues.ToArray(), cpu.Eigenvalues.ToArray()) < Tolerance);
        Assert.Equal(cpu.Rank, gpu.Rank);
        Assert.Equal(cpu.MaxStableLearningRate, gpu.MaxStableLearningRate, 1e-10 * cpu.MaxStableLearningRate);

        double[] times = [0, 1, 10, 250, 1e4, double.PositiveInfinity];
        SolverKernels.Close(gpu.PredictTrain(times, k.F0TrainT), cpu.PredictTrain(times, k.F0TrainT), Tolerance, "PredictTrain");
        SolverKernels.Close(gpu.PredictTest(times, k.F0TrainT, k.F0TestT, k.TestTrainT), cpu.PredictTest(times, k.F0TrainT, k.F0TestT, k.TestTrainT), Tolerance, "PredictTest");
        Assert.Equal(1, Calls.Potrf); // t = ∞ on a positive-definite Θ_λ: the Cholesky solve, on the device
        Assert.True(Calls.Potrs >= 1);
        int[] steps = [0, 1, 7, 300];
        SolverKernels.Close(gpu.PredictTrainSteps(steps, k.F0TrainT), cpu.PredictTrainSteps(steps, k.F0TrainT), Tolerance, "PredictTrainSteps");
        SolverKernels.Close(gpu.PredictTestSteps(steps, k.F0TrainT, k.F0TestT, k.TestTrainT), cpu.PredictTestSteps(steps, k.F0TrainT, k.F0TestT, k.TestTrainT), Tolerance, "PredictTestSteps");
        Assert.Equal(1, Calls.Syevd); // one decomposition serves every time

        // Independent of both backends: seven explicit GD steps f ← f − (η/N)Θ_λ(f − Y), f* ← f* − (η/N)Θ(x*, X)(f − Y).
        var (train, test) = ExplicitSteps(k, lr, ridge, 7);
        SolverKernels.Close(gpu.PredictTrainSteps(7, k.F0TrainT), Tensor.FromArray(train, k.N, k.Outputs), Tolerance, "explicit train steps");
        SolverKernels.Close(gpu.PredictTestSteps(7, k.F0TrainT, k.F0TestT, k.TestTrainT), Tensor.FromArray(test, k.M, k.Outputs), Tolerance, "explicit test steps");
    }

    [Fact]
    public void DynamicsWithVectorTargetsAndASingularKernelMatchTheCpu()
    {
        // Rank 4 (no noise, 4 features, 10 points): t = ∞ takes the pseudo-inverse from the device's eigenvalues.
        var k = new SolverKernels(10, 3, 4, 1, seed: 3, noise: 0.0);
        var y = Tensor.FromArray(k.Y, k.N);
        var f0 = Tensor.FromArray(k.F0Train, k.N);
        var f0t = Tensor.FromArray(k.F0Test, k.M);
        var cpu = new GradientDescentMse(k.TrainT, y, 1.0);
        var gpu = new GradientDescentMse(k.TrainT, y, 1.0, device: Gpu);
        Assert.Equal(4, cpu.Rank);
        Assert.Equal(cpu.Rank, gpu.Rank);
        double[] times = [0, 3, double.PositiveInfinity];
        SolverKernels.Close(gpu.PredictTrain(times, f0), cpu.PredictTrain(times, f0), Tolerance, "PredictTrain (rank 4)");
        SolverKernels.Close(gpu.PredictTest(times, f0, f0t, k.TestTrainT), cpu.PredictTest(times, f0, f0t, k.TestTrainT), Tolerance, "PredictTest (rank 4)");
        Assert.Equal(0, Calls.Potrf); // singular: no Cholesky at t = ∞
    }

    [Fact]
    public void KernelRegressionMatchesTheCpuAndSolvesTheSystem()
    {
        var k = new SolverKernels(30, 9, 14, 3, seed: 4);
        const double ridge = 1e-2;
        var cpu = KernelRegression.Fit(k.TrainT, k.YT, ridge);
        var gpu = KernelRegression.Fit(k.TrainT, k.YT, ridge, Gpu);
        Assert.Equal(1, Calls.Potrf);
        Assert.Equal(1, Calls.Potrs);
        Assert.Equal(0, Calls.Syevd);
        SolverKernels.Close(gpu.DualCoefficients, cpu.DualCoefficients, Tolerance, "α");
        SolverKernels.Close(gpu.Predict(k.TestTrainT), cpu.Predict(k.TestTrainT), Tolerance, "predictions");
        // The residual (K + λI)·α − Y, computed here.
        double[] alpha = gpu.DualCoefficients.ToFlatArray();
        var lhs = new double[k.N * k.Outputs];
        for (int i = 0; i < k.N; i++)
            for (int c = 0; c < k.Outputs; c++)
            {
                double s = ridge * alpha[i * k.Outputs + c];
                for (int p = 0; p < k.N; p++) s += k.Train[i * k.N + p] * alpha[p * k.Outputs + c];
                lhs[i * k.Outputs + c] = s;
            }
        Assert.True(SolverKernels.Relative(lhs, k.Y) < 1e-12);
    }

    [Fact]
    public void RidgeSelectionMatchesTheCpuAndRefittingWithoutEachRow()
    {
        var k = new SolverKernels(14, 1, 6, 2, seed: 14, noise: 0.05);
        double[] grid = [1e-4, 1e-2, 0.1, 1.0];
        var cpu = RidgeSelection.LeaveOneOut(k.TrainT, k.YT, grid);
        var gpu = RidgeSelection.LeaveOneOut(k.TrainT, k.YT, grid, Gpu);
        Assert.Equal(1, Calls.Syevd); // one decomposition for the whole grid
        Assert.True(SolverKernels.Relative(gpu.Scores.ToArray(), cpu.Scores.ToArray()) < Tolerance);
        Assert.Equal(cpu.BestRidge, gpu.BestRidge);

        // Residuals against refitting without row i, written here (Gaussian elimination on the 13 × 13 system).
        const double ridge = 0.1;
        double[] r = RidgeSelection.LeaveOneOutResiduals(k.TrainT, k.YT, ridge, Gpu).ToFlatArray();
        var refit = new double[k.N * k.Outputs];
        for (int i = 0; i < k.N; i++)
        {
            int[] rows = Enumerable.Range(0, k.N).Where(p => p != i).ToArray();
            for (int c = 0; c < k.Outputs; c++)
            {
                var a = new double[rows.Length, rows.Length + 1];
                for (int p = 0; p < rows.Length; p++)
                {
                    for (int q = 0; q < rows.Length; q++) a[p, q] = k.Train[rows[p] * k.N + rows[q]] + (p == q ? ridge : 0);
                    a[p, rows.Length] = k.Y[rows[p] * k.Outputs + c];
                }
                double[] alpha = Gauss(a, rows.Length);
                double f = 0;
                for (int p = 0; p < rows.Length; p++) f += k.Train[i * k.N + rows[p]] * alpha[p];
                refit[i * k.Outputs + c] = k.Y[i * k.Outputs + c] - f;
            }
        }
        Assert.True(SolverKernels.Relative(r, refit) < 1e-10);

        var cpuFold = RidgeSelection.KFold(k.TrainT, k.YT, grid, folds: 3, seed: 2);
        int before = Calls.Syevd;
        var gpuFold = RidgeSelection.KFold(k.TrainT, k.YT, grid, folds: 3, seed: 2, device: Gpu);
        Assert.Equal(before + 3, Calls.Syevd); // one per fold
        Assert.True(SolverKernels.Relative(gpuFold.Scores.ToArray(), cpuFold.Scores.ToArray()) < Tolerance);

        var fitLoo = KernelRegression.FitLeaveOneOut(k.TrainT, k.YT, grid, Gpu);
        SolverKernels.Close(fitLoo.DualCoefficients, KernelRegression.FitLeaveOneOut(k.TrainT, k.YT, grid).DualCoefficients, Tolerance, "FitLeaveOneOut α");
        var fitFold = KernelRegression.FitKFold(k.TrainT, k.YT, grid, 3, 2, Gpu);
        SolverKernels.Close(fitFold.DualCoefficients, KernelRegression.FitKFold(k.TrainT, k.YT, grid, 3, 2).DualCoefficients, Tolerance, "FitKFold α");
        Assert.True(Calls.Potrf >= 2);
    }

    private static double[] Gauss(double[,] a, int n)
    {
        for (int col = 0; col < n; col++)
        {
            int piv = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int j = 0; j <= n; j++) (a[col, j], a[piv, j]) = (a[piv, j], a[col, j]);
            for (int r = col + 1; r < n; r++)
            {
                double f = a[r, col] / a[col, col];
                for (int j = col; j <= n; j++) a[r, j] -= f * a[col, j];
            }
        }
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double s = a[r, n];
            for (int j = r + 1; j < n; j++) s -= a[r, j] * x[j];
            x[r] = s / a[r, r];
        }
        return x;
    }

    [Fact]
    public void NngpPosteriorMatchesTheCpu()
    {
        var k = new SolverKernels(20, 6, 10, 2, seed: 5, feature: Math.Tanh);
        const double lr = 2.0, ridge = 1e-2;
        var cpu = new NngpPredictor(k.TrainT, k.YT, lr, ridge);
        var gpu = new NngpPredictor(k.TrainT, k.YT, lr, ridge, device: Gpu);
        Assert.True(gpu.UsesCholeskyAtInfinity);
        Assert.Equal(1, Calls.Potrf);
        double[] times = [0, 3, 100, double.PositiveInfinity];
        foreach (var testTest in new[] { k.TestTestT, k.TestDiagonalT })
        {
            var c = cpu.Predict(times, k.TestTrainT, testTest);
            var g = gpu.Predict(times, k.TestTrainT, testTest);
            for (int i = 0; i < times.Length; i++)
            {
                SolverKernels.Close(g[i].Mean, c[i].Mean, Tolerance, $"NNGP mean at t = {times[i]}");
                SolverKernels.Close(g[i].Variance, c[i].Variance, Tolerance, $"NNGP variance at t = {times[i]}");
                if (c[i].Covariance is not null) SolverKernels.Close(g[i].Covariance, c[i].Covariance, Tolerance, $"NNGP covariance at t = {times[i]}");
            }
        }
        Assert.Equal(1, Calls.Syevd); // finite times: the eigenbasis, made once on the device
        SolverKernels.Close(gpu.PredictMean(7, k.TestTrainT), cpu.PredictMean(7, k.TestTrainT), Tolerance, "PredictMean");
        Assert.True(SolverKernels.Relative(gpu.Eigenvalues.ToArray(), cpu.Eigenvalues.ToArray()) < Tolerance);
    }

    [Fact]
    public void NtkGpEnsembleMatchesTheCpu()
    {
        var ntk = new SolverKernels(18, 5, 11, 1, seed: 6);
        var nngp = new SolverKernels(18, 5, 11, 1, seed: 6, feature: x => Math.Max(x, 0), noise: 0.1);
        const double lr = 1.0, ridge = 1e-3;
        var cpu = new NtkGpPredictor(ntk.TrainT, nngp.TrainT, ntk.YT, lr, ridge);
        var gpu = new NtkGpPredictor(ntk.TrainT, nngp.TrainT, ntk.YT, lr, ridge, device: Gpu);
        double[] times = [0, 5, 1e3, double.PositiveInfinity];
        var c = cpu.Predict(times, ntk.TestTrainT, nngp.TestTrainT, nngp.TestTestT);
        var g = gpu.Predict(times, ntk.TestTrainT, nngp.TestTrainT, nngp.TestTestT);
        for (int i = 0; i < times.Length; i++)
        {
            SolverKernels.Close(g[i].Mean, c[i].Mean, Tolerance, $"NTK-GP mean at t = {times[i]}");
            SolverKernels.Close(g[i].Covariance, c[i].Covariance, Tolerance, $"NTK-GP covariance at t = {times[i]}");
        }
        Assert.Equal(1, Calls.Syevd);
        Assert.Equal(1, Calls.Potrf);

        // A user tolerance: every time, t = ∞ included, from the device's eigenbasis.
        var cpuTol = new NtkGpPredictor(ntk.TrainT, null, ntk.YT, lr, ridge, eigenvalueTolerance: 1e-9);
        var gpuTol = new NtkGpPredictor(ntk.TrainT, null, ntk.YT, lr, ridge, eigenvalueTolerance: 1e-9, device: Gpu);
        Assert.False(gpuTol.UsesCholeskyAtInfinity);
        SolverKernels.Close(gpuTol.PredictMean(double.PositiveInfinity, ntk.TestTrainT), cpuTol.PredictMean(double.PositiveInfinity, ntk.TestTrainT), Tolerance, "mean at ∞ by eigenbasis");
        Assert.Equal(2, Calls.Syevd);
    }

    [Fact]
    public void AnIndefiniteKernelRaisesTheCpusExceptions()
    {
        var k = new SolverKernels(12, 2, 6, 1, seed: 7);
        var bad = (double[])k.Train.Clone();
        for (int i = 0; i < k.N; i++) bad[i * k.N + i] -= 3.0; // a clearly negative eigenvalue
        var t = Tensor.FromArray(bad, k.N, k.N);

        var cpuDyn = Assert.Throws<ArgumentException>(() => new GradientDescentMse(t, k.YT));
        var gpuDyn = Assert.Throws<ArgumentException>(() => new GradientDescentMse(t, k.YT, device: Gpu));
        Assert.Equal(cpuDyn.ParamName, gpuDyn.ParamName);
        Assert.Contains("clearly indefinite", gpuDyn.Message, StringComparison.Ordinal);

        var cpuFit = Assert.Throws<KernelNotPositiveDefiniteException>(() => KernelRegression.Fit(t, k.YT, 0.0));
        var gpuFit = Assert.Throws<KernelNotPositiveDefiniteException>(() => KernelRegression.Fit(t, k.YT, 0.0, Gpu));
        Assert.Equal(cpuFit.SmallestEigenvalue, gpuFit.SmallestEigenvalue, 1e-10 * Math.Abs(cpuFit.SmallestEigenvalue));
        Assert.Equal(cpuFit.SuggestedRidge, gpuFit.SuggestedRidge);

        var cpuGp = Assert.Throws<ArgumentException>(() => new NngpPredictor(t, k.YT));
        var gpuGp = Assert.Throws<ArgumentException>(() => new NngpPredictor(t, k.YT, device: Gpu));
        Assert.Equal(cpuGp.ParamName, gpuGp.ParamName);
        Assert.True(Calls.Syevd >= 2 && Calls.Potrf >= 2, "the checks ran on the device's results");
    }

    [Fact]
    public void ANaNKernelRaisesTheCpusExceptionsBeforeReachingTheDevice()
    {
        var k = new SolverKernels(8, 2, 5, 1, seed: 8);
        var bad = (double[])k.Train.Clone();
        bad[3 * k.N + 5] = bad[5 * k.N + 3] = double.NaN;
        var t = Tensor.FromArray(bad, k.N, k.N);
        var gpu = Gpu;
        foreach (var (cpu, dev) in new (Action, Action)[]
        {
            (() => _ = new GradientDescentMse(t, k.YT), () => _ = new GradientDescentMse(t, k.YT, device: gpu)),
            (() => KernelRegression.Fit(t, k.YT, 0.1), () => KernelRegression.Fit(t, k.YT, 0.1, gpu)),
            (() => _ = new NngpPredictor(t, k.YT), () => _ = new NngpPredictor(t, k.YT, device: gpu)),
            (() => _ = new NtkGpPredictor(k.TrainT, t, k.YT), () => _ = new NtkGpPredictor(k.TrainT, t, k.YT, device: gpu)),
        })
        {
            var expected = Record.Exception(cpu);
            var actual = Record.Exception(dev);
            Assert.NotNull(expected);
            Assert.NotNull(actual);
            Assert.Equal(expected.GetType(), actual.GetType());
            Assert.Equal(expected.Message, actual.Message);
        }
        var fit = KernelRegression.Fit(k.TrainT, k.YT, 0.1, gpu);
        var nanTest = k.TestTrainT.ToFlatArray();
        nanTest[1] = double.NaN;
        Assert.ThrowsAny<ArgumentException>(() => fit.Predict(Tensor.FromArray(nanTest, k.M, k.N)));
        Assert.Equal(0, Calls.Syevd); // only the valid fit reached cuSOLVER (the NtkGp Θ factor is made before its NNGP is checked)
    }

    [Fact]
    public void TheCpuDeviceGivesTheSameBitsAsNoDevice()
    {
        var k = new SolverKernels(15, 4, 8, 2, seed: 9);
        double[] times = [0, 2, double.PositiveInfinity];
        var a = new GradientDescentMse(k.TrainT, k.YT, 0.5, 1e-3).PredictTest(times, k.F0TrainT, k.F0TestT, k.TestTrainT);
        var b = new GradientDescentMse(k.TrainT, k.YT, 0.5, 1e-3, device: Device.Cpu).PredictTest(times, k.F0TrainT, k.F0TestT, k.TestTrainT);
        Assert.Equal(a.ToFlatArray(), b.ToFlatArray());
        var pa = new NngpPredictor(k.TrainT, k.YT, device: Device.Cpu).Predict(3, k.TestTrainT, k.TestTestT);
        var pb = new NngpPredictor(k.TrainT, k.YT).Predict(3, k.TestTrainT, k.TestTestT);
        Assert.Equal(pb.Covariance!.ToFlatArray(), pa.Covariance!.ToFlatArray());
        Assert.Equal(KernelRegression.Fit(k.TrainT, k.YT, 0.1).DualCoefficients.ToFlatArray(), KernelRegression.Fit(k.TrainT, k.YT, 0.1, Device.Cpu).DualCoefficients.ToFlatArray());
    }

    private static (double[] Train, double[] Test) ExplicitSteps(SolverKernels k, double lr, double ridge, int steps)
    {
        int n = k.N, m = k.M, o = k.Outputs;
        double scale = lr / (n * o);
        var f = (double[])k.F0Train.Clone();
        var ft = (double[])k.F0Test.Clone();
        for (int s = 0; s < steps; s++)
        {
            var r = new double[n * o];
            for (int i = 0; i < r.Length; i++) r[i] = f[i] - k.Y[i];
            for (int i = 0; i < m; i++)
                for (int c = 0; c < o; c++)
                {
                    double d = 0;
                    for (int p = 0; p < n; p++) d += k.TestTrain[i * n + p] * r[p * o + c];
                    ft[i * o + c] -= scale * d;
                }
            for (int i = 0; i < n; i++)
                for (int c = 0; c < o; c++)
                {
                    double d = ridge * r[i * o + c];
                    for (int p = 0; p < n; p++) d += k.Train[i * n + p] * r[p * o + c];
                    f[i * o + c] -= scale * d;
                }
        }
        return (f, ft);
    }
}
