namespace NtkDsl.IO;

/// <summary>How <see cref="NpyFile.Write(string, Tensor, NpyWriteOptions?)"/> and <see cref="NpyStreamWriter"/> lay out a file.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record NpyWriteOptions
{
    /// <summary>The format version (default: 1.0 unless the header needs more room).</summary>
    public NpyVersion Version { get; init; } = NpyVersion.Auto;

    /// <summary>Byte order of the stored elements (default little-endian).</summary>
    public NpyByteOrder ByteOrder { get; init; } = NpyByteOrder.LittleEndian;

    /// <summary>
    /// Store the data column-major (<c>fortran_order: True</c>). Only the one-shot writer supports it; the streaming
    /// writer receives rows and so always writes row-major.
    /// </summary>
    public bool FortranOrder { get; init; }
}
