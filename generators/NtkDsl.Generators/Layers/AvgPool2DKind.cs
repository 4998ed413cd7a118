using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The AvgPool2D layer kind: <c>[AvgPool2D(window)]</c> on a <c>partial Layer</c> property (Stride: 0 = the window,
/// Padding: default Valid). Parsing (NTK1031 for a window &lt; 1 or a negative stride), shape rule (image in; NTK1029,
/// NTK1030; channels kept), no parameters, its <c>AvgPool2DSpec</c> (stride resolved).
/// </summary>
internal static class AvgPool2DKind
{
    public const string Attribute = "NtkDsl.AvgPool2DAttribute";

    /// <summary>Reads the attribute's arguments (the member itself is checked by <see cref="LayerKinds.Parse"/>).</summary>
    public static SpatialLayerSpec Parse(LayerParseContext ctx, ISymbol member, AttributeData a)
    {
        int window = LayerParseContext.IntArgument(a, 0);
        int stride = SpatialLayerRules.ReadInt(a, "Stride", 0);
        SpatialLayerRules.Positive(ctx, member, a, "window", window, null, 0, "use a window of at least 1×1 (2 halves the image)");
        if (stride < 0) // 0 means "the window"
            SpatialLayerRules.Positive(ctx, member, a, "Stride", stride, "Stride", -1, "use Stride = 1 or more, or remove the argument for a stride equal to the window"
                + (window >= 1 ? " (" + LayerParseContext.Text(window) + ")" : ""));
        var padding = SpatialLayerRules.ReadPadding(ctx, member, a, PaddingKind.Valid);
        return new SpatialLayerSpec(LayerKindId.AvgPool2D, member.Name, Parsing.StubBuilder.Modifiers(member, ctx.Ct), null, window,
            stride == 0 ? window : stride, padding, null, 0, SpatialLayerRules.Unknown, SpatialLayerRules.Unknown);
    }

    /// <summary>The output shape (channels kept; height and width unknown after an error on this layer, as for Conv2D).</summary>
    public static ShapeSpec Apply(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, System.Collections.Generic.IReadOnlyList<ParsedLayer> before)
    {
        var s = p.Spec;
        if (p.ArgumentErrors || s.Kernel < 1 || s.Stride < 1) return SpatialLayerRules.UnknownImage(input.Flat ? 0 : input.Channels);
        if (!SpatialLayerRules.RequireImage(ctx, p, "AvgPool2D", input, before)) return SpatialLayerRules.Unknown;
        var (height, width) = SpatialLayerRules.Window(ctx, p, input, s.Kernel, s.Stride, s.Padding, 0);
        return new ShapeSpec(height, width, input.Channels, false);
    }

    public static string SpecExpression(SpatialLayerSpec l) =>
        "new global::NtkDsl.Layers.AvgPool2DSpec(" + Str(l.Name) + ", " + Int(l.Kernel) + ", " + Int(l.Stride) + ", global::NtkDsl.Padding." + l.Padding + ")";

    public static string Describe(SpatialLayerSpec l) =>
        "AvgPool2D " + l.Kernel + "×" + l.Kernel + ", stride " + l.Stride + ", " + l.Padding + ", " + l.Input + " → " + l.Output;
}
