using System.Globalization;

namespace NtkDsl.Regression;

/// <summary>
/// Cholesky factorization of K + λI with solves for many right-hand sides and the diagonal of the inverse, on the
/// blocked multi-threaded <see cref="BlockedCholesky"/> (GEMM/SYRK from <see cref="Kernels.Blas"/>).
/// A factorization whose smallest pivot is below the n·ε·max diag rounding floor is treated as a failure too:
/// a tiny positive pivot would give a solution of pure rounding noise. On failure the smallest working ridge is
/// computed from the eigenvalues of K (<see cref="SymmetricEigen"/>, MathNet.Numerics), only to word the error.
/// </summary>
internal sealed class CholeskySolver
{
    private readonly BlockedCholesky? _cholesky;
    private readonly ICholeskyFactor? _device;

    private CholeskySolver(int n, BlockedCholesky cholesky)
    {
        N = n;
        _cholesky = cholesky;
    }

    private CholeskySolver(int n, ICholeskyFactor device)
    {
        N = n;
        _device = device;
    }

    /// <summary>Matrix order.</summary>
    public int N { get; }

    /// <summary>
    /// Factors K + ridge·I (K symmetric row-major n × n) or throws <see cref="KernelNotPositiveDefiniteException"/>
    /// with the smallest ridge that would work, computed from the eigenvalues of K
    /// (<paramref name="eigen"/> when the caller already has them).
    /// </summary>
    public static CholeskySolver Factor(double[] kernel, int n, double ridge, string owner, SymmetricEigen? eigen = null)
        => TryFactor(kernel, n, ridge) ?? throw NotPositiveDefinite(owner, ridge, eigen ?? SymmetricEigen.Of(kernel, n));

    /// <summary>
    /// <see cref="Factor(double[], int, double, string, SymmetricEigen?)"/> on <paramref name="backend"/> (a device's
    /// cuSOLVER potrf/potrs; the error's eigenvalues from the same backend), or on the CPU when it is null.
    /// </summary>
    public static CholeskySolver Factor(double[] kernel, int n, double ridge, string owner, ILinearAlgebraBackend? backend)
        => backend is null
            ? Factor(kernel, n, ridge, owner)
            : TryFactor(kernel, n, ridge, backend) ?? throw NotPositiveDefinite(owner, ridge, SymmetricEigen.Of(kernel, n, backend));

    /// <summary>
    /// <see cref="TryFactor(double[], int, double)"/> on <paramref name="backend"/>, or on the CPU when it is null: the
    /// device's factor is held to the same pivot floor (smallest pivot above n·ε·max diag, finite).
    /// </summary>
    public static CholeskySolver? TryFactor(double[] kernel, int n, double ridge, ILinearAlgebraBackend? backend)
    {
        if (backend is null) return TryFactor(kernel, n, ridge);
        double maxDiag = 0;
        for (int i = 0; i < n; i++) maxDiag = Math.Max(maxDiag, kernel[i * n + i] + ridge);
        var factor = backend.TryCholesky(kernel, n, ridge);
        return factor is not null && double.IsFinite(factor.MinPivot) && factor.MinPivot > SymmetricEigen.PositivityFloor(n, maxDiag)
            ? new CholeskySolver(n, factor) : null;
    }

    /// <summary>Factors K + ridge·I, or returns null when it is not positive definite beyond rounding.</summary>
    public static CholeskySolver? TryFactor(double[] kernel, int n, double ridge)
    {
        var a = (double[])kernel.Clone();
        double maxDiag = 0;
        for (int i = 0; i < n; i++)
        {
            a[i * n + i] += ridge;
            maxDiag = Math.Max(maxDiag, a[i * n + i]);
        }
        var chol = BlockedCholesky.TryFactor(a, n);
        return chol is not null && chol.MinPivot > SymmetricEigen.PositivityFloor(n, maxDiag) ? new CholeskySolver(n, chol) : null;
    }

    /// <summary>The error naming the smallest eigenvalue of K and the smallest ridge that works.</summary>
    public static KernelNotPositiveDefiniteException NotPositiveDefinite(string owner, double ridge, SymmetricEigen eigen, Exception? inner = null)
    {
        double suggested = eigen.SmallestSafeRidge();
        string message = string.Create(CultureInfo.InvariantCulture,
            $"{owner}: kernel + ridge·I is not positive definite for ridge = {ridge:G6}: the smallest eigenvalue of the kernel is {eigen.Min:G6} (largest {eigen.Max:G6}), so K + ridge·I is singular or indefinite to working precision. Use ridge ≥ {suggested:G6} (the smallest value that makes K + ridge·I positive definite, plus a 1e-8·‖K‖ margin, rounded up to 3 significant digits), or check that the kernel was computed correctly.");
        return new KernelNotPositiveDefiniteException(message, ridge, eigen.Min, suggested, inner);
    }

    /// <summary>Solves (K + λI) X = B for B row-major n × columns; returns X row-major.</summary>
    public double[] Solve(double[] b, int columns)
    {
        return _device is null ? _cholesky!.Solve(b, columns) : _device.Solve(b, columns);
    }

    /// <summary>The diagonal of (K + λI)^{-1} (a device factor: by solving against the identity).</summary>
    public double[] InverseDiagonal()
    {
        if (_device is null) return _cholesky!.InverseDiagonal();
        var identity = new double[(long)N * N];
        for (int i = 0; i < N; i++) identity[i * N + i] = 1.0;
        double[] inverse = _device.Solve(identity, N);
        var d = new double[N];
        for (int i = 0; i < N; i++) d[i] = inverse[i * N + i];
        return d;
    }
}
