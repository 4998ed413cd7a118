namespace NtkDsl.Tests.AnalyticModels;

// Models of issue 13 items 3–5 (exact diagonals, singular dynamics, overflow).

/// <summary>Six ReLU layers, σ_w = √2, no bias, 50 inputs (issue 13 item 3).</summary>
[NtkModel(Inputs = 50, WeightStd = 1.4142135623730951)]
public partial class DeepRelu6
{
    [Dense(16, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden1 { get; }
    [Dense(16, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden2 { get; }
    [Dense(16, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden3 { get; }
    [Dense(16, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden4 { get; }
    [Dense(16, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden5 { get; }
    [Dense(16, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden6 { get; }
    [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; }
}

/// <summary>Leaky ReLU, |x|, erf and identity layers with biases: every closed form on one path.</summary>
[NtkModel(Inputs = 7, WeightStd = 1.3, BiasStd = 0.3)]
public partial class MixedClosedForms
{
    [Dense(8, Activation.LeakyRelu, LeakySlope = 0.2)] public partial DenseLayer Hidden1 { get; }
    [Dense(8, Activation.Abs)] public partial DenseLayer Hidden2 { get; }
    [Dense(8, Activation.Erf)] public partial DenseLayer Hidden3 { get; }
    [Dense(8, Activation.Relu)] public partial DenseLayer Hidden4 { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}

/// <summary>A linear net: Θ is a multiple of x·x' (rank ≤ 3; issue 13 item 4).</summary>
[NtkModel(Inputs = 3)]
public partial class Linear3
{
    [Dense(32, UseBias = false)] public partial DenseLayer Hidden { get; }
    [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; }
}

/// <summary>One input, three ReLU layers, σ_w² = 2, no bias: Θ(x, x) = 4·2x², so x ≈ 9e153 overflows only in the sum.</summary>
[NtkModel(Inputs = 1, WeightStd = 1.4142135623730951)]
public partial class Relu1In
{
    [Dense(8, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden1 { get; }
    [Dense(8, Activation.Relu, UseBias = false)] public partial DenseLayer Hidden2 { get; }
    [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; }
}

/// <summary>An e^x output activation: finite pre-activations near 800 overflow only in the activation itself.</summary>
[NtkModel(Inputs = 2)]
public partial class ExpOutputNet
{
    private static double Grow(double x) => Math.Exp(x);

    [Dense(4, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(1, Activation.Custom, ActivationMethod = nameof(Grow))] public partial DenseLayer Out { get; }
}
