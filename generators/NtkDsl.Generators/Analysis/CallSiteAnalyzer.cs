using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using NtkDsl.Generators.Diagnostics;

namespace NtkDsl.Generators.Analysis;

/// <summary>
/// Checks calls on [NtkModel] classes: input tensors whose compile-time column count differs from Inputs (NTK1020),
/// GroupWeights built from string-constant layer names the model lacks (NTK1021) or biases of bias-free layers
/// (NTK1022), and Jacobian calls whose constant row count exceeds the memory budget (NTK3002).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CallSiteAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Key of the diagnostic property carrying the unique nearest layer name (read by the code fix).</summary>
    public const string SuggestionKey = "NtkDsl.Suggestion";

    /// <summary>The MSBuild property (made compiler-visible by build/NtkDsl.props) holding the budget in MB.</summary>
    public const string BudgetProperty = "build_property.NtkDslMemoryBudgetMB";

    /// <summary>Budget when the property is absent or invalid.</summary>
    public const double DefaultBudgetMB = 1024;

    private const string GroupWeightsType = "NtkDsl.GroupWeights";
    private static readonly HashSet<string> InputParameters = new() { "x", "x1", "x2" };

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.InputFeatureMismatch, Descriptors.UnknownGroupLayer, Descriptors.LayerHasNoBias, Descriptors.JacobianOverBudget);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var tensorType = start.Compilation.GetTypeByMetadataName(TensorShapes.TensorType);
            var groupWeightsType = start.Compilation.GetTypeByMetadataName(GroupWeightsType);
            if (tensorType is null || groupWeightsType is null) return;
            double budget = ReadBudget(start.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
            var shapes = new ConcurrentDictionary<INamedTypeSymbol, ModelShape?>(SymbolEqualityComparer.Default);
            var reported = new ConcurrentDictionary<(Location, string), bool>();
            start.RegisterOperationAction(ctx => AnalyzeInvocation(ctx, tensorType, groupWeightsType, shapes, reported, budget), OperationKind.Invocation);
        });
    }

    internal static double ReadBudget(AnalyzerConfigOptions options) =>
        options.TryGetValue(BudgetProperty, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var mb) && mb > 0
            ? mb : DefaultBudgetMB;

    private static void AnalyzeInvocation(OperationAnalysisContext ctx, INamedTypeSymbol tensorType, INamedTypeSymbol groupWeightsType, ConcurrentDictionary<INamedTypeSymbol, ModelShape?> shapes,
        ConcurrentDictionary<(Location, string), bool> reported, double budgetMB)
    {
        var call = (IInvocationOperation)ctx.Operation;
        var type = call.TargetMethod.ContainingType;
        if (!ModelShape.IsModel(type)) return;
        // Nothing for a model with errors: the generator emits no members for it, and its shape would leave out the bad layer.
        var shape = shapes.GetOrAdd(type, t => !GeneratedModel.WasGenerated(t) ? null : ModelShape.Read(t, ctx.Compilation, ctx.CancellationToken));
        if (shape is null) return;
        var ct = ctx.CancellationToken;
        foreach (var arg in call.Arguments)
        {
            var parameter = arg.Parameter;
            if (parameter is null || arg.ArgumentKind == ArgumentKind.DefaultValue) continue;
            // Symbol equality ignores nullable annotations (x2 is 'Tensor?').
            if (SymbolEqualityComparer.Default.Equals(parameter.Type, tensorType) && InputParameters.Contains(parameter.Name))
            {
                var dims = TensorShapes.Of(arg.Value, ct);
                if (dims is null) continue;
                if (dims.Value.Columns != shape.Inputs)
                    ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.InputFeatureMismatch, arg.Syntax.GetLocation(), shape.Name, shape.InputText, Int(dims.Value.Columns), Int(shape.Inputs)));
                else if (call.TargetMethod.Name == "Jacobian")
                    CheckJacobianBudget(ctx, arg, shape, dims.Value.Rows, budgetMB);
            }
            else if (SymbolEqualityComparer.Default.Equals(parameter.Type, groupWeightsType))
                CheckGroupWeights(ctx, arg.Value, shape, reported, ct);
        }
    }

    private static void CheckJacobianBudget(OperationAnalysisContext ctx, IArgumentOperation arg, ModelShape shape, int rows, double budgetMB)
    {
        long bytes = shape.JacobianBytes(rows);
        if (bytes <= budgetMB * 1024 * 1024) return;
        ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.JacobianOverBudget, arg.Syntax.GetLocation(),
            Int(rows), shape.Name, ModelCostText.Bytes(bytes), Int(shape.Outputs), Int(shape.Parameters), Int(shape.ElementSize),
            budgetMB.ToString("0.###", CultureInfo.InvariantCulture)));
    }

    private static void CheckGroupWeights(OperationAnalysisContext ctx, IOperation value, ModelShape shape,
        ConcurrentDictionary<(Location, string), bool> reported, CancellationToken ct)
    {
        foreach (var (name, location, bias) in GroupWeightNames.Collect(value, ct))
        {
            var layer = shape.Layers.FirstOrDefault(l => l.Name == name);
            if (!reported.TryAdd((location, shape.Name), true)) continue;
            if (layer is null && shape.ParameterFreeLayers.FirstOrDefault(l => l.Name == name) is { } free)
                ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.UnknownGroupLayer, location, name,
                    "a layer of '" + shape.Name + "' without parameters ([" + free.Kind + "]), so it has no parameter groups", "",
                    string.Join(", ", shape.Layers.Select(l => l.Name))));
            else if (layer is null)
            {
                string? nearest = shape.UniqueNearestLayer(name);
                var properties = nearest is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(SuggestionKey, nearest);
                ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.UnknownGroupLayer, location, properties,
                    name, "which '" + shape.Name + "' does not have", nearest is null ? "" : " Did you mean '" + nearest + "'?", string.Join(", ", shape.Layers.Select(l => l.Name))));
            }
            else if (bias && !layer.UseBias)
                ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.LayerHasNoBias, location, name, shape.Name));
        }
    }

    private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);
}
