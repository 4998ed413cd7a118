using System.Diagnostics;

namespace NtkDsl.Kernels;

/// <summary>
/// Benchmark instrumentation: wall time per phase of the structured NTK assembly (<see cref="NtkAssembler"/>), summed
/// over tiles and layers while enabled — summed over threads when tiles run in parallel, so phases can add up to more
/// than the wall time. Off by default; when off each phase boundary costs one static read. Meant for one benchmark
/// call at a time (concurrent assemblies would mix their sums).
/// </summary>
internal static class NtkPhaseTimes
{
    /// <summary>The phases, in the order they are printed.</summary>
    /// <remarks>In Trace mode the ∞/NaN scan of each tile accumulator runs inside the Hadamard pass (Hadamard); CheckTile is the separate scan of Full mode.</remarks>
    internal enum Phase { CheckFeatures, InputGram, DeltaGram, Hadamard, CheckTile, WriteTile, Count }

    private static readonly long[] s_ticks = new long[(int)Phase.Count];

    /// <summary>Whether phases are being timed.</summary>
    internal static bool Enabled { get; private set; }

    /// <summary>Starts timing from zero.</summary>
    internal static void Start()
    {
        Array.Clear(s_ticks);
        Enabled = true;
    }

    /// <summary>Stops timing and returns (phase name, seconds) for every phase.</summary>
    internal static (string Name, double Seconds)[] Stop()
    {
        Enabled = false;
        var result = new (string, double)[(int)Phase.Count];
        for (int p = 0; p < result.Length; p++) result[p] = (((Phase)p).ToString(), s_ticks[p] / (double)Stopwatch.Frequency);
        return result;
    }

    /// <summary>A timestamp when enabled, else 0.</summary>
    internal static long Now() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Adds the time since <paramref name="start"/> (from <see cref="Now"/>) to <paramref name="phase"/>; returns the new timestamp.</summary>
    internal static long Add(Phase phase, long start)
    {
        if (!Enabled) return 0;
        long now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref s_ticks[(int)phase], now - start);
        return now;
    }
}
