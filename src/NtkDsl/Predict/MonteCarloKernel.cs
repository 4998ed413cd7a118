using System.Globalization;

namespace NtkDsl.Predict;

/// <summary>
/// Monte Carlo estimates of the infinite-width kernels: the mean of the empirical NNGP and NTK of a generated model over
/// n random initializations (seeds), with the standard error of every entry (neural-tangents'
/// <c>monte_carlo_kernel_fn</c>, Trace mode: the mean over the K outputs). The empirical NTK of a network of width w
/// fluctuates around its mean by O(1/√w) (docs/math.md §4), and the mean itself differs from the infinite-width kernel
/// by O(1/w) for two or more hidden layers (exactly unbiased for one hidden layer); averaging over seeds removes the
/// fluctuation at the rate 1/√n that <see cref="MonteCarloKernelEstimate.NtkStandardError"/> reports. docs/math.md §8.
/// </summary>
public static class MonteCarloKernel
{
    private const string Owner = nameof(MonteCarloKernel);

    /// <summary>
    /// Averages the empirical NNGP and NTK of <paramref name="createModel"/>(seed) over seeds
    /// <paramref name="firstSeed"/> … <paramref name="firstSeed"/> + <paramref name="samples"/> − 1.
    /// </summary>
    /// <param name="createModel">Creates the model for a seed, e.g. <c>seed =&gt; new Mlp(seed)</c> (the generated seeded
    /// constructor). Every seed must give the same architecture.</param>
    /// <param name="x1">N1 × d inputs.</param>
    /// <param name="x2">N2 × d inputs, or null for the N1 × N1 kernel of <paramref name="x1"/> with itself.</param>
    /// <param name="samples">The number of seeds n ≥ 2 (the standard error needs two).</param>
    /// <param name="firstSeed">The first seed.</param>
    /// <param name="estimator">Which empirical NNGP to average (<see cref="NngpEstimator.Readout"/> by default).</param>
    /// <param name="progress">Receives (stage "Monte Carlo kernel", seeds done, n) after every seed.</param>
    /// <param name="cancellationToken">Checked before every seed and passed to the kernel computations.</param>
    /// <returns>The means and standard errors, each N1 × N2, float64.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="createModel"/> or <paramref name="x1"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> &lt; 2.</exception>
    /// <exception cref="ArgumentException">The readout estimator on a model whose last layer is not linear; inputs the
    /// model rejects (wrong width, non-finite values); a factory that ignores its seed (the first two models have identical
    /// parameters).</exception>
    /// <exception cref="InvalidOperationException">The factory returned null or models of different architectures.</exception>
    public static MonteCarloKernelEstimate Estimate(Func<int, INtkModel> createModel, Tensor x1, Tensor? x2 = null, int samples = 100,
        int firstSeed = 0, NngpEstimator estimator = NngpEstimator.Readout, IProgress<NtkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        if (x1 is null) throw new ArgumentNullException(nameof(x1), $"{Owner}: x1 is null; pass an N × d tensor of inputs.");
        if (samples < 2)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"{Owner}: samples must be ≥ 2 (the standard error needs at least two seeds).");
        if (!Enum.IsDefined(estimator))
            throw new ArgumentOutOfRangeException(nameof(estimator), estimator, $"{Owner}: unknown NNGP estimator; use NngpEstimator.Readout or NngpEstimator.Outputs.");
        if ((long)firstSeed + samples - 1 > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(firstSeed), firstSeed, $"{Owner}: firstSeed + samples − 1 exceeds int.MaxValue.");

