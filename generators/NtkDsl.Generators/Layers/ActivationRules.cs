using Microsoft.CodeAnalysis;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;
using NtkDsl.Generators.Parsing;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The activation arguments shared by the layer kinds that have one (Dense, Conv2D): the positional activation, and
/// the named LeakySlope, ActivationMethod (custom activations) and the ClosedFormOnly check, with their diagnostics
/// (NTK1006/1007/1010/1011/1013/1014/1016/1026).
/// </summary>
internal static class ActivationRules
{
    /// <summary>The activation, its slope and custom method of one layer attribute; <paramref name="position"/> is the activation's positional index.</summary>
    public static (ActivationKind Activation, double Slope, CustomActivationSpec? Custom) Read(LayerParseContext ctx, ISymbol member, AttributeData attribute, int position)
    {
        var memberLocation = LocationInfo.From(System.Linq.Enumerable.FirstOrDefault(member.Locations));
        var activation = ActivationKind.Identity;
        if (attribute.ConstructorArguments.Length > position)
            activation = (ActivationKind)ModelParser.CheckEnum(attribute.ConstructorArguments[position], (int)ActivationKind.Custom, "Activation of layer " + member.Name,
                ctx.Argument(attribute, null, position), ctx.Diagnostics);

        double slope = 0.01;
        string? methodName = null;
        LocationInfo? methodArgLocation = null, slopeLocation = null;
        foreach (var arg in attribute.NamedArguments)
        {
            var loc = ctx.Argument(attribute, arg.Key, -1);
            switch (arg.Key)
            {
                case "LeakySlope":
                    slope = arg.Value.Value is double s ? s : 0.01;
                    slopeLocation = loc;
                    if (double.IsNaN(slope) || double.IsInfinity(slope))
                        ctx.Report(Descriptors.InvalidLeakySlope, loc, member.Name, LayerParseContext.Text(slope));
                    break;
                case "ActivationMethod": methodName = arg.Value.Value as string; methodArgLocation = loc; break;
            }
        }

        CustomActivationSpec? custom = null;
        if (activation == ActivationKind.Custom)
            custom = CustomActivationReader.Read(ctx.Model, member.Name, methodName, methodArgLocation ?? ctx.Attribute(attribute), ctx.Compilation, ctx.Diagnostics, ctx.Ct);
        else if (methodName is not null)
            ctx.Report(Descriptors.ActivationMethodIgnored, methodArgLocation, member.Name, activation.ToString());

        // Only LeakyRelu reads the slope: on any other activation it would be silently ignored (a ReLU meant as leaky).
        if (slopeLocation is not null && activation != ActivationKind.LeakyRelu)
            ctx.Report(Descriptors.LeakySlopeIgnored, slopeLocation, member.Name, activation.ToString());

        if (ctx.Analytic == AnalyticKernelsKind.ClosedFormOnly && !ModelParser.HasClosedForm(activation))
            ctx.Report(Descriptors.NoClosedForm, ctx.Argument(attribute, null, position) ?? memberLocation, member.Name,
                activation == ActivationKind.Custom ? "a custom activation" : "Activation." + activation);
        return (activation, slope, custom);
    }

    /// <summary>σ_w, σ_b (model defaults unless set; NTK1005 for a bad value) and UseBias of one layer attribute.</summary>
    public static (double WeightStd, double BiasStd, bool UseBias) ReadScales(LayerParseContext ctx, ISymbol member, AttributeData attribute)
    {
        double weightStd = ctx.WeightStd, biasStd = ctx.BiasStd;
        bool useBias = true;
        foreach (var arg in attribute.NamedArguments)
        {
            var loc = ctx.Argument(attribute, arg.Key, -1);
            switch (arg.Key)
            {
                // NaN is the attribute's default ("the model's value"), but a NaN the user wrote is an error, not a silent default.
                case "WeightStd": weightStd = ModelParser.CheckStd(arg.Value, "WeightStd", "layer " + member.Name, loc, ctx.Diagnostics); break;
                case "BiasStd": biasStd = ModelParser.CheckStd(arg.Value, "BiasStd", "layer " + member.Name, loc, ctx.Diagnostics); break;
                case "UseBias": useBias = arg.Value.Value is bool b && b; break;
            }
        }
        return (weightStd, biasStd, useBias);
    }
}
