using System.Globalization;
using System.Text.Json;
using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

public sealed class ResultWriterTests
{
    private static RunMetadata Meta() =>
        new RunMetadata
        {
            ModelName = "Mlp",
            ModelFingerprint = "0123456789abcdef",
            Seed = -42,
            DeviceName = "CPU (2 cores)",
            Precision = Precision.Float32,
            TimestampUtc = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero),
            Values = { ["dataset"] = "yacht: split 0", ["note"] = "width=512, lr 0.1" },
        };

    private static void AssertSameMetadata(RunMetadata a, RunMetadata b)
    {
        Assert.Equal(a.ToPairs(), b.ToPairs());
        Assert.Equal(a.Seed, b.Seed);
        Assert.Equal(a.Precision, b.Precision);
        Assert.Equal(a.TimestampUtc, b.TimestampUtc);
    }

    [Fact]
    public void CsvRoundTripsMetadataAndEveryDoubleExactly()
    {
        using var dir = new TempDir();
        string path = dir.File("r.csv");
        double[] tricky = [0.1, 1.0 / 3, -1e-300, double.Epsilon, double.MaxValue, -0.0, Math.PI * 1e17, double.NaN, double.PositiveInfinity];
        var rows = tricky.Select((v, i) => (IReadOnlyList<double>)[i, v]).ToList();
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // decimal comma must not leak in
            ResultWriter.WriteCsv(path, Meta(), ["n", "value"], rows);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("# ntkdsl_version: " + Meta().NtkDslVersion, lines[0]);
        Assert.Contains("# seed: -42", lines);
        Assert.Contains("# timestamp_utc: 2025-03-04T05:06:07.8910000+00:00", lines);
        Assert.Contains("# dataset: yacht: split 0", lines);
        Assert.Equal("n,value", lines.First(l => !l.StartsWith('#')));
        Assert.Contains("1,0.3333333333333333", lines);

        var back = ResultReader.ReadCsv(path);
        AssertSameMetadata(Meta(), back.Metadata);
        Assert.Equal(["n", "value"], back.Columns);
        for (int i = 0; i < tricky.Length; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(tricky[i]), BitConverter.DoubleToInt64Bits(back.GetDouble(i, "value")));
            Assert.Equal(i, back.GetDouble(i, "n"));
        }
        Assert.Equal(["r.csv"], dir.Files());
    }

    [Fact]
    public void CsvKeepsTextFieldsWithDelimitersAndQuotes()
    {
        using var dir = new TempDir();
        string path = dir.File("r.csv");
        ResultWriter.WriteCsv(path, Meta(), ["method", "error", "ok"],
            [["ntk, \"weighted\"", 1.5f, true], ["-x", null, false]]);
        var back = ResultReader.ReadCsv(path);
        Assert.Equal("ntk, \"weighted\"", back.Get(0, "method"));
        Assert.Equal(1.5, back.GetDouble(0, "error"));
        Assert.Equal("True", back.Get(0, "ok"));
        Assert.Equal("-x", back.Get(1, "method"));
        Assert.Equal("", back.Get(1, "error"));
    }

    [Fact]
    public void JsonRoundTripsMetadataAndPayload()
    {
        using var dir = new TempDir();
        string path = dir.File("r.json");
        var payload = new { Rmse = new[] { 0.1, 1.0 / 3 }, Widths = new[] { 64, 512 }, Best = "wntk" };
        ResultWriter.WriteJson(path, Meta(), payload);
        var doc = ResultReader.ReadJson(path);
        AssertSameMetadata(Meta(), doc.Metadata);
        Assert.Equal([0.1, 1.0 / 3], doc.Results.GetProperty("Rmse").Deserialize<double[]>()!);
        Assert.Equal("wntk", doc.Results.GetProperty("Best").GetString());
        using var raw = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(-42, raw.RootElement.GetProperty("metadata").GetProperty("seed").GetInt64());
    }

    [Fact]
    public void ForModelRecordsFingerprintAndBadKeysAreRejected()
    {
        var m = CheckpointTests.Mlp();
        var meta = RunMetadata.For(m, seed: 5);
        Assert.Equal(m.Fingerprint, meta.ModelFingerprint);
        Assert.Equal(Device.Cpu.Name, meta.DeviceName);
        Assert.Equal(Precision.Float64, meta.Precision);
        using var dir = new TempDir();
        meta.Values["seed"] = "1";
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => ResultWriter.WriteCsv(dir.File("a.csv"), meta, ["x"], new List<IReadOnlyList<double>>())).Message, StringComparison.Ordinal);
        var bad = new RunMetadata { Values = { ["a:b"] = "1" } };
        Assert.Throws<ArgumentException>(() => ResultWriter.WriteJson(dir.File("a.json"), bad, new { }));
        var multiline = new RunMetadata { Values = { ["a"] = "1\n2" } };
        Assert.Throws<ArgumentException>(() => ResultWriter.WriteCsv(dir.File("b.csv"), multiline, ["x"], new List<IReadOnlyList<double>>()));
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void MalformedResultFilesNameTheLine()
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.csv", "# ntkdsl_version: 0.1.0\n# timestamp_utc: 2025-03-04T05:06:07.0000000+00:00\n#oops\nx\n1\n");
        var e = Assert.Throws<TableFormatException>(() => ResultReader.ReadCsv(path));
        Assert.Equal(3, e.Line);
        string rows = dir.Write("rows.csv", "# ntkdsl_version: 0.1.0\n# timestamp_utc: 2025-03-04T05:06:07.0000000+00:00\nx,y\n1,2\n3\n");
        e = Assert.Throws<TableFormatException>(() => ResultReader.ReadCsv(rows));
        Assert.Equal((5, 2), (e.Line, e.Column!.Value));
    }
}
