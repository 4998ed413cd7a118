namespace NtkDsl.Tests.Cost;

[NtkModel(Inputs = 7)]
public partial class DeepCostNet
{
    [Dense(9, Activation.Relu)] public partial DenseLayer H1 { get; }
    [Dense(6, Activation.Tanh, UseBias = false)] public partial DenseLayer H2 { get; }
    [Dense(5, Activation.Erf)] public partial DenseLayer H3 { get; }
    [Dense(3)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 5)]
public partial class ActivatedOutputNet
{
    [Dense(6, Activation.Gelu)] public partial DenseLayer H { get; }
    [Dense(4, Activation.Sigmoid)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 4)]
public partial class SingleLayerNet
{
    [Dense(3, Activation.Tanh)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 6, Precision = Precision.Float32)]
public partial class SingleCostNet
{
    [Dense(7, Activation.Relu)] public partial DenseLayer H { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3)]
public partial class TinyCostNet
{
    [Dense(5, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(2)] public partial DenseLayer Readout { get; }
}
