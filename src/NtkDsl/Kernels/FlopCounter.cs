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

    /// <summary>Called by the GEMM kernel for a product it is about to run.</summary>
    public static void Record(int m, int n, int k, bool symmetricLower)
    {
        if (!t_enabled) return;
        t_flops += symmetricLower ? (long)m * (m + 1) * k : 2L * m * n * k;
        t_calls++;
    }
}
