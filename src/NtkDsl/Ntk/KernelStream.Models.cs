using NtkDsl.IO;

namespace NtkDsl;

public static partial class KernelStream
{
    /// <summary>
    /// The empirical NTK <c>model.Ntk(x1, x2, mode)</c> row block by row block (lazy). Each block is
    /// <c>model.Ntk(x1[rows], x2 ?? x1, mode)</c>, or <c>model.Ntk(x1[rows], null, mode)</c> for the diagonal modes.
    /// </summary>
    /// <param name="model">Any model (generated models, their linearizations).</param>
    /// <param name="x1">N1 × d (N1 ≥ 1).</param>
    /// <param name="x2">N2 × d, or null for the symmetric kernel (required for Diagonal/DiagonalFull).</param>
    /// <param name="mode">The output mode; blocks are B × N2, B × N2 × K × K, B or B × K × K.</param>
    /// <param name="blockRows">Rows per block, or null to size blocks from the cost model and the available memory.</param>
    /// <param name="progress">Receives ("rows", rows computed, N1) after each block.</param>
    /// <param name="cancellationToken">Checked before each block and passed to <c>Ntk</c>.</param>
    /// <exception cref="ArgumentException">x1 has no rows, a diagonal mode with x2, an unknown mode, or <paramref name="blockRows"/> &lt; 1.</exception>
    public static IEnumerable<KernelRowBlock> NtkRowBlocks(INtkModel model, Tensor x1, Tensor? x2 = null, NtkMode mode = NtkMode.Trace,
        int? blockRows = null, IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckModelInputs(x1, x2, mode, blockRows);
        return Run(x1, (s, c, ct) => model.Ntk(x1.SliceRows(s, c), Columns(x1, x2, mode), mode, null, ct),
            Sizer(model, x1, x2, mode, 1), blockRows, progress, cancellationToken);
    }

    /// <summary>Writes <c>model.Ntk(x1, x2, mode)</c> to the .npy file <paramref name="path"/> block by block (see the class remarks for the layout).</summary>
    /// <returns>The header of the written file.</returns>
    /// <exception cref="ArgumentException">x1 has no rows, a diagonal mode with x2, an unknown mode, or a block size &lt; 1.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; no file was written (a previous file stays).</exception>
    public static NpyHeader NtkToNpy(INtkModel model, string path, Tensor x1, Tensor? x2 = null, NtkMode mode = NtkMode.Trace,
        KernelStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new KernelStreamOptions();
        var blocks = NtkRowBlocks(model, x1, x2, mode, options.BlockRows, null, cancellationToken);
        return WriteSingle(path, x1.Rows, blocks, options);
    }

    /// <summary>
    /// The weighted NTK <c>model.Wntk(x1, x2, weights, mode)</c> row block by row block (lazy); as
    /// <see cref="NtkRowBlocks"/> otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="NtkRowBlocks"/>.</exception>
    public static IEnumerable<KernelRowBlock> WntkRowBlocks(INtkModel model, Tensor x1, Tensor? x2, GroupWeights weights, NtkMode mode = NtkMode.Trace,
        int? blockRows = null, IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        CheckModelInputs(x1, x2, mode, blockRows);
        if (mode is NtkMode.Diagonal or NtkMode.DiagonalFull)
            return Run(x1, (s, c, ct) => model.Wntk(x1.SliceRows(s, c), null, weights, mode, null, ct),
                Sizer(model, x1, x2, mode, 1), blockRows, progress, cancellationToken);
        var columns = x2 ?? x1;
        return Run(x1, (s, c, ct) => model.Wntk(x1.SliceRows(s, c), columns, weights, mode, null, ct),
            Sizer(model, x1, x2, mode, 1), blockRows, progress, cancellationToken);
    }

    /// <summary>Writes <c>model.Wntk(x1, x2, weights, mode)</c> to the .npy file <paramref name="path"/> block by block.</summary>
    /// <returns>The header of the written file.</returns>
    /// <exception cref="ArgumentException">As <see cref="NtkRowBlocks"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; no file was written (a previous file stays).</exception>
    public static NpyHeader WntkToNpy(INtkModel model, string path, Tensor x1, Tensor? x2, GroupWeights weights, NtkMode mode = NtkMode.Trace,
        KernelStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new KernelStreamOptions();
        var blocks = WntkRowBlocks(model, x1, x2, weights, mode, options.BlockRows, null, cancellationToken);
        return WriteSingle(path, x1.Rows, blocks, options);
    }

    /// <summary>
    /// The per-group NTK terms <c>model.NtkPerGroup(x1, x2, mode)</c> row block by row block (lazy): each item holds
    /// Θ^g of the block's rows for every group. Blocks are sized for all groups' results at once.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="NtkRowBlocks"/>.</exception>
    public static IEnumerable<KernelGroupRowBlock> NtkPerGroupRowBlocks(INtkModel model, Tensor x1, Tensor? x2 = null, NtkMode mode = NtkMode.Trace,
        int? blockRows = null, IProgress<NtkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckModelInputs(x1, x2, mode, blockRows);
        return PerGroup(model, x1, x2, mode, blockRows, progress, cancellationToken);
    }

