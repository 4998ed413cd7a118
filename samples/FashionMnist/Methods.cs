using NtkDsl;

namespace FashionMnist;

/// <summary>One training subset and the test set, preprocessed, with labels and one-hot-minus-0.1 targets.</summary>
/// <param name="XTrain">n × 784 standardized training images.</param>
/// <param name="LabelsTrain">Training labels 0–9.</param>
/// <param name="YTrain">n × 10 targets.</param>
/// <param name="XTest">m × 784 standardized test images.</param>
/// <param name="LabelsTest">Test labels 0–9.</param>
public sealed record DataSplit(Tensor XTrain, int[] LabelsTrain, Tensor YTrain, Tensor XTest, int[] LabelsTest)
{
    /// <summary>Training images n.</summary>
    public int TrainSize => XTrain.Rows;

    /// <summary>Test images m.</summary>
    public int TestSize => XTest.Rows;
}

/// <summary>What one method reports for one split.</summary>
/// <param name="Accuracy">Test accuracy in [0, 1].</param>
/// <param name="Seconds">Wall-clock seconds of the whole method (kernels or training, fit, prediction).</param>
/// <param name="CpuSeconds">Process CPU seconds over the same span (all threads).</param>
/// <param name="Detail">Settings chosen or used (ridge, learning rate, …), for the table and the CSV.</param>
public sealed record MethodResult(double Accuracy, double Seconds, double CpuSeconds, string Detail);

/// <summary>What a method may use while it runs: the options and a way to report progress of its long steps.</summary>
/// <param name="Options">The run's options.</param>
/// <param name="Step">Starts a named step and returns a callback for its fraction done (0–1).</param>
/// <param name="Log">Writes a timestamped progress line (to standard error), for long steps run without a terminal.</param>
public sealed record MethodContext(FashionMnistOptions Options, Func<string, Action<double>> Step, Action<string>? Log = null);

/// <summary>A method the sample can run: a key for --methods, a display name and its body.</summary>
/// <param name="Key">The name used with --methods (e.g. mlp-ntk).</param>
/// <param name="Name">The name in the table, CSV and plot.</param>
/// <param name="Description">One line for --help.</param>
/// <param name="RunsByDefault">Whether it runs when --methods is not given.</param>
/// <param name="Run">The method: fits on the split's training part and scores the test part.</param>
public sealed record Method(string Key, string Name, string Description, bool RunsByDefault, Func<DataSplit, MethodContext, MethodResult> Run);

/// <summary>The methods this build of the sample knows.</summary>
public static partial class Methods
{
    /// <summary>Every method, in the order they run: the MLP parts (MlpParts.cs) and, once enabled, the CNN parts (CnnParts.cs).</summary>
    public static IReadOnlyList<Method> All { get; } = Build();

    private static List<Method> Build()
    {
        var list = new List<Method>();
        AddMlpMethods(list);
        AddConvolutionalMethods(list);
        return list;
    }

    // Implemented in CnnParts.cs (the CNTK and CNN methods, not run by default).
    static partial void AddConvolutionalMethods(List<Method> methods);
}
