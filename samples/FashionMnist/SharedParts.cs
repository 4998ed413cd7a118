using System.Diagnostics;
using System.Globalization;
using NtkDsl;
using NtkDsl.Regression;
using NtkDsl.Training;

namespace FashionMnist;

/// <summary>An analytic kernel K(x1, x2) (x2 null: K(x1, x1)), as a model's static <c>AnalyticNtk</c>.</summary>
public delegate Tensor AnalyticKernel(Tensor x1, Tensor? x2, IProgress<NtkProgress>? progress);

public static partial class Methods
{
    /// <summary>Relative ridges: λ = r · tr(K)/n for each r, searched by closed-form leave-one-out.</summary>
    public static IReadOnlyList<double> RelativeRidges { get; } = [1e-4, 1e-3, 1e-2, 1e-1, 1];

    /// <summary>Mini-batch size of the trained networks.</summary>
    public const int BatchSize = 100;

    /// <summary>
    /// Kernel regression with an analytic kernel: K(X, X) and K(X*, X), the ridge chosen from <see cref="RelativeRidges"/>
    /// × the mean diagonal tr(K)/n by closed-form leave-one-out (<see cref="KernelRegression.FitLeaveOneOut"/>), then
    /// predictions K(X*, X)(K + λI)⁻¹Y with Y the one-hot targets minus 0.1 (the t = ∞ NTK-GP mean from f₀ = 0); the
    /// class is the largest prediction.
    /// </summary>
    /// <param name="name">Name for the progress lines.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="s">The split.</param>
    /// <param name="ctx">Options and progress.</param>
    /// <param name="cacheKey">When set, the kernels are computed in blocks of <see cref="KernelBlocks.BlockRows"/> rows saved
    /// under OUTPUT/kernels (<see cref="KernelBlocks"/>), so a stopped run resumes where it was.</param>
    public static MethodResult KernelRegressionWith(string name, AnalyticKernel kernel, DataSplit s, MethodContext ctx, string? cacheKey = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(ctx);
        var clock = MethodClock.Start();
        var train = ctx.Step($"{name}: train kernel {s.TrainSize}²");
        var blocks = cacheKey is null ? null : new KernelBlocks(Path.Combine(ctx.Options.OutDir, "kernels"),
            string.Create(CultureInfo.InvariantCulture, $"{cacheKey}-n{s.TrainSize}-seed{ctx.Options.Seed}-{ctx.Options.Standardize.ToString().ToLowerInvariant()}"), ctx.Log);
        var kTrain = blocks is null ? kernel(s.XTrain, null, new SyncProgress(p => train(p.Fraction))) : blocks.Symmetric(kernel, s.XTrain, train);
        train(1);
        var test = ctx.Step($"{name}: test kernel {s.TestSize} × {s.TrainSize}");
        var kTest = blocks is null ? kernel(s.XTest, s.XTrain, new SyncProgress(p => test(p.Fraction))) : blocks.Cross(kernel, s.XTest, s.XTrain, test);
        test(1);
        double kernelSeconds = clock.Wall;
        double meanDiagonal = 0;
        for (int i = 0; i < s.TrainSize; i++) meanDiagonal += kTrain[i, i];
        meanDiagonal /= s.TrainSize;
        var fit = ctx.Step($"{name}: ridge by leave-one-out ({RelativeRidges.Count} ridges)");
        var reg = KernelRegression.FitLeaveOneOut(kTrain, s.YTrain, RelativeRidges.Select(r => r * meanDiagonal).ToArray());
        fit(1);
        double accuracy = FashionMnistData.Accuracy(reg.Predict(kTest), s.LabelsTest);
        return clock.Result(accuracy, string.Create(CultureInfo.InvariantCulture,
            $"ridge {reg.Ridge / meanDiagonal:G2}·tr(K)/n; kernels {kernelSeconds:F1} s, ridge search and fit {clock.Wall - kernelSeconds:F1} s"));
    }

    /// <summary>
    /// Trains <paramref name="model"/> with <see cref="Trainer"/>: mini-batches of <see cref="BatchSize"/>, heavy-ball
    /// momentum 0.9, --epochs passes over the training subset, square loss on the one-hot targets minus 0.1, centred
    /// (the trained function is f(x; w) − f(x; w₀), so it starts at 0 as the kernel regression does). The learning rate
    /// is the Trainer's plain-GD stability bound 2N/λ_max (λ_max of the first batch's training kernel at initialization,
    /// N = rows·outputs; the probe runs without momentum); with momentum 0.9, heavy-ball gradient descent on a quadratic
    /// is stable up to 2N(1 + 0.9)/λ_max, so this has a margin of 1.9.
    /// </summary>
    public static MethodResult TrainNetwork(string name, IDifferentiableModel model, DataSplit s, MethodContext ctx)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(ctx);
        var clock = MethodClock.Start();
        var f0Test = model.Forward(s.XTest);
        int batch = Math.Min(BatchSize, s.TrainSize);
        var probe = new Trainer(new TrainerOptions { BatchSize = batch, Seed = ctx.Options.Seed, Centered = true })
            .Train(model, s.XTrain, s.YTrain, steps: 0);
        double eta = probe.MaxStableLearningRate;
        int stepsPerEpoch = Math.Max(1, s.TrainSize / batch);
        int steps = ctx.Options.Epochs * stepsPerEpoch;
        var trainer = new Trainer(new TrainerOptions
        {
            LearningRate = eta,
            Momentum = 0.9,
            BatchSize = batch,
            Seed = ctx.Options.Seed,
            Centered = true,
            CheckStability = false,
        });
        var report = ctx.Step($"{name} training: {ctx.Options.Epochs} epochs of {stepsPerEpoch} steps");
        ctx.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"η {eta:G3}, {steps} steps of batch {batch}"));
        int every = Math.Max(1, ctx.Options.Epochs / 10);
        var result = trainer.Train(model, s.XTrain, s.YTrain, steps, recordEvery: stepsPerEpoch, onRecord: p =>
        {
            report((double)p.Step / steps);
            int epoch = p.Step / stepsPerEpoch;
            if (epoch % every == 0 || p.Step == steps)
                ctx.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{ctx.Options.Epochs}: train loss {p.Loss:G4}"));
        });
        report(1);
        var fTest = model.Forward(s.XTest);
        TensorOps.AddScaled(fTest, f0Test, -1.0);
        return clock.Result(FashionMnistData.Accuracy(fTest, s.LabelsTest), string.Create(CultureInfo.InvariantCulture,
            $"η {eta:G3}, momentum 0.9, batch {batch}, {steps} steps, final train loss {result.History[^1].Loss:G3}"));
    }
}

/// <summary>Wall-clock and process CPU time since a start (CPU time is the honest figure on a shared, loaded machine).</summary>
internal sealed class MethodClock
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _cpu0 = Process.GetCurrentProcess().TotalProcessorTime;

    public static MethodClock Start() => new();

    public double Wall => _wall.Elapsed.TotalSeconds;

    public double Cpu => (Process.GetCurrentProcess().TotalProcessorTime - _cpu0).TotalSeconds;

    public MethodResult Result(double accuracy, string detail) => new(accuracy, Wall, Cpu, detail);
}
