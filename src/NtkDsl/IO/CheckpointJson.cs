using System.Text.Json;
using System.Text.Json.Serialization;

namespace NtkDsl.IO;

/// <summary>The JSON shape of a checkpoint header (kept separate from the public <see cref="CheckpointHeader"/>).</summary>
internal sealed class CheckpointHeaderJson
{
    public string? Format { get; set; }
    public string? Model { get; set; }
    public string? Fingerprint { get; set; }
    public int? Inputs { get; set; }
    public List<int>? InputShape { get; set; }
    public string? Parameterization { get; set; }
    public string? Precision { get; set; }
    public List<CheckpointLayer?>? Layers { get; set; }
    public int? ParameterCount { get; set; }
    public string? NtkDslVersion { get; set; }
    public DateTimeOffset? CreatedUtc { get; set; }
    public string? Description { get; set; }
    public Dictionary<string, string>? Metadata { get; set; }

    internal const string FormatName = "NtkDsl checkpoint";

    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };
}
