using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The LayerNorm layer kind: <c>[LayerNorm(Epsilon = ε)]</c> on a <c>partial Layer</c> property. Parsing (NTK1038 for
/// ε ≤ 0 or not finite, at the Epsilon argument), shape rule (any shape, unchanged), no parameters, its <c>LayerNormSpec</c>.
/// </summary>
internal static class LayerNormKind
{
    public const string Attribute = "NtkDsl.LayerNormAttribute";

    /// <summary>Reads the attribute's arguments (the member itself is checked by <see cref="LayerKinds.Parse"/>).</summary>
    public static SpatialLayerSpec Parse(LayerParseContext ctx, ISymbol member, AttributeData a)
    {
        double epsilon = 1e-12;
        foreach (var arg in a.NamedArguments)
            if (arg.Key == "Epsilon")
            {
                epsilon = arg.Value.Value switch { double d => d, float f => f, int i => i, _ => double.NaN };
                if (double.IsNaN(epsilon) || double.IsInfinity(epsilon) || epsilon <= 0)
                    ctx.Report(Descriptors.InvalidEpsilon, ctx.Argument(a, "Epsilon", -1), member.Name, LayerParseContext.Text(epsilon));
            }
        return new SpatialLayerSpec(LayerKindId.LayerNorm, member.Name, Parsing.StubBuilder.Modifiers(member, ctx.Ct), null, 0, 0, PaddingKind.Same, null, epsilon,
            SpatialLayerRules.Unknown, SpatialLayerRules.Unknown);
    }

    public static ShapeSpec Apply(ShapeSpec input) => input;

    public static string SpecExpression(SpatialLayerSpec l) => "new global::NtkDsl.Layers.LayerNormSpec(" + Str(l.Name) + ", " + Num(l.Epsilon) + ")";

    public static string Describe(SpatialLayerSpec l) => "LayerNorm over " + l.Input.Channels + " channels, ε = " + Num(l.Epsilon);
}
