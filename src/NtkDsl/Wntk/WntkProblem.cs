using NtkDsl.Analytic;
using NtkDsl.Regression;

namespace NtkDsl.Wntk;

/// <summary>
/// The data a <see cref="WntkLearner"/> works on: the per-group kernel blocks Θ^g of the training set (n × n each,
/// symmetric, positive semi-definite) and the n × K training targets. Blocks are copied to float64 and symmetrized.
/// </summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class WntkProblem
{
    private const string Owner = nameof(WntkProblem);

    /// <summary>Builds a problem from blocks (n × n each, in group order) and targets (n × K, or a length-n vector).</summary>
    /// <param name="blocks">The training-set blocks Θ^g, at least one.</param>
    /// <param name="targets">The training targets.</param>
    /// <param name="groupNames">Optional names of the groups (defaults to "group0", "group1", …).</param>
    /// <exception cref="Memory.NotEnoughMemoryException">The float64 copies of the G blocks (G·n² values) do not fit in memory.</exception>
    public WntkProblem(IReadOnlyList<Tensor> blocks, Tensor targets, IReadOnlyList<string>? groupNames = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0) throw new ArgumentException($"{Owner}: no blocks were given; pass the per-group NTK blocks of the training set (e.g. model.NtkPerGroup(x).", nameof(blocks));
        // The float64 copies of the G blocks and of the targets.
        RegressionMemory.EnsureSquare(blocks[0], blocks.Count, targets is { Rank: 2 } ? targets.Shape[1] : 1, Owner,
            "the float64 copies of the " + blocks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " per-group training blocks");
        var data = new double[blocks.Count][];
        int n = -1;
        for (int g = 0; g < blocks.Count; g++)
        {
            data[g] = KernelInput.SquareSymmetric(blocks[g], Owner, $"blocks[{g}]", out int ng);
            if (n >= 0 && ng != n)
                throw new ArgumentException($"{Owner}: blocks[{g}] is {ng} × {ng} but blocks[0] is {n} × {n}; every block must be the kernel of the same training set.", nameof(blocks));
            n = ng;
        }
        if (n < 2) throw new ArgumentException($"{Owner}: at least 2 training examples are needed, got {n}.", nameof(blocks));
        Targets = KernelInput.Targets(targets, n, Owner, nameof(targets), out int outputs, out _);
        if (groupNames is not null && groupNames.Count != blocks.Count)
            throw new ArgumentException($"{Owner}: {groupNames.Count} group names for {blocks.Count} blocks.", nameof(groupNames));
        GroupNames = groupNames?.ToArray() ?? Enumerable.Range(0, blocks.Count).Select(g => $"group{g}").ToArray();
        Blocks = data;
        Size = n;
        Outputs = outputs;
    }

    /// <summary>A problem from the per-group blocks of a generated model (Trace mode, x2 = x1).</summary>
    public static WntkProblem FromBlocks(NtkBlocks blocks, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Mode != NtkMode.Trace)
            throw new ArgumentException($"{Owner}: the blocks were computed in {blocks.Mode} mode; compute them with NtkMode.Trace (N × N per group).", nameof(blocks));
        return new WntkProblem(Enumerable.Range(0, blocks.Count).Select(g => blocks[g]).ToArray(), targets, blocks.Groups.Select(g => g.Key).ToArray());
    }

    /// <summary>A problem from the analytic per-group blocks of an <see cref="AnalyticMlp"/> (x2 = x1).</summary>
    public static WntkProblem FromAnalytic(AnalyticMlpKernels kernels, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        return new WntkProblem(kernels.Blocks, targets, kernels.GroupNames);
    }

    /// <summary>Number of training examples n.</summary>
    public int Size { get; }

    /// <summary>Number of target columns K.</summary>
    public int Outputs { get; }

    /// <summary>Number of groups (blocks).</summary>
    public int GroupCount => Blocks.Length;

    /// <summary>The group names, in block order.</summary>
    public IReadOnlyList<string> GroupNames { get; }

    internal double[][] Blocks { get; }

    internal double[] Targets { get; }

    /// <summary>Σ_g w_g Θ^g + ridge·I, row-major n × n.</summary>
    internal double[] Combine(ReadOnlySpan<double> weights, double ridge)
    {
        int n = Size;
        var k = new double[n * n];
        for (int g = 0; g < Blocks.Length; g++)
        {
            double w = weights[g];
            if (w == 0) continue;
            double[] b = Blocks[g];
            for (int i = 0; i < k.Length; i++) k[i] += w * b[i];
        }
        for (int i = 0; i < n; i++) k[i * n + i] += ridge;
        return k;
    }

    /// <summary>Mean diagonal of Σ_g Θ^g (the scale that relative ridges refer to).</summary>
    internal double MeanDiagonal()
    {
        double s = 0;
        foreach (double[] b in Blocks)
            for (int i = 0; i < Size; i++) s += b[i * Size + i];
        return s / Size;
    }
}
