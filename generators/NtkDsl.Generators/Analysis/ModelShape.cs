using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NtkDsl.Costing;

namespace NtkDsl.Generators.Analysis;

/// <summary>One layer of a model as call-site analysis needs it.</summary>
internal sealed record ShapeLayer(string Name, int Width, bool UseBias, int Activation);

/// <summary>A layer without parameters of a model declared with InputShape (its name and kind, e.g. "LayerNorm").</summary>
internal sealed record ParameterFreeLayer(string Name, string Kind);

/// <summary>
/// The shape of an [NtkModel] class read straight from its symbol (analyzers cannot see the generator's pipeline):
/// inputs, layers in declaration order, outputs, parameters and the cost model. Null when the declaration has errors
/// the generator reports itself.
/// </summary>
internal sealed class ModelShape
{
    private const string ModelAttribute = "NtkDsl.NtkModelAttribute";
    private const string DenseAttribute = "NtkDsl.DenseAttribute";

    private ModelShape(string name, int[] inputShape, SpatialCostEstimate spatial, IReadOnlyList<ShapeLayer> layers, IReadOnlyList<ParameterFreeLayer> parameterFree)
    {
        Name = name;
        Inputs = inputShape[0] * inputShape[1] * inputShape[2];
        InputText = string.Format(System.Globalization.CultureInfo.InvariantCulture, "InputShape = {0}×{1}×{2}",
            inputShape[0], inputShape[1], inputShape[2]);
        ParameterFreeLayers = parameterFree;
        Layers = layers;
        ElementSize = 8;
        Spatial = spatial;
    }

    private ModelShape(string name, int inputs, bool single, IReadOnlyList<ShapeLayer> layers)
    {
        Name = name;
        Inputs = inputs;
        InputText = "Inputs = " + inputs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ParameterFreeLayers = Array.Empty<ParameterFreeLayer>();
        Layers = layers;
        ElementSize = single ? 4 : 8;
        var cost = new List<CostLayer>();
        int fanIn = inputs;
        foreach (var l in layers)
        {
            cost.Add(new CostLayer(fanIn, l.Width, l.UseBias, l.Activation == 0));
            fanIn = l.Width;
        }
        Cost = new CostCalculator(inputs, cost.ToArray(), ElementSize);
    }

    public string Name { get; }
    public int Inputs { get; }
    /// <summary>The input as declared, for messages: "Inputs = 72" or "InputShape = 6×6×2".</summary>
    public string InputText { get; }
    /// <summary>The layers with parameters (all of a Dense model's layers).</summary>
    public IReadOnlyList<ShapeLayer> Layers { get; }
    /// <summary>The layers without parameters of a model declared with InputShape (none for a Dense model).</summary>
    public IReadOnlyList<ParameterFreeLayer> ParameterFreeLayers { get; }
    public int ElementSize { get; }
    /// <summary>The cost model of a Dense model (null for a spatial one: see <see cref="Spatial"/>).</summary>
    public CostCalculator? Cost { get; }
    /// <summary>The cost estimate of a model declared with InputShape (null for a Dense model).</summary>
    public SpatialCostEstimate? Spatial { get; }
    public int Outputs => Spatial?.Outputs ?? Layers[Layers.Count - 1].Width;
    public long Parameters => Spatial?.Parameters ?? Cost!.Parameters;
    /// <summary>N·K·P·element size, or long.MaxValue when that overflows (the cost arithmetic is checked): then certainly over any budget.</summary>
    public long JacobianBytes(long rows)
    {
        try
        {
            return Spatial?.JacobianBytes(rows) ?? Cost!.JacobianBytes(rows);
        }
        catch (System.OverflowException)
        {
            return long.MaxValue;
        }
    }

