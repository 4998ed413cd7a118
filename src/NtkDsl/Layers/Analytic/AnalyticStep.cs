namespace NtkDsl.Layers;

/// <summary>What one step of the infinite-width plan does to the pixel-pair state (<see cref="AnalyticStep.Kind"/>).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API. (Read by device packages.)</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum AnalyticStepKind
{
    /// <summary>Conv2D, or Dense (a 1 × 1 window on a 1 × 1 image): fresh weights, then the activation's dual.</summary>
    Affine,
    /// <summary>AvgPool2D: the window mean on each example's side.</summary>
    AvgPool,
    /// <summary>GlobalAvgPool: the mean over every pixel pair.</summary>
    GlobalAvgPool,
    /// <summary>Flatten: the mean of the pixel diagonal.</summary>
    Flatten,
    /// <summary>Add: the sum with an earlier step's output (cross-covariances tracked).</summary>
    Add,
    /// <summary>LayerNorm over the channels of each pixel.</summary>
    LayerNorm,
}

/// <summary>
/// One resolved step of <see cref="SpatialNetwork.AnalyticPlan"/>: a read-only copy of the CPU recursion's own step
/// (<c>Layers/Analytic/SpatialKernelPlan</c>), so a device backend runs the same layer rules with the same geometry,
/// variances, NTK terms and group indices (Novak et al. 2019 §2; Arora et al. 2019 §4; the rules are documented on
/// <c>PixelPairRecursion</c>).
/// </summary>
/// <remarks>Infrastructure for generated code; not part of the supported API. (Read by device packages.)</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record AnalyticStep
{
    /// <summary>Position in the plan (= the layer's index; the generated CUDA C names its dual <c>ntk_pp_dual_{Index}</c>).</summary>
    public required int Index { get; init; }
    /// <summary>Layer name.</summary>
    public required string Name { get; init; }
    /// <summary>The rule.</summary>
    public required AnalyticStepKind Kind { get; init; }
    /// <summary>Input height.</summary>
    public required int InH { get; init; }
    /// <summary>Input width.</summary>
    public required int InW { get; init; }
    /// <summary>Output height.</summary>
    public required int OutH { get; init; }
    /// <summary>Output width.</summary>
    public required int OutW { get; init; }
    /// <summary>Output channels.</summary>
    public required int OutC { get; init; }
    /// <summary>Window size k (Conv2D kernel, pool window; 1 for Dense).</summary>
    public int Window { get; init; } = 1;
    /// <summary>Source row per (output row, window offset): SrcH[q·k + a], −1 for zero padding (Circular wraps).</summary>
    public int[] SrcH { get; init; } = [];
    /// <summary>Source column per (output column, window offset), −1 for zero padding.</summary>
    public int[] SrcW { get; init; } = [];
    /// <summary>σ_w² (Affine).</summary>
    public double WeightVariance { get; init; }
    /// <summary>σ_b², 0 without a bias (Affine).</summary>
    public double BiasVariance { get; init; }
    /// <summary>The coefficient of the window mean of K in the NTK: σ_w² (NTK parameterization) or the fan-in k²·C_in (standard).</summary>
    public double WeightTerm { get; init; }
    /// <summary>The bias' NTK term (σ_b² or 1; 0 without a bias).</summary>
    public double BiasTerm { get; init; }
    /// <summary>Weight group index (Affine), else −1.</summary>
    public int WeightGroup { get; init; } = -1;
    /// <summary>Bias group index, or −1.</summary>
    public int BiasGroup { get; init; } = -1;
    /// <summary>Affine: the activation is the identity (no dual, mean 0).</summary>
    public bool IsIdentity { get; init; }
    /// <summary>The activation's display name, "Model.Layer (activation)" (Affine).</summary>
    public string Activation { get; init; } = "";
    /// <summary>Add: the index of the step whose output is added; −1 otherwise.</summary>
    public int Source { get; init; } = -1;
    /// <summary>LayerNorm: ε.</summary>
    public double Epsilon { get; init; }
    /// <summary>Whether a later Add reads this step's output (the recursion keeps a copy and its cross-covariances).</summary>
    public bool IsSource { get; init; }
    /// <summary>The sources (step indices) released after this step (their last Add).</summary>
    public IReadOnlyList<int> Drop { get; init; } = [];
    /// <summary>Input pixels.</summary>
    public int InPixels => InH * InW;
    /// <summary>Output pixels.</summary>
    public int OutPixels => OutH * OutW;
}

