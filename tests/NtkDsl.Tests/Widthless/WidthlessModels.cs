namespace NtkDsl.Tests.Widthless;

// One architecture declared three times: without Inputs (the width is a constructor argument, issue 15) and with
// Inputs = 3 and Inputs = 13, the independent reference (the Dense emitter's own forward pass, features and kernels).

/// <summary>Width-less: NTK parameterization, ReLU and erf (closed-form duals), a layer without bias, K = 2.</summary>
[NtkModel]
public partial class WidthlessNet
{
    [Dense(16, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(8, Activation.Erf, UseBias = false)] public partial DenseLayer Second { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3)]
public partial class DeclaredNet3
{
    [Dense(16, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(8, Activation.Erf, UseBias = false)] public partial DenseLayer Second { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 13)]
public partial class DeclaredNet13
{
    [Dense(16, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(8, Activation.Erf, UseBias = false)] public partial DenseLayer Second { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

/// <summary>Width-less: standard parameterization with model-wide σ values, tanh (no closed form: quadrature), K = 1.</summary>
[NtkModel(Parameterization = Parameterization.Standard, WeightStd = 1.5, BiasStd = 0.3)]
public partial class WidthlessStandard
{
    [Dense(12, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 3, Parameterization = Parameterization.Standard, WeightStd = 1.5, BiasStd = 0.3)]
public partial class DeclaredStandard3
{
    [Dense(12, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 13, Parameterization = Parameterization.Standard, WeightStd = 1.5, BiasStd = 0.3)]
public partial class DeclaredStandard13
{
    [Dense(12, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}

/// <summary>Width-less with a wide first layer: 65,536·d weights exceed int.MaxValue from d = 32,768 on (error tests).</summary>
[NtkModel]
public partial class WidthlessWide
{
    [Dense(65536, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Out { get; }
}
