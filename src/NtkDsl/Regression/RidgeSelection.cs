using System.Globalization;

namespace NtkDsl.Regression;

/// <summary>
/// Ridge selection for <see cref="KernelRegression"/> over a grid of candidate ridges, by closed-form
/// leave-one-out or by k-fold cross-validation. Scores are mean squared errors over all held-out entries.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).</remarks>
public static class RidgeSelection
{
    private const string Owner = nameof(RidgeSelection);

    /// <summary>
    /// Closed-form leave-one-out residuals y_i − f_{−i}(x_i) for one ridge, n × K (or length n for vector targets):
    /// with A = (K + λI)^{-1}, residual_i = [A y]_i / A_ii (the exact result of refitting without row i).
    /// </summary>
    /// <param name="kTrain">n × n symmetric training kernel.</param>
    /// <param name="yTrain">n × K targets (or a length-n vector).</param>
    /// <param name="ridge">λ ≥ 0.</param>
    /// <param name="device">Null or <see cref="Device.Cpu"/>: the managed code. A device (<c>Device.Cuda</c>): the
    /// eigen path (A = V diag(1/(Λ + λ)) Vᵀ) with the eigendecomposition (cuSOLVER syevd) and its products there.</param>
    /// <exception cref="KernelNotPositiveDefiniteException">K + λI is not positive definite.</exception>
    /// <exception cref="NotSupportedException">A non-CPU device without a linear-algebra backend.</exception>
    public static Tensor LeaveOneOutResiduals(Tensor kTrain, Tensor yTrain, double ridge, Device? device = null)
    {
        KernelInput.Ridge(ridge, Owner);
        var la = DeviceLinearAlgebra.Resolve(device, Owner);
        EnsureLeaveOneOut(kTrain, yTrain, Owner + ".LeaveOneOutResiduals");
        double[] k = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        double[] y = KernelInput.Targets(yTrain, n, Owner, nameof(yTrain), out int outputs, out bool vector);
        double[] r = LooResidualsCore(k, n, y, outputs, ridge, la is null && n >= CholeskyCrossover, la);
        return vector ? Tensor.Wrap(r, n) : Tensor.Wrap(r, n, outputs);
    }

    /// <summary>Leave-one-out residuals for one ridge by the Cholesky path or the eigen path (tests compare the two).</summary>
    internal static double[] LooResidualsCore(double[] k, int n, double[] y, int outputs, double ridge, bool cholesky, ILinearAlgebraBackend? la = null)
    {
        double[] r;
        if (cholesky)
        {
            var solver = CholeskySolver.TryFactor(k, n, ridge) ?? throw CholeskySolver.NotPositiveDefinite(Owner, ridge, SymmetricEigen.Of(k, n));
            r = LooResiduals(solver, y, outputs);
        }
        else
        {
            var eigen = SymmetricEigen.Of(k, n, la);
            if (!eigen.IsPositiveDefinite(ridge)) throw CholeskySolver.NotPositiveDefinite(Owner, ridge, eigen);
            r = LooResiduals(eigen, y, outputs, ridge, la);
        }
        return r;
    }

    /// <summary>
    /// Scores every ridge by its closed-form leave-one-out mean squared error. Below 400 training rows this uses one
    /// eigendecomposition K = V Λ Vᵀ: (K + λI)^{-1} = V diag(1/(Λ + λ)) Vᵀ, so each ridge costs O(n²·K); from 400 rows
    /// on, one blocked multi-threaded Cholesky factorization of K + λI per ridge gives (K + λI)^{-1}Y and the diagonal
    /// of the inverse, which is much faster for large n.
    /// Ridges for which K + λI is not positive definite score +∞.
    /// </summary>
    /// <param name="kTrain">n × n symmetric training kernel.</param>
    /// <param name="yTrain">n × K targets (or a length-n vector).</param>
    /// <param name="ridges">The candidate ridges λ ≥ 0.</param>
    /// <param name="device">Null or <see cref="Device.Cpu"/>: the managed code as above. A device (<c>Device.Cuda</c>):
    /// the eigen path at every n, one eigendecomposition (cuSOLVER syevd) shared by all ridges, its products there.</param>
    /// <exception cref="KernelNotPositiveDefiniteException">No ridge in the grid makes K + λI positive definite.</exception>
    /// <exception cref="NotSupportedException">A non-CPU device without a linear-algebra backend.</exception>
    public static RidgeSearchResult LeaveOneOut(Tensor kTrain, Tensor yTrain, IReadOnlyList<double> ridges, Device? device = null)
    {
        double[] grid = Grid(ridges);
        var la = DeviceLinearAlgebra.Resolve(device, Owner);
        EnsureLeaveOneOut(kTrain, yTrain, Owner + ".LeaveOneOut");
        double[] k = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        if (n < 2) throw new ArgumentException($"{Owner}: leave-one-out needs at least 2 training examples, got {n}.", nameof(kTrain));
        double[] y = KernelInput.Targets(yTrain, n, Owner, nameof(yTrain), out int outputs, out _);
        return LeaveOneOutCore(k, n, y, outputs, grid, la is null && n >= CholeskyCrossover, la);
    }

