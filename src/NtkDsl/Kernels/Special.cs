namespace NtkDsl.Kernels;

/// <summary>Special functions used by generated activations (erf and the normal density/CDF).</summary>
/// <remarks>Thread safety: pure functions; safe to call from any thread.
/// <para>Infrastructure for generated code; not part of the supported API.</para></remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Special
{
    /// <summary>2/√π.</summary>
    public const double TwoOverSqrtPi = 1.1283791670955126;

    /// <summary>1/√(2π).</summary>
    public const double InvSqrtTwoPi = 0.3989422804014327;

    /// <summary>The error function (MathNet.Numerics' implementation, accurate to double precision).</summary>
    public static double Erf(double x) => MathNet.Numerics.SpecialFunctions.Erf(x);

    /// <summary>Standard normal CDF Φ(x) = (1 + erf(x/√2))/2.</summary>
    public static double NormalCdf(double x) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2.0));

    /// <summary>Standard normal density φ(x) = e^(−x²/2)/√(2π).</summary>
    public static double NormalPdf(double x) => InvSqrtTwoPi * Math.Exp(-0.5 * x * x);

    /// <summary>log(1 + e^x) without overflow.</summary>
    public static double Softplus(double x) => x > 0 ? x + Math.Log(1.0 + Math.Exp(-x)) : Math.Log(1.0 + Math.Exp(x));

    /// <summary>1/(1 + e^(−x)) without overflow.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    /// <summary>d/dx tanh(x) = 1 − tanh²(x).</summary>
    public static double TanhDerivative(double x)
    {
        double t = Math.Tanh(x);
        return 1.0 - t * t;
    }

    /// <summary>d/dx σ(x) = σ(x)(1 − σ(x)).</summary>
    public static double SigmoidDerivative(double x)
    {
        double s = Sigmoid(x);
        return s * (1.0 - s);
    }
}
