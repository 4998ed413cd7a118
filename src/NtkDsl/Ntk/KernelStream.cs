using System.Globalization;
using NtkDsl.IO;
using NtkDsl.Memory;

namespace NtkDsl;

/// <summary>
/// Computes a kernel too large for memory in blocks of rows of x1 and writes it to a .npy file (<c>*ToNpy</c>) or hands
/// each block to the caller (<c>*RowBlocks</c>), so memory stays O(B · N2 · K²) plus the kernel's own working set for one
/// block (for the empirical NTK: the per-layer features of x2, recomputed for every block) whatever N1 is.
/// Works for any kernel: the empirical <c>Ntk</c> (every <see cref="NtkMode"/>), <c>NtkPerGroup</c> and <c>Wntk</c> of any
/// <see cref="INtkModel"/>, and through a <see cref="KernelBlockFunction"/> for the static analytic kernels
/// (<c>AnalyticNngp</c>, <c>AnalyticNtk</c>, <c>AnalyticWntk</c>) or any other function of (rows, columns).
/// </summary>
/// <remarks>
/// <para>Symmetric kernels (x2 = null): every block is the full row block Θ(x1[rows], x1), columns 0..N1, so the
/// file is written strictly in order and no block is held back; this does about twice the arithmetic of the upper
/// triangle (what the in-memory <c>Ntk(x1)</c> computes), in exchange for O(B · N) memory and a sequential write.
/// Values therefore agree with the in-memory kernel to rounding (the same formula summed in another tile order), not
/// always bitwise; the diagonal modes (<see cref="NtkMode.Diagonal"/>, <see cref="NtkMode.DiagonalFull"/>) compute
/// <c>Ntk(x1[rows])</c> per block and give N1 or N1 × K × K.</para>
/// <para>File layout: shape (N1, N2) for Trace, (N1, N2, K, K) for Full, (N1,) for Diagonal and (N1, K, K) for
/// DiagonalFull, C order (<c>fortran_order: False</c>), little-endian by default; the .npy header stores the shape as
/// 64-bit integers, so files over 4 GB and over 2³¹ elements are read by NumPy (<c>np.load(path, mmap_mode='r')</c>)
/// and block by block by <see cref="NpyFile.ReadRows"/>. Per-group kernels go to one file per group
/// (<see cref="GroupPath"/>). Files are written atomically: a temporary file in the destination folder is renamed into
/// place after the last block, so an interrupted, failed or cancelled run leaves no file (and no temporary file) under
/// the final name and keeps any previous file.</para>
/// <para>Block size: <see cref="KernelStreamOptions.BlockRows"/>, or chosen from the memory available now
/// (<see cref="MemoryBudget.Available"/>): for models from the cost model (<see cref="ModelCost.Ntk"/>), for a
/// delegate from the bytes of a one-row first block (see <see cref="ChooseBlockRows"/>). The block sizes need not
/// divide N1; the last block is shorter.</para>
/// <para>Memory: before each block after one of 16 MiB or more, a full garbage collection returns the previous
/// block's arrays (the .NET GC otherwise lets large-object memory accumulate while memory is plentiful), so the peak
/// working set stays about one block's working set. A caller of the <c>*RowBlocks</c> methods who keeps blocks keeps
/// their memory.</para>
/// <para>Progress: <see cref="KernelStreamOptions.Progress"/> (or the <c>progress</c> argument of the <c>*RowBlocks</c>
/// methods) receives <c>("rows", rows finished, N1)</c> after each block, on the computing thread. Cancellation is
/// checked before every block and passed to the kernel.</para>
/// <para>Thread safety: the methods are safe to call from any thread; a model's kernels may be called concurrently
/// (see <see cref="INtkModel"/>). Enumerate one <c>*RowBlocks</c> sequence from one thread at a time.</para>
/// </remarks>
/// <example>
/// <code>
/// KernelStream.NtkToNpy(model, "k.npy", x);                                           // 100,000 × 100,000 Trace NTK
/// KernelStream.ToNpy("a.npy", x, null, (r, c, ct) =&gt; Mlp.AnalyticNtk(r, c, cancellationToken: ct));
/// double trace = 0;
/// foreach (var b in KernelStream.NtkRowBlocks(model, x))                                 // or reduce block by block
///     for (int i = 0; i &lt; b.RowCount; i++) trace += b.Values[i, b.RowStart + i];
/// </code>
/// </example>
public static partial class KernelStream
{
    /// <summary>Fraction of the available memory one block's working set may use when the block size is automatic.</summary>
    public const double MemoryFraction = 0.5;

