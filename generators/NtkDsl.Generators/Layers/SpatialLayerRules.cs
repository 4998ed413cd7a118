using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Layers;

/// <summary>A spatial layer during parsing: its spec (shapes not yet filled) and the attribute, for argument locations.</summary>
internal sealed class ParsedLayer
{
    public ParsedLayer(SpatialLayerSpec spec, AttributeData attribute)
    {
        Spec = spec;
        Attribute = attribute;
    }

    public SpatialLayerSpec Spec { get; set; }
    public AttributeData Attribute { get; }
}

/// <summary>
/// Rules shared by the spatial layer kinds: the placeholder shape before the shape pass, the window rule of Conv2D and
/// AvgPool2D (NTK1030, NTK1031), and the flat-input rule (NTK1029).
/// </summary>
internal static class SpatialLayerRules
{
    public static readonly ShapeSpec Unknown = new(0, 0, 0, false);

    /// <summary>NTK1031 for a non-positive size argument; returns whether it is positive.</summary>
    public static bool Positive(LayerParseContext ctx, ISymbol member, AttributeData a, string what, int value, string? named, int position)
    {
        if (value >= 1) return true;
        ctx.Report(Descriptors.NonPositiveSize, ctx.Argument(a, named, position), member.Name, what, LayerParseContext.Text(value));
        return false;
    }

    public static PaddingKind ReadPadding(LayerParseContext ctx, ISymbol member, AttributeData a, PaddingKind fallback)
    {
        foreach (var arg in a.NamedArguments)
            if (arg.Key == "Padding")
                return (PaddingKind)Parsing.ModelParser.CheckEnum(arg.Value, (int)PaddingKind.Circular, "Padding of layer " + member.Name, ctx.Argument(a, "Padding", -1), ctx.Diagnostics);
        return fallback;
    }

    public static int ReadInt(AttributeData a, string name, int fallback)
    {
        foreach (var arg in a.NamedArguments)
            if (arg.Key == name && arg.Value.Value is int v) return v;
        return fallback;
    }

    /// <summary>NTK1029 when a layer that needs an image gets a flat input; returns whether the input is an image.</summary>
    public static bool RequireImage(LayerParseContext ctx, ParsedLayer p, string kind, ShapeSpec input, IReadOnlyList<ParsedLayer> before)
    {
        if (!input.Flat) return true;
        var flattener = before.LastOrDefault(l => l.Spec.Kind is LayerKindId.Flatten or LayerKindId.GlobalAvgPool);
        string where = flattener is null ? input.ToString() : input + " after '" + flattener.Spec.Name + "'";
        ctx.Report(Descriptors.SpatialLayerOnFlatInput, ctx.Attribute(p.Attribute), p.Spec.Name, kind, where,
            "move it before " + (flattener is null ? "the layer that flattens the image" : "'" + flattener.Spec.Name + "'"));
        return false;
    }

    /// <summary>
    /// The output shape of a windowed layer (Conv2D, AvgPool2D) on <paramref name="input"/>, or null after NTK1030 (the
    /// window is larger than the padded image, which only Valid padding allows). The span is the window argument.
    /// </summary>
    public static (int Height, int Width)? Window(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, int window, int stride, PaddingKind padding, int windowPosition)
    {
        int ph = SpatialGeometryRules.PaddedSize(input.Height, window, stride, padding);
        int pw = SpatialGeometryRules.PaddedSize(input.Width, window, stride, padding);
        if (window > ph || window > pw)
        {
            ctx.Report(Descriptors.WindowTooLarge, ctx.Argument(p.Attribute, null, windowPosition), p.Spec.Name, LayerParseContext.Text(window),
                LayerParseContext.Text(input.Height), LayerParseContext.Text(input.Width), padding == PaddingKind.Valid ? " (Padding.Valid: no padding)" : "",
                LayerParseContext.Text(System.Math.Min(ph, pw)));
            return null;
        }
        return (SpatialGeometryRules.OutputSize(input.Height, window, stride, padding), SpatialGeometryRules.OutputSize(input.Width, window, stride, padding));
    }
}
