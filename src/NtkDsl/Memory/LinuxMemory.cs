using System.Globalization;

namespace NtkDsl.Memory;

/// <summary>
/// Reads the Linux memory limits that the .NET GC does not subtract usage from: /proc/meminfo's MemAvailable and the
/// cgroup (v1 or v2) limits of this process's cgroup and every parent. Each reader returns null where the file does
/// not exist or cannot be parsed (other operating systems, no limit).
/// </summary>
/// <remarks>Thread safety: stateless, safe from any thread.</remarks>
internal static class LinuxMemory
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>MemAvailable in bytes, or null.</summary>
    public static long? MemAvailable()
    {
        string? text = TryRead("/proc/meminfo");
        if (text is null) return null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                return parts.Length >= 3 && parts[2] == "kB" ? kb * 1024 : kb;
        }
        return null;
    }

    /// <summary>The least (limit − usage) over this process's cgroup and its parents, or null when none is limited.</summary>
    public static long? CgroupAvailable()
    {
        string? self = TryRead("/proc/self/cgroup");
        if (self is null) return null;
        long? best = null;
        foreach (var line in self.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // v2: "0::/path"; v1: "N:memory:/path" (possibly with other controllers, e.g. "N:memory,cpu:/path").
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            bool v2 = parts[0] == "0" && parts[1].Length == 0;
            bool v1 = parts[1].Split(',').Contains("memory");
            if (!v1 && !v2) continue;
            string root = v2 ? CgroupRoot : Path.Combine(CgroupRoot, "memory");
            string limitFile = v2 ? "memory.max" : "memory.limit_in_bytes";
            string usageFile = v2 ? "memory.current" : "memory.usage_in_bytes";
            foreach (string dir in SelfAndParents(root, parts[2]))
            {
                long? limit = ReadNumber(Path.Combine(dir, limitFile));
                if (limit is not long l || l >= (1L << 60)) continue; // "max" or v1's "unlimited" page-rounded maximum
                long usage = ReadNumber(Path.Combine(dir, usageFile)) ?? 0;
                long free = Math.Max(0, l - usage);
                best = best is long b ? Math.Min(b, free) : free;
            }
        }
        return best;
    }

    private static IEnumerable<string> SelfAndParents(string root, string relative)
    {
        // In a container the cgroup path is often "/" while the files sit at the root of the mount.
        string path = relative.Trim('/');
        while (true)
        {
            yield return path.Length == 0 ? root : Path.Combine(root, path);
            if (path.Length == 0) yield break;
            int slash = path.LastIndexOf('/');
            path = slash < 0 ? "" : path[..slash];
        }
    }

    private static long? ReadNumber(string file)
    {
        string? text = TryRead(file)?.Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
    }

    private static string? TryRead(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllText(file) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
