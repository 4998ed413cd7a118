using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace NtkDsl.IO;

/// <summary>
/// Names and cleans the temporary files of atomic writes (<see cref="AtomicFileWriter"/>: <c>.npy</c> files, streamed
/// <c>.npy</c> files, checkpoints, result files). A write to <c>dir/name</c> goes to
/// <c>dir/.name.ntkdsl-{host}-{pid}-{start}-{nonce}.tmp</c>: a tag of the machine name (8 hex digits), the writing
/// process's id, its start time (Unix seconds, so a reused process id is told apart) and a random nonce. A process
/// killed mid-write (kill -9, power loss) leaves that file behind; the next write to the same destination removes it
/// once it is stale:
/// <list type="bullet">
/// <item>written on this machine, and its process id is not running, or is running but started at another time (the
/// id was reused);</item>
/// <item>it belongs to this process but no writer of this process has it open (an abandoned writer);</item>
/// <item>written on another machine (a shared folder; its process ids mean nothing here), or a legacy name of earlier
/// versions (<c>.name.{32 hex digits}.tmp</c>), once it has not been written for <see cref="QuietAge"/>.</item>
/// </list>
/// A file of a live writer (this process or another) is never touched, and no other file is either.
/// </summary>
/// <remarks>Thread safety: all members are safe to call from any thread.</remarks>
internal static class TempFileNames
{
    /// <summary>How long a temporary file whose owner cannot be checked must have been left unwritten before it counts as stale.</summary>
    public static readonly TimeSpan QuietAge = TimeSpan.FromMinutes(10);

    private const string Marker = "ntkdsl-";
    private const string Suffix = ".tmp";
    private static readonly ConcurrentDictionary<string, byte> Open = new(StringComparer.Ordinal);
    private static readonly Lazy<long> OwnStart = new(() => StartSeconds(Process.GetCurrentProcess()) ?? 0);

    /// <summary>This machine's tag: the first 8 hex digits of SHA-256(machine name).</summary>
    internal static readonly string HostTag = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Environment.MachineName)))[..8];

    /// <summary>A new temporary path for <paramref name="destination"/> (a full path), registered as open by this process.</summary>
    public static string Reserve(string destination)
    {
        string dir = Path.GetDirectoryName(destination)!;
        string nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        string path = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture,
            $".{Path.GetFileName(destination)}.{Marker}{HostTag}-{Environment.ProcessId}-{OwnStart.Value}-{nonce}{Suffix}"));
        Open[path] = 0;
        return path;
    }

    /// <summary>Marks a temporary path as no longer being written by this process.</summary>
    public static void Release(string tempPath) => Open.TryRemove(tempPath, out _);

    /// <summary>
    /// Deletes the stale temporary files of earlier writes to <paramref name="destination"/> (a full path). Best
    /// effort: a file that cannot be inspected or deleted is left alone. Returns the paths deleted.
    /// </summary>
    public static List<string> CleanStale(string destination) => CleanStale(destination, DateTime.UtcNow);

    internal static List<string> CleanStale(string destination, DateTime nowUtc)
    {
        var deleted = new List<string>();
        string dir = Path.GetDirectoryName(destination)!;
        string prefix = "." + Path.GetFileName(destination) + ".";
        IEnumerable<string> candidates;
        try
        {
            // '*' and '?' are wildcards of the search pattern; names holding them are matched exactly below anyway.
            bool plain = prefix.IndexOfAny(['*', '?']) < 0;
            candidates = Directory.EnumerateFiles(dir, plain ? prefix + "*" + Suffix : "*" + Suffix).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return deleted;
        }
        foreach (string path in candidates)
        {
            string name = Path.GetFileName(path);
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal)) continue;
            string middle = name[prefix.Length..^Suffix.Length];
            if (!IsStale(path, middle, nowUtc)) continue;
            try
            {
                File.Delete(path);
                deleted.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still open elsewhere (Windows) or not ours to delete: leave it.
            }
        }
        return deleted;
    }

    private static bool IsStale(string path, string middle, DateTime nowUtc)
    {
        bool parsed = TryParse(middle, out string host, out int pid, out long start);
        if (IsLegacy(middle) || (parsed && host != HostTag))
        {
            try
            {
                return nowUtc - File.GetLastWriteTimeUtc(path) >= QuietAge;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
        if (!parsed) return false;
        if (pid == Environment.ProcessId && Math.Abs(start - OwnStart.Value) <= 2)
            return !Open.ContainsKey(path);
        return !IsRunning(pid, start);
    }

    /// <summary>Whether process <paramref name="pid"/> runs and started at <paramref name="start"/> (Unix seconds, ±2 s).</summary>
    private static bool IsRunning(int pid, long start)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            long? actual = StartSeconds(p);
            // A process whose start time cannot be read is assumed to be the writer: never delete a live file.
            return actual is null || Math.Abs(actual.Value - start) <= 2;
        }
        catch (ArgumentException)
        {
            return false; // No such process.
        }
        catch (InvalidOperationException)
        {
            return false; // It exited while we looked.
        }
    }

    private static long? StartSeconds(Process p)
    {
        try
        {
            return new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeSeconds();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    private static bool TryParse(string middle, out string host, out int pid, out long start)
    {
        host = "";
        pid = 0;
        start = 0;
        if (!middle.StartsWith(Marker, StringComparison.Ordinal)) return false;
        var parts = middle[Marker.Length..].Split('-');
        if (parts.Length != 4 || parts[0].Length != 8 || !parts[0].All(char.IsAsciiHexDigitLower)) return false;
        host = parts[0];
        return int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out start)
            && parts[3].Length == 16 && parts[3].All(char.IsAsciiHexDigitLower);
    }

    private static bool IsLegacy(string middle) => middle.Length == 32 && middle.All(char.IsAsciiHexDigitLower);
}
