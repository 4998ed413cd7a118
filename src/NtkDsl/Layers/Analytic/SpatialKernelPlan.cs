using System.Globalization;

namespace NtkDsl.Layers.Analytic;

/// <summary>What a <see cref="KernelStep"/> does to the pixel-pair state.</summary>
internal enum KernelStepKind
{
    /// <summary>Conv2D, or Dense (a 1 × 1 convolution of a 1 × 1 image): fresh weights, then the activation.</summary>
    Affine,
    /// <summary>AvgPool2D.</summary>
    AvgPool,
    /// <summary>GlobalAvgPool: mean over every pixel pair.</summary>
    GlobalAvgPool,
    /// <summary>Flatten: mean over the pixel diagonal.</summary>
    Flatten,
    /// <summary>Add: sum with an earlier layer's output.</summary>
    Add,
    /// <summary>LayerNorm over the channels of each pixel.</summary>
    LayerNorm,
}

/// <summary>One layer of the analytic plan with its resolved geometry, variances and parameter groups.</summary>
internal sealed class KernelStep
{
    public required KernelStepKind Kind { get; init; }
    public required string Name { get; init; }
    public required int InH { get; init; }
    public required int InW { get; init; }
    public required int OutH { get; init; }
    public required int OutW { get; init; }
    public required int OutC { get; init; }

    /// <summary>Window (Conv2D kernel, pool window); 1 for Dense.</summary>
    public int Window { get; init; } = 1;

    /// <summary>Source row per (output row, window offset): SrcH[q·Window + a], −1 for zero padding.</summary>
    public int[] SrcH { get; init; } = [];

    /// <summary>Source column per (output column, window offset).</summary>
    public int[] SrcW { get; init; } = [];

    /// <summary><see cref="SrcH"/> as runs of consecutive sources per offset.</summary>
    public WindowRuns RunsH => _runsH ??= new WindowRuns(SrcH, OutH, Window);

    /// <summary><see cref="SrcW"/> as runs of consecutive sources per offset.</summary>
    public WindowRuns RunsW => _runsW ??= new WindowRuns(SrcW, OutW, Window);

    private WindowRuns? _runsH, _runsW;

    /// <summary>σ_w² (Affine).</summary>
    public double WeightVariance { get; init; }

    /// <summary>σ_b², 0 without a bias (Affine).</summary>
    public double BiasVariance { get; init; }

    /// <summary>Coefficient of the window mean of K in the NTK: σ_w² (NTK parameterization) or the declared fan-in k²·C_in (standard).</summary>
    public double WeightTerm { get; init; }

    /// <summary>The bias' NTK term: σ_b² (NTK parameterization) or 1 (standard); 0 without a bias.</summary>
    public double BiasTerm { get; init; }

    /// <summary>Index of the weight group (Affine), else −1.</summary>
    public int WeightGroup { get; init; } = -1;

    /// <summary>Index of the bias group, or −1.</summary>
    public int BiasGroup { get; init; } = -1;

    /// <summary>The activation (Affine).</summary>
    public ActivationKernelRule? Activation { get; init; }

    /// <summary>Index of the step whose output is added (Add).</summary>
    public int Source { get; init; } = -1;

    /// <summary>ε of LayerNorm.</summary>
    public double Epsilon { get; init; }

    /// <summary>Whether a later Add reads this step's output (the state keeps a copy and its cross-covariances).</summary>
    public bool IsSource { get; set; }

    /// <summary>Sources (step indices) no later step reads once this step is done: their copies are dropped.</summary>
    public List<int> Drop { get; } = [];

    public int InPixels => InH * InW;

    public int OutPixels => OutH * OutW;

    public bool UsesTable => Activation?.Engine is not null;
}

