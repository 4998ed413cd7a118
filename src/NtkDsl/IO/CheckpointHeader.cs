namespace NtkDsl.IO;

/// <summary>The JSON header of a checkpoint file: which model, which architecture, when, and user metadata.</summary>
/// <remarks>Thread safety: not modified after it is read; safe to read from any thread.</remarks>
public sealed class CheckpointHeader
{
    /// <summary>Binary format version of the file.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>Model (class) name.</summary>
    public required string ModelName { get; init; }

    /// <summary><see cref="ModelInfo.Fingerprint"/> of the model that saved the file.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Input feature count (H·W·C for a model declared with <c>InputShape</c>).</summary>
    public required int Inputs { get; init; }

    /// <summary>
    /// The image input shape { height, width, channels } of a model declared with <c>InputShape</c>
    /// (<see cref="ModelInfo.InputShape"/>); null for a flat input, and in files written before checkpoints stored it.
    /// </summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>The <see cref="NtkDsl.Parameterization"/> member name.</summary>
    public required string Parameterization { get; init; }

    /// <summary>The <see cref="NtkDsl.Precision"/> member name.</summary>
    public required string Precision { get; init; }

    /// <summary>Layers in declaration order.</summary>
    public required IReadOnlyList<CheckpointLayer> Layers { get; init; }

    /// <summary>Number of float64 parameters stored.</summary>
    public required int ParameterCount { get; init; }

    /// <summary>NtkDsl version that wrote the file.</summary>
    public required string NtkDslVersion { get; init; }

    /// <summary>When the file was written (UTC).</summary>
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>User description, if any.</summary>
    public string? Description { get; init; }

    /// <summary>User key/value metadata (empty when none).</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>A layer in the one-line summary: its output (H×W×C for image models), name, and for Conv2D/AvgPool2D the
    /// kernel or window, stride and padding; then the activation.</summary>
    private static string Describe(CheckpointLayer l)
    {
        string geometry = l.Window is int w
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", {l.WindowName} {w}, stride {l.Stride}, {l.Padding}")
            : "";
        string output = l.OutputShape is { Count: > 0 } shape ? string.Join('×', shape) : l.Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{output} ({l.Name} {l.Kind}{geometry}, {l.ActivationName})";
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{ModelName} ({Fingerprint}): {(InputShape is null ? Inputs.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Join('×', InputShape))} → {string.Join(" → ", Layers.Select(Describe))}; {ParameterCount} parameters, {Parameterization}, {Precision}; NtkDsl {NtkDslVersion}, {CreatedUtc:u}" +
        (string.IsNullOrEmpty(Description) ? "" : $"; \"{Description}\"") +
        (Metadata.Count == 0 ? "" : "; " + string.Join(", ", Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} = {kv.Value}")));
}
