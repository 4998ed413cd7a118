using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Diagnostics;

/// <summary>Every diagnostic NtkDsl reports. IDs: NTK1xxx model errors, NTK2xxx support, NTK3xxx cost/info.</summary>
internal static class Descriptors
{
    private const string Category = "NtkDsl";
    private const string HelpBase = "https://github.com/ntkdsl/ntkdsl/blob/main/docs/diagnostics.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Warning(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    // {1}: why (for the model itself, or for the model a containing type holds: ModelParser.ParseCore); {2}: the keywords to write.
    public static readonly DiagnosticDescriptor ModelNotPartial = Error("NTK1001", "Model class must be partial",
        "'{0}' must be declared partial {1}; add the 'partial' modifier: '{2} {0}'");

    public static readonly DiagnosticDescriptor NoLayers = Error("NTK1002", "Model has no layers",
        "Model '{0}' declares no layers; add at least one '[Dense(width)] public partial DenseLayer Name {{ get; }}' property (the last one is the output layer)");

    public static readonly DiagnosticDescriptor NonPositiveWidth = Error("NTK1003", "Layer width must be positive",
        "Layer '{0}' has width {1}; a dense layer needs at least one unit");

    public static readonly DiagnosticDescriptor NonPositiveInputs = Error("NTK1004", "Inputs must be positive",
        "Model '{0}' has Inputs = {1}; set [NtkModel(Inputs = d)] to the number of input features (d ≥ 1)");

    public static readonly DiagnosticDescriptor InvalidStd = Error("NTK1005", "Standard deviation must be finite and non-negative",
        "{0} of {1} is {2}; standard deviations must be finite and ≥ 0");

    public static readonly DiagnosticDescriptor CustomActivationMissing = Error("NTK1006", "Custom activation method not found",
        "Layer '{0}': {1}");

    public static readonly DiagnosticDescriptor NotDifferentiable = Error("NTK1007", "Custom activation cannot be differentiated",
        "Custom activation '{0}' cannot be differentiated symbolically: {1}. Supported: + - * /, unary minus, constants, casts to double, Math.Exp, Log (one argument or a constant base), Log10, Sqrt, Sin, Cos, Tan, Sinh, Cosh, Tanh, Atan, Abs, Sign, Pow with a constant exponent, Max/Min with a constant.");

    public static readonly DiagnosticDescriptor InvalidLayerMember = Error("NTK1008", "Layer must be a partial DenseLayer property",
        "'{0}' is marked [Dense] but {1}; declare it as 'public partial DenseLayer {0} {{ get; }}'");

    // {1}: "" for the model, " and contains the model 'X'" for a containing type; {2}: the change to make.
    public static readonly DiagnosticDescriptor GenericModel = Error("NTK1009", "Model cannot be generic",
        "'{0}' is generic{1}; NtkDsl models must be non-generic classes in non-generic types: {2}");

    public static readonly DiagnosticDescriptor ActivationMethodIgnored = Warning("NTK1010", "ActivationMethod is ignored",
        "Layer '{0}' sets ActivationMethod but its activation is {1}; use Activation.Custom or remove ActivationMethod");

    public static readonly DiagnosticDescriptor LeakySlopeIgnored = Warning("NTK1026", "LeakySlope is ignored",
        "Layer '{0}' sets LeakySlope but its activation is {1}; use Activation.LeakyRelu or remove LeakySlope");

    // Spatial models (issue 14): InputShape, Conv2D, AvgPool2D, GlobalAvgPool, Flatten, Add, LayerNorm.
    public static readonly DiagnosticDescriptor InputsOrInputShape = Error("NTK1027", "Declare at most one of Inputs and InputShape",
        "Model '{0}' {1}; declare either [NtkModel(Inputs = d)] for a flat input or [NtkModel(InputShape = new[] {{ H, W, C }})] for images, not {2}");

    public static readonly DiagnosticDescriptor InvalidInputShape = Error("NTK1028", "InputShape must be three positive integers",
        "Model '{0}' has InputShape = {1}; {2}");

    public static readonly DiagnosticDescriptor SpatialLayerOnFlatInput = Error("NTK1029", "Spatial layer on a flat input",
        "Layer '{0}' ([{1}]) needs an image but its input is flat ({2}); {3}");