    public static bool IsModel(INamedTypeSymbol? type) =>
        type is not null && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ModelAttribute);

    public static ModelShape? Read(INamedTypeSymbol type, Compilation compilation, System.Threading.CancellationToken ct = default)
    {
        var attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ModelAttribute);
        if (attribute is null) return null;
        int inputs = 0;
        bool single = false;
        foreach (var arg in attribute.NamedArguments)
        {
            if (arg.Key == "Inputs" && arg.Value.Value is int i) inputs = i;
            if (arg.Key == "Precision" && arg.Value.Value is int p) single = p == 1;
        }
        // A model declared with InputShape (and neither Inputs nor Float32, which the generator rejects: NTK1027, NTK1039).
        foreach (var arg in attribute.NamedArguments)
            if (arg.Key == "InputShape")
                return inputs == 0 && !single && !attribute.NamedArguments.Any(a => a.Key == "Inputs") ? ReadSpatial(type, arg.Value, compilation, ct) : null;
        if (inputs <= 0) return null;
        var layers = new List<ShapeLayer>();
        var trees = new Dictionary<SyntaxTree, int>();
        var ordered = type.GetMembers().OfType<IPropertySymbol>()
            .Select(m => (m, loc: m.Locations.FirstOrDefault()))
            .OrderBy(x => x.loc?.SourceTree is { } t ? (trees.TryGetValue(t, out var n) ? n : trees[t] = trees.Count) : int.MaxValue)
            .ThenBy(x => x.loc?.SourceSpan.Start ?? 0)
            .Select(x => x.m);
        foreach (var property in ordered)
        {
            var dense = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == DenseAttribute);
            if (dense is null) continue;
            if (dense.ConstructorArguments.Length < 1 || dense.ConstructorArguments[0].Value is not int width || width <= 0) return null;
            int activation = dense.ConstructorArguments.Length > 1 && dense.ConstructorArguments[1].Value is int a ? a : 0;
            bool useBias = true;
            foreach (var arg in dense.NamedArguments)
                if (arg.Key == "UseBias" && arg.Value.Value is bool b) useBias = b;
            layers.Add(new ShapeLayer(property.Name, width, useBias, activation));
        }
        if (layers.Count == 0) return null;
        // The generator rejects a model with more than int.MaxValue parameters (NTK1015); its cost figures would overflow
        // (the checked sums of NTK3001 threw: AD0001), so the analyzers skip it like every other invalid model.
        long parameters = 0;
        int fanIn = inputs;
        foreach (var l in layers)
        {
            parameters += (long)fanIn * l.Width + (l.UseBias ? l.Width : 0);
            if (parameters > int.MaxValue) return null;
            fanIn = l.Width;
        }
        return new ModelShape(type.Name, inputs, single, layers);
    }

    /// <summary>
    /// A model declared with InputShape, read by the generator's own layer kinds (LayerKinds.Parse and CheckShapes), so the
    /// analyzers see exactly the shapes the generator accepts; null when the generator would report an error.
    /// </summary>
    private static ModelShape? ReadSpatial(INamedTypeSymbol type, TypedConstant shapeArgument, Compilation compilation, System.Threading.CancellationToken ct)
    {
        if (shapeArgument.Kind != TypedConstantKind.Array || shapeArgument.IsNull) return null;
        var dims = shapeArgument.Values.Select(v => v.Value is int d ? d : 0).ToArray();
        if (dims.Length != 3 || dims.Any(d => d <= 0) || (long)dims[0] * dims[1] * dims[2] > int.MaxValue) return null;
        var diagnostics = new List<Model.DiagnosticInfo>();
        var ctx = new NtkDsl.Generators.Layers.LayerParseContext(type, compilation, 1.0, 1.0, Model.AnalyticKernelsKind.Auto, diagnostics, ct) { CheckMembers = false };
        var parsed = new List<NtkDsl.Generators.Layers.ParsedLayer>();
        foreach (var property in Parsing.ModelParser.OrderedMembers(type).OfType<IPropertySymbol>()) // the generator's order
        {
            var attributes = property.GetAttributes().Where(NtkDsl.Generators.Layers.LayerKinds.IsLayerAttribute).ToList();
            if (attributes.Count == 0) continue;
            if (attributes.Count > 1) return null;
            var spec = NtkDsl.Generators.Layers.LayerKinds.Parse(ctx, NtkDsl.Generators.Layers.LayerKinds.KindOf(attributes[0])!.Value, property, attributes[0], out bool usable);
            if (!usable) return null;
            parsed.Add(new NtkDsl.Generators.Layers.ParsedLayer(spec, attributes[0]));
        }
        if (parsed.Count == 0 || diagnostics.Any(d => Diagnostics.Descriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error)) return null;
        if (!NtkDsl.Generators.Layers.LayerKinds.CheckShapes(ctx, new Model.ShapeSpec(dims[0], dims[1], dims[2], false), parsed, type.Name)) return null;
        var estimate = new SpatialCostEstimate(parsed.Select(p => p.Spec));
        if (estimate.Parameters > int.MaxValue) return null;
        var layers = parsed.Where(p => p.Spec.Trainable is not null)
            .Select(p => new ShapeLayer(p.Spec.Name, p.Spec.Trainable!.Width, p.Spec.Trainable.UseBias, (int)p.Spec.Trainable.Activation)).ToList();
        var parameterFree = parsed.Where(p => p.Spec.Trainable is null)
            .Select(p => new ParameterFreeLayer(p.Spec.Name, NtkDsl.Generators.Layers.LayerKinds.ShortName(p.Spec.Kind))).ToList();
        return new ModelShape(type.Name, dims, estimate, layers, parameterFree);
    }

    /// <summary>The layer name nearest to <paramref name="name"/>, or null when several are equally near.</summary>
    public string? UniqueNearestLayer(string name)
    {
        var scored = Layers.Select(l => (l.Name, Distance: NtkDsl.NameDistance.Compute(l.Name, name))).OrderBy(x => x.Distance).ToList();
        if (scored.Count == 0 || (scored.Count > 1 && scored[0].Distance == scored[1].Distance)) return null;
        return NtkDsl.NameDistance.IsClose(scored[0].Name, name) ? scored[0].Name : null;
    }
}
