using System.Globalization;
using NtkDsl.Kernels;
using NtkDsl.Regression;

namespace NtkDsl.Predict;

/// <summary>Argument checks, products and the variance clipping shared by the two predictors (docs/math.md §8).</summary>
internal static class PosteriorMath
{
    /// <summary>Negative variances down to −1e-8·scale are rounding when every kernel is float64.</summary>
    public const double Float64Tolerance = 1e-8;

    /// <summary>Negative variances down to −1e-4·scale are rounding when any kernel is float32 (ε₃₂ ≈ 1.2e-7).</summary>
    public const double Float32Tolerance = 1e-4;

    /// <summary>The relative tolerance for negative variances: float32 inputs are accurate to about 1e-7 only.</summary>
    public static double Tolerance(bool trainingKernelsFloat32, params Tensor?[] kernels) =>
        trainingKernelsFloat32 || kernels.Any(k => k is not null && k.DType == DType.Float32) ? Float32Tolerance : Float64Tolerance;

    /// <summary>Checks the time list: each t ≥ 0 (+∞ allowed).</summary>
    public static double[] Times(IReadOnlyList<double>? times, string owner)
    {
        if (times is null || times.Count == 0)
            throw new ArgumentException($"{owner}: the list of times is empty; pass at least one time t ≥ 0 (double.PositiveInfinity for the end of training).", nameof(times));
        var ts = times.ToArray();
        foreach (double t in ts)
            if (double.IsNaN(t) || t < 0)
                throw new ArgumentOutOfRangeException(nameof(times), t, string.Create(CultureInfo.InvariantCulture,
                    $"{owner}: time t must be ≥ 0 (double.PositiveInfinity for the end of training), got {t}."));
        return ts;
    }

    /// <summary>Checks learning rate, ridge and eigenvalue tolerance; returns the tolerance to use for order n.</summary>
    public static double CheckSettings(double learningRate, double ridge, double? eigenvalueTolerance, int n, string owner)
    {
        if (!double.IsFinite(learningRate) || learningRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"{owner}: learningRate must be a finite number > 0 (time t is in steps; the flow runs for s = η·t).");
        KernelInput.Ridge(ridge, owner);
        if (eigenvalueTolerance is double tol && (!double.IsFinite(tol) || tol < 0 || tol >= 1))
            throw new ArgumentOutOfRangeException(nameof(eigenvalueTolerance), tol, $"{owner}: eigenvalueTolerance is relative to the largest eigenvalue and must be in [0, 1); leave it null for the default n·ε.");
        return eigenvalueTolerance ?? TrainingEigenbasis.DefaultTolerance(n);
    }

    /// <summary>
    /// The test–test kernel: m × m symmetric (full covariance) or a length-m vector (its diagonal: marginal variances
    /// only). Returns a float64 copy.
    /// </summary>
    public static double[] TestTest(Tensor? k, int m, string owner, string argument, out bool full)
    {
        if (k is null)
            throw new ArgumentNullException(argument, $"{owner}: {argument} is null; pass the {m} × {m} test–test kernel (full covariance) or its diagonal, a length-{m} vector (marginal variances).");
        if (k.Rank == 1 && k.Shape[0] == m)
        {
            full = false;
            InputChecks.Finite(k, owner, argument);
            return k.ToFlatArray();
        }
        if (k.Rank == 2 && k.Shape[0] == m && k.Shape[1] == m)
        {
            full = true;
            return KernelInput.SquareSymmetric(k, owner, argument, out _);
        }
        if ((k.Rank == 4 && k.Shape[0] == m && k.Shape[1] == m && k.Shape[2] == k.Shape[3]) || (k.Rank == 3 && k.Shape[0] == m && k.Shape[1] == k.Shape[2]))
            throw new ArgumentException($"{owner}: {argument} has shape [{KernelInput.ShapeText(k)}], an NtkMode.{(k.Rank == 4 ? "Full" : "DiagonalFull")} kernel (with every K × K output block); this takes the {m} × {m} test–test kernel or its length-{m} diagonal: compute it with NtkMode.Trace or NtkMode.Diagonal (math.md §5: the kernel of one output, shared by the K outputs).", argument);
        throw new ArgumentException($"{owner}: {argument} has shape [{KernelInput.ShapeText(k)}] but the test–train kernel has {m} rows: pass the {m} × {m} test–test kernel, or its diagonal as a length-{m} vector.", argument);
    }

