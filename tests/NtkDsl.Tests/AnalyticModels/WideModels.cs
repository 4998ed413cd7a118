namespace NtkDsl.Tests.AnalyticModels;

[NtkModel(Inputs = 3, WeightStd = 1.3, BiasStd = 0.4)]
public partial class Wide512 { [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; } [Dense(1)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 3, WeightStd = 1.3, BiasStd = 0.4)]
public partial class Wide2048 { [Dense(2048, Activation.Relu)] public partial DenseLayer Hidden { get; } [Dense(1)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 3, WeightStd = 1.3, BiasStd = 0.4)]
public partial class Wide8192 { [Dense(8192, Activation.Relu)] public partial DenseLayer Hidden { get; } [Dense(1)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 3, Parameterization = Parameterization.Standard, WeightStd = 1.3, BiasStd = 0.4)]
public partial class WideStandard512 { [Dense(512, Activation.Erf)] public partial DenseLayer Hidden { get; } [Dense(1)] public partial DenseLayer Readout { get; } }

[NtkModel(Inputs = 3, Parameterization = Parameterization.Standard, WeightStd = 1.3, BiasStd = 0.4)]
public partial class WideStandard8192 { [Dense(8192, Activation.Erf)] public partial DenseLayer Hidden { get; } [Dense(1)] public partial DenseLayer Readout { get; } }
