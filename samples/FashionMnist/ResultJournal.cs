using System.Globalization;
using System.Text.Json;

namespace FashionMnist;

/// <summary>
/// One JSON line per finished (method, training size) result, appended as soon as it is done; a later run into the
/// same output folder with the same settings reads them back instead of recomputing (what makes a long run restartable
/// at the level of methods; <see cref="KernelBlocks"/> does it within a kernel).
/// </summary>
public static class ResultJournal
{
    private sealed record Entry(string Key, double Accuracy, double Seconds, double CpuSeconds, string Detail);

    /// <summary>What a result depends on: method, training size, test size, seed, standardization and epochs.</summary>
    public static string Key(string method, int trainSize, int testSize, FashionMnistOptions options) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{method}|train {trainSize}|test {testSize}|seed {options.Seed}|{options.Standardize.ToString().ToLowerInvariant()}|epochs {options.Epochs}");

    /// <summary>The results in <paramref name="path"/> by key (empty when the file does not exist; the last line wins).</summary>
    public static Dictionary<string, MethodResult> Read(string path)
    {
        var results = new Dictionary<string, MethodResult>(StringComparer.Ordinal);
        if (!File.Exists(path)) return results;
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            Entry? e;
            try
            {
                e = JsonSerializer.Deserialize<Entry>(line);
            }
            catch (JsonException)
            {
                continue; // a line cut short by a stopped run
            }
            if (e is not null) results[e.Key] = new MethodResult(e.Accuracy, e.Seconds, e.CpuSeconds, e.Detail);
        }
        return results;
    }

    /// <summary>Appends one result and flushes it to disk.</summary>
    public static void Append(string path, string key, MethodResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string line = JsonSerializer.Serialize(new Entry(key, result.Accuracy, result.Seconds, result.CpuSeconds, result.Detail));
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(line);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }
}
