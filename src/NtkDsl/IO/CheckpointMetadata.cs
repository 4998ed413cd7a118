namespace NtkDsl.IO;

/// <summary>Optional user information stored in a checkpoint's header (free-form; NtkDsl does not interpret it).</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class CheckpointMetadata
{
    /// <summary>A free-text description, e.g. what run or epoch produced the parameters.</summary>
    public string? Description { get; init; }

    /// <summary>Free-form key/value pairs (e.g. <c>["epoch"] = "40"</c>, <c>["seed"] = "7"</c>).</summary>
    public IDictionary<string, string> Values { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
