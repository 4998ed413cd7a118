using System.Globalization;
using NtkDsl.Analytic;

namespace NtkDsl.Wntk;

/// <summary>
/// Per-input-feature weight groups for the first layer of an <see cref="AnalyticMlp"/>: automatic relevance
/// determination inside the weighted NTK. The first layer's weight group is split into one group per input feature
/// (column i of the first weight matrix, which multiplies x_i), so a learned WNTK can weight each input feature
/// separately; every other group (first-layer bias, later layers) is kept as it is.
/// </summary>
/// <remarks>
/// The first layer's weight block of the infinite-width NTK is Θ^{W¹}(x, x') = σ_w²·(x·x'/d)·S(x, x') with
/// S = Π_{l ≥ 2} σ_{w,l}²·Ṫ_{l−1}(x, x') the backward factor of the layers above (math.md §3–4; the same factor
/// multiplies the first-layer bias block). Splitting x·x' = Σ_i x_i x'_i gives the per-feature blocks
/// Θ^{W¹,i} = σ_w²·(x_i x'_i/d)·S, so with feature weights v the first-layer Gram x·x'/d of the weighted NTK becomes
/// Σ_i v_i x_i x'_i/d. The weighted NTK stays linear in all weights, so <see cref="WntkLearner"/> learns them with
/// any objective. The forward (NNGP) recursion is unchanged: the weights are per-parameter learning rates, not a
/// change of the network. Uniform feature weights v_i = w reproduce the per-layer block w·Θ^{W¹} exactly.
/// This is a second, independent implementation of the recursion of <see cref="AnalyticMlp"/> (tests compare the two).
/// </remarks>
public static class InputFeatureGroups
{
    /// <summary>
    /// Group names in block order: the first hidden layer's weights become "Hidden1.Weights[i]" for i = 0 … d − 1
    /// (in place of "Hidden1.Weights"); the other names are <see cref="AnalyticMlp.GroupNames"/>.
    /// </summary>
    public static IReadOnlyList<string> GroupNames(AnalyticMlp network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var names = new List<string>();
        for (int i = 0; i < network.InputDimension; i++)
            names.Add(string.Create(CultureInfo.InvariantCulture, $"{network.GroupNames[0]}[{i}]"));
        names.AddRange(network.GroupNames.Skip(1));
        return names;
    }

    /// <summary>
    /// The per-group blocks with the first layer's weights split per input feature, between the rows of
    /// <paramref name="x1"/> (N1 × d) and of <paramref name="x2"/> (N2 × d; x1 when null): d + G − 1 blocks of
    /// N1 × N2 each, in <see cref="GroupNames"/> order (G = <see cref="AnalyticMlp.GroupCount"/>). NNGP and NTK are
    /// the unweighted kernels. Memory: (d + G + 1)·N1·N2 doubles — for large N use <see cref="Wntk"/>.
    /// </summary>
    public static AnalyticMlpKernels Kernels(AnalyticMlp network, Tensor x1, Tensor? x2 = null)
    {
        var e = new Engine(network, x1, x2);
        int groups = e.D + network.GroupCount - 1;
        long size = (long)e.N1 * e.N2;
        var blocks = Enumerable.Range(0, groups).Select(_ => new double[size]).ToArray();
        var nngp = new double[size];
        var ntk = new double[size];
        global::NtkDsl.Kernels.ParallelLoop.For(0, e.N1, () => new double[network.GroupCount], (i, _, g) =>
        {
            for (int j = 0; j < e.N2; j++)
            {
                long ij = (long)i * e.N2 + j;
                double s = e.Pair(i, j, e.Dot(i, j), g, out nngp[ij], out ntk[ij]);
                // g[0] = σ_w²·(x·x'/d)·S; split it per feature as σ_w²·(x_i x'_i/d)·S.
                double scale = e.FirstWeightVariance / e.D * s;
                for (int f = 0; f < e.D; f++) blocks[f][ij] = scale * e.A[(long)i * e.D + f] * e.B[(long)j * e.D + f];
                for (int h = 1; h < g.Length; h++) blocks[e.D + h - 1][ij] = g[h];
            }
            return g;
        }, _ => { });
        return new AnalyticMlpKernels(Tensor.Wrap(nngp, e.N1, e.N2), Tensor.Wrap(ntk, e.N1, e.N2),
            blocks.Select(b => Tensor.Wrap(b, e.N1, e.N2)).ToArray(), GroupNames(network));
    }

