using System.Globalization;
using NtkDsl.Kernels;

namespace NtkDsl.Analytic;

/// <summary>
/// A runtime description of a fully connected network in the NTK parameterization (input dimension, hidden layers
/// with closed-form activations, linear readout) and its infinite-width kernels (math.md §3–4): the NNGP, the NTK and
/// the per-group NTK blocks Θ^g of every layer's weights and bias. Use it where the architecture is only known at run
/// time (e.g. a depth chosen by cross-validation); generated models give the same kernels for a compile-time model.
/// </summary>
/// <remarks>
/// Per pair (x, x') the recursion is K¹ = σ_w²·x·x'/d + σ_b², then for each further layer, with K̃, Ṫ of the previous
/// layer's activation at (K(x, x), K(x', x'), K(x, x')), K ← σ_w²·K̃ + σ_b² and Θ ← K + σ_w²·Ṫ·Θ. The weighted NTK
/// Θ_w is linear in the group weights, so block g is the coefficient of w_g: it starts as σ_w²·K̃ (weights) or σ_b²
/// (bias) at the layer that owns it and is multiplied by σ_w²·Ṫ at every later layer. Inputs may be float32 or
/// float64; all results are float64.
/// </remarks>
public sealed class AnalyticMlp
{
    private readonly AnalyticHiddenLayer[] _hidden;
    private readonly string[] _groupNames;
    private readonly int[] _weightGroup; // per dense layer (hidden then readout): index of its weight group
    private readonly int[] _biasGroup;   // per dense layer: index of its bias group, or −1

