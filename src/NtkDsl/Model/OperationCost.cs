namespace NtkDsl;

/// <summary>
/// The modelled work and memory of one call on the CPU backend (see <see cref="ModelCost"/> for the counting
/// convention).
/// </summary>
/// <param name="GemmFlops">Floating-point operations inside matrix products: 2·m·n·k per GEMM, m(m+1)·k per symmetric (lower-triangle) product.</param>
/// <param name="ElementwiseFlops">Every other multiply, add, square root and activation or derivative evaluation the code performs.</param>
/// <param name="Bytes">Memory held at once by the arrays that live until the call returns: the result, the per-layer
/// features and the tile buffers (the working set to budget for).</param>
/// <param name="AllocatedBytes">All bytes the call allocates, temporaries and GEMM packing buffers included (garbage-collector pressure).</param>
/// <param name="DualEvaluations">Infinite-width dual-activation evaluations (closed forms with transcendental functions, or
/// bivariate quadratures); zero for finite-width calls.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct OperationCost(long GemmFlops, long ElementwiseFlops, long Bytes, long AllocatedBytes, long DualEvaluations)
{
    /// <summary>Total floating-point operations: <see cref="GemmFlops"/> + <see cref="ElementwiseFlops"/>.</summary>
    /// <exception cref="OverflowException">The sum exceeds <see cref="long.MaxValue"/> (never for a figure from
    /// <see cref="ModelCost"/>, which refuses such sizes; only for values constructed by hand).</exception>
    public long Flops => checked(GemmFlops + ElementwiseFlops);

    /// <summary>A short human-readable form, e.g. "3.1 GFLOP, 12.0 MB".</summary>
    public override string ToString() => $"{ModelCost.FormatFlops(Flops)}, {ModelCost.FormatBytes(Bytes)}";
}
