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

/// <summary>
/// A containing type of a nested model class: <paramref name="Keyword"/> is the declaration text before the name
/// ("partial class", "ref partial struct", "partial record struct"), <paramref name="Name"/> the raw name, and
/// <paramref name="TypeParameters"/> the raw type-parameter names (only stubs need them: generic models are rejected).
/// </summary>
internal sealed record ContainingType(string Keyword, string Name, string TypeParameters = "");

/// <summary>A custom activation: the user's method and its symbolic derivative as C# text, and both as CUDA C (<c>Emit.CudaExprPrinter</c>).</summary>
internal sealed record CustomActivationSpec(string MethodName, string ValueExpression, string DerivativeExpression, string CudaValue = "", string CudaDerivative = "");

/// <summary>One dense layer as the generator sees it; <c>Modifiers</c> repeats the declaration's modifiers (but
/// 'partial') so the implementation part matches it (accessibility, virtual/override/sealed/new, unsafe).</summary>
/// <remarks>No Roslyn types: equatable and cacheable.</remarks>
internal sealed record LayerSpec(
    string Name,
    string Modifiers,
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
    bool Centered = false,
    EquatableArray<int> InputShape = default,
    EquatableArray<SpatialLayerSpec> SpatialLayers = default,
    bool Widthless = false)
{
    /// <summary>Declared with <c>InputShape</c>: emitted as a delegate to the run time's SpatialNetwork (<see cref="SpatialLayers"/>; <see cref="Layers"/> is empty).</summary>
    public bool IsSpatial => InputShape.Count > 0;

    // Widthless: declared with neither Inputs nor InputShape (issue 15). The input width d is a constructor argument;
    // Inputs is 0, SpatialLayers holds the Dense layers (the first one's Input has 0 channels for d), and the model is
    // emitted by SpatialEmitter over one SpatialNetwork.Flat plan per instance.

    /// <summary>Raw dotted name (namespace, containing types, class), for messages.</summary>
    public string FullName => (Namespace is null ? "" : Namespace + ".") + string.Join(".", System.Linq.Enumerable.Concat(System.Linq.Enumerable.Select(ContainingTypes, c => c.Name), new[] { ClassName }));
}

/// <summary>A [Dense] partial property to stub when the model is not generated (so its errors do not cascade into CS9248).</summary>
internal sealed record StubProperty(string Modifiers, string Type, string Name, bool HasGetter, bool HasSetter, bool InitOnly);

/// <summary>
/// What is emitted for a model with errors: each [Dense] partial property gets an implementation that throws, so the
/// only errors the user sees are the ones that say what to fix. Names are raw; the emitter escapes them.
/// </summary>
internal sealed record ModelStub(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    ContainingType Model,
    EquatableArray<StubProperty> Properties);

/// <summary>The layer kinds of the DSL; each has one home in Layers/ (e.g. Layers/Conv2DKind.cs).</summary>
internal enum LayerKindId { Dense, Conv2D, AvgPool2D, GlobalAvgPool, Flatten, Add, LayerNorm }

/// <summary>Mirrors NtkDsl.Padding.</summary>
internal enum PaddingKind { Same = 0, Valid = 1, Circular = 2 }

/// <summary>
/// The shape of the activations between two layers of a spatial model: <c>Height × Width × Channels</c>; <c>Flat</c>
/// after Flatten, GlobalAvgPool or Dense (a feature vector of <c>Channels</c> values, Height = Width = 1).
/// </summary>
internal sealed record ShapeSpec(int Height, int Width, int Channels, bool Flat)
{
    public long Size => (long)Height * Width * Channels;

    public override string ToString() => Flat ? Channels + " features" : Height + "×" + Width + "×" + Channels;
}

/// <summary>
/// One layer of a model declared with InputShape. <c>Trainable</c> (Dense and Conv2D) carries the units or channels
/// (as Width), activation, σ values (model defaults resolved) and bias; <c>Kernel</c>/<c>Stride</c>/<c>Padding</c> the
/// window of Conv2D and AvgPool2D (AvgPool2D's stride resolved); <c>Source</c> the Add source; <c>Epsilon</c> LayerNorm's.
/// Input and Output are the checked shapes around the layer. No Roslyn types: equatable and cacheable.
/// </summary>
internal sealed record SpatialLayerSpec(
    LayerKindId Kind,
    string Name,
    string Modifiers,
    LayerSpec? Trainable,
    int Kernel,
    int Stride,
    PaddingKind Padding,
    string? Source,
    double Epsilon,
    ShapeSpec Input,
    ShapeSpec Output);
