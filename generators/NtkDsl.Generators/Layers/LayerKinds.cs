using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The registry of layer kinds: which attribute declares which kind, and the dispatch to each kind's home
/// (DenseKind, Conv2DKind, AvgPool2DKind, GlobalAvgPoolKind, FlattenKind, AddKind, LayerNormKind). Adding a kind is its
/// file, one row here and one arm in each switch.
/// </summary>
internal static class LayerKinds
{
    /// <summary>The property type of the parameter-free kinds.</summary>
    public const string LayerType = "NtkDsl.Layer";

    private static readonly (string Attribute, LayerKindId Kind, string ShortName)[] Table =
    {
        (DenseKind.Attribute, LayerKindId.Dense, "Dense"),
        (Conv2DKind.Attribute, LayerKindId.Conv2D, "Conv2D"),
        (AvgPool2DKind.Attribute, LayerKindId.AvgPool2D, "AvgPool2D"),
        (GlobalAvgPoolKind.Attribute, LayerKindId.GlobalAvgPool, "GlobalAvgPool"),
        (FlattenKind.Attribute, LayerKindId.Flatten, "Flatten"),
        (AddKind.Attribute, LayerKindId.Add, "Add"),
        (LayerNormKind.Attribute, LayerKindId.LayerNorm, "LayerNorm"),
    };

    /// <summary>The kind an attribute declares (by full name, so a user's own attribute of the same short name is not taken for it).</summary>
    public static LayerKindId? KindOf(AttributeData a)
    {
        string? name = a.AttributeClass?.ToDisplayString();
        foreach (var row in Table)
            if (row.Attribute == name) return row.Kind;
        return null;
    }

    public static bool IsLayerAttribute(AttributeData a) => KindOf(a) is not null;

    public static string ShortName(LayerKindId kind) => Table.First(r => r.Kind == kind).ShortName;

    /// <summary>The declared property type of a kind, as C# text.</summary>
    public static string HandleType(LayerKindId kind) => kind switch
    {
        LayerKindId.Dense => "global::" + DenseKind.PropertyType,
        LayerKindId.Conv2D => "global::" + Conv2DKind.PropertyType,
        _ => "global::" + LayerType,
    };

    /// <summary>
    /// Parses one layer of a spatial or width-less model (Dense included): checks the member (NTK1008, NTK1012, NTK1035,
    /// NTK1036; <paramref name="memberOk"/> false after one) and reads the attribute's arguments either way, so a layer
    /// whose property is wrong still takes its place in the shape pass and the errors of the other layers are reported too.
    /// </summary>
    public static SpatialLayerSpec Parse(LayerParseContext ctx, LayerKindId kind, ISymbol member, AttributeData a, out bool memberOk)
    {
        memberOk = ctx.CheckMember(member, ShortName(kind), kind switch
        {
            LayerKindId.Dense => DenseKind.PropertyType,
            LayerKindId.Conv2D => Conv2DKind.PropertyType,
            _ => LayerType,
        }, a);
        return ParseArguments(ctx, kind, member, a);
    }

    private static SpatialLayerSpec ParseArguments(LayerParseContext ctx, LayerKindId kind, ISymbol member, AttributeData a) => kind switch
    {
        LayerKindId.Dense => DenseKind.ParseSpatial(ctx, member, a),
        LayerKindId.Conv2D => Conv2DKind.Parse(ctx, member, a),
        LayerKindId.AvgPool2D => AvgPool2DKind.Parse(ctx, member, a),
        LayerKindId.GlobalAvgPool => GlobalAvgPoolKind.Parse(ctx, member, a),
        LayerKindId.Flatten => FlattenKind.Parse(ctx, member, a),
        LayerKindId.Add => AddKind.Parse(ctx, member, a),
        _ => LayerNormKind.Parse(ctx, member, a),
    };

