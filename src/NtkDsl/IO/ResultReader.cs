using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace NtkDsl.IO;

/// <summary>Reads the files <see cref="ResultWriter"/> writes.</summary>
/// <remarks>Thread safety: stateless; safe to call from any thread.</remarks>
public static class ResultReader
{
    /// <summary>Reads a results CSV: leading <c># key: value</c> lines, a header row, data rows.</summary>
    /// <exception cref="TableFormatException">A metadata line or row is malformed (file and line in the message).</exception>
    public static ResultTable ReadCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = File.ReadAllBytes(path);
        int pos = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        int line = 0;
        var pairs = new List<KeyValuePair<string, string>>();
        while (pos < bytes.Length && bytes[pos] == (byte)'#')
        {
            line++;
            int end = bytes.AsSpan(pos).IndexOf((byte)'\n');
            int stop = end < 0 ? bytes.Length : pos + end;
            string text = Encoding.UTF8.GetString(bytes, pos + 1, stop - pos - 1).TrimEnd('\r');
            int colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0 || !text.StartsWith(' '))
                throw new TableFormatException(path, line, 1, $"metadata line '#{text}' is not of the form '# key: value'.");
            pairs.Add(new(text[1..colon], text[(colon + 2)..]));
            pos = end < 0 ? bytes.Length : stop + 1;
        }
        RunMetadata metadata;
        try
        {
            metadata = RunMetadata.FromPairs(pairs);
        }
        catch (FormatException e)
        {
            throw new TableFormatException($"{path}: {e.Message}", e);
        }

        var options = new CsvReaderOptions { Separator = ',', HasHeader = false, TrackLineNumbers = true, MalformedData = CsvMalformedDataHandling.Throw, SkipEmptyLines = true };
        using var csv = CsvReader.Create(new ReadOnlyMemory<byte>(bytes, pos, bytes.Length - pos), options);
        string[]? columns = null;
        var rows = new List<IReadOnlyList<string>>();
        try
        {
            while (csv.Read())
            {
                int at = line + checked((int)csv.LineNumber);
                var fields = new string[csv.FieldCount];
                for (int i = 0; i < fields.Length; i++) fields[i] = csv.GetString(i) ?? "";
                if (columns is null) { columns = fields; continue; }
                if (fields.Length != columns.Length)
                    throw new TableFormatException(path, at, Math.Min(fields.Length, columns.Length) + 1, string.Create(CultureInfo.InvariantCulture,
                        $"this row has {fields.Length} fields but the header has {columns.Length}."));
                rows.Add(fields);
            }
        }
        catch (CsvFormatException e)
        {
            throw new TableFormatException(path, line + checked((int)e.LineNumber), null, $"malformed CSV ({e.Message}).");
        }
        if (columns is null) throw new TableFormatException(path, line + 1, null, "the file has metadata but no header row.");
        return new ResultTable(metadata, columns, rows, path);
    }

    /// <summary>Reads a results JSON file written by <see cref="ResultWriter.WriteJson"/>.</summary>
    /// <exception cref="FormatException">The file is not of the form <c>{"metadata": {...}, "results": ...}</c>.</exception>
    public static ResultDocument ReadJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object)
            throw new FormatException($"{path}: expected an object with a 'metadata' object (written by ResultWriter.WriteJson).");
        if (!root.TryGetProperty("results", out var results))
            throw new FormatException($"{path}: the 'results' property is missing.");
        var pairs = meta.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name,
            p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
        return new ResultDocument(RunMetadata.FromPairs(pairs), results.Clone());
    }
}
