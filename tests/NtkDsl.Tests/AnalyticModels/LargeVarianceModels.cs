namespace NtkDsl.Tests.AnalyticModels;

// The one-layer models of issue 13 item 1: x = r·(1, 0), x' = r·(cos α, sin α), q = r²/2, Θ = K̃ + Ṫ·q·cos α.

[NtkModel(Inputs = 2)]
public partial class GeluOneLayer { [Dense(8, Activation.Gelu, UseBias = false)] public partial DenseLayer Hidden { get; } [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 2)]
public partial class TanhOneLayer { [Dense(8, Activation.Tanh, UseBias = false)] public partial DenseLayer Hidden { get; } [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 2)]
public partial class SigmoidOneLayer { [Dense(8, Activation.Sigmoid, UseBias = false)] public partial DenseLayer Hidden { get; } [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 2)]
public partial class SoftplusOneLayer { [Dense(8, Activation.Softplus, UseBias = false)] public partial DenseLayer Hidden { get; } [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 2)]
public partial class SinOneLayer { [Dense(8, Activation.Sin, UseBias = false)] public partial DenseLayer Hidden { get; } [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 2)]
public partial class ExpOneLayer
{
    private static double Grow(double x) => Math.Exp(x);

    [Dense(8, Activation.Custom, ActivationMethod = nameof(Grow), UseBias = false)] public partial DenseLayer Hidden { get; }
    [Dense(1, UseBias = false)] public partial DenseLayer Readout { get; }
}
