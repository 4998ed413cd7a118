using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;
using NtkDsl.Generators.Parsing;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// What every layer kind's parser needs from the model being parsed: the class symbol, the model-wide defaults and the
/// diagnostics list. Lives only during the parse step (holds symbols; never part of the cached model).
/// </summary>
internal sealed class LayerParseContext
{
    public LayerParseContext(INamedTypeSymbol model, Compilation compilation, double weightStd, double biasStd, AnalyticKernelsKind analytic,
        List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        Model = model;
        Compilation = compilation;
        WeightStd = weightStd;
        BiasStd = biasStd;
        Analytic = analytic;
        Diagnostics = diagnostics;
        Ct = ct;
    }

    public INamedTypeSymbol Model { get; }
    public Compilation Compilation { get; }
    public double WeightStd { get; }
    public double BiasStd { get; }
    public AnalyticKernelsKind Analytic { get; }
    public List<DiagnosticInfo> Diagnostics { get; }
    public CancellationToken Ct { get; }

    /// <summary>
    /// False for the analyzers, which read models whose generated implementation parts exist already: they skip the
    /// declaration checks of layer properties (the generator reports those).
    /// </summary>
    public bool CheckMembers { get; init; } = true;

    /// <summary>The model is declared without Inputs/InputShape, so InfoFor and CostFor are generated members too.</summary>
    public bool Widthless { get; init; }

    public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] args) =>
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));

    /// <summary>
    /// Checks that a layer attribute sits on a usable partial property of <paramref name="expectedType"/> (full name,
    /// e.g. "NtkDsl.ConvLayer") whose name is free; reports NTK1008/NTK1012 (or NTK1035 for a wrong type) and returns
    /// false otherwise.
    /// </summary>
    public bool CheckMember(ISymbol member, string attributeName, string expectedType, AttributeData attribute)
    {
        if (!CheckMembers) return member is IPropertySymbol;
        var memberLocation = LocationInfo.From(member.Locations.FirstOrDefault());
        string shortType = expectedType.Substring(expectedType.LastIndexOf('.') + 1);
        string? problem = member switch
        {
            IPropertySymbol { IsStatic: true } => "it is static",
            IPropertySymbol { IsIndexer: true } => "it is an indexer",
            IPropertySymbol { ReturnsByRef: true } or IPropertySymbol { ReturnsByRefReadonly: true } => "it returns by reference",
            IPropertySymbol p when p.Type.ToDisplayString() != expectedType => null,
            IPropertySymbol { SetMethod: not null } => "it has a setter",
            IPropertySymbol { IsPartialDefinition: false } => "it is not a partial property declaration (or it already has an implementation)",
            IPropertySymbol { PartialImplementationPart: not null } => "it already has an implementation part; NtkDsl writes the implementation",
            IPropertySymbol => null,
            _ => "it is not a property",
        };
        if (problem is null && member is IPropertySymbol typed && typed.Type.ToDisplayString() != expectedType)
        {
            if (attributeName == "Dense")
                Report(Descriptors.InvalidLayerMember, memberLocation, member.Name, $"its type is {typed.Type.ToDisplayString()}, not DenseLayer");
            else
                Report(Descriptors.LayerTypeMismatch, LocationInfo.From(PropertyTypeSyntax(typed)) ?? memberLocation, member.Name, attributeName,
                    typed.Type.ToDisplayString(), shortType);
            return false;
        }
        if (problem is not null)
        {
            if (attributeName == "Dense")
                Report(Descriptors.InvalidLayerMember, memberLocation, member.Name, problem);
            else
                Report(Descriptors.InvalidSpatialLayerMember, memberLocation, member.Name, attributeName, problem, shortType);
            return false;
        }
        bool reserved = ModelParser.ReservedNames.Contains(member.Name) || (Widthless && ModelParser.WidthlessReservedNames.Contains(member.Name));
        if (reserved || Emit.Names.IsReserved(member.Name))
        {
            string why = reserved
                ? "collides with the generated member '" + member.Name + "'"
                : "starts with the prefix '__ntk', which is reserved for generated members";
            Report(Descriptors.ReservedLayerName, memberLocation, member.Name, why);
            return false;
        }
        _ = attribute;
        return true;
    }

    private static SyntaxNode? PropertyTypeSyntax(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax>().FirstOrDefault()?.Type;

    public LocationInfo? Argument(AttributeData attribute, string? name, int position) => ModelParser.ArgumentLocation(attribute, name, position, Ct);

    public LocationInfo? Attribute(AttributeData attribute) => ModelParser.AttributeLocation(attribute, Ct);

    /// <summary>The int positional argument at <paramref name="position"/> (0 when absent or not an int).</summary>
    public static int IntArgument(AttributeData attribute, int position) =>
        attribute.ConstructorArguments.Length > position && attribute.ConstructorArguments[position].Value is int v ? v : 0;

    public static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public static string Text(int v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
}
