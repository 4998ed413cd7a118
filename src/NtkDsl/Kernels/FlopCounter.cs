namespace NtkDsl.Kernels;

/// <summary>
/// Test instrumentation: counts the flops of every GEMM started on the current thread while enabled, so that tests can
/// check <see cref="ModelCost"/> against what the kernels really execute. Off by default (one thread-static read per GEMM).
/// </summary>
internal static class FlopCounter
{
    [ThreadStatic] private static bool t_enabled;
    [ThreadStatic] private static long t_flops;
    [ThreadStatic] private static long t_calls;

    /// <summary>Starts counting on this thread from zero.</summary>
    public static void Start()
    {
        t_flops = 0;
        t_calls = 0;
        t_enabled = true;
    }

    /// <summary>Stops counting and returns (flops, GEMM calls).</summary>
    public static (long Flops, long Calls) Stop()
    {
        t_enabled = false;
        return (t_flops, t_calls);
    }

    /// <summary>Counts of GEMMs that worker threads run on behalf of a counting thread (see <see cref="Fork"/>).</summary>
    internal sealed class Shared
    {
        internal long Flops;
        internal long Calls;
    }

    [ThreadStatic] private static Shared? t_forward;

    /// <summary>
    /// When this thread is counting, a sink for the GEMMs that parallel workers run for it (each worker calls
    /// <see cref="Enter"/>, and this thread <see cref="Join"/> afterwards); else null.
    /// </summary>
    public static Shared? Fork() => t_enabled ? new Shared() : null;

    /// <summary>On a worker: records this thread's GEMMs into <paramref name="sink"/> (null: no change); returns what to pass to <see cref="Exit"/>.</summary>
    public static Shared? Enter(Shared? sink)
    {
        var previous = t_forward;
        if (sink is not null) t_forward = sink;
        return previous;
    }

    /// <summary>On a worker: restores the state <see cref="Enter"/> returned.</summary>
    public static void Exit(Shared? previous) => t_forward = previous;

    /// <summary>On the counting thread: adds the workers' counts.</summary>
    public static void Join(Shared? sink)
    {
        if (sink is null) return;
        t_flops += sink.Flops;
        t_calls += sink.Calls;
    }

    /// <summary>Called by the GEMM kernel for a product it is about to run.</summary>
    public static void Record(int m, int n, int k, bool symmetricLower)
    {
        long flops = symmetricLower ? (long)m * (m + 1) * k : 2L * m * n * k;
        if (t_forward is { } sink)
        {
            Interlocked.Add(ref sink.Flops, flops);
            Interlocked.Increment(ref sink.Calls);
            return;
        }
        if (!t_enabled) return;
        t_flops += flops;
        t_calls++;
    }
}