    public static readonly DiagnosticDescriptor WindowTooLarge = Error("NTK1030", "Window larger than the image",
        "Layer '{0}' has a {1}×{1} window but its input is {2}×{3} pixels{4}; use a window of at most {5}, Padding.Same, or remove a downsampling layer before it");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error("NTK1031", "Layer size must be positive",
        "Layer '{0}' has {1} = {2}; {3}");

    public static readonly DiagnosticDescriptor DenseAfterSpatial = Error("NTK1032", "Dense layer on an image",
        "Dense layer '{0}' follows '{1}', whose output is a {2} image; add a [Flatten] ({3} features) or [GlobalAvgPool] ({4} features) layer before it");

    public static readonly DiagnosticDescriptor InvalidAddSource = Error("NTK1033", "Add must name an earlier layer",
        "Add layer '{0}' names '{1}', which {2}; name an earlier layer of '{3}' (use nameof){4}");

    public static readonly DiagnosticDescriptor AddShapeMismatch = Error("NTK1034", "Add sums tensors of different shapes",
        "Add layer '{0}' adds the output of '{1}' ({2}) to activations of shape {3}; name a layer whose output has shape {3}, or change the layers in between");

    public static readonly DiagnosticDescriptor LayerTypeMismatch = Error("NTK1035", "Layer property has the wrong type",
        "'{0}' is marked [{1}] but its type is {2}; declare it as '{3}'");

    public static readonly DiagnosticDescriptor InvalidSpatialLayerMember = Error("NTK1036", "Layer must be a get-only partial property",
        "'{0}' is marked [{1}] but {2}; declare it as 'public partial {3} {0} {{ get; }}'");

    public static readonly DiagnosticDescriptor LastLayerNotDense = Error("NTK1037", "The last layer must be Dense",
        "The last layer of '{0}' is '{1}' ([{2}]); {3}");

    public static readonly DiagnosticDescriptor InvalidEpsilon = Error("NTK1038", "LayerNorm Epsilon must be positive and finite",
        "LayerNorm layer '{0}' has Epsilon = {1}; use a finite Epsilon > 0 (the default is 1e-12)");

    public static readonly DiagnosticDescriptor SpatialFloat32 = Error("NTK1039", "Precision.Float32 is not supported with InputShape yet",
        "Model '{0}' sets Precision.Float32, which models declared with InputShape do not support yet; remove the Precision argument (Float64)");

    public static readonly DiagnosticDescriptor SeveralLayerAttributes = Error("NTK1040", "A property can declare only one layer",
        "'{0}' carries [{1}] and [{2}]; one property declares one layer, so move [{2}] to a property of its own");

    public static readonly DiagnosticDescriptor NeedsInputShape = Error("NTK1041", "Layer needs a model declared with InputShape",
        "Layer '{0}' ([{1}]) needs a model declared with InputShape; models declared with Inputs hold only Dense layers, so write [NtkModel(InputShape = new[] {{ {2} }})] instead of Inputs = {3}");

    // Models without Inputs (issue 15): the input width is a constructor argument.
    public static readonly DiagnosticDescriptor WidthlessSpatialLayer = Error("NTK1042", "A model without Inputs holds only Dense layers",
        "Model '{0}' declares neither Inputs nor InputShape, so its input width is given at construction and it holds only Dense layers; layer '{1}' is [{2}], so declare [NtkModel(InputShape = new[] {{ height, width, channels }})] or remove '{1}'");

    public static readonly DiagnosticDescriptor WidthlessFloat32 = Error("NTK1043", "Precision.Float32 is not supported without Inputs yet",
        "Model '{0}' declares neither Inputs nor InputShape (input width given at construction), which computes in Float64 only; remove Precision = Precision.Float32 or declare Inputs = d");

    public static readonly DiagnosticDescriptor LayerOutputTooLarge = Error("NTK1044", "Layer output too large",
        "Layer '{0}' ([{1}]) outputs {2} = {3} values per example, more than the 2147483647 that NtkDsl indexes with 32-bit integers; {4}");

    public static readonly DiagnosticDescriptor InvalidLeakySlope = Error("NTK1011", "LeakySlope must be finite",
        "Layer '{0}' has LeakySlope = {1}; use a finite slope");

    public static readonly DiagnosticDescriptor ReservedLayerName = Error("NTK1012", "Layer name collides with a generated member",
        "Layer name '{0}' {1}; rename the property");

    public static readonly DiagnosticDescriptor CustomActivationBody = Error("NTK1013", "Custom activation body must be a single expression",
        "Custom activation '{0}' must have an expression body ('=> expr;') or a block with a single 'return expr;'");

