using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Emit;
using NtkDsl.Generators.Model;
using NtkDsl.Generators.Parsing;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The Dense layer kind: <c>[Dense(width, activation)]</c> on a <c>partial DenseLayer</c> property. Its parsing rules
/// and diagnostics (NTK1003, and through <see cref="ActivationRules"/> the activation ones), its shape rule (flat in,
/// flat out), and what it emits: in a Dense model (declared with <c>Inputs</c>) the per-layer forward, JVP, VJP and
/// infinite-width steps; in a spatial model its <c>DenseSpec</c>.
/// </summary>
internal static class DenseKind
{
    public const string Attribute = "NtkDsl.DenseAttribute";
    public const string PropertyType = "NtkDsl.DenseLayer";

    // ---- Parsing -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads one [Dense] property: its arguments always (so the layer's width is known to the shapes and parameter count
    /// after it); <paramref name="memberOk"/> is false (with NTK1008/NTK1012 reported) when the member cannot be a layer.
    /// </summary>
    public static LayerSpec Parse(LayerParseContext ctx, ISymbol member, AttributeData dense, out bool memberOk)
    {
        memberOk = ctx.CheckMember(member, "Dense", PropertyType, dense);
        return ParseArguments(ctx, member, dense);
    }

    /// <summary>Reads the [Dense] attribute's arguments (the member is checked by the caller).</summary>
    public static LayerSpec ParseArguments(LayerParseContext ctx, ISymbol member, AttributeData dense)
    {
        int width = LayerParseContext.IntArgument(dense, 0);
        if (width <= 0)
            ctx.Report(Descriptors.NonPositiveWidth, ctx.Argument(dense, null, 0), member.Name, LayerParseContext.Text(width));
        var (weightStd, biasStd, useBias) = ActivationRules.ReadScales(ctx, member, dense);
        var (activation, slope, custom) = ActivationRules.Read(ctx, member, dense, 1);
        return new LayerSpec(member.Name, StubBuilder.Modifiers(member, ctx.Ct), width, activation, weightStd, biasStd, useBias, slope, custom);
    }

    /// <summary>Parameters of a Dense layer on <paramref name="fanIn"/> inputs.</summary>
    public static long ParameterCount(long fanIn, LayerSpec layer) => fanIn * layer.Width + (layer.UseBias ? layer.Width : 0);

    // ---- Spatial models ----------------------------------------------------------------------------------------

    /// <summary>Reads a [Dense] property of a spatial model.</summary>
    public static SpatialLayerSpec ParseSpatial(LayerParseContext ctx, ISymbol member, AttributeData dense)
    {
        var l = ParseArguments(ctx, member, dense);
        return new SpatialLayerSpec(LayerKindId.Dense, l.Name, l.Modifiers, l, 0, 0, PaddingKind.Same, null, 0, SpatialLayerRules.Unknown, SpatialLayerRules.Unknown);
    }

    /// <summary>
    /// Shape rule in a spatial model: a flat input (after Flatten/GlobalAvgPool/Dense) or a 1×1 image; on an image with
    /// H·W &gt; 1 (certain: a known side longer than 1), NTK1032 at the attribute. Output: <c>units</c> features (also
    /// after NTK1032, since that does not depend on the fix; unknown when the width itself is invalid).
    /// </summary>
    public static ShapeSpec Apply(LayerParseContext ctx, ParsedLayer p, ShapeSpec input, System.Collections.Generic.IReadOnlyList<ParsedLayer> before)
    {
        int units = p.Spec.Trainable!.Width;
        var output = units < 1 || p.ArgumentErrors ? SpatialLayerRules.UnknownFlat : new ShapeSpec(1, 1, units, true);
        if (!input.Flat && (input.Height > 1 || input.Width > 1))
        {
            string previous = before.Count == 0 ? "the input" : before[before.Count - 1].Spec.Name;
            string flattened = input.Height > 0 && input.Width > 0 && input.Channels > 0 ? LayerParseContext.Text(input.Size) : "?";
            string pooled = input.Channels > 0 ? LayerParseContext.Text(input.Channels) : "?";
            ctx.Report(Descriptors.DenseAfterSpatial, ctx.Attribute(p.Attribute), p.Spec.Name, previous, SpatialLayerRules.Text(input), flattened, pooled);
        }
        return output;
    }