    private static IEnumerable<KernelGroupRowBlock> PerGroup(INtkModel model, Tensor x1, Tensor? x2, NtkMode mode, int? blockRows,
        IProgress<NtkProgress>? progress, CancellationToken ct)
    {
        int groups = model.Info.Groups.Count;
        int[]? trailing = null;
        foreach (var (start, b) in RunAny(x1.Rows, (s, c, t) => model.NtkPerGroup(x1.SliceRows(s, c), Columns(x1, x2, mode), mode, null, t),
            b => b[0].Rows, b => b[0].Length * b.Count, Sizer(model, x1, x2, mode, groups), blockRows, progress, ct))
        {
            for (int g = 0; g < b.Count; g++)
            {
                if (b[g].Rows != b[0].Rows)
                    throw new InvalidOperationException($"NtkPerGroup returned {b[g].Rows} rows for group {b.Groups[g].Key} but {b[0].Rows} for {b.Groups[0].Key}.");
                trailing = CheckTrailing(b[g], trailing, "NtkPerGroup");
            }
            yield return new KernelGroupRowBlock(start, b);
        }
    }

    /// <summary>
    /// Writes the per-group NTK terms Θ^g of <c>model.NtkPerGroup(x1, x2, mode)</c> block by block, one .npy file per
    /// group at <see cref="GroupPath"/>(<paramref name="path"/>, g) (e.g. <c>k.Hidden.Weights.npy</c> for <c>k.npy</c>),
    /// each shaped as <see cref="NtkToNpy"/>'s file. Each file is atomic; the files are renamed into place one after
    /// another once every block is written, so a failed or cancelled run leaves none of them.
    /// </summary>
    /// <returns>The written path of each group, by group key, in group order.</returns>
    /// <exception cref="ArgumentException">As <see cref="NtkRowBlocks"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; no file was written.</exception>
    public static IReadOnlyDictionary<string, string> NtkPerGroupToNpy(INtkModel model, string path, Tensor x1, Tensor? x2 = null,
        NtkMode mode = NtkMode.Trace, KernelStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new KernelStreamOptions();
        var groups = model.Info.Groups;
        var paths = groups.Select(g => GroupPath(path, g)).ToArray();
        CheckFolder(path);
        var blocks = NtkPerGroupRowBlocks(model, x1, x2, mode, options.BlockRows, null, cancellationToken);
        NpyStreamWriter[]? writers = null;
        try
        {
            foreach (var b in blocks)
            {
                if (writers is null)
                {
                    writers = new NpyStreamWriter[groups.Count];
                    for (int g = 0; g < writers.Length; g++) writers[g] = Open(paths[g], x1.Rows, b.Blocks[g], options);
                }
                for (int g = 0; g < writers.Length; g++) Append(writers[g], b.Blocks[g]);
                options.Progress?.Report(new NtkProgress(Stage, b.RowStart + b.RowCount, x1.Rows));
            }
            foreach (var w in writers!) w.Complete();
        }
        finally
        {
            if (writers is not null) foreach (var w in writers) w?.Dispose();
        }
        var result = new Dictionary<string, string>(groups.Count);
        for (int g = 0; g < groups.Count; g++) result[groups[g].Key] = paths[g];
        return result;
    }

    private static void CheckModelInputs(Tensor x1, Tensor? x2, NtkMode mode, int? blockRows)
    {
        CheckInputs(x1, blockRows);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown NtkMode.");
        if (x2 is not null && mode is NtkMode.Diagonal or NtkMode.DiagonalFull)
            throw new ArgumentException($"NtkMode.{mode} computes Θ(x_i, x_i) of one batch; pass x2 = null.", nameof(x2));
    }

    /// <summary>The column inputs of a block: x2 ?? x1, or null for the diagonal modes (each block is its own batch).</summary>
    private static Tensor? Columns(Tensor x1, Tensor? x2, NtkMode mode) => mode is NtkMode.Diagonal or NtkMode.DiagonalFull ? null : x2 ?? x1;

    /// <summary>
    /// Working set of a block of B rows from the cost model: <c>Ntk(B, N2, mode)</c> (result, features of both inputs,
    /// tile buffers) plus <paramref name="results"/> more results (the other groups' results, and the previous block the
    /// garbage collector may not have reclaimed yet).
    /// </summary>
    private static BlockSizer Sizer(INtkModel model, Tensor x1, Tensor? x2, NtkMode mode, int results)
    {
        var cost = new ModelCost(model.Info);
        bool diagonal = mode is NtkMode.Diagonal or NtkMode.DiagonalFull;
        int n2 = (x2 ?? x1).Rows;
        long k = model.Info.Outputs;
        long perRow = mode switch
        {
            NtkMode.Trace => n2,
            NtkMode.Full => n2 * k * k,
            NtkMode.Diagonal => 1,
            _ => k * k,
        } * cost.ElementSize;
        return new BlockSizer(b =>
        {
            long c = ModelCost.SaturatedBytes(() => cost.Ntk(b, diagonal ? null : n2, mode));
            long extra = perRow * b * results;
            return c < 0 || extra < 0 || c > long.MaxValue - extra ? long.MaxValue : c + extra;
        }, perRow * results, diagonal ? null : n2, perRow);
    }
}
