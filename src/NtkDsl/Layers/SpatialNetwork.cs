using System.Globalization;
using NtkDsl.Costing;
using NtkDsl.Memory;

namespace NtkDsl.Layers;

/// <summary>
/// The run-time engine of a model declared with <c>InputShape</c> (convolutional, pooling, residual and normalization
/// layers, with Dense layers after Flatten/GlobalAvgPool). Stateless: a plan of <see cref="LayerSpec"/>s; the
/// parameters are passed in as one array per parameter group, in <see cref="ModelInfo.Groups"/> order (layer by layer,
/// weights then bias). The generated model class owns those arrays and delegates every method here.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>
/// <para>Each layer kind's run-time rules live in one file (<c>Conv2DLayerOp</c>, <c>DenseLayerOp</c>,
/// <c>AvgPool2DLayerOp</c>, <c>GlobalAvgPoolLayerOp</c>, <c>FlattenLayerOp</c>, <c>AddLayerOp</c>,
/// <c>LayerNormLayerOp</c>); this class orchestrates them over row blocks, including Add's skip connection (the
/// cotangent of the source layer's output receives the Add's cotangent).</para>
/// <para>Thread safety: immutable; every method may run concurrently with others on distinct or read-only parameters.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed partial class SpatialNetwork
{
    /// <summary>Upper bound on the doubles one row block's forward/backward temporaries hold (32 MiB).</summary>

    private readonly LayerOp[] _ops;
    private readonly SpatialCostModel _costModel;
    // The plan as declared, for the infinite-width kernels (SpatialNetwork.Analytic.cs).
    private readonly IReadOnlyList<LayerSpec> _layers;
    private readonly int[] _inputShape;
    private readonly Parameterization _parameterization;
    private readonly int[] _groupOffsets;
    private readonly int[] _groupLengths;

    /// <summary>Builds the plan, checking shapes; the generator has already reported bad shapes as diagnostics, so a failure here is a bug.</summary>
    /// <param name="modelName">The model class name (used in messages and the fingerprint).</param>
    /// <param name="inputShape">{ height, width, channels }.</param>
    /// <param name="parameterization">NTK or standard parameterization (docs/math.md §1).</param>
    /// <param name="precision">Only <see cref="Precision.Float64"/> for now.</param>
    /// <param name="outputScale">α (stored in <see cref="Info"/>; applied by training, as for Dense models).</param>
    /// <param name="centered">Centered flag (stored in <see cref="Info"/>, as for Dense models).</param>
    /// <param name="layers">The layers in declaration order; the last is a Dense layer.</param>
    /// <exception cref="ArgumentException">A shape that does not fit (window larger than the image, Add of different shapes or of an unknown or later layer, Dense on a spatial output), or no Dense output layer.</exception>
    /// <exception cref="NotSupportedException"><paramref name="precision"/> is not Float64.</exception>
    public SpatialNetwork(string modelName, IReadOnlyList<int> inputShape, Parameterization parameterization, Precision precision,
        double outputScale, bool centered, IReadOnlyList<LayerSpec> layers)
        : this(modelName, inputShape, parameterization, precision, outputScale, centered, layers, flat: false)
    {
    }

    /// <summary>
    /// The plan of a model declared without <c>Inputs</c> (the input width is a constructor argument, issue 15): Dense
    /// layers on a flat input of <paramref name="inputs"/> features. The network runs as a 1 × 1 × <paramref name="inputs"/>
    /// image internally, but its <see cref="Info"/> describes a flat input (<see cref="ModelInfo.InputShape"/> null), as a
    /// model declared with <c>Inputs = </c><paramref name="inputs"/> does, so the fingerprint and every consumer of
    /// <see cref="ModelInfo"/> see the width.
    /// </summary>
    /// <param name="modelName">The model class name (messages and the fingerprint).</param>
    /// <param name="inputs">Input width d ≥ 1.</param>
    /// <param name="parameterization">NTK or standard parameterization (docs/math.md §1).</param>
    /// <param name="precision">Only <see cref="Precision.Float64"/> for now.</param>
    /// <param name="outputScale">α (stored in <see cref="Info"/>).</param>
    /// <param name="centered">Centered flag (stored in <see cref="Info"/>).</param>
    /// <param name="layers">Dense layers in declaration order.</param>
    /// <param name="widthFrom">
    /// Null when <paramref name="inputs"/> is a constructor argument; otherwise the tensor argument the width was read
    /// from ("x1" for the static analytic kernels), which the errors then name (and use as their parameter name).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/> ≤ 0, or so large that the parameters exceed int.MaxValue.</exception>
    /// <exception cref="ArgumentException">A layer that is not Dense-compatible on a flat input, or no layers.</exception>
    /// <exception cref="NotSupportedException"><paramref name="precision"/> is not Float64.</exception>
    public static SpatialNetwork Flat(string modelName, int inputs, Parameterization parameterization, Precision precision,
        double outputScale, bool centered, IReadOnlyList<LayerSpec> layers, string? widthFrom = null)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        string paramName = widthFrom ?? nameof(inputs);
        if (inputs <= 0)
            throw new ArgumentOutOfRangeException(paramName, inputs, widthFrom is null
                ? $"Model {modelName}: inputs (the input width d) must be positive, got {inputs}; pass the number of feature columns of your data, e.g. new {modelName}(inputs: x.Columns, seed: 0)."
                : $"Model {modelName}: {widthFrom} has {inputs} columns; the analytic kernels read the input width d from them and need d ≥ 1.");
        try
        {
            return new SpatialNetwork(modelName, [1, 1, inputs], parameterization, precision, outputScale, centered, layers, flat: true);
        }
        catch (OverflowException)
        {
            // Parameter counts and offsets are 32-bit (arrays, ModelInfo): a width this large cannot be laid out. The count
            // is affine in d (only the first layer's weights grow with it), P(d) = a·d + b, read off the widths 1 and 2.
            long p1 = Flat(modelName, 1, parameterization, precision, outputScale, centered, layers).Info.ParameterCount;
            long a = Flat(modelName, 2, parameterization, precision, outputScale, centered, layers).Info.ParameterCount - p1, b = p1 - a;
            string width = widthFrom is null
                ? string.Create(CultureInfo.InvariantCulture, $"{inputs:N0} inputs")
                : string.Create(CultureInfo.InvariantCulture, $"{widthFrom} has {inputs:N0} columns (the input width d that the analytic kernels read from it), and d = {inputs:N0}");
            throw new ArgumentOutOfRangeException(paramName, inputs, string.Create(CultureInfo.InvariantCulture,
                $"Model {modelName}: {width} would need {a * inputs + b:N0} parameters ({a:N0} per input feature + {b:N0}), more than the {int.MaxValue:N0} NtkDsl can index (parameters are counted with 32-bit integers); "
                + $"the largest input width this model can take is {(int.MaxValue - b) / a:N0}: select or project features, or narrow the first layer."));
        }
    }

    private SpatialNetwork(string modelName, IReadOnlyList<int> inputShape, Parameterization parameterization, Precision precision,
        double outputScale, bool centered, IReadOnlyList<LayerSpec> layers, bool flat)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(layers);
        if (precision != Precision.Float64)
            throw new NotSupportedException($"Model {modelName}: layers with InputShape (convolution, pooling, Add, LayerNorm) compute in Float64 only; declare the model with Precision = Precision.Float64.");
        if (inputShape.Count != 3 || inputShape.Any(v => v <= 0))
            throw new ArgumentException($"Model {modelName}: the input shape must be {{ height, width, channels }} with positive entries, got {{ {string.Join(", ", inputShape)} }}.", nameof(inputShape));
        if (layers.Count == 0) throw new ArgumentException($"Model {modelName}: a model needs at least one layer.", nameof(layers));
        ModelName = modelName;
        Parameterization = parameterization;
        _layers = layers.ToArray();
        _inputShape = inputShape.ToArray();
        _parameterization = parameterization;
        InputShape = new SpatialShape(inputShape[0], inputShape[1], inputShape[2]);
        var ops = new LayerOp[layers.Count];
        var shape = InputShape;
        for (int l = 0; l < layers.Count; l++)
        {
            var spec = layers[l] ?? throw new ArgumentException($"Model {modelName}: layer {l} is null.", nameof(layers));
            try
            {
                ops[l] = Create(spec, shape, ops.AsSpan(0, l), parameterization);
            }
            catch (ArgumentException e)
            {
                // The layer ops start their messages with the layer's name: prefix the model's ("Model.Layer (Kind): …").
                throw new ArgumentException(e.Message.StartsWith(spec.Name + " ", StringComparison.Ordinal) || e.Message.StartsWith(spec.Name + ":", StringComparison.Ordinal)
                    ? modelName + "." + e.Message : $"Model {modelName}: {e.Message}", nameof(layers), e);
            }
            ops[l].Model = modelName;
            shape = ops[l].OutShape;
        }
        if (ops[^1] is not DenseLayerOp)
            throw new ArgumentException($"Model {modelName}: the last layer ({modelName}.{ops[^1].Name}) must be a Dense layer (the outputs).", nameof(layers));
        _ops = ops;

        var infos = new List<LayerInfo>();
        var offsets = new List<int>();
        var lengths = new List<int>();
        var shapes = new List<int[]>();
        int offset = 0, group = 0;
        foreach (var op in ops)
        {
            op.FirstGroup = op.GroupCount > 0 ? group : -1;
            infos.Add(op.Describe(offset));
            foreach (var s in op.GroupShapes)
            {
                int length = s.Aggregate(1, (a, b) => checked(a * b));
                offsets.Add(offset);
                lengths.Add(length);
                shapes.Add(s);
                offset = checked(offset + length);
                group++;
            }
        }
        _groupOffsets = offsets.ToArray();
        _groupLengths = lengths.ToArray();
        GroupShapes = shapes;
        IsFlat = flat;
        Info = new ModelInfo(modelName, InputShape.Size, parameterization, precision, infos, outputScale, centered, flat ? null : inputShape.ToArray());
        Outputs = ops[^1].OutShape.Size;
        var cost = new SpatialCost(this);
        _costModel = cost.Model;
        Cost = new ModelCost(Info, cost);
    }

    private static LayerOp Create(LayerSpec spec, SpatialShape input, ReadOnlySpan<LayerOp> earlier, Parameterization parameterization)
    {
        switch (spec)
        {
            case DenseSpec d: return new DenseLayerOp(d, input, parameterization);
            case Conv2DSpec c: return new Conv2DLayerOp(c, input, parameterization);
            case AvgPool2DSpec p: return new AvgPool2DLayerOp(p, input);
            case GlobalAvgPoolSpec g: return new GlobalAvgPoolLayerOp(g, input);
            case FlattenSpec f: return new FlattenLayerOp(f, input);
            case LayerNormSpec n: return new LayerNormLayerOp(n, input);
            case AddSpec a:
                for (int i = 0; i < earlier.Length; i++)
                    if (earlier[i].Name == a.Source) return new AddLayerOp(a, input, i, earlier[i].OutShape);
                throw new ArgumentException($"{a.Name} (Add) names {a.Source}, which is not an earlier layer; name a layer declared before it.");
            default:
                throw new ArgumentException($"{spec.Name}: unknown layer kind {spec.GetType().Name}.");
        }
    }

    /// <summary>The model class name.</summary>
    public string ModelName { get; }

    /// <summary>The parameterization of every layer.</summary>
    public Parameterization Parameterization { get; }

    internal SpatialShape InputShape { get; }

    /// <summary>Built by <see cref="Flat"/>: a flat input whose <see cref="Info"/> has no input shape.</summary>
    public bool IsFlat { get; }

    internal IReadOnlyList<LayerOp> Ops => _ops;

    /// <summary>Output count K.</summary>
    public int Outputs { get; }

    /// <summary>Total parameters P.</summary>
    public int ParameterCount => Info.ParameterCount;

    /// <summary>The architecture: one <see cref="LayerInfo"/> per layer (parameter-free ones with no weights), with <see cref="LayerInfo.Detail"/> geometry.</summary>
    public ModelInfo Info { get; }

    /// <summary>Shape of each parameter group's array, in <see cref="ModelInfo.Groups"/> order (Conv2D weights: channels, k, k, input channels; Dense: units, fan-in; biases: channels).</summary>
    public IReadOnlyList<int[]> GroupShapes { get; }

    /// <summary>What the model costs (parameters, flops and memory of each method), for <c>Cost</c> and memory checks.</summary>
    public ModelCost Cost { get; }

    /// <summary>
    /// Allocates the parameter arrays (one per group) and draws them from <paramref name="sampler"/> group by group, as
    /// Dense models do: N(0, 1) under the NTK parameterization; N(0, σ_w²/fan-in) weights and N(0, σ_b²) biases under
    /// the standard one.
    /// </summary>
    public double[][] InitializeParameters(NormalSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        var p = new double[_groupLengths.Length][];
        foreach (var op in _ops)
        {
            if (op is not PatchLayerOp pl) continue;
            p[pl.FirstGroup] = new double[_groupLengths[pl.FirstGroup]];
            sampler.FillNormal(p[pl.FirstGroup], pl.WeightInitStd);
            if (!pl.UseBias) continue;
            p[pl.FirstGroup + 1] = new double[_groupLengths[pl.FirstGroup + 1]];
            sampler.FillNormal(p[pl.FirstGroup + 1], pl.BiasInitStd);
        }
        return p;
    }

    /// <summary>f(x): N × K.</summary>
    /// <exception cref="ArgumentException">x is not N × (H·W·C) float64 with N ≥ 1, holds NaN/∞, or the parameters do not match <see cref="GroupShapes"/>.</exception>
    /// <exception cref="NonFiniteResultException">A layer overflowed.</exception>
    public Tensor Forward(double[][] parameters, Tensor x)
    {
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        int n = x.Rows, d = InputShape.Size;
        var result = new double[(long)n * Outputs];
        var xs = x.AsSpan();
        for (int row0 = 0; row0 < n; row0 += BlockRows(1))
        {
            int rows = Math.Min(BlockRows(1), n - row0);
            var (outputs, _) = RunForward(parameters, xs.Slice(row0 * d, rows * d).ToArray(), rows);
            outputs[^1].CopyTo(result, (long)row0 * Outputs);
        }
        return Tensor.Wrap(result, n, Outputs);
    }

    /// <summary>J(x)·v for a parameter-space tangent v of length P (forward mode; J is never built): N × K.</summary>
    public Tensor Jvp(double[][] parameters, Tensor x, Tensor tangent)
    {
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        InputChecks.Shape(tangent, ModelName, nameof(tangent), ParameterCount);
        var tv = (tangent.DType == DType.Float64 ? tangent : tangent.To(DType.Float64)).AsSpan();
        var tg = new double[_groupLengths.Length][];
        for (int g = 0; g < tg.Length; g++) tg[g] = tv.Slice(_groupOffsets[g], _groupLengths[g]).ToArray();
        int n = x.Rows, d = InputShape.Size;
        var result = new double[(long)n * Outputs];
        var xs = x.AsSpan();
        int block = BlockRows(2);
        for (int row0 = 0; row0 < n; row0 += block)
        {
            int rows = Math.Min(block, n - row0);
            var (outputs, caches) = RunForward(parameters, xs.Slice(row0 * d, rows * d).ToArray(), rows);
            var tangents = new double[]?[_ops.Length];
            for (int l = 0; l < _ops.Length; l++)
            {
                var op = _ops[l];
                tangents[l] = op.Jvp(parameters, tg, caches[l], l == 0 ? null : tangents[l - 1], op.SourceLayer >= 0 ? tangents[op.SourceLayer] : null, rows);
            }
            tangents[^1]?.CopyTo(result, (long)row0 * Outputs);
        }
        return Tensor.Wrap(result, n, Outputs);
    }

    /// <summary>J(x)ᵀ·u for a cotangent u of shape N × K (reverse mode): a vector of length P in parameter order.</summary>
    public Tensor Vjp(double[][] parameters, Tensor x, Tensor cotangent)
    {
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        InputChecks.Shape(cotangent, ModelName, nameof(cotangent), x.Rows, Outputs);
        var u = (cotangent.DType == DType.Float64 ? cotangent : cotangent.To(DType.Float64)).AsSpan();
        var grad = new double[ParameterCount];
        int n = x.Rows, d = InputShape.Size, k = Outputs;
        var xs = x.AsSpan();
        int block = BlockRows(2);
        for (int row0 = 0; row0 < n; row0 += block)
        {
            int rows = Math.Min(block, n - row0);
            var (outputs, caches) = RunForward(parameters, xs.Slice(row0 * d, rows * d).ToArray(), rows);
            Backpropagate(parameters, caches, rows, 1, u.Slice(row0 * k, rows * k).ToArray(), (l, gradH) =>
            {
                var op = (PatchLayerOp)_ops[l];
                int g = op.FirstGroup;
                op.AccumulateGradient(caches[l], gradH, rows, grad.AsSpan(_groupOffsets[g], _groupLengths[g]),
                    op.UseBias ? grad.AsSpan(_groupOffsets[g + 1], _groupLengths[g + 1]) : default);
            });
        }
        return Tensor.Wrap(grad, ParameterCount);
    }

    /// <summary>The explicit Jacobian ∂f_c(x_n)/∂θ_p, N × K × P in parameter order (memory N·K·P: small models and tests).</summary>
    /// <exception cref="NotEnoughMemoryException">N·K·P values do not fit.</exception>
    public Tensor Jacobian(double[][] parameters, Tensor x)
    {
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        MemoryBudget.EnsureJacobian(Cost, x.Rows);
        int n = x.Rows, d = InputShape.Size, k = Outputs, p = ParameterCount;
        var j = new double[(long)n * k * p];
        var xs = x.AsSpan();
        int block = BlockRows(k + 1);
        for (int row0 = 0; row0 < n; row0 += block)
        {
            int rows = Math.Min(block, n - row0);
            var (_, caches) = RunForward(parameters, xs.Slice(row0 * d, rows * d).ToArray(), rows);
            var dest = j.AsSpan().Slice((int)((long)row0 * k * p), rows * k * p).ToArray();
            Backpropagate(parameters, caches, rows, k, UnitCotangents(rows, k), (l, gradH) =>
            {
                var op = (PatchLayerOp)_ops[l];
                int g = op.FirstGroup;
                op.PerExampleWeightGradients(caches[l], gradH, rows, k, dest, p, _groupOffsets[g]);
                if (op.UseBias) op.PerExampleBiasGradients(gradH, rows, k, dest, p, _groupOffsets[g + 1]);
            });
            dest.CopyTo(j, (long)row0 * k * p);
        }
        return Tensor.Wrap(j, n, k, p);
    }

    /// <summary>e_c for every row and output: rows × K × K.</summary>
    internal double[] UnitCotangents(int rows, int k)
    {
        var g = new double[(long)rows * k * k];
        for (int n = 0; n < rows; n++)
            for (int c = 0; c < k; c++) g[(n * k + c) * k + c] = 1.0;
        return g;
    }

    /// <summary>Forward pass of one row block: every layer's output and cache.</summary>
    internal (double[][] Outputs, object?[] Caches) RunForward(double[][] parameters, double[] x, int rows)
    {
        var outputs = new double[_ops.Length][];
        var caches = new object?[_ops.Length];
        var input = x;
        for (int l = 0; l < _ops.Length; l++)
        {
            var op = _ops[l];
            outputs[l] = op.Forward(parameters, input, op.SourceLayer >= 0 ? outputs[op.SourceLayer] : null, rows, out caches[l]);
            input = outputs[l];
        }
        return (outputs, caches);
    }

    /// <summary>
    /// Backward pass of <paramref name="batch"/> cotangents per example (<paramref name="gradOutput"/>: rows × batch × K);
    /// calls <paramref name="onParameters"/> with ∂/∂h (rows × batch × P × C) for every layer with parameters, from the last.
    /// </summary>
    internal void Backpropagate(double[][] parameters, object?[] caches, int rows, int batch, double[] gradOutput, Action<int, double[]> onParameters)
    {
        var extra = new double[]?[_ops.Length];
        double[]? g = gradOutput;
        for (int l = _ops.Length - 1; l >= 0; l--)
        {
            var op = _ops[l];
            if (extra[l] is { } e)
            {
                if (g is null) g = e;
                else
                {
                    var sum = new double[g.Length];
                    for (int i = 0; i < sum.Length; i++) sum[i] = g[i] + e[i];
                    g = sum;
                }
            }
            if (g is null) continue;
            if (op.SourceLayer >= 0)
            {
                int s = op.SourceLayer;
                if (extra[s] is null) extra[s] = (double[])g.Clone();
                else for (int i = 0; i < g.Length; i++) extra[s]![i] += g[i];
            }
            if (op is PatchLayerOp pl)
            {
                var gradH = pl.PreActivationCotangent(caches[l], g, rows, batch);
                onParameters(l, gradH);
                g = NeedsInputCotangent(l) ? pl.InputCotangent(parameters, gradH, rows, batch) : null;
            }
            else g = NeedsInputCotangent(l) ? op.Backward(parameters, caches[l], g, rows, batch) : null;
        }
    }

    /// <summary>Whether any layer before <paramref name="l"/> has parameters (else the cotangent of l's input is not needed).</summary>
    private bool NeedsInputCotangent(int l)
    {
        for (int i = 0; i < l; i++)
            if (_ops[i] is PatchLayerOp) return true;
        return false;
    }

    /// <summary>Rows per block so that the temporaries of <paramref name="copies"/> cotangents per row stay under the block budget (<see cref="SpatialCostModel.BlockRows"/>).</summary>
    internal int BlockRows(int copies) => _costModel.BlockRows(copies);

    internal int GroupOffset(int g) => _groupOffsets[g];

    internal int GroupLength(int g) => _groupLengths[g];

    /// <summary>Checks the parameter arrays against <see cref="GroupShapes"/>.</summary>
    internal void CheckParameters(double[][] parameters)
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters), $"{ModelName}: parameters is null; pass one array per parameter group.");
        if (parameters.Length != _groupLengths.Length)
            throw new ArgumentException($"{ModelName}: {parameters.Length} parameter arrays given but the model has {_groupLengths.Length} parameter groups ({string.Join(", ", Info.Groups.Select(g => g.Key))}).", nameof(parameters));
        for (int g = 0; g < parameters.Length; g++)
            if (parameters[g] is null || parameters[g].Length != _groupLengths[g])
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{Info.Groups[g].QualifiedName(ModelName)}: the parameter array has {parameters[g]?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"} values but the group needs {_groupLengths[g]} ({string.Join(" × ", GroupShapes[g])})."), nameof(parameters));
    }

    /// <summary>Checks an input batch: N × (H·W·C), finite, float64.</summary>
    internal void CheckInput(Tensor? x, string argument)
    {
        if (IsFlat)
            InputChecks.WidthlessFeatures(x, InputShape.Size, ModelName, argument);
        else
            InputChecks.Features(x, InputShape.Size, DType.Float64, ModelName, argument,
                string.Create(CultureInfo.InvariantCulture, $"{InputShape.Height}×{InputShape.Width}×{InputShape.Channels}"));
    }
}