    /// <summary>The leave-one-out search by the Cholesky path or the eigen path (tests compare the two).</summary>
    internal static RidgeSearchResult LeaveOneOutCore(double[] k, int n, double[] y, int outputs, double[] grid, bool cholesky, ILinearAlgebraBackend? la = null)
    {
        var scores = new double[grid.Length];
        SymmetricEigen? eigen = cholesky ? null : SymmetricEigen.Of(k, n, la);
        for (int g = 0; g < grid.Length; g++)
        {
            double[] r;
            if (eigen is null)
            {
                var solver = CholeskySolver.TryFactor(k, n, grid[g]);
                if (solver is null) { scores[g] = double.PositiveInfinity; continue; }
                r = LooResiduals(solver, y, outputs);
            }
            else
            {
                if (!eigen.IsPositiveDefinite(grid[g])) { scores[g] = double.PositiveInfinity; continue; }
                r = LooResiduals(eigen, y, outputs, grid[g], la);
            }
            double sse = 0;
            foreach (double v in r) sse += v * v;
            scores[g] = sse / r.Length;
        }
        var result = new RidgeSearchResult("leave-one-out", grid, scores);
        if (result.BestIndex < 0) throw CholeskySolver.NotPositiveDefinite(Owner, grid.Max(), eigen ?? SymmetricEigen.Of(k, n));
        return result;
    }

