namespace NtkDsl.Analytic;

/// <summary>
/// A scalar activation φ with its derivative φ'. Implement it on a struct and pass the struct as a generic argument
/// (<see cref="BivariateGaussQuadrature{TFunction}"/>) so that the JIT specialises and inlines both calls.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IScalarFunction
{
    /// <summary>φ(x).</summary>
    double Value(double x);

    /// <summary>φ'(x), with the same convention at kinks as the finite network (e.g. ReLU'(0) = 0).</summary>
    double Derivative(double x);
}

/// <summary>
/// Adapts a pair of delegates to <see cref="IScalarFunction"/> (convenient, but each call is an indirect delegate
/// call; prefer a dedicated struct on hot paths).
/// </summary>
internal readonly struct DelegateFunction : IScalarFunction
{
    private readonly Func<double, double> _value;
    private readonly Func<double, double> _derivative;

    /// <summary>Wraps φ and φ'.</summary>
    public DelegateFunction(Func<double, double> value, Func<double, double> derivative)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(derivative);
        _value = value;
        _derivative = derivative;
    }

    /// <inheritdoc/>
    public double Value(double x) => _value(x);

    /// <inheritdoc/>
    public double Derivative(double x) => _derivative(x);
}
