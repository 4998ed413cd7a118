namespace NtkDsl.IO;

/// <summary>A .npy file (or stream) is malformed, truncated, or holds a dtype or layout NtkDsl cannot read; the message says which. Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed).</summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public class NpyFormatException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public NpyFormatException() { }

    /// <summary>Creates the exception with a message.</summary>
    public NpyFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public NpyFormatException(string message, Exception innerException) : base(message, innerException) { }
}
