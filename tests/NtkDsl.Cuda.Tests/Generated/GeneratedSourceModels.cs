namespace NtkDsl.Cuda.Tests.Generated;

/// <summary>Every built-in activation once (φ/φ' kernels; Tanh, Sigmoid, Gelu and Softplus have no device dual).</summary>
[NtkModel(Inputs = 3)]
public partial class AllBuiltins
{
    [Dense(4, Activation.Relu)] public partial DenseLayer L0 { get; }
    [Dense(4, Activation.LeakyRelu, LeakySlope = 0.2)] public partial DenseLayer L1 { get; }
    [Dense(4, Activation.Abs)] public partial DenseLayer L2 { get; }
    [Dense(4, Activation.Erf)] public partial DenseLayer L3 { get; }
    [Dense(4, Activation.Tanh)] public partial DenseLayer L4 { get; }
    [Dense(4, Activation.Sigmoid)] public partial DenseLayer L5 { get; }
    [Dense(4, Activation.Gelu)] public partial DenseLayer L6 { get; }
    [Dense(4, Activation.Softplus)] public partial DenseLayer L7 { get; }
    [Dense(4, Activation.Sin, UseBias = false)] public partial DenseLayer L8 { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}

/// <summary>Custom activations whose symbolic derivatives use Abs, Sign, Max (a step), Sqrt, Pow, Log and Tanh.</summary>
[NtkModel(Inputs = 3)]
public partial class CustomSmooth
{
    internal static double Soft(double x) => Math.Log(1.0 + Math.Exp(-Math.Abs(x))) + Math.Max(x, 0.0);

    internal static double Wavy(double x) => x * Math.Tanh(Math.Sqrt(x * x + 1.0)) - Math.Pow(Math.Sin(x), 3.0) / 3.0;

    [Dense(6, Activation.Custom, ActivationMethod = nameof(Soft))] public partial DenseLayer Hidden1 { get; }
    [Dense(5, Activation.Custom, ActivationMethod = nameof(Wavy), WeightStd = 1.2)] public partial DenseLayer Hidden2 { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}

/// <summary>Standard parameterization, a hidden layer without bias.</summary>
[NtkModel(Inputs = 4, Parameterization = Parameterization.Standard, WeightStd = 1.3, BiasStd = 0.4)]
public partial class StandardReluErf
{
    [Dense(6, Activation.Relu)] public partial DenseLayer Hidden1 { get; }
    [Dense(5, Activation.Erf, UseBias = false)] public partial DenseLayer Hidden2 { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}

/// <summary>An activation on the output layer (the recursion's final dual), Sin hidden, no readout bias.</summary>
[NtkModel(Inputs = 3)]
public partial class OutputErf
{
    [Dense(5, Activation.Sin, WeightStd = 1.2, BiasStd = 0.3)] public partial DenseLayer Hidden { get; }
    [Dense(2, Activation.Erf, UseBias = false, WeightStd = 0.9)] public partial DenseLayer Readout { get; }
}
