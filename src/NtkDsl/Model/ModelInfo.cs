using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NtkDsl;

/// <summary>The architecture of a generated model: layers, widths, activations and parameter layout.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads (generated models expose one static instance).</remarks>
public sealed class ModelInfo
{
    /// <summary>Creates the description (called by generated code).</summary>
    public ModelInfo(string name, int inputs, Parameterization parameterization, Precision precision, IReadOnlyList<LayerInfo> layers,
        double outputScale = 1.0, bool centered = false, IReadOnlyList<int>? inputShape = null)
    {
        if (inputShape is not null && (inputShape.Count != 3 || inputShape.Any(v => v <= 0) || (long)inputShape[0] * inputShape[1] * inputShape[2] != inputs))
            throw new ArgumentException($"Model {name}: the input shape must be {{ height, width, channels }} with height·width·channels = {inputs}.", nameof(inputShape));
        InputShape = inputShape;
        ArgumentNullException.ThrowIfNull(layers);
        if (!double.IsFinite(outputScale) || outputScale == 0)
            throw new ArgumentOutOfRangeException(nameof(outputScale), outputScale, "The output scale α must be finite and non-zero.");
        OutputScale = outputScale;
        Centered = centered;
        Name = name;
        Inputs = inputs;
        Parameterization = parameterization;
        Precision = precision;
        Layers = layers;
        var groups = new List<ParameterGroup>();
        foreach (var l in layers)
        {
            if (l.WeightCount == 0) continue; // pooling, Flatten, Add, LayerNorm: no parameters
            groups.Add(new ParameterGroup(l.Name, ParameterKind.Weights, l.WeightOffset, l.WeightCount));
            if (l.UseBias) groups.Add(new ParameterGroup(l.Name, ParameterKind.Bias, l.BiasOffset, l.BiasCount));
        }
        Groups = groups;
        ParameterCount = layers.Sum(l => (long)l.WeightCount + l.BiasCount) is var p && p <= int.MaxValue
            ? (int)p
            : throw new ArgumentException($"Model {name} has {p} parameters, more than one flat vector can index.");
        Fingerprint = ComputeFingerprint();
    }

    /// <summary>Model (class) name.</summary>
    public string Name { get; }

    /// <summary>Input feature count d.</summary>
    public int Inputs { get; }

    /// <summary>The image input shape { height, width, channels } (NHWC) of a model declared with <c>InputShape</c>; null for a flat input.</summary>
    public IReadOnlyList<int>? InputShape { get; }

    /// <summary>Output count K (the last layer's width).</summary>
    public int Outputs => Layers[^1].Width;

    /// <summary>Parameterization of every layer.</summary>
    public Parameterization Parameterization { get; }

    /// <summary>Precision of parameters and computation.</summary>
    public Precision Precision { get; }

    /// <summary>The declared output scale α (<c>[NtkModel(OutputScale = …)]</c>, default 1).</summary>
    public double OutputScale { get; }

    /// <summary>Whether the model is declared centred (<c>[NtkModel(Centered = true)]</c>).</summary>
    public bool Centered { get; }

    /// <summary>Layers in declaration order; the last is the output layer.</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>Parameter groups in flat-vector order (each layer's weights, then its biases).</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>Total number of parameters P.</summary>
    public int ParameterCount { get; }

    /// <summary>
    /// A stable hash of the architecture (layer names, widths, activations, stds, parameterization, precision):
    /// checkpoints and result files record it.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The group with key <c>"Layer.Weights"</c> or <c>"Layer.Bias"</c>, or null.</summary>
    public ParameterGroup? FindGroup(string key) => Groups.FirstOrDefault(g => g.Key == key);

    private string ComputeFingerprint()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Name}|{Inputs}|{Parameterization}|{Precision}");
        foreach (var l in Layers)
            sb.Append(CultureInfo.InvariantCulture, $"|{l.Name}:{l.Kind}:{l.FanIn}x{l.Width}:{l.ActivationName}:{l.WeightStd:R}:{l.BiasStd:R}:{l.UseBias}");
        foreach (var l in Layers)
            if (l.Detail is not null) sb.Append(CultureInfo.InvariantCulture, $"|{l.Name}:{l.Detail}");
        if (InputShape is not null) sb.Append(CultureInfo.InvariantCulture, $"|shape:{string.Join('x', InputShape)}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16].ToLowerInvariant();
    }

    /// <summary>
    /// The architecture on one line, every size in one set of units: the input and each layer's output as features
    /// (flat) or height×width×channels (images), e.g. <c>"Mlp: 3 features → 64 features (H1, Dense, Tanh) → 1 feature
    /// (Out, Dense, Identity); 321 parameters, Ntk parameterization, Float64"</c> or <c>"Cnn: 28×28×1 → 28×28×32 (C1,
    /// Conv2D, Relu) → 14×14×32 (P1, AvgPool2D) → 32 features (Gap, GlobalAvgPool) → 10 features (Readout, Dense,
    /// Identity); …"</c>. Layers without parameters show no activation.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Name}: {LayerInfo.OutputText(InputShape, Inputs)}");
        foreach (var l in Layers)
        {
            string activation = l.Kind is "Dense" or "Conv2D" ? ", " + l.ActivationName : "";
            sb.Append(CultureInfo.InvariantCulture, $" → {LayerInfo.OutputText(l.OutputShape, l.Width)} ({l.Name}, {l.Kind}{activation})");
        }
        sb.Append(CultureInfo.InvariantCulture, $"; {ParameterCount:N0} parameters, {Parameterization} parameterization, {Precision}");
        return sb.ToString();
    }
}