    /// <summary>A·diag(g) for A rows × cols (a new array).</summary>
    public static double[] ScaleColumns(double[] a, int rows, int cols, double[] g)
    {
        var r = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) r[i * cols + j] = a[i * cols + j] * g[j];
        return r;
    }

    /// <summary>C = A·Bᵀ for A m × k and B n × k (row-major), on the managed GEMM.</summary>
    public static double[] MultiplyByTranspose(double[] a, int m, int k, double[] b, int n)
    {
        var c = new double[m * n];
        if (k == 0) return c;
        Blas.Gemm(Transpose.No, Transpose.Yes, m, n, k, 1.0, a, k, b, k, 0.0, c, n);
        return c;
    }

    /// <summary>Aᵀ for A rows × cols, row-major.</summary>
    public static double[] Transposed(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /// <summary>Σ_j A_ij B_ij for each row i of two rows × cols matrices (the diagonal of A·Bᵀ).</summary>
    public static double[] RowDots(double[] a, double[] b, int rows, int cols)
    {
        var d = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double s = 0;
            for (int j = 0; j < cols; j++) s += a[i * cols + j] * b[i * cols + j];
            d[i] = s;
        }
        return d;
    }

    /// <summary>The mean tensor, shaped like the targets: [m] or [m, K].</summary>
    public static Tensor MeanTensor(double[] mean, int m, int outputs, bool vector) =>
        vector ? Tensor.Wrap(mean, m) : Tensor.Wrap(mean, m, outputs);

    /// <summary>
    /// Checks the variances: v_i ≥ 0 is kept; −tolerance·scale_i ≤ v_i &lt; 0 is rounding and becomes 0; anything more
    /// negative throws, naming the point, the value and its scale. Writes the clipped values back into
    /// <paramref name="covariance"/>'s diagonal (when given), symmetrizes it, and builds the prediction.
    /// </summary>
    public static GaussianPrediction Finish(double time, Tensor mean, double[]? covariance, double[] variance, double[] scale, int m,
        double tolerance, string owner, string argument)
    {
        int clipped = 0;
        double largest = 0;
        for (int i = 0; i < m; i++)
        {
            double v = variance[i];
            if (!double.IsFinite(v))
                throw new ArithmeticException(string.Create(CultureInfo.InvariantCulture,
                    $"{owner}: the posterior variance at test point {i} is {v}: the computation overflowed; rescale the kernels (divide them by their largest entry and the targets by its square root)."));
            if (v >= 0) continue;
            if (v < -tolerance * scale[i])
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{owner}: the posterior variance at test point {i} is {v:G6}, negative beyond rounding (its terms are of size {scale[i]:G6}; rounding allows down to −{tolerance:E0} of that). The kernels are not jointly positive semi-definite: {argument}, the test–train kernel and the training kernel must all come from one kernel function evaluated on the same inputs (and, for the NTK-GP, the NNGP matrices from the same network as the NTK)."),
                    argument);
            clipped++;
            largest = Math.Max(largest, -v);
            variance[i] = 0;
        }
        Tensor? cov = null;
        if (covariance is not null)
        {
            KernelInput.SymmetrizeInPlace(covariance, m);
            for (int i = 0; i < m; i++) covariance[i * m + i] = variance[i];
            cov = Tensor.Wrap(covariance, m, m);
        }
        return new GaussianPrediction(time, mean, cov, Tensor.Wrap(variance, m), clipped, largest);
    }
}
