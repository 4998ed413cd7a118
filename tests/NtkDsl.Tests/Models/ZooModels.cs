namespace NtkDsl.Tests.Models;

// Small models covering every built-in activation, both parameterizations, layers without bias,
// an activation on the output layer, a single-layer model, a deep model and float32.

[NtkModel(Inputs = 3)] public partial class IdentityNet { [Dense(4)] public partial DenseLayer H1 { get; } [Dense(4)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class ReluNet { [Dense(4, Activation.Relu)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Relu)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class LeakyNet { [Dense(4, Activation.LeakyRelu, LeakySlope = 0.2)] public partial DenseLayer H1 { get; } [Dense(4, Activation.LeakyRelu)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class AbsNet { [Dense(4, Activation.Abs)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Abs)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class ErfNet { [Dense(4, Activation.Erf)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Erf)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class TanhNet { [Dense(4, Activation.Tanh)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Tanh)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class SigmoidNet { [Dense(4, Activation.Sigmoid)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Sigmoid)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class GeluNet { [Dense(4, Activation.Gelu)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Gelu)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class SoftplusNet { [Dense(4, Activation.Softplus)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Softplus)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }
[NtkModel(Inputs = 3)] public partial class SinNet { [Dense(4, Activation.Sin)] public partial DenseLayer H1 { get; } [Dense(4, Activation.Sin)] public partial DenseLayer H2 { get; } [Dense(2)] public partial DenseLayer Out { get; } }

[NtkModel(Inputs = 3, Parameterization = Parameterization.Standard, WeightStd = 1.3, BiasStd = 0.4)]
public partial class StandardTanhNet
{
    [Dense(5, Activation.Tanh)] public partial DenseLayer H1 { get; }
    [Dense(4, Activation.Relu, UseBias = false)] public partial DenseLayer H2 { get; }
    [Dense(3)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3, WeightStd = 1.2, BiasStd = 0.3)]
public partial class NoBiasNet
{
    [Dense(5, Activation.Erf, UseBias = false)] public partial DenseLayer H1 { get; }
    [Dense(3, UseBias = false)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3)]
public partial class OutputActivationNet
{
    [Dense(4, Activation.Relu)] public partial DenseLayer H1 { get; }
    [Dense(3, Activation.Tanh)] public partial DenseLayer H2 { get; }
    [Dense(2, Activation.Sigmoid)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 4)]
public partial class SingleLayerNet
{
    [Dense(3, Activation.Tanh)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3, WeightStd = 1.4, BiasStd = 0.2)]
public partial class DeepNet
{
    [Dense(5, Activation.Relu)] public partial DenseLayer H1 { get; }
    [Dense(4, Activation.Gelu)] public partial DenseLayer H2 { get; }
    [Dense(6, Activation.Erf)] public partial DenseLayer H3 { get; }
    [Dense(3, Activation.Tanh)] public partial DenseLayer H4 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3, Precision = Precision.Float32)]
public partial class Float32Net
{
    [Dense(6, Activation.Erf)] public partial DenseLayer H1 { get; }
    [Dense(5, Activation.Relu)] public partial DenseLayer H2 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3)]
public partial class Float64Twin
{
    [Dense(6, Activation.Erf)] public partial DenseLayer H1 { get; }
    [Dense(5, Activation.Relu)] public partial DenseLayer H2 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}
