namespace NtkDsl.Generators.Model;

/// <summary>Mirrors NtkDsl.Activation (the generator cannot reference the runtime assembly).</summary>
internal enum ActivationKind
{
    Identity = 0, Relu, LeakyRelu, Abs, Erf, Tanh, Sigmoid, Gelu, Softplus, Sin, Custom,
}

/// <summary>Mirrors NtkDsl.Parameterization.</summary>
internal enum ParameterizationKind { Ntk = 0, Standard = 1 }

/// <summary>Mirrors NtkDsl.Precision.</summary>
internal enum PrecisionKind { Float64 = 0, Float32 = 1 }

/// <summary>Mirrors NtkDsl.AnalyticKernels.</summary>
internal enum AnalyticKernelsKind { Auto = 0, ClosedFormOnly = 1 }

/// <summary>A containing type of a nested model class.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>A custom activation: the user's method and its symbolic derivative as C# text.</summary>
internal sealed record CustomActivationSpec(string MethodName, string ValueExpression, string DerivativeExpression);

/// <summary>One dense layer as the generator sees it (no Roslyn types: equatable and cacheable).</summary>
internal sealed record LayerSpec(
    string Name,
    string Accessibility,
    int Width,
    ActivationKind Activation,
    double WeightStd,
    double BiasStd,
    bool UseBias,
    double LeakySlope,
    CustomActivationSpec? Custom);

/// <summary>One model class.</summary>
internal sealed record ModelSpec(
    string? Namespace,
    string ClassName,
    EquatableArray<ContainingType> ContainingTypes,
    int Inputs,
    ParameterizationKind Parameterization,
    PrecisionKind Precision,
    AnalyticKernelsKind AnalyticKernels,
    EquatableArray<LayerSpec> Layers,
    double OutputScale = 1.0,
    bool Centered = false)
{
    public string FullName => (Namespace is null ? "" : Namespace + ".") + string.Join(".", System.Linq.Enumerable.Concat(System.Linq.Enumerable.Select(ContainingTypes, c => c.Name), new[] { ClassName }));
}
