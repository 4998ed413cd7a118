using System.Globalization;
using CsvHelper;

namespace NtkDsl.IO;

/// <summary>
/// Reads numeric tables (CSV, semicolon- or tab-separated, or whitespace-separated) into tensors, and index files
/// (one non-negative integer per line, as used for train/test splits). Blank lines and lines starting with '#'
/// are skipped. Every bad entry is a <see cref="TableFormatException"/> naming file, line and column.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread.</remarks>
public static class TableReader
{
    private readonly record struct Row(int Line, string[] Fields);

    /// <summary>Reads a table of numbers (invariant culture: '.' is the decimal separator).</summary>
    /// <exception cref="TableFormatException">A value is missing, not a number, NaN or infinite, or a row has the wrong number of columns.</exception>
    /// <exception cref="ArgumentException">A selected column does not exist in the file.</exception>
    public static Table Read(string path, TableReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new TableReadOptions();
        var delimiter = options.Delimiter == TableDelimiter.Auto ? Detect(path) : options.Delimiter;
        var rows = delimiter == TableDelimiter.Whitespace ? SplitWhitespace(path) : ParseDelimited(path, delimiter);
        if (rows.Count == 0) throw new TableFormatException(path, 0, null, "the file holds no rows; expected a table of numbers.");

        int width = rows[0].Fields.Length;
        foreach (var r in rows)
        {
            if (r.Fields.Length != width)
                throw new TableFormatException(path, r.Line, Math.Min(r.Fields.Length, width) + 1, string.Create(CultureInfo.InvariantCulture,
                    $"this row has {r.Fields.Length} fields but line {rows[0].Line} has {width}; every row needs the same number of columns (missing or extra delimiter?)."));
        }

        bool header = options.HasHeader ?? rows[0].Fields.Any(f => !double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        int first = header ? 1 : 0;
        int n = rows.Count - first;
        if (n == 0) throw new TableFormatException(path, rows[0].Line, null, "the file has a header but no data rows.");

        int? target = options.TargetColumn is int t ? Resolve(t, width, path, nameof(options.TargetColumn)) : null;
        int[] features = options.FeatureColumns is { } fc
            ? fc.Select(c => Resolve(c, width, path, nameof(options.FeatureColumns))).ToArray()
            : Enumerable.Range(0, width).Where(c => c != target).ToArray();
        if (target is int tc && features.Contains(tc))
            throw new ArgumentException($"Column {tc} of '{path}' is selected both as the target and as a feature; leave it out of FeatureColumns.", nameof(options));
        if (features.Length == 0)
            throw new ArgumentException($"No feature columns selected from '{path}' ({width} columns).", nameof(options));

        string Name(int c) => header ? rows[0].Fields[c] : string.Create(CultureInfo.InvariantCulture, $"column{c + 1}");
        var x = new double[(long)n * features.Length];
        var y = target is null ? null : new double[n];
        for (int i = 0; i < n; i++)
        {
            var r = rows[first + i];
            for (int j = 0; j < features.Length; j++) x[(long)i * features.Length + j] = Number(r, features[j], path);
            if (target is int tcol) y![i] = Number(r, tcol, path);
        }
        return new Table(
            Tensor.Wrap(x, n, features.Length),
            y is null ? null : Tensor.Wrap(y, n, 1),
            features.Select(Name).ToArray(),
            target is int tn ? Name(tn) : null,
            path);
    }

    /// <summary>Reads an index file: one non-negative integer per line (blank lines and '#' lines skipped).</summary>
    /// <exception cref="TableFormatException">A line holds something other than one non-negative integer.</exception>
    public static int[] ReadIndices(string path) => ReadIndices(path, int.MaxValue);

    /// <summary>Reads an index file and checks every index is below <paramref name="count"/> (e.g. the number of rows of the table it splits).</summary>
    /// <exception cref="TableFormatException">A line holds something other than one integer in [0, <paramref name="count"/>).</exception>
    public static int[] ReadIndices(string path, int count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new List<int>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNo++;
            var tokens = Tokens(line);
            if (tokens.Count == 0 || line.AsSpan(tokens[0].Start).StartsWith("#")) continue;
            var (start, len) = tokens[0];
            if (tokens.Count > 1)
                throw new TableFormatException(path, lineNo, tokens[1].Start + 1, $"found a second value '{line.Substring(tokens[1].Start, tokens[1].Length)}'; an index file holds one integer per line.");
            var tok = line.AsSpan(start, len);
            if (!long.TryParse(tok, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            {
                string problem = tok.ContainsAnyExcept("+-0123456789")
                    ? $"'{tok}' is not an integer; an index file holds one non-negative integer per line."
                    : $"'{tok}' is too large for an index.";
                throw new TableFormatException(path, lineNo, start + 1, problem);
            }
            if (v < 0) throw new TableFormatException(path, lineNo, start + 1, $"index {v} is negative; indices are 0-based row numbers.");
            if (v >= count)
                throw new TableFormatException(path, lineNo, start + 1, string.Create(CultureInfo.InvariantCulture,
                    $"index {v} is out of range; the table has {count} rows (valid indices 0..{count - 1})."));
            result.Add((int)v);
        }
        return result.ToArray();
    }

    private static int Resolve(int column, int width, string path, string option)
    {
        int c = column < 0 ? width + column : column;
        if (c < 0 || c >= width)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{option}: column {column} does not exist; '{path}' has {width} columns (0..{width - 1}, or −1..−{width} from the end)."), option);
        return c;
    }

    private static double Number(Row r, int column, string path)
    {
        string s = r.Fields[column];
        if (s.Length == 0)
            throw new TableFormatException(path, r.Line, column + 1, "missing value; fill or drop incomplete rows before loading.");
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new TableFormatException(path, r.Line, column + 1, $"'{s}' is not a number (use '.' as the decimal separator, no thousands separators).");
        if (double.IsNaN(v))
            throw new TableFormatException(path, r.Line, column + 1, $"'{s}' is NaN; missing values must be removed or imputed before loading.");
        if (double.IsInfinity(v))
            throw new TableFormatException(path, r.Line, column + 1, $"'{s}' is infinite or out of the float64 range; inputs must be finite.");
        return v;
    }

    private static TableDelimiter Detect(string path)
    {
        foreach (string line in File.ReadLines(path))
        {
            string t = line.Trim();
            if (t.Length == 0 || t[0] == '#') continue;
            int commas = t.Count(c => c == ','), semis = t.Count(c => c == ';'), tabs = t.Count(c => c == '\t');
            if (commas == 0 && semis == 0 && tabs == 0) return TableDelimiter.Whitespace;
            if (commas >= semis && commas >= tabs) return TableDelimiter.Comma;
            if (semis >= tabs) return TableDelimiter.Semicolon;
            // Tabs mixed with space padding or repeated tabs are alignment, not single separators.
            return t.Contains(' ', StringComparison.Ordinal) || t.Contains("\t\t", StringComparison.Ordinal) ? TableDelimiter.Whitespace : TableDelimiter.Tab;
        }
        return TableDelimiter.Whitespace;
    }

    // Whitespace-separated files are split by hand: CsvHelper needs one fixed delimiter string, but these files
    // separate fields by runs of spaces and tabs of varying length and often indent lines.
    private static List<Row> SplitWhitespace(string path)
    {
        var rows = new List<Row>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNo++;
            var tokens = Tokens(line);
            if (tokens.Count == 0 || line[tokens[0].Start] == '#') continue;
            rows.Add(new Row(lineNo, tokens.Select(tk => line.Substring(tk.Start, tk.Length)).ToArray()));
        }
        return rows;
    }

    private static List<(int Start, int Length)> Tokens(string line)
    {
        var list = new List<(int, int)>();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            int s = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            if (i > s) list.Add((s, i - s));
        }
        return list;
    }

