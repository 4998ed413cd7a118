namespace NtkDsl.IO;

/// <summary>
/// A checkpoint is intact but was saved from a different architecture than the model it is loaded into; the
/// message (and <see cref="Differences"/>) lists every difference. When the two layer lists differ in count or kinds,
/// the first difference names both lists (e.g. "layer kinds differ: the checkpoint has Conv2D (C1), Flatten (Flat),
/// Dense (Out); this model has Dense (H1), Dense (H2), Dense (Out)") and no per-layer field is compared.
/// </summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public class CheckpointMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public CheckpointMismatchException() { }

    /// <summary>Creates the exception with a message.</summary>
    public CheckpointMismatchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public CheckpointMismatchException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a message and the list of differences it reports.</summary>
    public CheckpointMismatchException(string message, IReadOnlyList<string> differences) : base(message)
    {
        Differences = differences;
    }

    /// <summary>Each difference, e.g. "layer Hidden1: width 512 in file, 256 in model".</summary>
    public IReadOnlyList<string> Differences { get; } = [];
}