    /// <summary>
    /// Runs every kind's shape rule in order from the input shape, filling each layer's Input and Output; reports the
    /// shape diagnostics, NTK1044 for a layer whose output holds more than int.MaxValue values, and, last, NTK1037 when
    /// the model does not end with a Dense layer. After an error the pass goes on with the part of the shape that stays
    /// certain (see <see cref="SpatialLayerRules"/>), so every independent error is reported once, each at its own
    /// argument, and none that follows only from another. True when all fit.
    /// </summary>
    public static bool CheckShapes(LayerParseContext ctx, ShapeSpec input, List<ParsedLayer> layers, string model)
    {
        int reported = ctx.Diagnostics.Count;
        bool ok = true;
        var current = input;
        for (int i = 0; i < layers.Count; i++)
        {
            var p = layers[i];
            var before = layers.Take(i).ToList();
            ShapeSpec output = p.Spec.Kind switch
            {
                LayerKindId.Dense => DenseKind.Apply(ctx, p, current, before),
                LayerKindId.Conv2D => Conv2DKind.Apply(ctx, p, current, before),
                LayerKindId.AvgPool2D => AvgPool2DKind.Apply(ctx, p, current, before),
                LayerKindId.GlobalAvgPool => GlobalAvgPoolKind.Apply(ctx, p, current, before),
                LayerKindId.Flatten => FlattenKind.Apply(ctx, p, current, before),
                LayerKindId.Add => AddKind.Apply(ctx, p, current, layers, i, model),
                _ => LayerNormKind.Apply(current),
            };
            // Reported on the layer that makes the tensor too large, not on the ones that keep it (Add, LayerNorm).
            if (output.Size > int.MaxValue && current.Size <= int.MaxValue)
                ctx.Report(Diagnostics.Descriptors.LayerOutputTooLarge, ctx.Attribute(p.Attribute), p.Spec.Name, ShortName(p.Spec.Kind),
                    SpatialLayerRules.Text(output), LayerParseContext.Text(output.Size), Shrink(p.Spec, current, output));
            if (p.ArgumentErrors || output.Height == 0 || output.Width == 0 || output.Channels == 0) ok = false;
            p.Spec = p.Spec with { Input = current, Output = output };
            current = output;
        }
        if (layers.Count > 0 && layers[layers.Count - 1].Spec.Kind != LayerKindId.Dense)
        {
            var last = layers[layers.Count - 1];
            string fix = last.Spec.Kind is LayerKindId.Flatten or LayerKindId.GlobalAvgPool
                ? "add a [Dense(outputs)] readout layer after it"
                : last.Spec.Output.Flat
                    ? "end the model with a [Dense(outputs)] readout layer"
                    : "end the model with [Flatten] or [GlobalAvgPool] and a [Dense(outputs)] readout layer";
            ctx.Report(Diagnostics.Descriptors.LastLayerNotDense, ctx.Attribute(last.Attribute), model, last.Spec.Name, ShortName(last.Spec.Kind), fix);
        }
        return ok && ctx.Diagnostics.Count == reported;
    }

    /// <summary>What to change when a layer's output holds more than int.MaxValue values (NTK1044's fix, with numbers).</summary>
    private static string Shrink(SpatialLayerSpec l, ShapeSpec input, ShapeSpec output)
    {
        long pixels = (long)output.Height * output.Width;
        string downsample = "downsample before it (a Stride or an [AvgPool2D] on its " + SpatialLayerRules.Text(input) + " input)";
        return l.Kind == LayerKindId.Conv2D && pixels <= int.MaxValue
            ? "declare at most " + (int.MaxValue / pixels).ToString(System.Globalization.CultureInfo.InvariantCulture) + " channels (it has "
                + pixels.ToString(System.Globalization.CultureInfo.InvariantCulture) + " output pixels), or " + downsample
            : downsample;
    }

    /// <summary>Parameters of one layer (0 for the parameter-free kinds).</summary>
    public static long ParameterCount(SpatialLayerSpec l) => l.Kind switch
    {
        LayerKindId.Dense => DenseKind.ParameterCount(l.Input.Size, l.Trainable!),
        LayerKindId.Conv2D => Conv2DKind.ParameterCount(l),
        _ => 0,
    };

    /// <summary>The run-time LayerSpec construction expression of a layer (<paramref name="activation"/>: its LayerActivation, for Dense and Conv2D).</summary>
    public static string SpecExpression(SpatialLayerSpec l, string activation) => l.Kind switch
    {
        LayerKindId.Dense => DenseKind.SpecExpression(l.Trainable!, activation),
        LayerKindId.Conv2D => Conv2DKind.SpecExpression(l, activation),
        LayerKindId.AvgPool2D => AvgPool2DKind.SpecExpression(l),
        LayerKindId.GlobalAvgPool => GlobalAvgPoolKind.SpecExpression(l),
        LayerKindId.Flatten => FlattenKind.SpecExpression(l),
        LayerKindId.Add => AddKind.SpecExpression(l),
        _ => LayerNormKind.SpecExpression(l),
    };

    /// <summary>One line describing the layer, for comments and docs.</summary>
    public static string Describe(SpatialLayerSpec l) => l.Kind switch
    {
        LayerKindId.Dense => DenseKind.Describe(l),
        LayerKindId.Conv2D => Conv2DKind.Describe(l),
        LayerKindId.AvgPool2D => AvgPool2DKind.Describe(l),
        LayerKindId.GlobalAvgPool => GlobalAvgPoolKind.Describe(l),
        LayerKindId.Flatten => FlattenKind.Describe(l),
        LayerKindId.Add => AddKind.Describe(l),
        _ => LayerNormKind.Describe(l),
    };
}
