using System.Runtime.CompilerServices;
using NtkDsl.Kernels;

namespace NtkDsl.Analytic;

// Built-in activations as IScalarFunction structs. Values and derivatives (including the convention at kinks) match
// the bodies the source generator emits for the finite network.

/// <summary>φ(x) = tanh x, φ'(x) = 1 − tanh² x.</summary>
internal readonly struct TanhFunction : IScalarFunction
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(double x) => Math.Tanh(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Derivative(double x)
    {
        double t = Math.Tanh(x);
        return 1.0 - t * t;
    }
}

/// <summary>φ(x) = 1/(1 + e^(−x)), φ'(x) = φ(x)(1 − φ(x)).</summary>
internal readonly struct SigmoidFunction : IScalarFunction
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(double x) => Special.Sigmoid(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Derivative(double x)
    {
        double s = Special.Sigmoid(x);
        return s * (1.0 - s);
    }
}

/// <summary>φ(x) = erf x, φ'(x) = (2/√π)·e^(−x²).</summary>
internal readonly struct ErfFunction : IScalarFunction
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(double x) => Special.Erf(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Derivative(double x) => Special.TwoOverSqrtPi * Math.Exp(-x * x);
}

/// <summary>φ(x) = sin x, φ'(x) = cos x.</summary>
internal readonly struct SinFunction : IScalarFunction
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(double x) => Math.Sin(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Derivative(double x) => Math.Cos(x);
}

/// <summary>Exact GELU φ(x) = x·Φ(x), φ'(x) = Φ(x) + x·ϕ(x) (Φ, ϕ: standard normal CDF and density).</summary>
internal readonly struct GeluFunction : IScalarFunction
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(double x) => x * Special.NormalCdf(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Derivative(double x) => Special.NormalCdf(x) + x * Special.NormalPdf(x);
}

/// <summary>φ(x) = log(1 + e^x), φ'(x) = 1/(1 + e^(−x)).</summary>
internal readonly struct SoftplusFunction : IScalarFunction
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(double x) => Special.Softplus(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Derivative(double x) => Special.Sigmoid(x);
}

/// <summary>φ(x) = max(x, 0), φ'(x) = 1 for x &gt; 0 and 0 otherwise (ReLU'(0) = 0).</summary>
internal readonly struct ReluFunction : IScalarFunction
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(double x) => x > 0.0 ? x : 0.0;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Derivative(double x) => x > 0.0 ? 1.0 : 0.0;
}
