using System.Globalization;

namespace NtkDsl.Memory;

/// <summary>
/// How much memory this process can still allocate, from each source that can limit it; <see cref="Bytes"/> is the
/// least of them. A source that does not apply on this system (no cgroup limit, no /proc) is null.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <param name="GcBytes">The .NET GC's limit (<c>GCMemoryInfo.TotalAvailableMemoryBytes</c>: physical memory, a
/// container limit or <c>GCHeapHardLimit</c>) minus the managed heap in use.</param>
/// <param name="CgroupBytes">The tightest cgroup (v2 <c>memory.max − memory.current</c>, v1
/// <c>memory.limit_in_bytes − memory.usage_in_bytes</c>) over this process's cgroup and its parents.</param>
/// <param name="MemAvailableBytes">The system-wide <c>MemAvailable</c> of /proc/meminfo (free memory without swapping).</param>
/// <param name="OverrideBytes">A limit set by <see cref="MemoryBudget.LimitVariable"/> or a test.</param>
/// <remarks>Thread safety: an immutable value, safe to share.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public readonly record struct MemoryAvailability(long GcBytes, long? CgroupBytes, long? MemAvailableBytes, long? OverrideBytes)
{
    /// <summary>The least of the sources: what an allocation may use.</summary>
    public long Bytes
    {
        get
        {
            long b = GcBytes;
            if (CgroupBytes is long c) b = Math.Min(b, c);
            if (MemAvailableBytes is long m) b = Math.Min(b, m);
            if (OverrideBytes is long o) b = Math.Min(b, o);
            return Math.Max(0, b);
        }
    }

    /// <summary>Each source with its figure, e.g. "GC limit − heap 20.1 GB, cgroup 3.9 GB, MemAvailable 11.2 GB".</summary>
    public override string ToString()
    {
        var parts = new List<string> { "GC limit − heap " + ModelCost.FormatBytes(GcBytes) };
        if (CgroupBytes is long c) parts.Add("cgroup limit − usage " + ModelCost.FormatBytes(c));
        if (MemAvailableBytes is long m) parts.Add("MemAvailable " + ModelCost.FormatBytes(m));
        if (OverrideBytes is long o) parts.Add(string.Create(CultureInfo.InvariantCulture, $"limit {ModelCost.FormatBytes(o)}"));
        return string.Join(", ", parts);
    }
}
