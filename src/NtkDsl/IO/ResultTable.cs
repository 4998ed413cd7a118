using System.Globalization;

namespace NtkDsl.IO;

/// <summary>A results CSV read back by <see cref="ResultReader.ReadCsv"/>: metadata, column names and rows of text fields.</summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class ResultTable
{
    private readonly Dictionary<string, int> _index;

    internal ResultTable(RunMetadata metadata, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows, string path)
    {
        Metadata = metadata;
        Columns = columns;
        Rows = rows;
        SourcePath = path;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++) _index.TryAdd(columns[i], i);
    }

    /// <summary>The run's metadata (from the leading comment lines).</summary>
    public RunMetadata Metadata { get; }

    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Rows of fields as written.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>The file read.</summary>
    public string SourcePath { get; }

    /// <summary>The field in row <paramref name="row"/> (0-based) of the named column.</summary>
    public string Get(int row, string column)
    {
        if (!_index.TryGetValue(column, out int c))
            throw new KeyNotFoundException($"{SourcePath} has no column '{column}'; columns: {string.Join(", ", Columns)}.");
        return Rows[row][c];
    }

    /// <summary>The field in row <paramref name="row"/> of the named column, parsed as a double (invariant culture; NaN and ±Infinity allowed).</summary>
    public double GetDouble(int row, string column)
    {
        string s = Get(row, column);
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new FormatException($"{SourcePath}: row {row}, column '{column}' holds '{s}', not a number.");
    }
}
