using System.Runtime.CompilerServices;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// Pins the emitted code. On a mismatch the new text is written beside the approved file as *.received.cs and the test
/// fails; review it and rename it to *.verified.cs to approve (or run with NTKDSL_ACCEPT_SNAPSHOTS=1).
/// </summary>
public sealed class SnapshotTests
{
    public const string Mlp = """
        using NtkDsl;
        namespace Demo;

        [NtkModel(Inputs = 784, Parameterization = Parameterization.Ntk)]
        public partial class Mlp
        {
            [Dense(2048, Activation.Relu)] public partial DenseLayer Hidden1 { get; }
            [Dense(2048, Activation.Erf, WeightStd = 1.4, BiasStd = 0.1)] public partial DenseLayer Hidden2 { get; }
            [Dense(10)] public partial DenseLayer Readout { get; }
        }
        """;

    public const string StandardNoBias = """
        using NtkDsl;
        namespace Demo.Standard;

        [NtkModel(Inputs = 5, Parameterization = Parameterization.Standard, WeightStd = 1.5, BiasStd = 0.5)]
        internal partial class Small
        {
            [Dense(8, Activation.LeakyRelu, LeakySlope = 0.1, UseBias = false)] internal partial DenseLayer Hidden { get; }
            [Dense(1)] public partial DenseLayer Readout { get; }
        }
        """;

    public const string NestedFloat32 = """
        using NtkDsl;

        public static partial class Outer
        {
            [NtkModel(Inputs = 2, Precision = Precision.Float32)]
            public partial class Classifier
            {
                [Dense(3, Activation.Gelu)] public partial DenseLayer Features { get; }
                [Dense(2, Activation.Sigmoid)] public partial DenseLayer Probabilities { get; }
            }
        }
        """;

    public const string Custom = """
        using System;
        using NtkDsl;
        namespace Demo.Custom;

        [NtkModel(Inputs = 3, AnalyticKernels = AnalyticKernels.Auto)]
        public partial class Smooth
        {
            private static double Swish(double x) => x / (1.0 + Math.Exp(-x));
            [Dense(16, Activation.Custom, ActivationMethod = nameof(Swish))] public partial DenseLayer Hidden { get; }
            [Dense(16, Activation.Tanh)] public partial DenseLayer Hidden2 { get; }
            [Dense(2)] public partial DenseLayer Readout { get; }
        }
        """;

    /// <summary>Every spatial layer kind: Conv2D (Same, Circular), Add, LayerNorm, AvgPool2D, Flatten, a hidden Dense and the readout.</summary>
    public const string SpatialEveryKind = """
        using NtkDsl;
        namespace Demo.Vision;

        [NtkModel(InputShape = new[] { 8, 8, 3 }, WeightStd = 1.5, BiasStd = 0.1)]
        public partial class ResNetTiny
        {
            [Conv2D(4, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
            [Conv2D(4, 3, Activation.Erf, Padding = Padding.Circular, WeightStd = 2.0)] public partial ConvLayer C2 { get; }
            [Add(nameof(C1))] public partial Layer Skip { get; }
            [LayerNorm(Epsilon = 1e-6)] public partial Layer Norm { get; }
            [AvgPool2D(2)] public partial Layer Pool { get; }
            [Flatten] public partial Layer Flat { get; }
            [Dense(16, Activation.Tanh)] internal partial DenseLayer Hidden { get; }
            [Dense(10)] public partial DenseLayer Readout { get; }
        }
        """;

    /// <summary>GlobalAvgPool ending, stride 2 Valid, no bias, a custom activation, standard parameterization.</summary>
    public const string SpatialGap = """
        using System;
        using NtkDsl;
        namespace Demo.Vision;

        [NtkModel(InputShape = new[] { 9, 7, 2 }, Parameterization = Parameterization.Standard)]
        internal partial class Cntk
        {
            private static double Swish(double x) => x / (1.0 + Math.Exp(-x));
            [Conv2D(3, 3, Activation.Custom, ActivationMethod = nameof(Swish), Stride = 2, Padding = Padding.Valid, UseBias = false)] public partial ConvLayer Features { get; }
            [GlobalAvgPool] public partial Layer Gap { get; }
            [Dense(2, UseBias = false)] public partial DenseLayer Readout { get; }
        }
        """;

