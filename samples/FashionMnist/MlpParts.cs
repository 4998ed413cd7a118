using System.Globalization;
using NtkDsl;

namespace FashionMnist;

public static partial class Methods
{
    private static void AddMlpMethods(List<Method> methods)
    {
        methods.Add(new Method("mlp-ntk", "MLP NTK regression",
            "Kernel regression with the infinite-width NTK of a 2-hidden-layer ReLU MLP on the flattened 784 pixels; ridge by leave-one-out", true,
            (s, ctx) => KernelRegressionWith("MLP NTK", (x1, x2, p) => MlpKernel.AnalyticNtk(x1, x2, p), s, ctx)));
        methods.Add(new Method("mlp", "MLP trained (width 256)",
            "A finite 784-256-256-10 ReLU MLP trained by SGD with momentum on the square loss (Trainer), centred at initialization", true,
            (s, ctx) => TrainNetwork("MLP", new MlpNet(ctx.Options.Seed), s, ctx)));
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress(Action<NtkProgress> report) : IProgress<NtkProgress>
{
    public void Report(NtkProgress value) => report(value);
}