    /// <summary>
    /// The weighted NTK Σ_g w_g Θ^g with per-feature first-layer weights, N1 × N2, computed directly in O(N1·N2)
    /// memory (no blocks are stored).
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="x1">N1 × d inputs.</param>
    /// <param name="x2">N2 × d inputs (x1 when null).</param>
    /// <param name="weights">d + G − 1 weights in <see cref="GroupNames"/> order, each finite and ≥ 0.</param>
    /// <exception cref="ArgumentException">Wrong number of weights.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative or not finite.</exception>
    public static Tensor Wntk(AnalyticMlp network, Tensor x1, Tensor? x2, ReadOnlySpan<double> weights)
    {
        var e = new Engine(network, x1, x2);
        double[] w = CheckedWeights(network, weights);
        var result = new double[(long)e.N1 * e.N2];
        global::NtkDsl.Kernels.ParallelLoop.For(0, e.N1, () => new double[network.GroupCount], (i, _, g) =>
        {
            for (int j = 0; j < e.N2; j++) result[(long)i * e.N2 + j] = e.Weighted(i, j, w, g);
            return g;
        }, _ => { });
        return Tensor.Wrap(result, e.N1, e.N2);
    }

    /// <summary>The diagonal Θ_w(x_i, x_i) of <see cref="Wntk"/>(x, x) without the off-diagonal entries: length N.</summary>
    public static double[] WntkDiagonal(AnalyticMlp network, Tensor x, ReadOnlySpan<double> weights)
    {
        var e = new Engine(network, x, null);
        double[] w = CheckedWeights(network, weights);
        var result = new double[e.N1];
        var g = new double[network.GroupCount];
        for (int i = 0; i < e.N1; i++) result[i] = e.Weighted(i, i, w, g);
        return result;
    }

