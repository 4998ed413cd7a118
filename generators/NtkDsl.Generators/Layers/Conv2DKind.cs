using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Model;
using NtkDsl.Generators.Parsing;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The Conv2D layer kind: <c>[Conv2D(channels, kernelSize, activation)]</c> on a <c>partial ConvLayer</c> property
/// (Stride, Padding, UseBias, WeightStd, BiasStd, LeakySlope, ActivationMethod named). Parsing and diagnostics
/// (NTK1031 channels/kernel/stride, the activation ones), shape rule (an image in; NTK1029 on a flat input, NTK1030 for
/// a window larger than the padded image; out ⌈n/s⌉ or ⌊(n − k)/s⌋ + 1 pixels per side, <c>channels</c> channels),
/// parameters (channels·k·k·C_in weights, channels biases) and its <c>Conv2DSpec</c>.
/// </summary>
internal static class Conv2DKind
{
    public const string Attribute = "NtkDsl.Conv2DAttribute";
    public const string PropertyType = "NtkDsl.ConvLayer";

    /// <summary>Reads the attribute's arguments (the member itself is checked by <see cref="LayerKinds.Parse"/>).</summary>
    public static SpatialLayerSpec Parse(LayerParseContext ctx, ISymbol member, AttributeData a)
    {
        int channels = LayerParseContext.IntArgument(a, 0), kernel = LayerParseContext.IntArgument(a, 1);
        int stride = SpatialLayerRules.ReadInt(a, "Stride", 1);
        SpatialLayerRules.Positive(ctx, member, a, "channels", channels, null, 0, "declare at least 1 output channel");
        SpatialLayerRules.Positive(ctx, member, a, "kernel size", kernel, null, 1, "use a kernel of at least 1×1 (3 is usual)");
        SpatialLayerRules.Positive(ctx, member, a, "Stride", stride, "Stride", -1, "use Stride = 1 (every pixel, the default) or more");
        var padding = SpatialLayerRules.ReadPadding(ctx, member, a, PaddingKind.Same);
        var (weightStd, biasStd, useBias) = ActivationRules.ReadScales(ctx, member, a);
        var (activation, slope, custom) = ActivationRules.Read(ctx, member, a, 2);
        var trainable = new LayerSpec(member.Name, StubBuilder.Modifiers(member, ctx.Ct), channels, activation, weightStd, biasStd, useBias, slope, custom);
        return new SpatialLayerSpec(LayerKindId.Conv2D, member.Name, trainable.Modifiers, trainable, kernel, stride, padding, null, 0,
            SpatialLayerRules.Unknown, SpatialLayerRules.Unknown);
    }

    /// <summary>
    /// The output shape (channels as declared; height and width unknown after an error on this layer's own arguments,
    /// on a flat input (NTK1029), or along an axis the window does not fit (NTK1030)).
    /// </summary>
    public static ShapeSpec Apply(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, System.Collections.Generic.IReadOnlyList<ParsedLayer> before)
    {
        var s = p.Spec;
        int channels = s.Trainable!.Width;
        if (p.ArgumentErrors || channels < 1 || s.Kernel < 1 || s.Stride < 1) return SpatialLayerRules.UnknownImage(channels);
        if (!SpatialLayerRules.RequireImage(ctx, p, "Conv2D", input, before)) return SpatialLayerRules.UnknownImage(channels);
        var (height, width) = SpatialLayerRules.Window(ctx, p, input, s.Kernel, s.Stride, s.Padding, 1);
        return new ShapeSpec(height, width, channels, false);
    }

    /// <summary>Weights channels·k·k·C_in plus one bias per channel.</summary>
    public static long ParameterCount(SpatialLayerSpec l) =>
        (long)l.Trainable!.Width * l.Kernel * l.Kernel * l.Input.Channels + (l.Trainable.UseBias ? l.Trainable.Width : 0);

    public static string SpecExpression(SpatialLayerSpec l, string activation) =>
        "new global::NtkDsl.Layers.Conv2DSpec(" + Str(l.Name) + ", " + Int(l.Trainable!.Width) + ", " + Int(l.Kernel) + ", " + Int(l.Stride) + ", global::NtkDsl.Padding." + l.Padding
        + ", " + activation + ", " + Num(l.Trainable.WeightStd) + ", " + Num(l.Trainable.BiasStd) + ", " + Bool(l.Trainable.UseBias) + ")";

    public static string Describe(SpatialLayerSpec l)
    {
        var t = l.Trainable!;
        return "Conv2D " + l.Kernel + "×" + l.Kernel + ", stride " + l.Stride + ", " + l.Padding + ", " + l.Input + " → " + l.Output
            + ", " + Emit.ActivationEmitter.DisplayName(t) + (t.UseBias ? "" : ", no bias");
    }
}
