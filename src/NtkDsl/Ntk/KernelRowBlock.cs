namespace NtkDsl;

/// <summary>One block of kernel rows delivered by <see cref="KernelStream"/>: rows [<see cref="RowStart"/>,
/// <see cref="RowStart"/> + <see cref="RowCount"/>) of the whole kernel.</summary>
/// <param name="RowStart">Index in x1 of the block's first row.</param>
/// <param name="Values">The block: B × N2 (Trace), B × N2 × K × K (Full), B (Diagonal) or B × K × K (DiagonalFull).</param>
/// <remarks>Thread safety: immutable record; the tensor is a fresh array the caller owns.</remarks>
public readonly record struct KernelRowBlock(int RowStart, Tensor Values)
{
    /// <summary>Number of rows in the block (B).</summary>
    public int RowCount => Values.Rows;
}

/// <summary>One block of per-group kernel rows delivered by <see cref="KernelStream.NtkPerGroupRowBlocks"/>.</summary>
/// <param name="RowStart">Index in x1 of the block's first row.</param>
/// <param name="Blocks">Θ^g for the block's rows, one tensor per group (each shaped as <see cref="KernelRowBlock.Values"/>).</param>
/// <remarks>Thread safety: immutable record; the tensors are fresh arrays the caller owns.</remarks>
public readonly record struct KernelGroupRowBlock(int RowStart, NtkBlocks Blocks)
{
    /// <summary>Number of rows in the block (B).</summary>
    public int RowCount => Blocks[0].Rows;
}
