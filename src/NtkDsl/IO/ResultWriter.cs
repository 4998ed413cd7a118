using System.Globalization;
using System.Text.Json;
using CsvHelper;

namespace NtkDsl.IO;

/// <summary>
/// Writes experiment results with their provenance (<see cref="RunMetadata"/>). CSV: the metadata as leading
/// <c># key: value</c> comment lines, a header row, then one row per record; numbers in invariant culture and
/// round-trip ("R") format. JSON: <c>{"metadata": {...}, "results": payload}</c>. Files are written atomically.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread. Each file is written atomically (temporary file, then rename).</remarks>
public static class ResultWriter
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes a table of numbers.</summary>
    public static void WriteCsv(string path, RunMetadata metadata, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<double>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        WriteCsvCore(path, metadata, columns, rows.Select(r => (IReadOnlyList<object?>)r.Select(v => (object?)v).ToArray()));
    }

    /// <summary>
    /// Writes a table of mixed values: floating-point numbers in round-trip format, integers, booleans, strings,
    /// dates (ISO 8601 "O"), null as an empty field.
    /// </summary>
    public static void WriteCsv(string path, RunMetadata metadata, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        WriteCsvCore(path, metadata, columns, rows);
    }

    private static void WriteCsvCore(string path, RunMetadata metadata, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0) throw new ArgumentException("A results table needs at least one column.", nameof(columns));
        if (columns.Any(c => c is null)) throw new ArgumentException("Column names may not be null.", nameof(columns));
        if (columns.Count > 0 && columns[0].StartsWith('#'))
            throw new ArgumentException($"The first column name '{columns[0]}' starts with '#', which readers take for a comment; rename it.", nameof(columns));
        var pairs = metadata.ToPairs();
        using var file = new AtomicFileWriter(path);
        var options = new CsvWriterOptions { NewLine = "\n", CommentPrefix = '#', FormatProvider = CultureInfo.InvariantCulture };
        using (var csv = CsvWriter.Create(file.Stream, options, leaveOpen: true))
        {
            foreach (var kv in pairs) csv.WriteComment($" {kv.Key}: {kv.Value}");
            csv.WriteRecord(columns.ToArray());
            int r = 0;
            foreach (var row in rows)
            {
                if (row is null || row.Count != columns.Count)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"Row {r} has {row?.Count ?? 0} values but there are {columns.Count} columns."), nameof(rows));
                foreach (object? v in row) WriteValue(csv, v);
                csv.EndRecord();
                r++;
            }
        }
        file.Commit();
    }

    private static void WriteValue(CsvWriter csv, object? v)
    {
        switch (v)
        {
            case null: csv.WriteField((string?)null); break;
            case double d: csv.WriteField(d, "R"); break;
            case float f: csv.WriteField(f, "R"); break;
            case int i: csv.WriteField(i, ""); break;
            case long l: csv.WriteField(l, ""); break;
            case bool b: csv.WriteField(b); break;
            case string s: csv.WriteField(s); break;
            case DateTimeOffset t: csv.WriteField(t, "O"); break;
            case DateTime t: csv.WriteField(t, "O"); break;
            case IFormattable f: csv.WriteField(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: csv.WriteField(v.ToString()); break;
        }
    }

    /// <summary>Writes <c>{"metadata": {...}, "results": payload}</c> with System.Text.Json (NaN and ±Infinity as strings).</summary>
    public static void WriteJson(string path, RunMetadata metadata, object payload)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(payload);
        var pairs = metadata.ToPairs();
        using var file = new AtomicFileWriter(path);
        using (var w = new Utf8JsonWriter(file.Stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            foreach (var kv in pairs)
            {
                if (kv.Key == "seed") w.WriteNumber(kv.Key, metadata.Seed!.Value);
                else w.WriteString(kv.Key, kv.Value);
            }
            w.WriteEndObject();
            w.WritePropertyName("results");
            JsonSerializer.Serialize(w, payload, payload.GetType(), JsonOptions);
            w.WriteEndObject();
        }
        file.Commit();
    }
}
