using NtkDsl.IO;

namespace NtkDsl;

/// <summary>How <see cref="KernelStream"/> splits a kernel into row blocks and writes it.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record KernelStreamOptions
{
    /// <summary>
    /// Rows of x1 per block (B). Null (default): chosen from the memory available now (<see cref="Memory.MemoryBudget"/>,
    /// results at most <see cref="KernelStream.MaxAutomaticBlockBytes"/> a block)
    /// after a one-row first block has shown the bytes per kernel row (see <see cref="KernelStream.ChooseBlockRows"/>).
    /// </summary>
    public int? BlockRows { get; init; }

    /// <summary>Receives (<c>"rows"</c>, rows finished, N1) after each block. Called on the computing thread.</summary>
    public IProgress<NtkProgress>? Progress { get; init; }

    /// <summary>Element type stored in the file; null (default) keeps the kernel's own (float64, or float32 for a Float32 model).</summary>
    public DType? FileDType { get; init; }

    /// <summary>Version and byte order of the .npy file (always C order: rows are appended).</summary>
    public NpyWriteOptions? Npy { get; init; }
}
