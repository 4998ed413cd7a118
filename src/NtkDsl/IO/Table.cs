namespace NtkDsl.IO;

/// <summary>A numeric table read from a file: an N × d feature matrix and optionally an N × 1 target column.</summary>
/// <remarks>Thread safety: not modified after it is read; safe to read from any thread.</remarks>
public sealed class Table
{
    /// <summary>Creates a table.</summary>
    public Table(Tensor features, Tensor? targets, IReadOnlyList<string> columnNames, string? targetName, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(columnNames);
        if (features.Rank != 2) throw new ArgumentException("Features must be an N × d matrix.", nameof(features));
        if (columnNames.Count != features.Columns)
            throw new ArgumentException($"{columnNames.Count} column names for {features.Columns} feature columns.", nameof(columnNames));
        if (targets is not null && (targets.Rank != 2 || targets.Rows != features.Rows || targets.Columns != 1))
            throw new ArgumentException($"Targets must be an N × 1 matrix with N = {features.Rows}.", nameof(targets));
        Features = features;
        Targets = targets;
        ColumnNames = columnNames;
        TargetName = targetName;
        SourcePath = sourcePath;
    }

    /// <summary>Features, float64, N × d.</summary>
    public Tensor Features { get; }

    /// <summary>Targets, float64, N × 1, or null when no target column was chosen.</summary>
    public Tensor? Targets { get; }

    /// <summary>Names of the feature columns (from the header, else <c>column1</c>, <c>column2</c>, … by file position).</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Name of the target column, or null.</summary>
    public string? TargetName { get; }

    /// <summary>The file the table came from.</summary>
    public string SourcePath { get; }

    /// <summary>Number of rows N.</summary>
    public int Rows => Features.Rows;

    /// <inheritdoc />
    public override string ToString() => $"{SourcePath}: {Rows} rows × {Features.Columns} features{(Targets is null ? "" : $", target '{TargetName}'")}";
}
