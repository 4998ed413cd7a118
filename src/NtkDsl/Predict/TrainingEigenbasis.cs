using System.Globalization;
using NtkDsl.Dynamics;
using NtkDsl.Regression;

namespace NtkDsl.Predict;

/// <summary>
/// The eigendecomposition K + λI = V Λ Vᵀ of a training kernel (MathNet.Numerics through <see cref="SymmetricEigen"/>),
/// with the eigenvalues at or below the cutoff treated as exact zeros: their directions are dropped from every
/// time-dependent gain, so the null space of a rank-deficient kernel contributes nothing (docs/math.md §8).
/// </summary>
internal sealed class TrainingEigenbasis
{
    private readonly double[] _values; // kept eigenvalues of K + λI, 0 for dropped ones

    private TrainingEigenbasis(SymmetricEigen eigen, double[] values, double cutoff, int rank)
    {
        Eigen = eigen;
        _values = values;
        Cutoff = cutoff;
        Rank = rank;
    }

    /// <summary>The decomposition of K (without the ridge).</summary>
    public SymmetricEigen Eigen { get; }

    /// <summary>Row-major n × n, column j the eigenvector of eigenvalue j (ascending).</summary>
    public double[] Vectors => Eigen.Vectors;

    /// <summary>Matrix order n.</summary>
    public int N => Eigen.N;

    /// <summary>Absolute cutoff: eigenvalues of K + λI at or below it are treated as 0.</summary>
    public double Cutoff { get; }

    /// <summary>Number of eigen-directions kept.</summary>
    public int Rank { get; }

    /// <summary>Eigenvalues of K + λI, ascending, with the dropped ones set to 0.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>
    /// Decomposes K + ridge·I and applies the cutoff relTol·max(λ_max, 0); throws when an eigenvalue is below
    /// −<see cref="GradientDescentMse.IndefiniteTolerance"/>·max|λ| (a clearly indefinite kernel).
    /// </summary>
    public static TrainingEigenbasis Create(double[] kernel, int n, double ridge, double relativeTolerance, string owner, string argument,
        ILinearAlgebraBackend? backend = null)
    {
        var eigen = SymmetricEigen.Of(kernel, n, backend);
        double maxAbs = eigen.MaxAbs + ridge;
        double cutoff = relativeTolerance * Math.Max(eigen.Max + ridge, 0.0);
        var values = new double[n];
        int rank = 0;
        for (int j = 0; j < n; j++)
        {
            double v = eigen.Values[j] + ridge;
            if (v < -GradientDescentMse.IndefiniteTolerance * maxAbs)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{owner}: {argument} + ridge·I has eigenvalue {v:G6} (largest {eigen.Max + ridge:G6}), below −{GradientDescentMse.IndefiniteTolerance:E0}·max|λ|: the kernel is clearly indefinite, not positive semi-definite up to rounding. Check how the kernel was computed, or add ridge ≥ {eigen.SmallestSafeRidge():G6}."), argument);
            if (v > cutoff && v > 0)
            {
                values[j] = v;
                rank++;
            }
        }
        return new TrainingEigenbasis(eigen, values, cutoff, rank);
    }

    /// <summary>
    /// g_j = (1 − e^{−c·s·λ_j/N})/λ_j for kept directions (1/λ_j at s = ∞), 0 for dropped ones: the eigenvalues of
    /// (K + λI)^{-1}(I − e^{−c·s(K + λI)/N}) restricted to the kept subspace.
    /// </summary>
    /// <param name="s">η·t ≥ 0, may be +∞.</param>
    /// <param name="normalization">N = y_train.size.</param>
    /// <param name="factor">c: 1 for the mean, 2 for the NNGP-mode covariance.</param>
    public double[] Gains(double s, int normalization, double factor)
    {
        var g = new double[N];
        for (int j = 0; j < N; j++)
        {
            double v = _values[j];
            if (v == 0) continue;
            g[j] = double.IsPositiveInfinity(s) ? 1.0 / v : -AccurateMath.Expm1(-factor * s * v / normalization) / v;
        }
        return g;
    }

    /// <summary>The default relative tolerance n·ε (as SciPy's <c>pinvh</c>).</summary>
    public static double DefaultTolerance(int n) => n * 2.220446049250313e-16;
}
