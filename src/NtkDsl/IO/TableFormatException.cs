namespace NtkDsl.IO;

/// <summary>
/// A table or index file has a bad entry: a missing value, a wrong number of columns, a token that is not a
/// (finite) number. The message and the properties give the file, the 1-based line and the 1-based column.
/// Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed).
/// </summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public class TableFormatException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public TableFormatException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TableFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TableFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a position in a file; the message is prefixed with the position.</summary>
    public TableFormatException(string filePath, int line, int? column, string problem)
        : base(column is int c ? $"{filePath}: line {line}, column {c}: {problem}" : $"{filePath}: line {line}: {problem}")
    {
        FilePath = filePath;
        Line = line;
        Column = column;
    }

    /// <summary>The file, when known.</summary>
    public string? FilePath { get; }

    /// <summary>1-based line number, or 0 when the problem is not tied to a line.</summary>
    public int Line { get; }

    /// <summary>1-based column (field number for tables, character position for index files), when known.</summary>
    public int? Column { get; }
}
