using System.Globalization;
using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

public sealed class TableReaderTests
{
    [Theory]
    [InlineData("a,b,y\n1,2,3\n4.5,-6e-1,7\n", TableDelimiter.Auto)]
    [InlineData("a;b;y\n1;2;3\n4.5;-6e-1;7\n", TableDelimiter.Auto)]
    [InlineData("a\tb\ty\n1\t2\t3\n4.5\t-6e-1\t7\n", TableDelimiter.Auto)]
    [InlineData("  a   b  y\n 1  2\t 3\n4.5 -6e-1    7   \n", TableDelimiter.Auto)]
    [InlineData("# comment\n\na,b,y\r\n1, 2 ,3\r\n\r\n4.5,-6e-1,\"7\"\r\n", TableDelimiter.Comma)]
    public void ReadsEveryDelimiterWithHeaderAndTarget(string text, TableDelimiter delimiter)
    {
        using var dir = new TempDir();
        string path = dir.Write("t.txt", text);
        var t = TableReader.Read(path, new TableReadOptions { Delimiter = delimiter, TargetColumn = -1 });
        Assert.Equal(["a", "b"], t.ColumnNames);
        Assert.Equal("y", t.TargetName);
        Assert.Equal(new double[,] { { 1, 2 }, { 4.5, -0.6 } }, t.Features.ToArray());
        Assert.Equal(new double[,] { { 3 }, { 7 } }, t.Targets!.ToArray());
    }

    [Fact]
    public void SelectsColumnsAndNamesThemWithoutHeader()
    {
        using var dir = new TempDir();
        string path = dir.Write("t.csv", "1,2,3,4\n5,6,7,8\n");
        var t = TableReader.Read(path, new TableReadOptions { FeatureColumns = [3, 0], TargetColumn = 1 });
        Assert.Equal(["column4", "column1"], t.ColumnNames);
        Assert.Equal("column2", t.TargetName);
        Assert.Equal(new double[,] { { 4, 1 }, { 8, 5 } }, t.Features.ToArray());
        Assert.Equal(new double[,] { { 2 }, { 6 } }, t.Targets!.ToArray());
        var all = TableReader.Read(path);
        Assert.Null(all.Targets);
        Assert.Equal(4, all.Features.Columns);
        // An explicit "no header" keeps a non-numeric first row as data, which is then an error.
        string named = dir.Write("n.csv", "x,y\n1,2\n");
        var e = Assert.Throws<TableFormatException>(() => TableReader.Read(named, new TableReadOptions { HasHeader = false }));
        Assert.Equal((1, 1), (e.Line, e.Column));
        Assert.Throws<ArgumentException>(() => TableReader.Read(path, new TableReadOptions { TargetColumn = 4 }));
        Assert.Throws<ArgumentException>(() => TableReader.Read(path, new TableReadOptions { FeatureColumns = [0, 1], TargetColumn = 1 }));
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3\n4,,6\n", 3, 2, "missing value")]
    [InlineData("a,b,c\n1,2,3\n4,5\n", 3, 3, "has 2 fields but line 1 has 3")]
    [InlineData("a,b,c\n1,2,3\n4,5,6,7\n", 3, 4, "has 4 fields but line 1 has 3")]
    [InlineData("a,b,c\n1,2,3\n4,five,6\n", 3, 2, "'five' is not a number")]
    [InlineData("a,b,c\n1,2,3\n4,5,1.5.2\n", 3, 3, "'1.5.2' is not a number")]
    [InlineData("a,b,c\n1,NaN,3\n", 2, 2, "NaN")]
    [InlineData("a,b,c\n1,2,-Infinity\n", 2, 3, "infinite")]
    [InlineData("a,b,c\n1e400,2,3\n", 2, 1, "out of the float64 range")]
    [InlineData("# generated\n\na;b\n\n1;2\n# note\n3;x\n", 7, 2, "'x' is not a number")]
    [InlineData("1 2 3\n\n4 5 6\n7 8\n", 4, 3, "has 2 fields but line 1 has 3")]
    [InlineData("1 2 3\n4 abc 6\n", 2, 2, "'abc' is not a number")]
    [InlineData("a,b\n1,\"2\n", 2, null, "quot")]
    public void ErrorsNameFileLineAndColumn(string text, int line, int? column, string problem)
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.csv", text);
        var e = Assert.Throws<TableFormatException>(() => TableReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        string where = column is int c ? $"{path}: line {line}, column {c}: " : $"{path}: line {line}: ";
        Assert.StartsWith(where, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyOrHeaderOnlyFilesAreErrors()
    {
        using var dir = new TempDir();
        Assert.Contains("no rows", Assert.Throws<TableFormatException>(() => TableReader.Read(dir.Write("e.csv", "\n# x\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("no data rows", Assert.Throws<TableFormatException>(() => TableReader.Read(dir.Write("h.csv", "a,b\n"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsIndexFiles()
    {
        using var dir = new TempDir();
        Assert.Equal([3, 0, 17], TableReader.ReadIndices(dir.Write("i.txt", "3\n  0\n\n17  \n")));
        (string Text, int Line, int Column, string Problem)[] cases =
        [
            ("1\n-2\n", 2, 1, "negative"),
            ("1\n  2.0\n", 2, 3, "'2.0' is not an integer"),
            ("1\n2 3\n", 2, 3, "second value '3'"),
            ("99999999999999999999\n", 1, 1, "too large"),
            ("1\nx\n", 2, 1, "'x' is not an integer"),
        ];
        foreach (var (text, line, column, problem) in cases)
        {
            string path = dir.Write("bad.txt", text);
            var e = Assert.Throws<TableFormatException>(() => TableReader.ReadIndices(path));
            Assert.Equal((line, column), (e.Line, e.Column!.Value));
            Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{path}: line {line}, column {column}: "), e.Message, StringComparison.Ordinal);
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        }
        var r = Assert.Throws<TableFormatException>(() => TableReader.ReadIndices(dir.Write("r.txt", "0\n5\n"), 5));
        Assert.Contains("index 5 is out of range; the table has 5 rows", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsTheYachtDataSetWhenPresent()
    {
        const string path = "/work/shared/datasets/uci/yacht/data.txt";
        if (!File.Exists(path))
        {
            Assert.Skip($"{path} is not on this machine; the yacht check needs the shared UCI data sets.");
        }
        var t = TableReader.Read(path, new TableReadOptions { TargetColumn = -1 });
        // Independent reference: split the file's lines by hand.
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        var parsed = lines.Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int d = parsed[0].Length - 1;
        Assert.Equal(lines.Length, t.Rows);
        Assert.Equal(d, t.Features.Columns);
        for (int i = 0; i < t.Rows; i++)
        {
            for (int j = 0; j < d; j++) Assert.Equal(parsed[i][j], t.Features[i, j]);
            Assert.Equal(parsed[i][d], t.Targets![i, 0]);
        }
        string split = "/work/shared/datasets/uci/yacht/splits/test_0.txt";
        if (File.Exists(split))
        {
            var idx = TableReader.ReadIndices(split, t.Rows);
            Assert.Equal(File.ReadAllLines(split).Count(l => l.Trim().Length > 0), idx.Length);
        }
    }
}