    /// <summary>Describes the network.</summary>
    /// <param name="inputDimension">d, the number of input features (≥ 1).</param>
    /// <param name="hiddenLayers">The hidden layers in order (at least one).</param>
    /// <param name="readout">The linear readout.</param>
    public AnalyticMlp(int inputDimension, IReadOnlyList<AnalyticHiddenLayer> hiddenLayers, AnalyticReadout readout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDimension, 1);
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        ArgumentNullException.ThrowIfNull(readout);
        if (hiddenLayers.Count == 0)
            throw new ArgumentException("AnalyticMlp: give at least one hidden layer (a network without one is a linear model).", nameof(hiddenLayers));
        _hidden = hiddenLayers.ToArray();
        for (int l = 0; l < _hidden.Length; l++)
        {
            if (_hidden[l] is null) throw new ArgumentNullException(nameof(hiddenLayers), $"AnalyticMlp: hidden layer {l + 1} is null.");
            _hidden[l].Check(LayerName(l));
        }
        AnalyticReadout.CheckVariances("Readout", readout.WeightVariance, readout.BiasVariance);
        InputDimension = inputDimension;
        Readout = readout;
        var names = new List<string>();
        _weightGroup = new int[_hidden.Length + 1];
        _biasGroup = new int[_hidden.Length + 1];
        for (int l = 0; l <= _hidden.Length; l++)
        {
            string name = l < _hidden.Length ? LayerName(l) : "Readout";
            _weightGroup[l] = names.Count;
            names.Add(name + ".Weights");
            _biasGroup[l] = UsesBias(l) ? names.Count : -1;
            if (UsesBias(l)) names.Add(name + ".Bias");
        }
        _groupNames = names.ToArray();
    }

    /// <summary>
    /// A ReLU network with <paramref name="depth"/> hidden layers, every layer (readout included) with the same
    /// σ_w² and σ_b² and a bias — the architecture of the UCI kernel-regression protocol (σ_w² = 2, σ_b² = 0.01).
    /// </summary>
    public static AnalyticMlp Relu(int inputDimension, int depth, double weightVariance = 2.0, double biasVariance = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var hidden = Enumerable.Range(0, depth).Select(_ => new AnalyticHiddenLayer(AnalyticActivation.Relu, weightVariance, biasVariance)).ToArray();
        return new AnalyticMlp(inputDimension, hidden, new AnalyticReadout(weightVariance, biasVariance));
    }

    /// <summary>d, the number of input features.</summary>
    public int InputDimension { get; }

    /// <summary>The hidden layers, in order.</summary>
    public IReadOnlyList<AnalyticHiddenLayer> HiddenLayers => _hidden;

    /// <summary>The readout layer.</summary>
    public AnalyticReadout Readout { get; }

    /// <summary>Names of the parameter groups (each layer's weights, then its bias if it has one), in block order.</summary>
    public IReadOnlyList<string> GroupNames => _groupNames;

    /// <summary>Number of parameter groups.</summary>
    public int GroupCount => _groupNames.Length;

    /// <summary>NNGP, NTK and per-group NTK blocks between the rows of <paramref name="x1"/> and of <paramref name="x2"/> (x1 when null).</summary>
    public AnalyticMlpKernels Kernels(Tensor x1, Tensor? x2 = null) => Compute(x1, x2, blocks: true);

    /// <summary>The NNGP kernel K (N1 × N2).</summary>
    public Tensor Nngp(Tensor x1, Tensor? x2 = null) => Compute(x1, x2, blocks: false).Nngp;

    /// <summary>The NTK Θ (N1 × N2).</summary>
    public Tensor Ntk(Tensor x1, Tensor? x2 = null) => Compute(x1, x2, blocks: false).Ntk;

    /// <summary>The weighted NTK Σ_g w_g Θ^g (N1 × N2), weights in <see cref="GroupNames"/> order.</summary>
    public Tensor Wntk(Tensor x1, Tensor? x2, ReadOnlySpan<double> weights)
    {
        CheckWeights(weights, GroupCount);
        return Kernels(x1, x2).Combine(weights);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"AnalyticMlp(d = {InputDimension}, hidden = [{string.Join(", ", _hidden.Select(h => $"{h.Activation} σ_w²={h.WeightVariance:G4} σ_b²={(h.UseBias ? h.BiasVariance : 0):G4}"))}], readout σ_w²={Readout.WeightVariance:G4} σ_b²={(Readout.UseBias ? Readout.BiasVariance : 0):G4})");

    internal static void CheckWeights(ReadOnlySpan<double> weights, int count)
    {
        if (weights.Length != count)
            throw new ArgumentException($"Expected {count} group weights (one per block), got {weights.Length}.", nameof(weights));
        for (int g = 0; g < weights.Length; g++)
            if (!double.IsFinite(weights[g]) || weights[g] < 0)
                throw new ArgumentOutOfRangeException(nameof(weights), weights[g], $"Group weight {g} must be finite and ≥ 0 (Θ_w must stay positive semi-definite).");
    }

    private static string LayerName(int l) => string.Create(CultureInfo.InvariantCulture, $"Hidden{l + 1}");

    private bool UsesBias(int layer) => layer < _hidden.Length ? _hidden[layer].UseBias : Readout.UseBias;

    private double WeightVariance(int layer) => layer < _hidden.Length ? _hidden[layer].WeightVariance : Readout.WeightVariance;

    private double BiasVariance(int layer) => UsesBias(layer) ? (layer < _hidden.Length ? _hidden[layer].BiasVariance : Readout.BiasVariance) : 0.0;

    private AnalyticMlpKernels Compute(Tensor x1, Tensor? x2, bool blocks)
    {
        InputChecks.Features(x1, InputDimension, x1?.DType ?? DType.Float64, nameof(AnalyticMlp), nameof(x1));
        bool same = x2 is null;
        if (!same) InputChecks.Features(x2, InputDimension, x2!.DType, nameof(AnalyticMlp), nameof(x2));
        double[] a = x1!.ToFlatArray();
        double[] b = same ? a : x2!.ToFlatArray();
        int n1 = x1.Rows, n2 = same ? n1 : x2!.Rows, d = InputDimension;
        Memory.MemoryBudget.EnsureArray((long)n1 * n2 * (3L + (blocks ? GroupCount : 0)), 8, nameof(AnalyticMlp),
            $"the {n1} × {n2} input Gram, NNGP and NTK{(blocks ? $" and {GroupCount} per-group blocks" : "")} (float64)", "Compute the kernel in row blocks of x1 (x1.SliceRows).");
        // x·x'/d with every pair of equal rows (the diagonal included) exactly the diagonal chain's mean square: near
        // ρ = 1 the arc-cosine would amplify a one-ulp mismatch to √ε (AnalyticGram remarks).
        var dots = new double[(long)n1 * n2];
        AnalyticGram.ScaledDots(a, n1, same ? null : b, n2, d, dots);
        double[][] q1 = Diagonal(a, n1);
        double[][] q2 = same ? q1 : Diagonal(b, n2);
        int layers = _hidden.Length + 1, groups = GroupCount;
        var nngp = new double[(long)n1 * n2];
        var ntk = new double[(long)n1 * n2];
        var blockData = blocks ? Enumerable.Range(0, groups).Select(_ => new double[(long)n1 * n2]).ToArray() : [];
        global::NtkDsl.Kernels.ParallelLoop.For(0, n1, () => new double[groups], (i, _, g) =>
        {
            for (int j = 0; j < n2; j++)
            {
                long ij = (long)i * n2 + j;
                double sw = WeightVariance(0), sb = BiasVariance(0);
                double k = sw * dots[ij] + sb, theta = k;
                Array.Clear(g);
                g[_weightGroup[0]] = sw * dots[ij];
                if (_biasGroup[0] >= 0) g[_biasGroup[0]] = sb;
                for (int l = 1; l < layers; l++)
                {
                    Dual(_hidden[l - 1], q1[l - 1][i], q2[l - 1][j], k, out double kt, out double td);
                    sw = WeightVariance(l);
                    sb = BiasVariance(l);
                    double scale = sw * td;
                    for (int h = 0; h < _weightGroup[l]; h++) g[h] *= scale;
                    g[_weightGroup[l]] = sw * kt;
                    if (_biasGroup[l] >= 0) g[_biasGroup[l]] = sb;
                    KernelRecursion.Step(sw, sb, kt, td, ref k, ref theta);
                }
                nngp[ij] = k;
                ntk[ij] = theta;
                for (int h = 0; h < blockData.Length; h++) blockData[h][ij] = g[h];
            }
            return g;
        }, _ => { });
        return new AnalyticMlpKernels(
            Tensor.Wrap(nngp, n1, n2), Tensor.Wrap(ntk, n1, n2),
            blockData.Select(x => Tensor.Wrap(x, n1, n2)).ToArray(), _groupNames);
    }

    /// <summary>K(x, x) at the pre-activations of every hidden layer, per row: result[l][i].</summary>
    private double[][] Diagonal(double[] x, int n)
    {
        var q = new double[_hidden.Length][];
        for (int l = 0; l < _hidden.Length; l++) q[l] = new double[n];
        double[] meanSquares = AnalyticOps.MeanSquares(x, n, InputDimension);
        for (int i = 0; i < n; i++)
        {
            double k = WeightVariance(0) * meanSquares[i] + BiasVariance(0);
            q[0][i] = k;
            CheckVariance(0, i, k);
            for (int l = 1; l < _hidden.Length; l++)
            {
                Dual(_hidden[l - 1], k, k, k, out double kt, out _);
                k = WeightVariance(l) * kt + BiasVariance(l);
                q[l][i] = k;
                CheckVariance(l, i, k);
            }
        }
        return q;
    }

    /// <summary>Throws NonFiniteResultException naming hidden layer l ("Hidden{l + 1}", as the group keys) when its variance overflowed (before the next dual sees ∞).</summary>
    private void CheckVariance(int l, int row, double q)
    {
        if (double.IsFinite(q)) return;
        throw AnalyticOps.VarianceOverflow(nameof(AnalyticMlp), LayerName(l), string.Create(CultureInfo.InvariantCulture,
            $"{_hidden[l].Activation}, σ_w² = {WeightVariance(l):G6}, σ_b² = {BiasVariance(l):G6}"), row, q);
    }

    private static void Dual(AnalyticHiddenLayer layer, double q1, double q2, double c, out double kTilde, out double tDot)
    {
        switch (layer.Activation)
        {
            case AnalyticActivation.Relu: DualActivations.Relu(q1, q2, c, out kTilde, out tDot); break;
            case AnalyticActivation.LeakyRelu: DualActivations.LeakyRelu(layer.LeakySlope, q1, q2, c, out kTilde, out tDot); break;
            case AnalyticActivation.Abs: DualActivations.Abs(q1, q2, c, out kTilde, out tDot); break;
            case AnalyticActivation.Erf: DualActivations.Erf(q1, q2, c, out kTilde, out tDot); break;
            default: DualActivations.Identity(q1, q2, c, out kTilde, out tDot); break;
        }
    }
}