/// <summary>
/// The infinite-width plan of a <see cref="SpatialNetwork"/> (<see cref="SpatialNetwork.AnalyticPlan"/>) as device
/// backends read it: the CPU recursion's resolved steps and its plan-level facts (held tensors, leading pooling, means).
/// </summary>
/// <remarks>Infrastructure for generated code; not part of the supported API. (Read by device packages.)</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class AnalyticPlan
{
    internal AnalyticPlan(Analytic.SpatialKernelPlan plan)
    {
        Model = plan.Model;
        InH = plan.InH;
        InW = plan.InW;
        InC = plan.InC;
        GroupCount = plan.GroupCount;
        MaxLive = plan.MaxLive;
        InputPoolSteps = plan.InputPoolSteps;
        (PooledH, PooledW) = plan.PooledInputSize;
        NeedsMeans = plan.NeedsMeans;
        PairPixels = plan.PairPixels;
        Steps = plan.Steps.Select((s, i) => new AnalyticStep
        {
            Index = i, Name = s.Name, Kind = (AnalyticStepKind)(int)s.Kind, InH = s.InH, InW = s.InW, OutH = s.OutH, OutW = s.OutW, OutC = s.OutC,
            Window = s.Window, SrcH = (int[])s.SrcH.Clone(), SrcW = (int[])s.SrcW.Clone(), WeightVariance = s.WeightVariance,
            BiasVariance = s.BiasVariance, WeightTerm = s.WeightTerm, BiasTerm = s.BiasTerm, WeightGroup = s.WeightGroup, BiasGroup = s.BiasGroup,
            IsIdentity = s.Activation?.IsIdentity ?? false, Activation = s.Activation?.Name ?? "", Source = s.Source, Epsilon = s.Epsilon,
            IsSource = s.IsSource, Drop = s.Drop.ToArray(),
        }).ToArray();
    }

    /// <summary>The model class name in the recursion's messages ("Model.Layer").</summary>
    public string Model { get; }
    /// <summary>Input height.</summary>
    public int InH { get; }
    /// <summary>Input width.</summary>
    public int InW { get; }
    /// <summary>Input channels.</summary>
    public int InC { get; }
    /// <summary>H·W·C values per input row.</summary>
    public int Features => InH * InW * InC;
    /// <summary>The steps, one per layer.</summary>
    public IReadOnlyList<AnalyticStep> Steps { get; }
    /// <summary>Parameter groups (weights, then bias, per Conv2D/Dense layer).</summary>
    public int GroupCount { get; }
    /// <summary>Most tensors held at once (the running activations plus the live Add sources).</summary>
    public int MaxLive { get; }
    /// <summary>Leading AvgPool2D steps applied to each example's input once (none of them an Add source).</summary>
    public int InputPoolSteps { get; }
    /// <summary>Height after the <see cref="InputPoolSteps"/>.</summary>
    public int PooledH { get; }
    /// <summary>Width after the <see cref="InputPoolSteps"/>.</summary>
    public int PooledW { get; }
    /// <summary>Whether the per-pixel means of the activations are tracked (Add, LayerNorm).</summary>
    public bool NeedsMeans { get; }
    /// <summary>The largest H·W of a pixel-pair matrix (each matrix holds PairPixels² entries).</summary>
    public int PairPixels { get; }
}
