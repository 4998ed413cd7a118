namespace NtkDsl.IO;

/// <summary>How fields are separated in a table file.</summary>
public enum TableDelimiter
{
    /// <summary>Guess from the first data line: the most frequent of comma, semicolon and tab, else runs of whitespace.</summary>
    Auto = 0,
    /// <summary>Comma-separated (RFC 4180 quoting).</summary>
    Comma,
    /// <summary>Semicolon-separated.</summary>
    Semicolon,
    /// <summary>Tab-separated (one tab per separator; empty fields are missing values).</summary>
    Tab,
    /// <summary>Runs of spaces and tabs, leading and trailing whitespace ignored (UCI-style .txt/.data files).</summary>
    Whitespace,
}

/// <summary>Options for <see cref="TableReader.Read(string, TableReadOptions?)"/>.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record TableReadOptions
{
    /// <summary>Field separator (default: detected).</summary>
    public TableDelimiter Delimiter { get; init; } = TableDelimiter.Auto;

    /// <summary>True: the first row is a header; false: it is data; null (default): a header when any of its fields is not a number.</summary>
    public bool? HasHeader { get; init; }

    /// <summary>
    /// 0-based indices of the feature columns, in the order wanted (negative counts from the end: −1 is the last
    /// column). Null (default): every column except the target.
    /// </summary>
    public IReadOnlyList<int>? FeatureColumns { get; init; }

    /// <summary>0-based index of the target column (negative counts from the end: −1 is the last); null: no targets.</summary>
    public int? TargetColumn { get; init; }
}
