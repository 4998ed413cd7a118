using NtkDsl.Regression;

namespace NtkDsl.Predict;

/// <summary>
/// The training kernel K + λI of a predictor, factored the cheap way that is safe: a blocked Cholesky factor
/// (<see cref="CholeskySolver"/>) serves t = ∞ when K + λI is positive definite beyond the n·ε rounding floor and the
/// default eigenvalue tolerance is in use; the eigendecomposition (<see cref="TrainingEigenbasis"/>, O(n³) in managed
/// MathNet code and much slower than the Cholesky) is made only when needed: for finite times, for a singular or
/// indefinite kernel (made at once, so the constructor rejects an indefinite kernel), or with a user tolerance.
/// </summary>
internal sealed class TrainingSolver
{
    private readonly double[] _kernel;
    private readonly double[] _y;
    private readonly int _outputs;
    private readonly double _ridge;
    private readonly double _tolerance;
    private readonly string _owner;
    private readonly string _argument;
    private readonly Lock _gate = new();
    private readonly ILinearAlgebraBackend? _la; // null: the managed CPU code
    private TrainingEigenbasis? _basis;
    private double[]? _vty;
    private double[]? _alpha;

    public TrainingSolver(double[] kernel, int n, double[] y, int outputs, double ridge, double tolerance, bool defaultTolerance, string owner, string argument,
        ILinearAlgebraBackend? backend = null)
    {
        _la = backend;
        _kernel = kernel;
        N = n;
        _y = y;
        _outputs = outputs;
        _ridge = ridge;
        _tolerance = tolerance;
        _owner = owner;
        _argument = argument;
        if (defaultTolerance) Cholesky = CholeskySolver.TryFactor(kernel, n, ridge, backend);
        if (Cholesky is null) _ = Basis;
    }

    /// <summary>The device's linear algebra, or null for the managed CPU code.</summary>
    public ILinearAlgebraBackend? Backend => _la;

    /// <summary>Matrix order n.</summary>
    public int N { get; }

    /// <summary>The targets Y, n × K row-major.</summary>
    public double[] Y => _y;

    /// <summary>The Cholesky factor of K + λI, or null (singular to working precision, or a user tolerance).</summary>
    public CholeskySolver? Cholesky { get; }

    /// <summary>The eigendecomposition with the cutoff applied, made on first use.</summary>
    public TrainingEigenbasis Basis
    {
        get
        {
            lock (_gate) return _basis ??= TrainingEigenbasis.Create(_kernel, N, _ridge, _tolerance, _owner, _argument, _la);
        }
    }

    /// <summary>Vᵀ Y (n × K), made on first use.</summary>
    public double[] EigenTargets
    {
        get
        {
            var basis = Basis;
            lock (_gate) return _vty ??= DeviceLinearAlgebra.MultiplyTransposed(_la, basis.Vectors, N, N, _y, _outputs);
        }
    }

    /// <summary>(K + λI)^{-1} Y by the Cholesky factor (n × K); only when <see cref="Cholesky"/> is not null.</summary>
    public double[] DualCoefficients
    {
        get
        {
            lock (_gate) return _alpha ??= Cholesky!.Solve(_y, _outputs);
        }
    }

    /// <summary>T = C (K + λI)^{-1} for C m × n, by the Cholesky factor: (K + λI)^{-1} Cᵀ solved, then transposed.</summary>
    public double[] RightSolve(double[] c, int m)
    {
        double[] ct = PosteriorMath.Transposed(c, m, N);
        double[] x = Cholesky!.Solve(ct, m);
        return PosteriorMath.Transposed(x, N, m);
    }
}