/// <summary>
/// The layer specs of a <see cref="SpatialNetwork"/> resolved for the analytic recursion: spatial shapes, windows and
/// padding (<see cref="SpatialGeometry"/>), σ², the NTK terms of the parameterization, the parameter-group indices in
/// <see cref="ModelInfo.Groups"/> order (layer by layer, weights then bias, none for parameter-free layers) and the
/// lifetime of every Add source.
/// </summary>
internal sealed class SpatialKernelPlan
{
    public SpatialKernelPlan(IReadOnlyList<LayerSpec> layers, IReadOnlyList<int> inputShape, Parameterization parameterization, string model)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(inputShape);
        Model = model;
        if (inputShape.Count != 3 || inputShape.Any(v => v <= 0))
            throw new ArgumentException($"{model}: the input shape must be {{ height, width, channels }} with positive entries.", nameof(inputShape));
        if (layers.Count == 0) throw new ArgumentException($"{model}: the network has no layers.", nameof(layers));
        InH = inputShape[0];
        InW = inputShape[1];
        InC = inputShape[2];
        bool standard = parameterization == Parameterization.Standard;
        int h = InH, w = InW, c = InC, groups = 0;
        var steps = new List<KernelStep>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var spec in layers)
        {
            if (spec is null) throw new ArgumentException($"{model}: a layer spec is null.", nameof(layers));
            KernelStep step;
            switch (spec)
            {
                case Conv2DSpec conv:
                {
                    int oh = Output(h, conv.KernelSize, conv.Stride, conv.Padding, conv.Name, "height");
                    int ow = Output(w, conv.KernelSize, conv.Stride, conv.Padding, conv.Name, "width");
                    step = Affine(model, conv.Name, h, w, oh, ow, conv.Channels, conv.KernelSize, Sources(h, oh, conv.KernelSize, conv.Stride, conv.Padding),
                        Sources(w, ow, conv.KernelSize, conv.Stride, conv.Padding), (long)conv.KernelSize * conv.KernelSize * c,
                        conv.WeightStd, conv.BiasStd, conv.UseBias, conv.Activation, standard, ref groups);
                    c = conv.Channels;
                    break;
                }
                case DenseSpec dense:
                    if (h != 1 || w != 1)
                        throw new ArgumentException($"{model}.{dense.Name}: a Dense layer needs a flat input; put [Flatten] or [GlobalAvgPool] before it (the running activations are {h} × {w} × {c}).", nameof(layers));
                    step = Affine(model, dense.Name, 1, 1, 1, 1, dense.Units, 1, [0], [0], c, dense.WeightStd, dense.BiasStd, dense.UseBias, dense.Activation, standard, ref groups);
                    c = dense.Units;
                    break;
                case AvgPool2DSpec pool:
                {
                    int stride = pool.Stride > 0 ? pool.Stride : pool.Window;
                    int oh = Output(h, pool.Window, stride, pool.Padding, pool.Name, "height");
                    int ow = Output(w, pool.Window, stride, pool.Padding, pool.Name, "width");
                    step = new KernelStep
                    {
                        Kind = KernelStepKind.AvgPool, Name = pool.Name, InH = h, InW = w, OutH = oh, OutW = ow, OutC = c, Window = pool.Window,
                        SrcH = Sources(h, oh, pool.Window, stride, pool.Padding), SrcW = Sources(w, ow, pool.Window, stride, pool.Padding),
                    };
                    break;
                }
                case GlobalAvgPoolSpec gap:
                    step = new KernelStep { Kind = KernelStepKind.GlobalAvgPool, Name = gap.Name, InH = h, InW = w, OutH = 1, OutW = 1, OutC = c };
                    break;
                case FlattenSpec flat:
                    step = new KernelStep { Kind = KernelStepKind.Flatten, Name = flat.Name, InH = h, InW = w, OutH = 1, OutW = 1, OutC = checked(h * w * c) };
                    break;
                case AddSpec add:
                {
                    if (!index.TryGetValue(add.Source ?? "", out int source))
                        throw new ArgumentException($"{model}.{add.Name}: Add names '{add.Source}', which is not an earlier layer.", nameof(layers));
                    var s = steps[source];
                    if (s.OutH != h || s.OutW != w || s.OutC != c)
                        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                            $"{model}.{add.Name}: Add needs equal shapes, but {s.Name} is {s.OutH} × {s.OutW} × {s.OutC} and the running activations are {h} × {w} × {c}."), nameof(layers));
                    s.IsSource = true;
                    step = new KernelStep { Kind = KernelStepKind.Add, Name = add.Name, InH = h, InW = w, OutH = h, OutW = w, OutC = c, Source = source };
                    break;
                }
                case LayerNormSpec norm:
                    if (!(norm.Epsilon >= 0) || !double.IsFinite(norm.Epsilon))
                        throw new ArgumentOutOfRangeException(nameof(layers), norm.Epsilon, $"{model}.{norm.Name}: LayerNorm's epsilon must be finite and ≥ 0.");
                    step = new KernelStep { Kind = KernelStepKind.LayerNorm, Name = norm.Name, InH = h, InW = w, OutH = h, OutW = w, OutC = c, Epsilon = norm.Epsilon };
                    break;
                default:
                    throw new ArgumentException($"{model}: layer {spec.Name} of kind {spec.GetType().Name} has no infinite-width kernel rule.", nameof(layers));
            }
            if (!index.TryAdd(spec.Name, steps.Count))
                throw new ArgumentException($"{model}: two layers are named {spec.Name}.", nameof(layers));
            steps.Add(step);
            h = step.OutH;
            w = step.OutW;
            c = step.OutC;
        }
        if (steps[^1].Kind != KernelStepKind.Affine || steps[^1].OutPixels != 1)
            throw new ArgumentException($"{model}: the last layer must be a Dense layer (one output per example); it is {steps[^1].Name}.", nameof(layers));
        // Lifetimes: a source is kept from its own step to its last Add.
        for (int s = 0; s < steps.Count; s++)
        {
            if (!steps[s].IsSource) continue;
            int last = s;
            for (int t = s + 1; t < steps.Count; t++)
                if (steps[t].Kind == KernelStepKind.Add && steps[t].Source == s) last = t;
            steps[last].Drop.Add(s);
            for (int t = s + 1; t < last; t++)
                if (steps[t].Kind == KernelStepKind.Flatten && steps[t].InPixels > 1)
                    throw new NotSupportedException($"{model}.{steps[t].Name}: the output of {steps[s].Name} is added after a Flatten of a {steps[t].InH} × {steps[t].InW} image; the infinite-width kernel tracks residual sums only across layers that keep the channel axis (use GlobalAvgPool, or add before flattening).");
        }
        Steps = steps;
        GroupCount = groups;
        MaxLive = 1;
        int live = 0;
        foreach (var step in steps)
        {
            if (step.IsSource) live++;
            MaxLive = Math.Max(MaxLive, 1 + live);
            live -= step.Drop.Count;
        }
        while (InputPoolSteps < steps.Count && steps[InputPoolSteps].Kind == KernelStepKind.AvgPool && !steps[InputPoolSteps].IsSource)
            InputPoolSteps++;
        NeedsMeans = steps.Any(s => s.Kind is KernelStepKind.Add or KernelStepKind.LayerNorm);
        MaxPixels = Math.Max(InH * InW, steps.Max(s => Math.Max(s.InPixels, s.OutPixels)));
        var (ph, pw) = PooledInputSize;
        PairPixels = Math.Max(ph * pw, steps.Skip(InputPoolSteps).Select(s => Math.Max(s.InPixels, s.OutPixels)).DefaultIfEmpty(0).Max());
    }

    public string Model { get; }
    public int InH { get; }
    public int InW { get; }
    public int InC { get; }
    public int Features => InH * InW * InC;
    public IReadOnlyList<KernelStep> Steps { get; }
    public int GroupCount { get; }

    /// <summary>Most tensors held at once: the running activations plus the live Add sources.</summary>
    public int MaxLive { get; }

    /// <summary>
    /// Leading AvgPool2D steps (none of them an Add source): linear maps of each example alone, so the recursion pools
    /// each example's input once (<see cref="ExampleTrace.PooledInput"/>) and starts from the covariance of the pooled
    /// inputs, P·Σ_0·P'ᵀ = (P·x)(P'·x')ᵀ/C, instead of pooling the (H·W)² input covariance for every pair.
    /// </summary>
    public int InputPoolSteps { get; }

    /// <summary>Height and width after the <see cref="InputPoolSteps"/> (the input's without them).</summary>
    public (int H, int W) PooledInputSize => InputPoolSteps == 0 ? (InH, InW) : (Steps[InputPoolSteps - 1].OutH, Steps[InputPoolSteps - 1].OutW);

    /// <summary>Whether the means of the activations are needed (Add cross-covariances, LayerNorm).</summary>
    public bool NeedsMeans { get; }

    /// <summary>Largest H·W of any tensor.</summary>
    public int MaxPixels { get; }

    /// <summary>
    /// Largest H·W of a tensor whose pixel-pair matrices the recursion holds: after the <see cref="InputPoolSteps"/>
    /// (pooled once per example, outside the pair matrices), so a leading AvgPool2D shrinks every pair buffer
    /// (<see cref="PixelPairRecursion"/> sizes them PairPixels², not (H·W)² of the unpooled input).
    /// </summary>
    public int PairPixels { get; }

    private static KernelStep Affine(string model, string name, int h, int w, int oh, int ow, int channels, int k, int[] srcH, int[] srcW, long fanIn,
        double weightStd, double biasStd, bool useBias, LayerActivation activation, bool standard, ref int groups)
    {
        // "Model.Layer", as the generated Dense kernels name a layer (DualActivationException, DualSeries, messages).
        string layer = model + "." + name;
        if (channels < 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{layer}: {channels} output channels/units; a layer needs at least one."));
        if (!double.IsFinite(weightStd) || !double.IsFinite(biasStd))
            throw new ArgumentException($"{layer}: σ_w and σ_b must be finite (got {weightStd}, {biasStd}).");
        double sw = weightStd * weightStd, sb = useBias ? biasStd * biasStd : 0.0;
        int weightGroup = groups++;
        int biasGroup = useBias ? groups++ : -1;
        return new KernelStep
        {
            Kind = KernelStepKind.Affine, Name = name, InH = h, InW = w, OutH = oh, OutW = ow, OutC = channels, Window = k,
            SrcH = srcH, SrcW = srcW, WeightVariance = sw, BiasVariance = sb,
            WeightTerm = standard ? fanIn : sw, BiasTerm = useBias ? (standard ? 1.0 : sb) : 0.0,
            WeightGroup = weightGroup, BiasGroup = biasGroup,
            Activation = new ActivationKernelRule(activation ?? throw new ArgumentException($"{layer}: the activation is null."), layer),
        };
    }

    private int Output(int size, int window, int stride, Padding padding, string layer, string axis)
    {
        if (window < 1 || stride < 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Model}.{layer}: window {window} and stride {stride} must be ≥ 1."));
        int o = SpatialGeometry.OutputSize(size, window, stride, padding);
        if (o < 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Model}.{layer}: a window of {window} does not fit the {axis} {size} with {padding} padding."));
        return o;
    }

    private static int[] Sources(int size, int output, int window, int stride, Padding padding)
    {
        var src = new int[output * window];
        for (int q = 0; q < output; q++)
            for (int a = 0; a < window; a++)
                src[q * window + a] = SpatialGeometry.SourceIndex(q, a, size, window, stride, padding);
        return src;
    }
}
