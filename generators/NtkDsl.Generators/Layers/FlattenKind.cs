using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The Flatten layer kind: <c>[Flatten]</c> on a <c>partial Layer</c> property. Shape rule: an image H×W×C in
/// (NTK1029 on a flat input), H·W·C features out (NHWC order); no parameters; its <c>FlattenSpec</c>.
/// </summary>
internal static class FlattenKind
{
    public const string Attribute = "NtkDsl.FlattenAttribute";

    /// <summary>Reads the attribute's declaration (the member itself is checked by <see cref="LayerKinds.Parse"/>).</summary>
    public static SpatialLayerSpec Parse(LayerParseContext ctx, ISymbol member, AttributeData a)
    {
        _ = a;
        return new SpatialLayerSpec(LayerKindId.Flatten, member.Name, Parsing.StubBuilder.Modifiers(member, ctx.Ct), null, 0, 0, PaddingKind.Same, null, 0,
            SpatialLayerRules.Unknown, SpatialLayerRules.Unknown);
    }

    /// <summary>H·W·C features (unknown when a dimension is, after NTK1029, or when H·W·C does not fit an int: NTK1044 reports that on the layer making the image).</summary>
    public static ShapeSpec Apply(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, System.Collections.Generic.IReadOnlyList<ParsedLayer> before)
    {
        if (!SpatialLayerRules.RequireImage(ctx, p, "Flatten", input, before)) return SpatialLayerRules.UnknownFlat;
        return input.Size < 1 || input.Size > int.MaxValue ? SpatialLayerRules.UnknownFlat : new ShapeSpec(1, 1, (int)input.Size, true);
    }

    public static string SpecExpression(SpatialLayerSpec l) => "new global::NtkDsl.Layers.FlattenSpec(" + Str(l.Name) + ")";

    public static string Describe(SpatialLayerSpec l) => "Flatten, " + l.Input + " → " + l.Output;
}