    /// <summary>
    /// Scores every ridge by k-fold cross-validation. Folds are deterministic for a seed: the rows are shuffled by a
    /// Fisher–Yates pass driven by <see cref="NormalSampler"/>(seed).NextUInt64(), and the row at shuffled position p
    /// goes to fold p mod <paramref name="folds"/> (sizes differ by at most one). Each fold's training block is
    /// eigendecomposed once and reused for every ridge. A ridge that leaves some fold's block not positive definite
    /// scores +∞.
    /// </summary>
    /// <param name="kTrain">n × n symmetric training kernel.</param>
    /// <param name="yTrain">n × K targets (or a length-n vector).</param>
    /// <param name="ridges">The candidate ridges λ ≥ 0.</param>
    /// <param name="folds">Number of folds, 2 to n.</param>
    /// <param name="seed">Seed of the row shuffle.</param>
    /// <param name="device">Null or <see cref="Device.Cpu"/>: the managed code. A device (<c>Device.Cuda</c>): each
    /// fold's eigendecomposition (cuSOLVER syevd) and the products there.</param>
    /// <exception cref="KernelNotPositiveDefiniteException">No ridge in the grid works for every fold.</exception>
    /// <exception cref="NotSupportedException">A non-CPU device without a linear-algebra backend.</exception>
    public static RidgeSearchResult KFold(Tensor kTrain, Tensor yTrain, IReadOnlyList<double> ridges, int folds = 5, long seed = 0, Device? device = null)
    {
        double[] grid = Grid(ridges);
        var la = DeviceLinearAlgebra.Resolve(device, Owner);
        EnsureKFold(kTrain, yTrain, folds);
        double[] k = KernelInput.SquareSymmetric(kTrain, Owner, nameof(kTrain), out int n);
        double[] y = KernelInput.Targets(yTrain, n, Owner, nameof(yTrain), out int outputs, out _);
        if (folds < 2 || folds > n)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"{Owner}: folds must be between 2 and the number of training examples ({n}).");
        int[][] foldRows = Folds(n, folds, seed);
        var sse = new double[grid.Length];
        SymmetricEigen? worst = null;
        foreach (int[] valid in foldRows)
        {
            int[] train = Enumerable.Range(0, n).Except(valid).ToArray();
            var eigen = SymmetricEigen.Of(DenseMath.Submatrix(k, n, train, train), train.Length, la);
            if (worst is null || eigen.Min < worst.Min) worst = eigen;
            double[] kvt = DenseMath.Submatrix(k, n, valid, train);
            double[] ytr = DenseMath.Submatrix(y, outputs, train, Enumerable.Range(0, outputs).ToArray());
            for (int g = 0; g < grid.Length; g++)
            {
                if (!eigen.IsPositiveDefinite(grid[g])) { sse[g] = double.PositiveInfinity; continue; }
                double[] alpha = DenseMath.EigenSolve(eigen, grid[g], ytr, outputs, la);
                double[] pred = DeviceLinearAlgebra.Multiply(la, kvt, valid.Length, train.Length, alpha, outputs);
                for (int i = 0; i < valid.Length; i++)
                    for (int c = 0; c < outputs; c++)
                    {
                        double d = y[valid[i] * outputs + c] - pred[i * outputs + c];
                        sse[g] += d * d;
                    }
            }
        }
        for (int g = 0; g < grid.Length; g++) sse[g] /= (double)n * outputs;
        var result = new RidgeSearchResult(string.Create(CultureInfo.InvariantCulture, $"{folds}-fold (seed {seed})"), grid, sse);
        if (result.BestIndex < 0) throw CholeskySolver.NotPositiveDefinite(Owner, grid.Max(), worst!);
        return result;
    }

    /// <summary>
    /// Leave-one-out's working set: the float64 copy of K and one n × n work matrix (the Cholesky factor from
    /// <see cref="CholeskyCrossover"/> rows on; below, the eigen path holds 5 n × n matrices in all: the copy, MathNet's
    /// matrix, its eigenvectors, their row-major copy and the sorted ones, under 7 MB), with the targets, the solution and the residuals (3·n·K).
    /// </summary>
    private static void EnsureLeaveOneOut(Tensor? kTrain, Tensor? yTrain, string operation)
    {
        if (kTrain is not { Rank: 2 }) return;
        int n = kTrain.Shape[0];
        RegressionMemory.EnsureSquare(kTrain, n >= CholeskyCrossover ? 2 : 5, 3L * Columns(yTrain), operation,
            "the float64 copy of the training kernel and the factorization of kernel + ridge·I, with the targets and residuals");
    }

    /// <summary>
    /// k-fold's working set: the float64 copy of K (n²) and, per fold, the training block (t² for t = n − ⌊n/folds⌋
    /// rows at most) with MathNet's copy, its eigenvectors and the sorted ones (3·t²), the validation × training block
    /// (n·t at most) and the targets (2·n·K).
    /// </summary>
    private static void EnsureKFold(Tensor? kTrain, Tensor? yTrain, int folds)
    {
        if (kTrain is not { Rank: 2 } || folds < 2) return;
        long n = kTrain.Shape[0], t = n - n / folds;
        long values = RegressionMemory.Add(RegressionMemory.Add(RegressionMemory.Squares(n, 1), RegressionMemory.Squares(t, 4)),
            RegressionMemory.Add(RegressionMemory.Multiply(n, t), RegressionMemory.Multiply(n, 2L * Columns(yTrain))));
        RegressionMemory.Ensure(values, Owner + ".KFold", string.Create(CultureInfo.InvariantCulture,
            $"the float64 copy of the {n} × {n} training kernel and, per fold, the eigendecomposition of its {t} × {t} training block"));
    }

    private static long Columns(Tensor? y) => y is { Rank: 2 } ? y.Shape[1] : 1;

    /// <summary>
    /// The deterministic folds used by <see cref="KFold"/>: row indices of each fold, each sorted ascending.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> FoldIndices(int rows, int folds, long seed)
    {
        if (folds < 2 || folds > rows)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"{Owner}: folds must be between 2 and the number of rows ({rows}).");
        return Folds(rows, folds, seed);
    }

    private static int[][] Folds(int n, int folds, long seed)
    {
        var perm = Enumerable.Range(0, n).ToArray();
        var rng = new NormalSampler(seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        var result = new int[folds][];
        for (int f = 0; f < folds; f++)
        {
            var rows = new List<int>();
            for (int p = f; p < n; p += folds) rows.Add(perm[p]);
            rows.Sort();
            result[f] = rows.ToArray();
        }
        return result;
    }

    private static double[] Grid(IReadOnlyList<double>? ridges)
    {
        if (ridges is null || ridges.Count == 0)
            throw new ArgumentException($"{Owner}: the ridge grid is empty; pass candidate ridges such as 1e-6, 1e-4, 1e-2, 1.", nameof(ridges));
        var grid = ridges.ToArray();
        foreach (double r in grid) KernelInput.Ridge(r, Owner, nameof(ridges));
        return grid;
    }

    /// <summary>
    /// From this order on, leave-one-out uses one blocked Cholesky factorization per ridge (2n³/3 flops in GEMM
    /// kernels: the factor and the diagonal of the inverse) instead of one MathNet eigendecomposition shared by all
    /// ridges (a single-threaded managed EVD several times slower per flop). Below it the eigen path is kept.
    /// </summary>
    internal const int CholeskyCrossover = 400;

    /// <summary>residual_i = [A y]_i / A_ii with A = (K + λI)^{-1} from its Cholesky factor.</summary>
    private static double[] LooResiduals(CholeskySolver solver, double[] y, int outputs)
    {
        int n = solver.N;
        double[] ay = solver.Solve(y, outputs);
        double[] aii = solver.InverseDiagonal();
        var r = new double[n * outputs];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < outputs; c++) r[i * outputs + c] = ay[i * outputs + c] / aii[i];
        return r;
    }

    private static double[] LooResiduals(SymmetricEigen eigen, double[] y, int outputs, double ridge, ILinearAlgebraBackend? la)
    {
        int n = eigen.N;
        double[] ay = DenseMath.EigenSolve(eigen, ridge, y, outputs, la);
        var v = eigen.Vectors;
        var inv = new double[n];
        for (int j = 0; j < n; j++) inv[j] = 1.0 / (eigen.Values[j] + ridge);
        var r = new double[n * outputs];
        for (int i = 0; i < n; i++)
        {
            double aii = 0;
            for (int j = 0; j < n; j++) aii += v[i * n + j] * v[i * n + j] * inv[j];
            for (int c = 0; c < outputs; c++) r[i * outputs + c] = ay[i * outputs + c] / aii;
        }
        return r;
    }
}