    private static List<Row> ParseDelimited(string path, TableDelimiter delimiter)
    {
        char sep = delimiter switch
        {
            TableDelimiter.Comma => ',',
            TableDelimiter.Semicolon => ';',
            TableDelimiter.Tab => '\t',
            _ => throw new ArgumentOutOfRangeException(nameof(delimiter), delimiter, "Unknown delimiter."),
        };
        var options = new CsvReaderOptions
        {
            Separator = sep,
            HasHeader = false,
            CommentPrefix = '#',
            SkipEmptyLines = true,
            TrimWhitespace = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            DetectSeparatorHint = false,
        };
        var rows = new List<Row>();
        using var stream = NpyFile.OpenRead(path);
        using var reader = CsvReader.Create(stream, options, leaveOpen: false);
        try
        {
            while (reader.Read())
            {
                int line = checked((int)reader.LineNumber);
                var fields = new string[reader.FieldCount];
                for (int i = 0; i < fields.Length; i++) fields[i] = reader.GetString(i) ?? "";
                if (fields.Length == 1 && fields[0].Length == 0) continue; // a line of only spaces or tabs
                rows.Add(new Row(line, fields));
            }
        }
        catch (CsvFormatException e)
        {
            throw new TableFormatException(path, checked((int)e.LineNumber), null,
                $"malformed quoting ({e.Message}); quote whole fields and double any quote inside them.");
        }
        return rows;
    }

}