        Welford? nngp = null, ntk = null;
        string? fingerprint = null;
        double[]? firstParameters = null; // kept until the second seed: identical draws mean the factory ignores its seed
        for (int i = 0; i < samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int seed = firstSeed + i;
            INtkModel model = createModel(seed)
                ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{Owner}: the model factory returned null for seed {seed}."));
            if (fingerprint is null)
            {
                fingerprint = model.Info.Fingerprint;
                if (estimator == NngpEstimator.Readout) CheckReadout(model.Info);
            }
            else if (model.Info.Fingerprint != fingerprint)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{Owner}: the model factory returned a different architecture for seed {seed} ({model.Info.Name}, fingerprint {model.Info.Fingerprint}) than for seed {firstSeed} (fingerprint {fingerprint}); the seeds must only change the initialization."));
            if (i == 0) firstParameters = model.GetParameters();
            else if (i == 1)
            {
                if (model.GetParameters().AsSpan().SequenceEqual(firstParameters))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"{Owner}: the model factory returned identical parameters for seeds {firstSeed} and {seed}, so every draw is the same model and the standard error would be 0. The factory must pass its seed on to the model, e.g. seed => new {model.Info.Name}(seed), not a fixed seed or one shared instance."), nameof(createModel));
                firstParameters = null;
            }

            var (k, theta) = Sample(model, x1, x2, estimator, cancellationToken);
            nngp ??= new Welford(k.Shape.ToArray());
            ntk ??= new Welford(theta.Shape.ToArray());
            nngp.Add(k);
            ntk.Add(theta);
            progress?.Report(new NtkProgress("Monte Carlo kernel", i + 1, samples));
        }
        return new MonteCarloKernelEstimate(nngp!.Mean(), nngp.StandardError(), ntk!.Mean(), ntk.StandardError(), samples, firstSeed, estimator);
    }

    /// <summary>One seed's empirical NNGP and NTK (Trace mode).</summary>
    private static (Tensor Nngp, Tensor Ntk) Sample(INtkModel model, Tensor x1, Tensor? x2, NngpEstimator estimator, CancellationToken ct)
    {
        if (estimator == NngpEstimator.Readout)
        {
            var blocks = model.NtkPerGroup(x1, x2, NtkMode.Trace, null, ct);
            return (ReadoutNngp(model.Info, blocks), blocks.Sum());
        }
        var theta = model.Ntk(x1, x2, NtkMode.Trace, null, ct);
        return (OutputNngp(model.Forward(x1), x2 is null ? null : model.Forward(x2)), theta);
    }

    /// <summary>
    /// E over the readout layer's initialization of f(x) f(x') given the hidden layers: with the readout's traced NTK
    /// blocks B_W = ∂f/∂W·∂f/∂W' and B_b, it is B_W + B_b in the NTK parameterization and σ_w²/m·B_W + σ_b²·B_b in the
    /// standard one (W ~ N(0, σ_w²/m), b ~ N(0, σ_b²), docs/math.md §1–2).
    /// </summary>
    private static Tensor ReadoutNngp(ModelInfo info, NtkBlocks blocks)
    {
        var readout = info.Layers[^1];
        bool standard = info.Parameterization == Parameterization.Standard;
        var k = blocks[readout.Name + ".Weights"].To(DType.Float64);
        if (standard)
        {
            double w = readout.WeightStd * readout.WeightStd / readout.FanIn;
            var span = k.AsSpan();
            for (int i = 0; i < span.Length; i++) span[i] *= w;
        }
        if (readout.UseBias)
            TensorOps.AddScaled(k, blocks[readout.Name + ".Bias"], standard ? readout.BiasStd * readout.BiasStd : 1.0);
        return k;
    }

    /// <summary>(1/K) Σ_c f_c(x1_i) f_c(x2_j).</summary>
    private static Tensor OutputNngp(Tensor f1, Tensor? f2)
    {
        double[] a = f1.ToFlatArray();
        double[] b = f2 is null ? a : f2.ToFlatArray();
        int n1 = f1.Rows, outputs = f1.Rank == 1 ? 1 : f1.Shape[1];
        int n2 = b.Length / outputs;
        var k = new double[n1 * n2];
        for (int i = 0; i < n1; i++)
            for (int j = 0; j < n2; j++)
            {
                double s = 0;
                for (int c = 0; c < outputs; c++) s += a[i * outputs + c] * b[j * outputs + c];
                k[i * n2 + j] = s / outputs;
            }
        return Tensor.Wrap(k, n1, n2);
    }

    private static void CheckReadout(ModelInfo info)
    {
        var readout = info.Layers[^1];
        if (readout.Activation != Activation.Identity)
            throw new ArgumentException($"{Owner}: the readout NNGP estimator needs a linear output layer, but {info.Name}'s last layer {readout.Name} applies {readout.ActivationName}; use NngpEstimator.Outputs (the outer product of the outputs) instead.", "estimator");
    }

    /// <summary>Welford's running mean and sum of squared deviations, entry by entry (no cancellation).</summary>
    private sealed class Welford(int[] shape)
    {
        private readonly double[] _mean = new double[shape.Aggregate(1, (a, b) => a * b)];
        private readonly double[] _m2 = new double[shape.Aggregate(1, (a, b) => a * b)];
        private int _count;

        public void Add(Tensor sample)
        {
            if (!sample.Shape.SequenceEqual(shape))
                throw new InvalidOperationException($"{Owner}: a seed's kernel has shape [{string.Join(", ", sample.Shape.ToArray())}] but the first had [{string.Join(", ", shape)}].");
            _count++;
            for (int i = 0; i < _mean.Length; i++)
            {
                double x = sample.GetFlat(i);
                double d = x - _mean[i];
                _mean[i] += d / _count;
                _m2[i] += d * (x - _mean[i]);
            }
        }

        public Tensor Mean() => Tensor.Wrap((double[])_mean.Clone(), shape);

        public Tensor StandardError()
        {
            var se = new double[_m2.Length];
            for (int i = 0; i < se.Length; i++) se[i] = Math.Sqrt(_m2[i] / (_count - 1) / _count);
            return Tensor.Wrap(se, shape);
        }
    }
}
