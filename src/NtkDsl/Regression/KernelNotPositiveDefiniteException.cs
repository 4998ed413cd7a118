namespace NtkDsl.Regression;

/// <summary>
/// Thrown when a kernel K plus the requested ridge λI is not positive definite (to working precision), so a
/// Cholesky solve with it is impossible or meaningless. <see cref="SuggestedRidge"/> is the smallest ridge that makes
/// K + λI positive definite, with a small safety margin: max(0, −λ_min(K)) + 1e-8·‖K‖₂, rounded up to 3 significant
/// digits (the value printed in the message works as given).
/// </summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public sealed class KernelNotPositiveDefiniteException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public KernelNotPositiveDefiniteException()
        : base("The kernel plus ridge is not positive definite; add a larger ridge.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public KernelNotPositiveDefiniteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public KernelNotPositiveDefiniteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the failing ridge, the kernel's smallest eigenvalue and the suggested ridge.</summary>
    public KernelNotPositiveDefiniteException(string message, double ridge, double smallestEigenvalue, double suggestedRidge, Exception? innerException = null)
        : base(message, innerException)
    {
        Ridge = ridge;
        SmallestEigenvalue = smallestEigenvalue;
        SuggestedRidge = suggestedRidge;
    }

    /// <summary>The ridge λ that was tried.</summary>
    public double Ridge { get; }

    /// <summary>The smallest eigenvalue of the kernel K (without the ridge).</summary>
    public double SmallestEigenvalue { get; }

    /// <summary>The smallest ridge that makes K + λI positive definite, with a small safety margin.</summary>
    public double SuggestedRidge { get; }
}