    /// <summary>
    /// Every activation with a device dual in a spatial model (issue 12): the emitted pixel-pair duals and means
    /// (ntk_pp_dual_l/ntk_pp_mean_l) of ReLU, leaky ReLU, |x|, sin and erf; none for the identity readout.
    /// </summary>
    public const string SpatialDeviceDuals = """
        using NtkDsl;
        namespace Demo.Vision;

        [NtkModel(InputShape = new[] { 6, 6, 1 })]
        public partial class DualNet
        {
            [Conv2D(2, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
            [Conv2D(2, 3, Activation.LeakyRelu, LeakySlope = 0.1)] public partial ConvLayer C2 { get; }
            [Add(nameof(C1))] public partial Layer Skip { get; }
            [GlobalAvgPool] public partial Layer Gap { get; }
            [Dense(4, Activation.Abs)] public partial DenseLayer H1 { get; }
            [Dense(4, Activation.Sin)] public partial DenseLayer H2 { get; }
            [Dense(4, Activation.Erf)] public partial DenseLayer H3 { get; }
            [Dense(1)] public partial DenseLayer Readout { get; }
        }
        """;

    /// <summary>Declared without Inputs (issue 15): the input width is a constructor argument; a custom activation, no bias.</summary>
    public const string Widthless = """
        using System;
        using NtkDsl;
        namespace Demo.Any;

        [NtkModel(WeightStd = 1.5, BiasStd = 0.1)]
        public partial class Mlp
        {
            private static double Swish(double x) => x / (1.0 + Math.Exp(-x));
            [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
            [Dense(64, Activation.Custom, ActivationMethod = nameof(Swish), UseBias = false)] internal partial DenseLayer Smooth { get; }
            [Dense(1)] public partial DenseLayer Out { get; }
        }
        """;

    [Theory]
    [InlineData("Widthless", Widthless)]
    [InlineData("SpatialEveryKind", SpatialEveryKind)]
    [InlineData("SpatialGap", SpatialGap)]
    [InlineData("SpatialDeviceDuals", SpatialDeviceDuals)]
    [InlineData("Custom", Custom)]
    [InlineData("Mlp", Mlp)]
    [InlineData("StandardNoBias", StandardNoBias)]
    [InlineData("NestedFloat32", NestedFloat32)]
    public void GeneratedCodeMatchesTheApprovedSnapshot(string name, string source)
    {
        var run = GeneratorHarness.Generate(source);
        Assert.Empty(run.GeneratorDiagnostics);
        var problems = run.CompileDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var failures = new List<string>();
        foreach (var generated in run.Result.Results.Single().GeneratedSources)
        {
            string text = generated.SourceText.ToString().Replace("\r\n", "\n");
            Assert.StartsWith("// <auto-generated/>", text);
            string file = Path.Combine(SnapshotDir(), $"{name}.{generated.HintName.Replace(".g.cs", "")}.verified.cs");
            string received = Path.ChangeExtension(file, null).Replace(".verified", ".received") + ".cs";
            if (Environment.GetEnvironmentVariable("NTKDSL_ACCEPT_SNAPSHOTS") == "1") File.WriteAllText(file, text);
            if (File.Exists(file) && File.ReadAllText(file).Replace("\r\n", "\n") == text)
            {
                if (File.Exists(received)) File.Delete(received);
                continue;
            }
            File.WriteAllText(received, text);
            failures.Add($"{generated.HintName}: differs from {Path.GetFileName(file)} (see {Path.GetFileName(received)})");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string SnapshotDir([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Snapshots");
}
