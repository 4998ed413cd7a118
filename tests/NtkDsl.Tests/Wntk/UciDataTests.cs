using NtkDsl.IO;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Wntk;

/// <summary>The UCI data format (whitespace table + index files) read through the IO readers, and the shared data sets.</summary>
public sealed class UciDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntkdsl-uci-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void MissingValueNamesFileLineAndColumn()
    {
        string path = Write("data.txt", "1 2 3\n4 5 6\n7 8\n");
        var ex = Assert.Throws<TableFormatException>(() => TableReader.Read(path, new TableReadOptions { TargetColumn = 2 }));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(3, ex.Line);
        Assert.Equal(3, ex.Column);
        Assert.Contains("fields", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraColumnNamesFileLineAndColumn()
    {
        string path = Write("data.txt", "1 2 3\n4 5 6 7\n");
        var ex = Assert.Throws<TableFormatException>(() => TableReader.Read(path, new TableReadOptions { TargetColumn = 2 }));
        Assert.Equal(2, ex.Line);
        Assert.Equal(4, ex.Column);
    }

    [Fact]
    public void NonNumericTokenNamesFileLineAndColumn()
    {
        string path = Write("data.txt", "1 2 3\n4 x 6\n");
        var ex = Assert.Throws<TableFormatException>(() => TableReader.Read(path, new TableReadOptions { TargetColumn = 2, HasHeader = false }));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(2, ex.Line);
        Assert.Equal(2, ex.Column);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SplitIndexOutOfRangeIsRejected()
    {
        string path = Write("train_0.txt", "0\n1\n5\n");
        var ex = Assert.Throws<TableFormatException>(() => TableReader.ReadIndices(path, 3));
        Assert.Equal(3, ex.Line);
        Assert.Contains("out of range", ex.Message, StringComparison.Ordinal);
        Assert.Throws<TableFormatException>(() => TableReader.ReadIndices(Write("neg.txt", "-1\n"), 3));
    }

    [Fact]
    public void SharedYachtSplitsPartitionTheRows()
    {
        string dir = SharedData.RequireShared("datasets/uci");
        var table = TableReader.Read(Path.Combine(dir, "yacht", "data.txt"), new TableReadOptions { TargetColumn = 6, HasHeader = false });
        Assert.Equal(308, table.Rows);
        Assert.Equal(6, table.Features.Columns);
        for (int k = 0; k < 20; k++)
        {
            int[] train = TableReader.ReadIndices(Path.Combine(dir, "yacht", "splits", $"train_{k}.txt"), table.Rows);
            int[] test = TableReader.ReadIndices(Path.Combine(dir, "yacht", "splits", $"test_{k}.txt"), table.Rows);
            Assert.Empty(train.Intersect(test));
            Assert.Equal(table.Rows, train.Length + test.Length);
        }
    }
}
