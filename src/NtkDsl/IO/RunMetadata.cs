using System.Globalization;

namespace NtkDsl.IO;

/// <summary>
/// Provenance of an experiment's results: NtkDsl version, model, seed, device, precision, time and free-form
/// key/values. <see cref="ResultWriter"/> stores it with every result file.
/// </summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class RunMetadata
{
    /// <summary>Keys the writer uses for the fixed fields; free-form <see cref="Values"/> may not use them.</summary>
    public static IReadOnlyList<string> ReservedKeys { get; } =
        ["ntkdsl_version", "model", "model_fingerprint", "seed", "device", "precision", "timestamp_utc"];

    /// <summary>The NtkDsl version (defaults to the loaded assembly's).</summary>
    public string NtkDslVersion { get; init; } = IO.NtkDslVersion.Current;

    /// <summary>Model (class) name, if any.</summary>
    public string? ModelName { get; init; }

    /// <summary>The model's <see cref="ModelInfo.Fingerprint"/>, if any.</summary>
    public string? ModelFingerprint { get; init; }

    /// <summary>Random seed of the run, if any.</summary>
    public long? Seed { get; init; }

    /// <summary>Device the run used, e.g. <see cref="Device.Name"/>.</summary>
    public string? DeviceName { get; init; }

    /// <summary>Precision of the computation, if known.</summary>
    public Precision? Precision { get; init; }

    /// <summary>When the run happened (UTC; defaults to now).</summary>
    public DateTimeOffset TimestampUtc { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Free-form key/values (keys: no ':' or line breaks, not reserved; values: no line breaks).</summary>
    public IDictionary<string, string> Values { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Metadata for a run of <paramref name="model"/> (name, fingerprint, precision) on <paramref name="device"/> (default CPU).</summary>
    public static RunMetadata For(ModelInfo model, long? seed = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new RunMetadata
        {
            ModelName = model.Name,
            ModelFingerprint = model.Fingerprint,
            Precision = model.Precision,
            Seed = seed,
            DeviceName = (device ?? Device.Cpu).Name,
        };
    }

    /// <summary>All fields as ordered key/value pairs (fixed fields first, then <see cref="Values"/> sorted by key).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToPairs()
    {
        Validate();
        var list = new List<KeyValuePair<string, string>> { new("ntkdsl_version", NtkDslVersion) };
        if (ModelName is not null) list.Add(new("model", ModelName));
        if (ModelFingerprint is not null) list.Add(new("model_fingerprint", ModelFingerprint));
        if (Seed is long s) list.Add(new("seed", s.ToString(CultureInfo.InvariantCulture)));
        if (DeviceName is not null) list.Add(new("device", DeviceName));
        if (Precision is NtkDsl.Precision p) list.Add(new("precision", p.ToString()));
        list.Add(new("timestamp_utc", TimestampUtc.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));
        foreach (var kv in Values.OrderBy(kv => kv.Key, StringComparer.Ordinal)) list.Add(kv);
        return list;
    }

    /// <summary>Rebuilds metadata from key/value pairs (the inverse of <see cref="ToPairs"/>).</summary>
    /// <exception cref="FormatException">A fixed field has an unreadable value.</exception>
    public static RunMetadata FromPairs(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in pairs)
            if (!d.TryAdd(kv.Key, kv.Value)) throw new FormatException($"Metadata key '{kv.Key}' appears twice.");
        string? Get(string k) => d.TryGetValue(k, out var v) ? v : null;
        var m = new RunMetadata
        {
            NtkDslVersion = Get("ntkdsl_version") ?? throw new FormatException("Metadata lacks 'ntkdsl_version'."),
            ModelName = Get("model"),
            ModelFingerprint = Get("model_fingerprint"),
            Seed = Get("seed") is string s
                ? long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seed) ? seed : throw new FormatException($"Metadata 'seed' is '{s}', not an integer.")
                : null,
            DeviceName = Get("device"),
            Precision = Get("precision") is string p
                ? Enum.TryParse<Precision>(p, ignoreCase: false, out var prec) && Enum.IsDefined(prec) ? prec : throw new FormatException($"Metadata 'precision' is '{p}', not a Precision.")
                : null,
            TimestampUtc = Get("timestamp_utc") is string t
                ? DateTimeOffset.TryParseExact(t, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts) ? ts : throw new FormatException($"Metadata 'timestamp_utc' is '{t}', not an ISO 8601 round-trip time.")
                : throw new FormatException("Metadata lacks 'timestamp_utc'."),
        };
        foreach (var kv in d)
            if (!ReservedKeys.Contains(kv.Key)) m.Values[kv.Key] = kv.Value;
        return m;
    }

    private void Validate()
    {
        foreach (var kv in Values)
        {
            if (string.IsNullOrWhiteSpace(kv.Key) || kv.Key != kv.Key.Trim() || kv.Key.AsSpan().IndexOfAny(":\r\n") >= 0)
                throw new ArgumentException($"Metadata key '{kv.Key}' is not allowed: keys are non-empty, without surrounding spaces, ':' or line breaks.");
            if (ReservedKeys.Contains(kv.Key))
                throw new ArgumentException($"Metadata key '{kv.Key}' is reserved for a fixed field of RunMetadata; set the property instead or pick another key.");
            if (kv.Value is null || kv.Value.AsSpan().IndexOfAny("\r\n") >= 0)
                throw new ArgumentException($"Metadata value of '{kv.Key}' is null or contains a line break; store one line per key.");
        }
        foreach (var (name, v) in new[] { ("ModelName", ModelName), ("ModelFingerprint", ModelFingerprint), ("DeviceName", DeviceName), ("NtkDslVersion", NtkDslVersion) })
            if (v is not null && v.AsSpan().IndexOfAny("\r\n") >= 0)
                throw new ArgumentException($"RunMetadata.{name} contains a line break.");
    }
}