    /// <summary>
    /// For a delegate kernel with an automatic block size: the kernel is assumed to hold this many arrays the size of
    /// its result at once (result, Gram and per-layer recursion matrices of the analytic kernels).
    /// </summary>
    public const int DelegateWorkingCopies = 6;

    /// <summary>
    /// Automatic block sizes also keep one block's results (all groups' for <c>NtkPerGroup</c>) under this many bytes
    /// (512 MiB): larger blocks gain little speed (each block costs B · N2 kernel entries against one pass over x2) and
    /// would take memory other processes on the machine need.
    /// </summary>
    public const long MaxAutomaticBlockBytes = 512L << 20;

    private const string Stage = "rows";

    /// <summary>
    /// The rows per block that keep <paramref name="bytesPerRow"/> × rows within <see cref="MemoryFraction"/> of the
    /// memory available now and the block's float64 result (<paramref name="elementsPerRow"/> × 8 bytes a row) within
    /// <see cref="MaxAutomaticBlockBytes"/>, between 1 and <paramref name="totalRows"/> (and small enough that one
    /// block's result is one .NET array).
    /// </summary>
    /// <param name="bytesPerRow">Bytes one kernel row costs in the working set (≥ 1).</param>
    /// <param name="elementsPerRow">Elements of one row of the result (for the array-length cap; ≥ 1).</param>
    /// <param name="totalRows">N1 (≥ 1).</param>
    public static int ChooseBlockRows(long bytesPerRow, long elementsPerRow, int totalRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalRows, 1);
        long budget = (long)(MemoryBudget.Available().Bytes * MemoryFraction);
        long rows = budget / Math.Max(1, bytesPerRow);
        rows = Math.Min(rows, Array.MaxLength / Math.Max(1, elementsPerRow));
        rows = Math.Min(rows, MaxAutomaticBlockBytes / Math.Max(8, elementsPerRow * 8));
        return (int)Math.Clamp(rows, 1, totalRows);
    }

    /// <summary>
    /// The kernel Θ(x1, x2) row block by row block: each block is <paramref name="compute"/>(x1[rows], x2 ?? x1). Lazy: a
    /// block is computed when the enumeration reaches it.
    /// </summary>
    /// <param name="x1">N1 × d (N1 ≥ 1).</param>
    /// <param name="x2">N2 × d, or null for the symmetric kernel of x1 (full row blocks, see the class remarks).</param>
    /// <param name="compute">The kernel of (rows, columns); every block must have B rows and one trailing shape.</param>
    /// <param name="blockRows">Rows per block, or null to choose from the available memory (a one-row first block
    /// shows the bytes per row; see <see cref="ChooseBlockRows"/> with <see cref="DelegateWorkingCopies"/>).</param>
    /// <param name="progress">Receives ("rows", rows computed, N1) after each block.</param>
    /// <param name="cancellationToken">Checked before each block and passed to <paramref name="compute"/>.</param>
    /// <exception cref="ArgumentException">x1 has no rows, or <paramref name="blockRows"/> &lt; 1.</exception>
    /// <exception cref="InvalidOperationException">(while enumerating) <paramref name="compute"/> returned a block with the wrong number of rows or another trailing shape.</exception>
    public static IEnumerable<KernelRowBlock> RowBlocks(Tensor x1, Tensor? x2, KernelBlockFunction compute, int? blockRows = null,
        IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckInputs(x1, blockRows);
        ArgumentNullException.ThrowIfNull(compute);
        var columns = x2 ?? x1;
        return Run(x1, (start, count, ct) => compute(x1.SliceRows(start, count), columns, ct), null, blockRows, progress, cancellationToken);
    }

    /// <summary><see cref="RowBlocks(Tensor, Tensor?, KernelBlockFunction, int?, IProgress{NtkProgress}?, CancellationToken)"/> for a kernel without a cancellation token.</summary>
    public static IEnumerable<KernelRowBlock> RowBlocks(Tensor x1, Tensor? x2, Func<Tensor, Tensor, Tensor> compute, int? blockRows = null,
        IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return RowBlocks(x1, x2, (r, c, _) => compute(r, c), blockRows, progress, cancellationToken);
    }

    /// <summary>
    /// Writes Θ(x1, x2) = <paramref name="compute"/>(x1[rows], x2 ?? x1) to the .npy file <paramref name="path"/> block by
    /// block (shape (N1, trailing shape of a block), see the class remarks), atomically.
    /// </summary>
    /// <returns>The header of the written file (shape, dtype, data offset).</returns>
    /// <exception cref="ArgumentException">x1 has no rows, or the block size is &lt; 1.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; no file was written (a previous file stays).</exception>
    public static NpyHeader ToNpy(string path, Tensor x1, Tensor? x2, KernelBlockFunction compute, KernelStreamOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new KernelStreamOptions();
        var blocks = RowBlocks(x1, x2, compute, options.BlockRows, null, cancellationToken);
        return WriteSingle(path, x1.Rows, blocks, options);
    }

    /// <summary><see cref="ToNpy(string, Tensor, Tensor?, KernelBlockFunction, KernelStreamOptions?, CancellationToken)"/> for a kernel without a cancellation token.</summary>
    public static NpyHeader ToNpy(string path, Tensor x1, Tensor? x2, Func<Tensor, Tensor, Tensor> compute, KernelStreamOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return ToNpy(path, x1, x2, (r, c, _) => compute(r, c), options, cancellationToken);
    }

    /// <summary>
    /// The file of group <paramref name="group"/> for a per-group kernel streamed to <paramref name="path"/>:
    /// <c>folder/stem.Layer.Weights.npy</c> for <c>folder/stem.npy</c> and group key <c>Layer.Weights</c>.
    /// </summary>
    public static string GroupPath(string path, ParameterGroup group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(group);
        string full = Path.GetFullPath(path);
        string stem = Path.GetFileNameWithoutExtension(full);
        return Path.Combine(Path.GetDirectoryName(full) ?? "", stem + "." + group.Key + ".npy");
    }

    internal static void CheckInputs(Tensor x1, int? blockRows)
    {
        ArgumentNullException.ThrowIfNull(x1);
        if (x1.Rank == 0 || x1.Rows == 0)
            throw new ArgumentException("x1 has no rows, so there is no kernel row to compute; pass at least one input.", nameof(x1));
        if (blockRows is < 1)
            throw new ArgumentOutOfRangeException(nameof(blockRows), blockRows,
                "The block size must be at least one row; pass null to choose it from the available memory.");
    }

    /// <summary>
    /// The row-block loop shared by every kernel. <paramref name="bytesForRows"/> (cost model) sizes blocks up front;
    /// without it a one-row first block is measured.
    /// </summary>
    internal static IEnumerable<KernelRowBlock> Run(Tensor x1, Func<int, int, CancellationToken, Tensor> compute, BlockSizer? bytesForRows,
        int? blockRows, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        int n1 = x1.Rows;
        int[]? trailing = null;
        foreach (var (start, block) in RunAny(n1, compute, t => t.Rows, t => t.Length, bytesForRows, blockRows, progress, ct))
        {
            trailing = CheckTrailing(block, trailing, "the kernel function");
            yield return new KernelRowBlock(start, block);
        }
    }

    internal static IEnumerable<(int Start, T Block)> RunAny<T>(int n1, Func<int, int, CancellationToken, T> compute, Func<T, int> rowsOf,
        Func<T, long> elementsOf, BlockSizer? bytesForRows, int? blockRows, IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        if (blockRows is int given && bytesForRows is not null) CheckGivenBlock(bytesForRows, given, n1);
        int? rows = blockRows ?? (bytesForRows is null ? null : FromCost(bytesForRows, n1));
        int start = 0;
        long previousElements = 0;
        while (start < n1)
        {
            ct.ThrowIfCancellationRequested();
            // The previous block is garbage by now (written, or reduced by the caller). Large arrays live on the large
            // object heap, which the GC lets grow by gigabytes while memory is plentiful; collecting here makes the
            // next block reuse that memory, so the peak stays about one block instead of growing with N1.
            if (previousElements * 8 >= MemoryBudget.CheckThresholdBytes)
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            int count = Math.Min(rows ?? 1, n1 - start);
            var block = compute(start, count, ct);
            int got = rowsOf(block);
            if (got != count)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"The kernel function returned {got} rows for the {count} rows [{start}, {start + count}) of x1; it must return one kernel row per row it is given (rows first)."));
            if (rows is null)
            {
                long elements = Math.Max(1, elementsOf(block));
                rows = ChooseBlockRows(elements * 8 * DelegateWorkingCopies, elements, n1);
            }
            start += count;
            previousElements = elementsOf(block);
            progress?.Report(new NtkProgress(Stage, start, n1));
            yield return (start - count, block);
        }
    }

    /// <summary>
    /// The largest B whose working set <paramref name="sizer"/>(B) fits within <see cref="MemoryFraction"/> of the
    /// available memory and whose results fit in <see cref="MaxAutomaticBlockBytes"/>. When even one row exceeds that
    /// fraction (the part every block needs whatever its size, chiefly the per-layer features of the N2 column inputs,
    /// is large), the blocks may use <see cref="LargeFixedPartFraction"/> of the memory instead: one-row blocks would
    /// recompute those features once per row of x1, tens of times slower than blocks of a few hundred rows.
    /// </summary>
    /// <exception cref="NotEnoughMemoryException">Not even a one-row block fits in the available memory; the message gives
    /// the part that no block size reduces and what to do instead.</exception>
    private static int FromCost(BlockSizer sizer, int n1)
    {
        long available = MemoryBudget.Available().Bytes;
        var bytesForRows = sizer.WorkingSet;
        n1 = (int)Math.Clamp(MaxAutomaticBlockBytes / Math.Max(1, sizer.ResultBytesPerRow), 1, n1);
        if (sizer.KernelBytes(1) > available) ThrowNoRowFits(sizer);
        long budget = (long)(available * (bytesForRows(1) > available * MemoryFraction ? LargeFixedPartFraction : MemoryFraction));
        return LargestFitting(bytesForRows, n1, budget);
    }

    /// <summary>The largest B in [1, <paramref name="max"/>] with <paramref name="bytes"/>(B) ≤ <paramref name="budget"/>
    /// (bytes grows with B), or 1 when none fits.</summary>
    private static int LargestFitting(Func<int, long> bytes, int max, long budget)
    {
        if (bytes(max) <= budget) return max;
        int lo = 1, hi = max; // bytes(hi) > budget; answer in [1, hi).
        while (hi - lo > 1)
        {
            int mid = lo + (hi - lo) / 2;
            if (bytes(mid) <= budget) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// Fraction of the available memory an automatic block may use when one row alone needs more than
    /// <see cref="MemoryFraction"/> of it (see the remarks on block size).
    /// </summary>
    public const double LargeFixedPartFraction = 0.9;

    /// <summary>
    /// A block size the caller gave (<see cref="KernelStreamOptions.BlockRows"/>) whose working set does not fit: the error
    /// says which block size would (the model's own check would otherwise recommend KernelStream from inside it).
    /// </summary>
    /// <exception cref="NotEnoughMemoryException">The given block does not fit.</exception>
    private static void CheckGivenBlock(BlockSizer sizer, int blockRows, int n1)
    {
        int rows = Math.Min(blockRows, n1);
        long need = sizer.KernelBytes(rows);
        long available = MemoryBudget.Available().Bytes;
        if (need <= available) return;
        if (sizer.KernelBytes(1) > available) ThrowNoRowFits(sizer);
        int lo = LargestFitting(sizer.KernelBytes, rows, available);
        MemoryBudget.Ensure(need, "KernelStream", string.Create(CultureInfo.InvariantCulture,
            $"a block of BlockRows = {blockRows} rows of x1{(sizer.Columns is int c ? $" against the {c} column inputs x2" : "")}"),
            string.Create(CultureInfo.InvariantCulture,
                $"At most {lo} rows fit now: pass BlockRows = {lo} or less, or leave BlockRows null to size blocks from the available memory."),
            generalAdvice: false);
    }

    private static void ThrowNoRowFits(BlockSizer sizer)
    {
        long one = sizer.KernelBytes(1);
        // The part independent of B: K(1) − (K(2) − K(1)), the working set is affine in B.
        long perRow = Math.Max(0, sizer.KernelBytes(2) - one);
        long fixedPart = Math.Max(0, one - perRow);
        string columns = sizer.Columns is int c ? string.Create(CultureInfo.InvariantCulture, $"the {c} column inputs x2") : "the column inputs";
        MemoryBudget.Ensure(one, "KernelStream", string.Create(CultureInfo.InvariantCulture,
            $"a block of a single row of x1 (the smallest block) against {columns}, of which {ModelCost.FormatBytes(fixedPart)} does not depend on the block size (the per-layer features of {columns} and the tile buffers),"),
            "Smaller blocks cannot help: split the columns instead (stream or compute the kernel against x2.SliceRows(start, count) for column blocks of x2 and join them), declare the model with [NtkModel(Precision = Precision.Float32)] to halve the features, or free memory / raise the limit.",
            generalAdvice: false);
    }

    internal static int[] CheckTrailing(Tensor block, int[]? trailing, string who)
    {
        if (block.Rank == 0)
            throw new InvalidOperationException($"{who} returned a scalar; a kernel block has its rows first.");
        var shape = block.Shape[1..].ToArray();
        if (trailing is not null && !shape.AsSpan().SequenceEqual(trailing))
            throw new InvalidOperationException(
                $"{who} returned a block of shape [{string.Join(", ", block.Shape.ToArray())}] after blocks of shape [B, {string.Join(", ", trailing)}]; every block must have the same shape after its rows.");
        return shape;
    }

    /// <summary>Fails before any kernel work when the destination folder is missing (the writer opens after the first block).</summary>
    internal static void CheckFolder(string path)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Cannot write '{full}': the folder '{dir}' does not exist; create it first.");
    }

    private static NpyHeader WriteSingle(string path, int n1, IEnumerable<KernelRowBlock> blocks, KernelStreamOptions options)
    {
        CheckFolder(path);
        NpyStreamWriter? writer = null;
        try
        {
            foreach (var b in blocks)
            {
                writer ??= Open(path, n1, b.Values, options);
                Append(writer, b.Values);
                options.Progress?.Report(new NtkProgress(Stage, b.RowStart + b.RowCount, n1));
            }
            writer!.Complete();
        }
        finally
        {
            writer?.Dispose();
        }
        return NpyFile.ReadHeader(path);
    }

    internal static NpyStreamWriter Open(string path, int n1, Tensor first, KernelStreamOptions options)
    {
        var shape = new long[first.Rank];
        shape[0] = n1;
        for (int i = 1; i < shape.Length; i++) shape[i] = first.Shape[i];
        return new NpyStreamWriter(path, options.FileDType ?? first.DType, shape, options.Npy);
    }

    internal static void Append(NpyStreamWriter writer, Tensor block)
    {
        if (block.DType == DType.Float64) writer.WriteRows(block.AsSpan());
        else writer.WriteRows(block.AsSingleSpan());
    }

    /// <summary>A block's working set for B rows (from the cost model), the bytes of its results per row, N2 (for messages) and
    /// the bytes per row the working set counts beyond the kernel's own memory check (the previous block the GC may still hold).</summary>
    internal sealed record BlockSizer(Func<int, long> WorkingSet, long ResultBytesPerRow, int? Columns = null, long SlackBytesPerRow = 0)
    {
        /// <summary>What the kernel's own memory check counts for B rows: the working set without the slack.</summary>
        public long KernelBytes(int rows) => WorkingSet(rows) - rows * SlackBytesPerRow;
    }
}
