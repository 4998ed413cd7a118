namespace NtkDsl.Cuda.Emulation;

/// <summary>What the strict host emulation caught.</summary>
public enum EmulationViolation
{
    /// <summary>An address that is not inside any live device allocation.</summary>
    InvalidPointer,
    /// <summary>An access to an allocation that was already freed.</summary>
    UseAfterFree,
    /// <summary>A range that runs past the end (or starts before the beginning) of its allocation.</summary>
    OutOfBounds,
    /// <summary>A kernel wrote outside its buffers (a red zone around an allocation changed).</summary>
    KernelOutOfBounds,
    /// <summary>A read (or write) of a buffer whose last write, on another stream, was not synchronized.</summary>
    UnsynchronizedAccess,
    /// <summary>Allocations, streams, modules or library handles still alive at the end.</summary>
    Leak,
    /// <summary>A call made without a current context, or with a handle that was never created or was destroyed.</summary>
    InvalidUse,
}

/// <summary>
/// The emulation found an error that real hardware would turn into a crash, a sticky CUDA_ERROR_ILLEGAL_ADDRESS, a
/// race or a leak. The message names the call, the buffer (allocation number and size) and the offending range.
/// </summary>
public sealed class CudaEmulationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CudaEmulationException(EmulationViolation kind, string message) : base($"[{kind}] {message}") => Kind = kind;

    /// <summary>What was caught.</summary>
    public EmulationViolation Kind { get; }
}