    public static string Describe(SpatialLayerSpec l) =>
        "Dense " + (l.Input.Size == 0 ? "d" : l.Input.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)) + " → " + l.Trainable!.Width + ", " + ActivationEmitter.DisplayName(l.Trainable) + (l.Trainable.UseBias ? "" : ", no bias");

    /// <summary>The <c>DenseSpec</c> of a spatial model's Dense layer (<paramref name="activation"/>: its LayerActivation expression).</summary>
    public static string SpecExpression(LayerSpec l, string activation) =>
        "new global::NtkDsl.Layers.DenseSpec(" + Str(l.Name) + ", " + Int(l.Width) + ", " + activation + ", " + Num(l.WeightStd) + ", " + Num(l.BiasStd) + ", " + Bool(l.UseBias) + ")";

    // ---- Dense models (Inputs = d): the per-layer pieces of the generated methods ----------------------------

    /// <summary>The layer's <c>LayerInfo</c> entry in <c>Info</c>.</summary>
    public static string InfoEntry(LayerPlan l) =>
        "new(" + Str(l.Name) + ", \"Dense\", " + Int(l.FanIn) + ", " + Int(l.Width) + ", global::NtkDsl.Activation." + l.Spec.Activation + ", "
        + Str(ActivationEmitter.DisplayName(l.Spec)) + ", " + Num(l.Spec.WeightStd) + ", " + Num(l.Spec.BiasStd) + ", " + Bool(l.Spec.UseBias) + ", "
        + Int(l.WeightOffset) + ", " + Int(l.BiasOffset) + "),";

    /// <summary>The parameter arrays and the DenseLayer handle.</summary>
    public static void EmitFields(SourceWriter w, EmitContext c, LayerPlan l)
    {
        w.Line("// " + l.Name + ": Dense " + l.FanIn + " → " + l.Width + ", " + ActivationEmitter.DisplayName(l.Spec)
            + (l.Spec.UseBias ? "" : ", no bias") + "; h = " + Num(l.WeightScale) + "·W·a" + (l.Spec.UseBias ? " + " + Num(l.BiasScale) + "·b" : ""));
        w.Line("private readonly " + c.S + "[] " + l.W + ";");
        if (l.Spec.UseBias) w.Line("private readonly " + c.S + "[] " + l.B + ";");
        w.Line("private readonly global::NtkDsl.DenseLayer " + l.Field + ";");
    }

    /// <summary>Constructor: draw the parameters (from <c>sampler</c>) and wrap them in the layer handle.</summary>
    public static void EmitInitialization(SourceWriter w, EmitContext c, LayerPlan l)
    {
        w.Line(l.W + " = new " + c.S + "[" + Int(l.WeightCount) + "];");
        w.Line("sampler.FillNormal(" + l.W + ", " + Num(l.WeightInitStd) + ");");
        if (l.Spec.UseBias)
        {
            w.Line(l.B + " = new " + c.S + "[" + Int(l.Width) + "];");
            w.Line("sampler.FillNormal(" + l.B + ", " + Num(l.BiasInitStd) + ");");
        }
        w.Line(l.Field + " = new global::NtkDsl.DenseLayer(Info.Layers[" + l.Index + "], " + ModelEmitter.Tensor + ".Wrap(" + l.W + ", " + Int(l.Width) + ", " + Int(l.FanIn) + "), "
            + (l.Spec.UseBias ? ModelEmitter.Tensor + ".Wrap(" + l.B + ", " + Int(l.Width) + ")" : "null") + ");");
    }

    /// <summary>Forward step: h = cW·W·a + cB·b, then a = φ(h) (and φ'(h) when asked) into <c>acts</c>/<c>ders</c>.</summary>
    public static void EmitForward(SourceWriter w, EmitContext c, LayerPlan l)
    {
        string input = l.Index == 0 ? "x" : "acts[" + (l.Index - 1) + "]";
        w.Open("");
        w.Line("// " + l.Name + ": Dense " + l.FanIn + " → " + l.Width + ", " + ActivationEmitter.DisplayName(l.Spec));
        w.Line("var h = " + c.Ops + ".Affine(" + input + ", rows, " + l.FanIn + ", " + l.W + ", " + (l.Spec.UseBias ? l.B : "default") + ", " + l.Width + ", "
            + Num(l.WeightScale) + ", " + Num(l.BiasScale) + ", " + LayerName(c, l) + ");");
        if (l.IsIdentity)
        {
            w.Line("acts[" + l.Index + "] = h;");
            w.Open("if (ders is not null)");
            w.Line("var d = new " + c.S + "[h.Length];");
            w.Line("global::System.Array.Fill(d, " + (c.Single ? "1f" : "1.0") + ");");
            w.Line("ders[" + l.Index + "] = d;");
            w.Close();
        }
        else
        {
            w.Line("var a = new " + c.S + "[h.Length];");
            w.Line("var d = ders is not null ? new " + c.S + "[h.Length] : null;");
            w.Open("for (int i = 0; i < h.Length; i++)");
            w.Line("double z = h[i];");
            w.Line("a[i] = " + c.Cast(l.Phi + "(z)") + ";");
            w.Line("if (d is not null) d[i] = " + c.Cast(l.DPhi + "(z)") + ";");
            w.Close();
            w.Line("acts[" + l.Index + "] = a;");
            w.Line("if (ders is not null) ders[" + l.Index + "] = d!;");
        }
        w.Close();
    }

    /// <summary>JVP step: ḣ = cW·(Ẇ·a + W·ȧ) + cB·ḃ, ȧ = φ'(h) ⊙ ḣ (tangent slices of the layer's parameters).</summary>
    public static void EmitJvp(SourceWriter w, EmitContext c, LayerPlan l)
    {
        string input = l.Index == 0 ? "xs" : "acts[" + (l.Index - 1) + "]";
        w.Open("");
        w.Line("// " + l.Name + ": ḣ = cW·(Ẇ·a + W·ȧ) + cB·ḃ, ȧ = φ'(h) ⊙ ḣ");
        w.Line("var hdot = " + c.Ops + ".Affine(" + input + ", rows, " + l.FanIn + ", tv.Slice(" + Int(l.WeightOffset) + ", " + Int(l.WeightCount) + "), "
            + (l.Spec.UseBias ? "tv.Slice(" + Int(l.BiasOffset) + ", " + l.Width + ")" : "default") + ", " + l.Width + ", " + Num(l.WeightScale) + ", " + Num(l.BiasScale) + ", " + LayerName(c, l) + ");");
        if (l.Index > 0) w.Line("if (dot is not null) " + c.Ops + ".AddTimesTransposed(dot, rows, " + l.FanIn + ", " + l.W + ", " + l.Width + ", " + Num(l.WeightScale) + ", hdot, " + LayerName(c, l) + ");");
        if (!l.IsIdentity) w.Line(c.Ops + ".MultiplyInPlace(hdot, ders![" + l.Index + "], " + LayerName(c, l) + ");");
        w.Line("dot = hdot;");
        w.Close();
    }

    /// <summary>VJP step: the layer's weight and bias gradients from <c>delta</c>, then <c>delta</c> through W and the previous φ'.</summary>
    public static void EmitVjp(SourceWriter w, EmitContext c, LayerPlan l, LayerPlan? previous)
    {
        string input = l.Index == 0 ? "xs" : "acts[" + (l.Index - 1) + "]";
        w.Line("// " + l.Name);
        w.Line(c.Ops + ".AccumulateWeightGradient(delta, rows, " + l.Width + ", " + input + ", " + l.FanIn + ", " + Num(l.WeightScale) + ", grad.AsSpan(" + Int(l.WeightOffset) + ", " + Int(l.WeightCount) + "), " + LayerName(c, l) + ");");
        if (l.Spec.UseBias) w.Line(c.Ops + ".AccumulateBiasGradient(delta, rows, " + l.Width + ", " + Num(l.BiasScale) + ", grad.AsSpan(" + Int(l.BiasOffset) + ", " + l.Width + "));");
        if (previous is not null)
        {
            w.Line("delta = " + c.Ops + ".BackwardInput(delta, rows, " + l.Width + ", " + l.W + ", " + l.FanIn + ", " + Num(l.WeightScale) + ", " + LayerName(c, l) + ");");
            if (!previous.IsIdentity) w.Line(c.Ops + ".MultiplyInPlace(delta, ders![" + previous.Index + "], " + LayerName(c, previous) + ");");
        }
    }

    /// <summary>The "Model.Layer" string literal that names the layer in the run time's NonFiniteResultException messages.</summary>
    private static string LayerName(EmitContext c, LayerPlan l) => Str(c.Name + "." + l.Name);

    /// <summary>NTK features: the layer's scaled input (the xxᵀ factor of δδᵀ ⊙ xxᵀ, math.md §2).</summary>
    public static void EmitFeatureInput(SourceWriter w, LayerPlan l)
    {
        string input = l.Index == 0 ? "x" : "acts[" + (l.Index - 1) + "]";
        w.Line("global::NtkDsl.Kernels.FeatureOps.ScaleInto(" + input + ", " + Num(l.WeightScale) + ", layers[" + l.Index + "].Inputs.AsSpan(row0 * " + l.FanIn + ", rows * " + l.FanIn + "));");
    }

    /// <summary>
    /// Infinite-width step of one layer for one pair (math.md §3): the dual of the previous activation (by
    /// <paramref name="dual"/>), then K ← σ_w²·K̃ + σ_b², Θ ← Σ own-parameter terms + σ_w²·Ṫ·Θ.
    /// </summary>
    public static void EmitAnalyticPair(SourceWriter w, LayerPlan l, LayerPlan? previous, bool standard, string? dual)
    {
        string sw2 = Num(l.Spec.WeightStd * l.Spec.WeightStd), sb2 = Num(l.Spec.BiasStd * l.Spec.BiasStd);
        w.Line("// " + l.Name + (previous is null ? ": K = σ_w²·x·x'/d + σ_b², Θ from the layer's own parameters" : ": dual of " + previous.Name + ", then the affine step"));
        if (dual is not null) w.Line(dual);
        string direct = standard ? Num(l.FanIn) : sw2;
        string biasTerm = l.Spec.UseBias ? " + gw[" + l.BiasGroup + "] * " + (standard ? "1.0" : sb2) : "";
        string back = previous is null ? "" : " + " + sw2 + " * td * ntk";
        w.Line("ntk = gw[" + l.WeightGroup + "] * " + direct + " * kt" + biasTerm + back + ";");
        w.Line("nngp = " + sw2 + " * kt" + (l.Spec.UseBias ? " + " + sb2 : "") + ";");
    }

    /// <summary>
    /// Infinite-width diagonal step: q ← σ_w²·K̃(q) + σ_b² (K̃ computed by the previous layer's dual into <c>kt</c>);
    /// an overflowed q throws (AnalyticOps.ThrowVarianceOverflow, naming the layer) before it reaches the next dual.
    /// </summary>
    public static void EmitAnalyticDiagonal(SourceWriter w, LayerPlan l, string? previousDual)
    {
        if (previousDual is not null) w.Line(previousDual);
        w.Line("q = " + Num(l.Spec.WeightStd * l.Spec.WeightStd) + " * " + (previousDual is null ? "q" : "kt") + (l.Spec.UseBias ? " + " + Num(l.Spec.BiasStd * l.Spec.BiasStd) : "") + ";");
        w.Line("chain[" + l.Index + "][i] = q;");
        w.Line("if (!double.IsFinite(q)) global::NtkDsl.Kernels.AnalyticOps.ThrowVarianceOverflow(Info, " + l.Index + ", i, q);");
    }
}