    public static readonly DiagnosticDescriptor NoClosedForm = Error("NTK1014", "Activation has no closed-form infinite-width kernel",
        "Layer '{0}' uses {1}, which has no closed-form dual kernel, but the model asks for AnalyticKernels.ClosedFormOnly; use Identity, Relu, LeakyRelu, Abs, Erf or Sin, or allow quadrature (AnalyticKernels.Auto)");

    public static readonly DiagnosticDescriptor TooManyParameters = Error("NTK1015", "Model has too many parameters",
        "Model '{0}' has {1} parameters; NtkDsl indexes parameters with 32-bit integers (at most 2147483647)");

    public static readonly DiagnosticDescriptor UnknownEnumValue = Error("NTK1016", "Unknown enum value",
        "{0} has the undefined value {1}; use one of the named members");

    public static readonly DiagnosticDescriptor StaticOrAbstractModel = Error("NTK1017", "Model class cannot be static or abstract",
        "'{0}' is {1}; NtkDsl generates constructors and instance members, so the model must be a concrete, non-static class");

    public static readonly DiagnosticDescriptor InvalidOutputScale = Error("NTK1018", "OutputScale must be finite and non-zero",
        "Model '{0}' has OutputScale = {1}; the output scale α of lazy training must be finite and non-zero");

    public static readonly DiagnosticDescriptor ModelNotAClass = Error("NTK1019", "Model must be a class",
        "'{0}' is a record; NtkDsl generates a class with a seeded constructor and mutable parameters, so declare it 'partial class {0}'");

    public static readonly DiagnosticDescriptor FileLocalModel = Error("NTK1023", "Model cannot be file-local",
        "'{0}' is declared 'file'{1}, but the generated members live in another file, which cannot see a file-local type; remove the 'file' modifier of '{0}' (make it internal)");

    public static readonly DiagnosticDescriptor ConstructorConflict = Error("NTK1024", "Declaration conflicts with the generated constructor",
        "'{0}' {1}, but NtkDsl generates the constructor {0}(int seed, Device? device = null) and calls it from Clone and Load; {2}");

    public static readonly DiagnosticDescriptor GeneratedNameConflict = Error("NTK1025", "Name collides with a generated member",
        "{0} collides with {1}; {2}");

    public static readonly DiagnosticDescriptor InternalError = Error("NTK2001", "NtkDsl generator internal error",
        "NtkDsl could not analyse '{0}': {1}. Please report this with the model declaration.");

    // Call sites and cost (analyzers in Analysis/). Declared before All, which collects the fields in textual order.
    private static DiagnosticDescriptor Info(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Info, isEnabledByDefault: false, helpLinkUri: HelpBase + id.ToLowerInvariant());

    // {1}: the declared input ("Inputs = 72", "InputShape = 6×6×2"); {3}: the feature count.
    public static readonly DiagnosticDescriptor InputFeatureMismatch = Error("NTK1020", "Tensor feature count does not match the model's input",
        "'{0}' expects {3} input features per row ({1}) but this tensor has {2} columns; pass an N × {3} tensor");

    // {1}: "which 'M' does not have" or "a layer of 'M' without parameters ([LayerNorm])"; {3}: the layers with parameters.
    public static readonly DiagnosticDescriptor UnknownGroupLayer = Error("NTK1021", "GroupWeights names a layer the model does not have",
        "GroupWeights names layer '{0}', {1}.{2} Layers with parameters (one weights group each, and a bias group unless UseBias = false): {3}.");

    public static readonly DiagnosticDescriptor LayerHasNoBias = Error("NTK1022", "GroupWeights sets the bias of a layer without bias",
        "GroupWeights sets a bias weight of layer '{0}' of '{1}', which has UseBias = false; use Weights(\"{0}\", …) instead");

    public static readonly DiagnosticDescriptor ModelCostSummary = Info("NTK3001", "Model cost summary",
        "{0}");

    public static readonly DiagnosticDescriptor JacobianOverBudget = Warning("NTK3002", "Jacobian exceeds the memory budget",
        "Jacobian of {0} examples of '{1}' needs {2} ({0} × {3} outputs × {4} parameters × {5} bytes), more than NtkDslMemoryBudgetMB = {6} MB; use Ntk, Jvp or Vjp (which never build J), fewer rows, or raise <NtkDslMemoryBudgetMB> in the project file");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = typeof(Descriptors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> Every => All.Values;

    public static DiagnosticDescriptor ById(string id) => All[id];
}
