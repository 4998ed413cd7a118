using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The Add layer kind: <c>[Add(nameof(Earlier))]</c> on a <c>partial Layer</c> property: the output of an earlier layer
/// is added to the running activations. Shape rule: the source must be an earlier layer (NTK1033: unknown, later or
/// itself) whose output has the current shape (NTK1034), both at the Source argument; no parameters; its <c>AddSpec</c>.
/// </summary>
internal static class AddKind
{
    public const string Attribute = "NtkDsl.AddAttribute";

    /// <summary>Reads the attribute's arguments (the member itself is checked by <see cref="LayerKinds.Parse"/>).</summary>
    public static SpatialLayerSpec Parse(LayerParseContext ctx, ISymbol member, AttributeData a)
    {
        string source = a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value is string s ? s : "";
        return new SpatialLayerSpec(LayerKindId.Add, member.Name, Parsing.StubBuilder.Modifiers(member, ctx.Ct), null, 0, 0, PaddingKind.Same, source, 0,
            SpatialLayerRules.Unknown, SpatialLayerRules.Unknown);
    }

    /// <summary>
    /// The output shape: the running activations' shape, also after NTK1033/NTK1034 (an Add never changes it). NTK1034
    /// compares only what is known of both shapes, so an earlier error does not make the Add report one.
    /// </summary>
    public static ShapeSpec Apply(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, IReadOnlyList<ParsedLayer> all, int index, string model)
    {
        string source = p.Spec.Source ?? "";
        var location = ctx.Argument(p.Attribute, null, 0);
        int at = -1;
        for (int i = 0; i < all.Count; i++)
            if (all[i].Spec.Name == source) at = i;
        string? problem = at < 0 ? "is not a layer of the model" : at == index ? "is the Add layer itself" : at > index ? "is declared after it" : null;
        if (problem is not null)
        {
            string hint = "";
            if (at < 0 && index > 0)
            {
                var near = all.Take(index).Select(l => (l.Spec.Name, D: NtkDsl.NameDistance.Compute(l.Spec.Name, source))).OrderBy(x => x.D).First();
                if (NtkDsl.NameDistance.IsClose(near.Name, source)) hint = "; did you mean '" + near.Name + "'?";
            }
            ctx.Report(Descriptors.InvalidAddSource, location, p.Spec.Name, source, problem, model, hint);
            return input;
        }
        var shape = all[at].Spec.Output;
        if (shape.Flat != input.Flat || Differ(shape.Height, input.Height) || Differ(shape.Width, input.Width) || Differ(shape.Channels, input.Channels))
            ctx.Report(Descriptors.AddShapeMismatch, location, p.Spec.Name, source, SpatialLayerRules.Text(shape), SpatialLayerRules.Text(input));
        return input;
    }

    private static bool Differ(int a, int b) => a > 0 && b > 0 && a != b;

    public static string SpecExpression(SpatialLayerSpec l) => "new global::NtkDsl.Layers.AddSpec(" + Str(l.Name) + ", " + Str(l.Source ?? "") + ")";

    public static string Describe(SpatialLayerSpec l) => "Add the output of " + l.Source + ", " + l.Output;
}
