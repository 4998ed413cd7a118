namespace NtkDsl.IO;

/// <summary>A checkpoint file is damaged: wrong magic bytes, unsupported format version, truncated, unreadable header, or a SHA-256 checksum that does not match; the message says which. Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed).</summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public class CheckpointCorruptException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public CheckpointCorruptException() { }

    /// <summary>Creates the exception with a message.</summary>
    public CheckpointCorruptException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public CheckpointCorruptException(string message, Exception innerException) : base(message, innerException) { }
}
