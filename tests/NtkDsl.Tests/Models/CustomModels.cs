namespace NtkDsl.Tests.Models;

[NtkModel(Inputs = 3)]
public partial class CustomNet
{
    private const double Leak = 0.1;

    /// <summary>A smooth custom activation: x·tanh(x) + 0.1·e^(−x²) + Leak·x.</summary>
    private static double Swishish(double x) => x * Math.Tanh(x) + 0.1 * Math.Exp(-x * x) + Leak * x;

    [Dense(4, Activation.Custom, ActivationMethod = nameof(Swishish))] public partial DenseLayer H1 { get; }
    [Dense(4, Activation.Tanh)] public partial DenseLayer H2 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

/// <summary>Identity and ReLU written as custom activations: the analytic kernels then go through quadrature.</summary>
[NtkModel(Inputs = 3, WeightStd = 1.3, BiasStd = 0.4)]
public partial class CustomIdentityNet
{
    private static double Same(double x) => x;

    [Dense(5, Activation.Custom, ActivationMethod = nameof(Same))] public partial DenseLayer H1 { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3, WeightStd = 1.3, BiasStd = 0.4)]
public partial class ClosedIdentityNet
{
    [Dense(5)] public partial DenseLayer H1 { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3, WeightStd = 1.3, BiasStd = 0.4)]
public partial class CustomReluNet
{
    private static double Ramp(double x) => Math.Max(x, 0.0);

    [Dense(5, Activation.Custom, ActivationMethod = nameof(Ramp))] public partial DenseLayer H1 { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3, WeightStd = 1.3, BiasStd = 0.4)]
public partial class ClosedReluNet
{
    [Dense(5, Activation.Relu)] public partial DenseLayer H1 { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}
