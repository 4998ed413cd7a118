using System.Diagnostics;
using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

/// <summary>
/// Issue 13 item 12: temporary files of interrupted writes have a recognisable name and the next write to the same
/// path removes the stale ones (dead owner, reused process id, abandoned in this process, old legacy names) — and
/// nothing else; a writer disposed while the caller's exception unwinds never masks it.
/// </summary>
public sealed class StaleTempFileTests
{
    private static readonly string H = TempFileNames.HostTag;

    /// <summary>Another machine's tag (a shared folder).</summary>
    private static readonly string Other = H == "00000000" ? "11111111" : "00000000";

    private static long OwnStart() => new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeSeconds();

    /// <summary>Process ids above Linux's pid_max (2^22) and Windows' usual range never run.</summary>
    private const int DeadPid = 2_000_000_000;

    private static string Fake(TempDir dir, string target, string middle)
    {
        string p = dir.File($".{target}.{middle}.tmp");
        File.WriteAllBytes(p, new byte[100]);
        return p;
    }

    public static TheoryData<string> Writers => new() { "npy", "stream", "checkpoint", "result" };

    private static void WriteTo(string kind, string path)
    {
        switch (kind)
        {
            case "npy":
                NpyFile.Write(path, Tensor.FromArray(new double[,] { { 1, 2 } }));
                break;
            case "stream":
                using (var w = new NpyStreamWriter(path, DType.Float64, [1, 2]))
                {
                    w.WriteRows([1.0, 2.0]);
                    w.Complete();
                }
                break;
            case "checkpoint":
                new Training.TrainTanh(1).Save(path);
                break;
            default:
                ResultWriter.WriteCsv(path, RunMetadata.For(Training.TrainTanh.Info, seed: 1), ["a"], new List<IReadOnlyList<double>> { new[] { 1.0 } });
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void TheNextWriteRemovesStaleTempFilesOfThatPathOnly(string kind)
    {
        using var dir = new TempDir();
        const string target = "k.out";
        string path = dir.File(target);
        string nonce = new('a', 16);
        var stale = new[]
        {
            Fake(dir, target, $"ntkdsl-{H}-{DeadPid}-{OwnStart()}-{nonce}"),                  // owner process gone (kill -9)
            Fake(dir, target, $"ntkdsl-{H}-{Environment.ProcessId}-{OwnStart() - 3600}-{nonce}"), // our pid, reused: started an hour earlier
            Fake(dir, target, $"ntkdsl-{H}-{Environment.ProcessId}-{OwnStart()}-{nonce}"),    // ours, but no writer has it open
            Fake(dir, target, new string('0', 32)),                                          // legacy name, untouched for an hour
            Fake(dir, target, $"ntkdsl-{Other}-{Environment.ProcessId}-{OwnStart()}-{nonce}"), // another machine's, untouched for an hour
        };
        File.SetLastWriteTimeUtc(stale[3], DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(stale[4], DateTime.UtcNow.AddHours(-1));
        var kept = new[]
        {
            Fake(dir, target, new string('1', 32)),                                          // legacy name written just now: maybe live
            Fake(dir, target, $"ntkdsl-{Other}-{DeadPid}-{OwnStart()}-{nonce}"),          // another machine's, written just now: its pid means nothing here
            Fake(dir, "other.out", $"ntkdsl-{H}-{DeadPid}-{OwnStart()}-{nonce}"),            // another destination's temp file
            Fake(dir, target, "notes"),                                                     // not our pattern
            Fake(dir, target, $"ntkdsl-{H}-{DeadPid}-{OwnStart()}-{nonce}-x"),               // not our pattern
        };

        WriteTo(kind, path);

        Assert.True(File.Exists(path));
        foreach (var p in stale) Assert.False(File.Exists(p), $"{Path.GetFileName(p)} should have been removed");
        foreach (var p in kept) Assert.True(File.Exists(p), $"{Path.GetFileName(p)} should have been kept");
        var expected = kept.Select(Path.GetFileName).Append(target).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, dir.Files());
    }

    [Fact]
    public void ALiveWriterOfTheSamePathKeepsItsTempFileAndFinishes()
    {
        using var dir = new TempDir();
        string path = dir.File("k.npy");
        using var first = new NpyStreamWriter(path, DType.Float64, [2, 1]);
        first.WriteRows([1.0]);
        var tempOfFirst = Assert.Single(dir.Files());
        Assert.Matches(@"^\.k\.npy\.ntkdsl-[0-9a-f]{8}-\d+-\d+-[0-9a-f]{16}\.tmp$", tempOfFirst);

        NpyFile.Write(path, Tensor.FromArray(new double[,] { { 9 } })); // a second write while the first is open
        Assert.Contains(tempOfFirst, dir.Files());

        first.WriteRows([2.0]);
        first.Complete();
        Assert.Equal([1.0, 2.0], NpyFile.Read(path).ToFlatArray());
        Assert.Equal(["k.npy"], dir.Files());
    }

    [Fact]
    public void ATempFileOfAnotherLiveProcessIsKept()
    {
        using var dir = new TempDir();
        // A real, running process that is not us, with its real start time: its write may still be in progress.
        using var other = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            long start = new DateTimeOffset(other.StartTime.ToUniversalTime()).ToUnixTimeSeconds();
            string live = Fake(dir, "k.npy", $"ntkdsl-{H}-{other.Id}-{start}-{new string('b', 16)}");
            NpyFile.Write(dir.File("k.npy"), Tensor.FromArray(new double[,] { { 1 } }));
            Assert.True(File.Exists(live));

            other.Kill();
            other.WaitForExit();
            NpyFile.Write(dir.File("k.npy"), Tensor.FromArray(new double[,] { { 2 } }));
            Assert.False(File.Exists(live)); // The same file once its process is gone.
        }
        finally
        {
            if (!other.HasExited) other.Kill();
        }
    }

    [Fact]
    public void DisposingAStreamWriterDuringAnExceptionDoesNotMaskIt()
    {
        using var dir = new TempDir();
        string path = dir.File("k.npy");
        NpyFile.Write(path, Tensor.FromArray(new double[,] { { 7 } }));
        byte[] before = File.ReadAllBytes(path);

        var ex = Assert.Throws<FormatException>((Action)(() =>
        {
            using var w = new NpyStreamWriter(path, DType.Float64, [4, 3]);
            w.WriteRows(new double[3]);
            throw new FormatException("the caller's own failure");
        }));
        Assert.Equal("the caller's own failure", ex.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["k.npy"], dir.Files());

        // Also when every row was written before the caller failed: nothing is published without Complete.
        Assert.Throws<FormatException>((Action)(() =>
        {
            using var w = new NpyStreamWriter(path, DType.Float64, [1, 3]);
            w.WriteRows(new double[3]);
            throw new FormatException("late failure");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["k.npy"], dir.Files());
    }

    [Fact]
    public void DisposingAfterAFailedWriteDoesNotThrowEither()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<FormatException>((Action)(() =>
        {
            using var w = new NpyStreamWriter(dir.File("k.npy"), DType.Float64, [2, 3]);
            Assert.Throws<ArgumentException>(() => w.WriteRows(new double[4])); // a partial row: the writer stays usable
            throw new FormatException("caller");
        }));
        Assert.Equal("caller", ex.Message);
        Assert.Empty(dir.Files());
    }
}