    /// <summary>
    /// Expands per-layer group weights (<see cref="AnalyticMlp.GroupNames"/> order) to the per-feature layout: every
    /// feature of the first layer gets the first layer's weight.
    /// </summary>
    public static double[] FromLayerWeights(AnalyticMlp network, ReadOnlySpan<double> layerWeights)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (layerWeights.Length != network.GroupCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"InputFeatureGroups: expected {network.GroupCount} per-layer weights ({string.Join(", ", network.GroupNames)}), got {layerWeights.Length}."), nameof(layerWeights));
        var w = new double[network.InputDimension + network.GroupCount - 1];
        for (int f = 0; f < network.InputDimension; f++) w[f] = layerWeights[0];
        for (int h = 1; h < network.GroupCount; h++) w[network.InputDimension + h - 1] = layerWeights[h];
        return w;
    }

    private static double[] CheckedWeights(AnalyticMlp network, ReadOnlySpan<double> weights)
    {
        int count = network.InputDimension + network.GroupCount - 1;
        if (weights.Length != count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"InputFeatureGroups: expected {count} weights ({network.InputDimension} input features of the first layer, then {network.GroupCount - 1} other groups), got {weights.Length}; see InputFeatureGroups.GroupNames."), nameof(weights));
        for (int g = 0; g < count; g++)
            if (!double.IsFinite(weights[g]) || weights[g] < 0)
                throw new ArgumentOutOfRangeException(nameof(weights), weights[g], string.Create(CultureInfo.InvariantCulture,
                    $"InputFeatureGroups: weight {g} must be finite and ≥ 0 (the weighted NTK must stay positive semi-definite)."));
        return weights.ToArray();
    }

    /// <summary>The shared recursion: per-row diagonals, then per pair the group coefficients and the backward factor.</summary>
    private sealed class Engine
    {
        private readonly AnalyticMlp _net;
        private readonly double[][] _q1, _q2;
        private readonly int[] _weightGroup, _biasGroup;

        public Engine(AnalyticMlp network, Tensor x1, Tensor? x2)
        {
            ArgumentNullException.ThrowIfNull(network);
            _net = network;
            D = network.InputDimension;
            InputChecks.Features(x1, D, x1?.DType ?? DType.Float64, nameof(InputFeatureGroups), nameof(x1));
            if (x2 is not null) InputChecks.Features(x2, D, x2.DType, nameof(InputFeatureGroups), nameof(x2));
            A = x1!.ToFlatArray();
            B = x2 is null ? A : x2.ToFlatArray();
            N1 = x1.Rows;
            N2 = x2 is null ? N1 : x2.Rows;
            int layers = network.HiddenLayers.Count + 1;
            _weightGroup = new int[layers];
            _biasGroup = new int[layers];
            int next = 0;
            for (int l = 0; l < layers; l++)
            {
                _weightGroup[l] = next++;
                _biasGroup[l] = UsesBias(l) ? next++ : -1;
            }
            _q1 = Diagonal(A, N1);
            _q2 = x2 is null ? _q1 : Diagonal(B, N2);
        }

        public int D { get; }
        public int N1 { get; }
        public int N2 { get; }
        public double[] A { get; }
        public double[] B { get; }
        public double FirstWeightVariance => WeightVariance(0);

        public double Dot(int i, int j)
        {
            double s = 0;
            for (int f = 0; f < D; f++) s += A[(long)i * D + f] * B[(long)j * D + f];
            return s;
        }

        /// <summary>
        /// Fills g with the per-layer group coefficients at (i, j) computed with first-layer inner product
        /// <paramref name="dot"/> and returns the backward factor S of the first layer (g[0] = σ_w²·dot/d·S).
        /// </summary>
        public double Pair(int i, int j, double dot, double[] g, out double nngp, out double ntk)
        {
            int layers = _net.HiddenLayers.Count + 1;
            double sw = WeightVariance(0), sb = BiasVariance(0);
            double k = sw * dot / D + sb, theta = k, backward = 1.0;
            Array.Clear(g);
            g[_weightGroup[0]] = sw * dot / D;
            if (_biasGroup[0] >= 0) g[_biasGroup[0]] = sb;
            for (int l = 1; l < layers; l++)
            {
                Dual(_net.HiddenLayers[l - 1], _q1[l - 1][i], _q2[l - 1][j], k, out double kt, out double td);
                sw = WeightVariance(l);
                sb = BiasVariance(l);
                double scale = sw * td;
                backward *= scale;
                for (int h = 0; h < _weightGroup[l]; h++) g[h] *= scale;
                g[_weightGroup[l]] = sw * kt;
                if (_biasGroup[l] >= 0) g[_biasGroup[l]] = sb;
                KernelRecursion.Step(sw, sb, kt, td, ref k, ref theta);
            }
            nngp = k;
            ntk = theta;
            return backward;
        }

        /// <summary>Σ_f w_f σ_w² x_f x'_f/d·S + Σ_{h ≥ 1} w_{d+h−1} g_h at (i, j).</summary>
        public double Weighted(int i, int j, double[] w, double[] g)
        {
            double s = Pair(i, j, Dot(i, j), g, out _, out _);
            double gram = 0;
            for (int f = 0; f < D; f++) gram += w[f] * A[(long)i * D + f] * B[(long)j * D + f];
            double sum = WeightVariance(0) * gram / D * s;
            for (int h = 1; h < g.Length; h++) sum += w[D + h - 1] * g[h];
            return sum;
        }

        private bool UsesBias(int layer) => layer < _net.HiddenLayers.Count ? _net.HiddenLayers[layer].UseBias : _net.Readout.UseBias;

        private double WeightVariance(int layer) => layer < _net.HiddenLayers.Count ? _net.HiddenLayers[layer].WeightVariance : _net.Readout.WeightVariance;

        private double BiasVariance(int layer) => !UsesBias(layer) ? 0.0
            : layer < _net.HiddenLayers.Count ? _net.HiddenLayers[layer].BiasVariance : _net.Readout.BiasVariance;

        private double[][] Diagonal(double[] x, int n)
        {
            int hidden = _net.HiddenLayers.Count;
            var q = new double[hidden][];
            for (int l = 0; l < hidden; l++) q[l] = new double[n];
            for (int i = 0; i < n; i++)
            {
                double sq = 0;
                for (int f = 0; f < D; f++) sq += x[(long)i * D + f] * x[(long)i * D + f];
                double k = WeightVariance(0) * sq / D + BiasVariance(0);
                q[0][i] = k;
                for (int l = 1; l < hidden; l++)
                {
                    Dual(_net.HiddenLayers[l - 1], k, k, k, out double kt, out _);
                    k = WeightVariance(l) * kt + BiasVariance(l);
                    q[l][i] = k;
                }
            }
            return q;
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
}
