namespace NtkDsl.Memory;

/// <summary>
/// Thrown before a large allocation that would not fit in the memory available to the process (see
/// <see cref="MemoryBudget"/>), instead of a bare <see cref="OutOfMemoryException"/> halfway through or the
/// operating system's out-of-memory killer. The message gives the size, what is available and the fix (row blocks and
/// streaming to .npy with <see cref="KernelStream"/>, <c>Precision.Float32</c>). Derives from <see cref="OutOfMemoryException"/>, so existing
/// handlers of that type still see it.
/// </summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public sealed class NotEnoughMemoryException : OutOfMemoryException
{
    /// <summary>Creates the exception.</summary>
    public NotEnoughMemoryException(string message, string operation, long requestedBytes, long availableBytes) : base(message)
    {
        Operation = operation;
        RequestedBytes = requestedBytes;
        AvailableBytes = availableBytes;
    }

    /// <summary>What asked for the memory, e.g. "Mlp.Ntk".</summary>
    public string Operation { get; }

    /// <summary>Bytes the operation needs at once (the working set from the cost model: results, features, buffers).</summary>
    public long RequestedBytes { get; }

    /// <summary>Bytes available to this process when it was checked (<see cref="MemoryBudget.Available"/>).</summary>
    public long AvailableBytes { get; }
}
