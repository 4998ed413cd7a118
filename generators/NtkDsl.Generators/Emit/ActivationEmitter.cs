using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Emit;

/// <summary>C# bodies of each activation φ and its derivative φ' (the variable is <c>z</c>, a double).</summary>
internal static class ActivationEmitter
{
    private const string M = "global::System.Math";
    private const string S = "global::NtkDsl.Kernels.Special";

    /// <summary>Expression-bodied value and derivative.</summary>
    public static (string Value, string Derivative) Bodies(LayerSpec layer)
    {
        string slope = SourceWriter.Num(layer.LeakySlope);
        return layer.Activation switch
        {
            ActivationKind.Identity => ("z", "1.0"),
            ActivationKind.Relu => ("z > 0.0 ? z : 0.0", "z > 0.0 ? 1.0 : 0.0"),
            ActivationKind.LeakyRelu => ($"z > 0.0 ? z : {slope} * z", $"z > 0.0 ? 1.0 : {slope}"),
            ActivationKind.Abs => ($"{M}.Abs(z)", $"{M}.Sign(z)"),
            ActivationKind.Erf => ($"{S}.Erf(z)", $"{S}.TwoOverSqrtPi * {M}.Exp(-z * z)"),
            ActivationKind.Tanh => ($"{M}.Tanh(z)", $"{S}.TanhDerivative(z)"),
            ActivationKind.Sigmoid => ($"{S}.Sigmoid(z)", $"{S}.SigmoidDerivative(z)"),
            ActivationKind.Gelu => ($"z * {S}.NormalCdf(z)", $"{S}.NormalCdf(z) + z * {S}.NormalPdf(z)"),
            ActivationKind.Softplus => ($"{S}.Softplus(z)", $"{S}.Sigmoid(z)"),
            ActivationKind.Sin => ($"{M}.Sin(z)", $"{M}.Cos(z)"),
            ActivationKind.Custom => (layer.Custom!.ValueExpression, layer.Custom!.DerivativeExpression),
            _ => ("z", "1.0"),
        };
    }

    /// <summary>Human-readable activation name for <c>LayerInfo.ActivationName</c>.</summary>
    public static string DisplayName(LayerSpec layer) => layer.Activation switch
    {
        ActivationKind.Custom => layer.Custom?.MethodName ?? "Custom",
        ActivationKind.LeakyRelu => "LeakyRelu(" + SourceWriter.Num(layer.LeakySlope) + ")",
        _ => layer.Activation.ToString(),
    };
}
