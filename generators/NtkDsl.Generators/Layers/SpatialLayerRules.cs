using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// A spatial layer during parsing: its spec (shapes not yet filled), the attribute (for argument locations), and
/// whether parsing its own arguments reported an error (then the shape pass passes on only what is still certain).
/// </summary>
internal sealed class ParsedLayer
{
    public ParsedLayer(SpatialLayerSpec spec, AttributeData attribute, bool argumentErrors = false)
    {
        Spec = spec;
        Attribute = attribute;
        ArgumentErrors = argumentErrors;
    }

    public SpatialLayerSpec Spec { get; set; }
    public AttributeData Attribute { get; }

    /// <summary>True when an error was reported on this layer's own arguments (a size, the padding, …).</summary>
    public bool ArgumentErrors { get; }
}

/// <summary>
/// Rules shared by the spatial layer kinds: the placeholder shape before the shape pass, the window rule of Conv2D and
/// AvgPool2D (NTK1030, NTK1031), the flat-input rule (NTK1029) and the output-size rule (NTK1044).
/// <para>
/// Partly known shapes: after an error the shape pass goes on with what stays certain however that error is fixed (an
/// image or a feature vector, and the channel count a Conv2D declares); a dimension that depends on the fix is 0,
/// printed "?". A rule whose check needs an unknown dimension skips it, so a later layer never reports an error that
/// follows only from an earlier one (no cascades), while errors independent of it are all reported.
/// </para>
/// </summary>
internal static class SpatialLayerRules
{
    public static readonly ShapeSpec Unknown = new(0, 0, 0, false);

    /// <summary>
    /// Whether an error on a layer's own arguments leaves its output shape uncertain: a size (NTK1003, NTK1031) or an
    /// enum argument such as the padding (NTK1016); σ values, activations and ε do not.
    /// </summary>
    public static bool AffectsShape(string id) => id is "NTK1003" or "NTK1031" or "NTK1016";

    /// <summary>An image whose height and width are unknown, with <paramref name="channels"/> channels (0: unknown).</summary>
    public static ShapeSpec UnknownImage(int channels) => new(0, 0, channels > 0 ? channels : 0, false);

    /// <summary>A feature vector of unknown length.</summary>
    public static readonly ShapeSpec UnknownFlat = new(1, 1, 0, true);

    /// <summary>A shape as messages print it: "8×8×3", "12 features", with "?" for an unknown dimension.</summary>
    public static string Text(ShapeSpec s) => s.Flat ? Dim(s.Channels) + " features" : Dim(s.Height) + "×" + Dim(s.Width) + "×" + Dim(s.Channels);

    private static string Dim(int d) => d > 0 ? LayerParseContext.Text(d) : "?";

    /// <summary>NTK1031 for a non-positive size argument (<paramref name="fix"/>: what to write instead); returns whether it is positive.</summary>
    public static bool Positive(LayerParseContext ctx, ISymbol member, AttributeData a, string what, int value, string? named, int position, string fix)
    {
        if (value >= 1) return true;
        ctx.Report(Descriptors.NonPositiveSize, ctx.Argument(a, named, position), member.Name, what, LayerParseContext.Text(value), fix);
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
        string where = flattener is null ? Text(input) : Text(input) + " after '" + flattener.Spec.Name + "'";
        ctx.Report(Descriptors.SpatialLayerOnFlatInput, ctx.Attribute(p.Attribute), p.Spec.Name, kind, where,
            "move it before " + (flattener is null ? "the layer that flattens the image" : "'" + flattener.Spec.Name + "'"));
        return false;
    }

    /// <summary>
    /// The output height and width of a windowed layer (Conv2D, AvgPool2D) on <paramref name="input"/>; NTK1030 at the
    /// window argument when the window is larger than the padded image along a known axis (only Valid padding allows
    /// that). An unknown axis (0) stays unknown; so does one the window does not fit.
    /// </summary>
    public static (int Height, int Width) Window(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, int window, int stride, PaddingKind padding, int windowPosition)
    {
        bool heightFits = Fits(input.Height, window, stride, padding), widthFits = Fits(input.Width, window, stride, padding);
        if (!heightFits || !widthFits)
        {
            int largest = System.Math.Min(
                input.Height > 0 ? SpatialGeometryRules.PaddedSize(input.Height, window, stride, padding) : int.MaxValue,
                input.Width > 0 ? SpatialGeometryRules.PaddedSize(input.Width, window, stride, padding) : int.MaxValue);
            ctx.Report(Descriptors.WindowTooLarge, ctx.Argument(p.Attribute, null, windowPosition), p.Spec.Name, LayerParseContext.Text(window),
                Dim(input.Height), Dim(input.Width), padding == PaddingKind.Valid ? " (Padding.Valid: no padding)" : "", LayerParseContext.Text(largest));
        }
        return (heightFits && input.Height > 0 ? SpatialGeometryRules.OutputSize(input.Height, window, stride, padding) : 0,
            widthFits && input.Width > 0 ? SpatialGeometryRules.OutputSize(input.Width, window, stride, padding) : 0);
    }

    private static bool Fits(int size, int window, int stride, PaddingKind padding) =>
        size <= 0 || window <= SpatialGeometryRules.PaddedSize(size, window, stride, padding);
}
