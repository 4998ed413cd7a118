using System.Diagnostics;

namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// Wall-clock time per phase of a device computation, for the benchmark's breakdown: every <see cref="Mark"/> waits
/// for the device stream and charges the time since the previous mark to the phase. The synchronizations remove the
/// overlap of host launches with device work, so the sum is slightly above an unprofiled run.
/// </summary>
internal sealed class PhaseTimes(CudaDevice device)
{
    private readonly Stopwatch _watch = new();

    /// <summary>Milliseconds per phase, in first-seen order.</summary>
    public List<KeyValuePair<string, double>> Milliseconds { get; } = [];

    /// <summary>Waits for the device and starts the clock.</summary>
    public void Start()
    {
        device.Synchronize();
        _watch.Restart();
    }

    /// <summary>Waits for the device and charges the elapsed time to <paramref name="phase"/>.</summary>
    public void Mark(string phase)
    {
        device.Synchronize();
        double ms = _watch.Elapsed.TotalMilliseconds;
        int at = Milliseconds.FindIndex(p => p.Key == phase);
        if (at < 0) Milliseconds.Add(new(phase, ms));
        else Milliseconds[at] = new(phase, Milliseconds[at].Value + ms);
        _watch.Restart();
    }
}
