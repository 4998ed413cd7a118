namespace NtkDsl.Analytic;

/// <summary>
/// An n-point Gauss–Hermite rule for the <b>probabilists'</b> weight: nodes x_i and weights w_i with
/// E[f(Z)] ≈ Σ_i w_i f(x_i) for Z ~ N(0, 1). The weights sum to 1 and the rule is exact for polynomials of degree
/// ≤ 2n − 1. (The physicists' rule for ∫ e^(−t²) g(t) dt has nodes x_i/√2 and weights √π·w_i.)
/// Obtain instances from <see cref="GaussHermite.Get"/>; they are immutable and shared.
/// </summary>
internal sealed class GaussHermiteRule
{
    private readonly double[] _nodes;
    private readonly double[] _weights;

    internal GaussHermiteRule(double[] nodes, double[] weights)
    {
        _nodes = nodes;
        _weights = weights;
    }

    /// <summary>Number of points n.</summary>
    public int Count => _nodes.Length;

    /// <summary>Nodes in ascending order, exactly symmetric (x_i = −x_{n−1−i}; the middle node of an odd rule is 0).</summary>
    public ReadOnlySpan<double> Nodes => _nodes;

    /// <summary>Weights matching <see cref="Nodes"/> (positive, symmetric, summing to 1; the outermost may underflow to 0 for large n).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>Σ_i w_i f(x_i) ≈ E[f(Z)], Z ~ N(0, 1).</summary>
    public double Expectation(Func<double, double> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        double s = 0.0;
        for (int i = 0; i < _nodes.Length; i++) s += _weights[i] * f(_nodes[i]);
        return s;
    }

    /// <summary>Σ_i w_i f(σ·x_i) ≈ E[f(σZ)] for the function struct <typeparamref name="TFunction"/>'s value.</summary>
    public double Expectation<TFunction>(in TFunction f, double sigma) where TFunction : struct, IScalarFunction
    {
        double s = 0.0;
        for (int i = 0; i < _nodes.Length; i++) s += _weights[i] * f.Value(sigma * _nodes[i]);
        return s;
    }
}
