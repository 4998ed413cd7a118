using System.Text.Json;

namespace NtkDsl.IO;

/// <summary>A results JSON file read back: metadata and the payload as a JSON element.</summary>
/// <param name="Metadata">The run's metadata.</param>
/// <param name="Results">The payload, to inspect or deserialize with <c>Results.Deserialize&lt;T&gt;()</c>.</param>
/// <remarks>Thread safety: immutable; safe to share between threads (a JsonElement is read-only).</remarks>
public sealed record ResultDocument(RunMetadata Metadata, JsonElement Results);
