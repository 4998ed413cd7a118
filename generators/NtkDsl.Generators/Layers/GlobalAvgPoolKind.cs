using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The GlobalAvgPool layer kind: <c>[GlobalAvgPool]</c> on a <c>partial Layer</c> property. Shape rule: an image
/// H×W×C in (NTK1029 on a flat input), C features out; no parameters; its <c>GlobalAvgPoolSpec</c>.
/// </summary>
internal static class GlobalAvgPoolKind
{
    public const string Attribute = "NtkDsl.GlobalAvgPoolAttribute";

    /// <summary>Reads the attribute's declaration (the member itself is checked by <see cref="LayerKinds.Parse"/>).</summary>
    public static SpatialLayerSpec Parse(LayerParseContext ctx, ISymbol member, AttributeData a)
    {
        _ = a;
        return new SpatialLayerSpec(LayerKindId.GlobalAvgPool, member.Name, Parsing.StubBuilder.Modifiers(member, ctx.Ct), null, 0, 0, PaddingKind.Same, null, 0,
            SpatialLayerRules.Unknown, SpatialLayerRules.Unknown);
    }

    /// <summary>C features (unknown after NTK1029 on a flat input).</summary>
    public static ShapeSpec Apply(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, System.Collections.Generic.IReadOnlyList<ParsedLayer> before) =>
        SpatialLayerRules.RequireImage(ctx, p, "GlobalAvgPool", input, before) ? new ShapeSpec(1, 1, input.Channels, true) : SpatialLayerRules.UnknownFlat;

    public static string SpecExpression(SpatialLayerSpec l) => "new global::NtkDsl.Layers.GlobalAvgPoolSpec(" + Str(l.Name) + ")";

    public static string Describe(SpatialLayerSpec l) => "GlobalAvgPool, " + l.Input + " → " + l.Output;
}
