namespace NtkDsl;

/// <summary>
/// Computes the kernel between a block of rows and all columns: <paramref name="rows"/> is B × d (a slice of x1),
/// <paramref name="columns"/> is N2 × d (x2, or x1 itself for a symmetric kernel), and the result has B rows first,
/// e.g. B × N2 (Trace), B × N2 × K × K (Full), or B / B × K × K for the diagonal modes. Every call must return the same
/// trailing shape. Used by <see cref="KernelStream"/>; e.g. <c>(r, c, ct) =&gt; Mlp.AnalyticNtk(r, c, cancellationToken: ct)</c>.
/// </summary>
/// <param name="rows">B × d: the rows of x1 whose kernel rows are wanted.</param>
/// <param name="columns">N2 × d: every column input.</param>
/// <param name="cancellationToken">Passed on to the kernel so a long block can be cancelled.</param>
public delegate Tensor KernelBlockFunction(Tensor rows, Tensor columns, CancellationToken cancellationToken);
