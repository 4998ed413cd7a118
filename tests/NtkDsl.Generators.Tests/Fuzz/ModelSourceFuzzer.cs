using System.Text;

namespace NtkDsl.Generators.Tests.Fuzz;

/// <summary>
/// Random [NtkModel] declarations from a fixed seed: valid and invalid arguments, names that collide with generated
/// members, keywords, case variants, modifiers, custom activations, base classes, containers, call sites for the
/// analyzers, and character-level mutations of all of these. Every source declares its model in namespace
/// <c>F{index}</c> (or the global namespace when <see cref="Case.Global"/>) so that one compilation can hold many.
/// </summary>
internal sealed class ModelSourceFuzzer(int seed)
{
    private readonly Random _r = new(seed);
    private bool _extra;

    public sealed record Case(int Index, string Source, bool Global, bool Mutated, bool ExtraModel);

    private static readonly string[] ClassNames =
    [
        "M", "M", "M", "Mlp", "MLP", "Net", "@class", "@event", "@var", "Ntk", "Info", "Device", "Forward", "Cost", "Clone", "Linearize",
        "Model", "_", "__ntkX", "Tensor", "NtkDsl", "Math", "Dense", "value", "Café", "Layer", "INtkModel", "x", "Load",
    ];

    private static readonly string[] LayerNames =
    [
        "A", "B", "Hidden", "Out", "Readout", "Abc", "abc", "_", "@class", "@int", "Clone", "Forward", "Info", "Linearize", "Jvp",
        "__ntkLayer0", "x", "value", "rows", "h", "d", "copy", "model", "sampler", "values", "Math", "System", "global", "Dense",
        "DenseLayer", "Tensor", "Device2", "q", "kt", "td", "i", "j", "nngp", "ntk", "c", "chain", "gw",
    ];

    private static readonly string[] Activations =
        ["Identity", "Relu", "LeakyRelu", "Abs", "Erf", "Tanh", "Sigmoid", "Gelu", "Softplus", "Sin", "Custom", "Custom", "Tahn", "(Activation)42"];

    private static readonly string[] Stds = ["1.0", "0.5", "2", "0.0", "double.NaN", "-1.0", "double.PositiveInfinity", "1e-300", "1.5f"];

    private static readonly string[] PropertyModifiers =
    [
        "public", "public", "public", "public", "", "", "internal", "protected", "private", "protected internal", "private protected",
        "public virtual", "public new", "public unsafe", "public static", "internal virtual",
    ];

    private static readonly string[] MutationTokens =
        ["partial", "static", "@", "[Dense(2)]", "public", ";", "}", "{", "<T>", "file", "record", "(", ")", "\"", "=", ",", "abstract", "[NtkModel]", "0", "-"];

    public IEnumerable<Case> Cases(int count)
    {
        for (int i = 0; i < count; i++)
        {
            bool global = Chance(0.04);
            _extra = false;
            _hostile = Chance(0.5);
            string source = Model(i, global);
            bool mutated = _hostile && Chance(0.4);
            if (mutated) source = Mutate(source);
            yield return new Case(i, source, global, mutated, _extra);
        }
    }

    private bool Chance(double p) => _r.NextDouble() < p;

    /// <summary>A chance of something invalid: zero for the half of the sources meant to be valid declarations.</summary>
    private bool Bad(double p) => _hostile && _r.NextDouble() < p;

    private bool _hostile;

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    private string Model(int index, bool global)
    {
        var sb = new StringBuilder();
        sb.Append("using System;\nusing NtkDsl;\n");
        string ns = "F" + index + (Chance(0.15) ? "." + Pick(new[] { "@event", "Inner", "@class.@int", "x", "Mlp" }) : "");
        bool fileScoped = !global && Chance(0.5);
        if (!global) sb.Append(fileScoped ? "namespace " + ns + ";\n" : "namespace " + ns + "\n{\n");

        string cls = !Bad(0.6) ? Pick(new[] { "M", "Net", "Mlp", "Regressor" }) : Pick(ClassNames);
        // Helper types (namespaced, so unique per source).
        if (!global)
            sb.Append("""
                public class FuzzBaseOk { }
                public class FuzzBaseNoCtor { public FuzzBaseNoCtor(int x) { } }
                public class FuzzBaseProtected { protected FuzzBaseProtected() { } }
                public class FuzzBaseClash { public virtual int Forward() => 0; }

                """);

        string? container = global || !Chance(0.15) ? null : Pick(_hostile ? new[]
        {
            "public partial class Outer", "internal static partial class Outer", "public partial struct Outer", "partial record Outer",
            "public partial interface IOuter", "public partial class @base", "file partial class Outer", "public class NotPartial",
            "public partial class Outer<T>", "public ref partial struct Outer", "public partial record struct Outer(int X)",
        } : new[] { "public partial class Outer", "internal static partial class Outer", "public partial struct Outer", "partial record Outer",
            "public partial class @base", "public ref partial struct Outer", "public partial record struct Outer(int X)" });
        if (container is not null) sb.Append(container).Append("\n{\n");

        string attribute = ModelAttribute();
        string classModifiers = !Bad(0.2) ? Pick(new[] { "public", "internal", "", "public sealed", "unsafe" }) : Pick(new[] { "public static", "public abstract", "file", "private" });
        if (container is null && classModifiers == "private") classModifiers = "";
        if (container is not null && classModifiers == "file") classModifiers = "public";
        string kind = Bad(0.05) ? "record" : Bad(0.02) ? "struct" : "class";
        string typeParameters = Bad(0.04) ? "<T>" : "";
        string primary = Bad(0.04) ? "(int q)" : "";
        string baseList = Chance(0.12) ? " : " + Pick(_hostile ? new[] { "FuzzBaseOk", "FuzzBaseNoCtor", "FuzzBaseProtected", "FuzzBaseClash", "INtkModel", "System.Exception" } : new[] { "FuzzBaseOk", "FuzzBaseProtected", "INtkModel" }) : "";
        if (global && baseList.Contains("Fuzz", StringComparison.Ordinal)) baseList = "";
        bool partial = !Bad(0.03);
        sb.Append(attribute).Append('\n').Append(classModifiers).Append(classModifiers.Length > 0 ? " " : "").Append(partial ? "partial " : "")
            .Append(kind).Append(' ').Append(cls).Append(typeParameters).Append(primary).Append(baseList).Append("\n{\n");

        int layers = _spatial ? 0 : Bad(0.05) ? 0 : 1 + _r.Next(4);
        var names = new List<string>();
        if (_spatial) sb.Append(SpatialLayers(names));
        for (int l = 0; l < layers; l++)
        {
            string name = !Bad(0.3) ? new[] { "Hidden", "Hidden2", "Hidden3", "Out" }[l == layers - 1 ? 3 : l] : Pick(LayerNames);
            names.Add(name);
            sb.Append("    ").Append(Layer(name)).Append('\n');
        }
        if (Bad(0.2)) sb.Append("    ").Append(Pick(new[]
        {
            "public int Forward() => 1;", "private static double __ntkPhi0(double z) => z;", "public int Rows => 1;",
            "public override string ToString() => \"m\";", "public required int R { get; init; }", "private int _hiddenLayer;",
            "public " + cls + "() { }", "public " + cls + "(int a, Device b) { }", "INtkModel INtkModel.Clone() => null!;",
            "public static double HiddenActivation(double x) => x;", "public double AnalyticPair;", "public int Save;",
        })).Append('\n');
        sb.Append("}\n");
        if (Chance(0.1) && cls is "Mlp" or "MLP" or "M" or "Net")
        {
            // A second model whose name differs only in case.
            string other = cls == "MLP" ? "Mlp" : cls == "M" ? "m" : cls.ToUpperInvariant();
            _extra = true;
            sb.Append("[NtkModel(Inputs = 2)] public partial class ").Append(other).Append(" { [Dense(1)] public partial DenseLayer Out { get; } }\n");
        }
        if (container is not null) sb.Append("}\n");
        if (!global && container is null && typeParameters.Length == 0 && Chance(0.15)) sb.Append(Uses(cls, names));
        if (!global && !fileScoped) sb.Append("}\n");
        return sb.ToString();
    }

    private string ModelAttribute()
    {
        var args = new List<string>();
        double p = _r.NextDouble();
        _spatial = Chance(0.3);
        if (_spatial)
        {
            _shape = [2 + _r.Next(7), 2 + _r.Next(7), 1 + _r.Next(3)];
            args.Add(!Bad(0.1) ? "InputShape = new[] { " + string.Join(", ", _shape) + " }"
                : Pick(new[] { "InputShape = new[] { 3, 3 }", "InputShape = new[] { 0, 3, 1 }", "InputShape = null", "Inputs = 3, InputShape = new[] { 2, 2, 1 }", "" }));
            if (Bad(0.05)) args.Add("Precision = Precision.Float32");
        }
        else args.Add(!_hostile ? "Inputs = " + (1 + _r.Next(4)) : p < 0.03 ? "Inputs = 0" : p < 0.05 ? "Inputs = -1" : p < 0.06 ? "Inputs = \"three\"" : p < 0.08 ? "" : "Inputs = " + (1 + _r.Next(4)));
        if (Chance(0.2)) args.Add("Parameterization = " + Pick(new[] { "Parameterization.Ntk", "Parameterization.Standard", _hostile ? "(Parameterization)5" : "Parameterization.Ntk" }));
        if (Chance(0.2)) args.Add("Precision = " + Pick(new[] { "Precision.Float64", "Precision.Float32" }));
        if (Chance(0.06)) args.Add("WeightStd = " + Std());
        if (Chance(0.06)) args.Add("BiasStd = " + Std());
        if (Chance(0.05)) args.Add("OutputScale = " + Pick(_hostile ? new[] { "0.0", "2.0", "double.NaN", "-1.0" } : new[] { "2.0", "-1.0" }));
        if (Chance(0.05)) args.Add("Centered = true");
        if (Bad(0.05)) args.Add("AnalyticKernels = AnalyticKernels.ClosedFormOnly");
        args.RemoveAll(a => a.Length == 0);
        return Bad(0.02) ? "[NtkModel]" : "[NtkModel(" + string.Join(", ", args) + ")]";
    }

    private string Layer(string name)
    {
        var args = new List<string>();
        double w = _r.NextDouble();
        args.Add(!_hostile ? (1 + _r.Next(5)).ToString(System.Globalization.CultureInfo.InvariantCulture) : w < 0.03 ? "0" : w < 0.04 ? "-2" : w < 0.045 ? "int.MaxValue" : (1 + _r.Next(5)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        string activation = Chance(0.7) ? (!Bad(0.2) ? Pick(Activations.Take(11).ToArray()) : Pick(Activations)) : "";
        if (activation.Length > 0) args.Add(activation.StartsWith('(') ? activation : "Activation." + activation);
        string method = "";
        if (activation == "Custom" || Bad(0.03))
        {
            string methodName = Pick(_hostile ? new[] { "F", "F", "F", name.TrimStart('@') + "Activation", "Swish", "__ntkPhi0", "@double", "Missing" } : new[] { "F", name.TrimStart('@') + "Activation", "Swish", "@double" });
            args.Add("ActivationMethod = " + (methodName == "Missing" ? "\"Missing\"" : "nameof(" + methodName + ")"));
            string signature = !_hostile ? Pick(new[] { "static double {0}(double x)", "private static double {0}(double x)", "static double {0}(in double x)" }) : Pick(new[]
            {
                "static double {0}(double x)", "static double {0}(double x)", "static double {0}(double x)", "private static double {0}(double x)",
                "static double {0}<T>(double x)", "static double {0}(ref double x)", "static double {0}(in double x)", "double {0}(double x)",
                "static float {0}(float x)",
            });
            string body = Pick(_hostile ? new[] { " => x * x;", " => Math.Tanh(x);", " => x / (1.0 + Math.Exp(-x));", " => Math.Floor(x);", " { return Math.Sin(x) * 2.0; }", " { var y = x; return y; }" }
                : new[] { " => x * x;", " => Math.Tanh(x);", " => x / (1.0 + Math.Exp(-x));", " { return Math.Sin(x) * 2.0; }" });
            if (methodName != "Missing") method = string.Format(System.Globalization.CultureInfo.InvariantCulture, signature, methodName) + body + " ";
        }
        if (Chance(0.15)) args.Add("UseBias = false");
        if (Chance(0.04)) args.Add("WeightStd = " + Std());
        if (Chance(0.04)) args.Add("BiasStd = " + Std());
        if (Chance(0.05)) args.Add("LeakySlope = " + Pick(new[] { "0.2", _hostile ? "double.NaN" : "0.1", "-1.0" }));
        string modifiers = Pick(PropertyModifiers.Take(_hostile ? PropertyModifiers.Length : PropertyModifiers.Length - 2).ToArray());
        string type = !Bad(0.05) ? "DenseLayer" : Pick(new[] { "DenseLayer?", "int", "ref readonly DenseLayer" });
        string accessors = !Bad(0.07) ? "{ get; }" : Pick(new[] { "{ get; set; }", "{ get; init; }", "=> null!;" });
        string partial = !Bad(0.04) ? "partial " : "";
        return method + "[Dense(" + string.Join(", ", args) + ")] " + modifiers + (modifiers.Length > 0 ? " " : "") + partial + type + " " + name + " " + accessors;
    }

    private bool _spatial;
    private int[] _shape = [1, 1, 1];

    /// <summary>
    /// The layers of a model declared with InputShape: an image part (Conv2D, AvgPool2D, Add, LayerNorm) whose windows
    /// fit and whose Adds name earlier layers of the same shape, then Flatten or GlobalAvgPool, then Dense layers. Hostile
    /// sources also get windows that do not fit, Adds naming later or unknown layers, Dense on an image, a spatial layer
    /// after Flatten, a wrong property type, two attributes on one property, and no Dense at the end.
    /// </summary>
    private string SpatialLayers(List<string> names)
    {
        var sb = new StringBuilder();
        int h = _shape[0], w = _shape[1], c = _shape[2];
        var shapes = new List<(string Name, int H, int W, int C)>();
        int count = _r.Next(5);
        string I(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        void Add(string line, string name)
        {
            names.Add(name);
            sb.Append("    ").Append(line).Append('\n');
        }
        for (int i = 0; i < count; i++)
        {
            string name = !Bad(0.1) ? "L" + i : Pick(LayerNames);
            int kind = _r.Next(4);
            if (kind == 0)
            {
                int channels = 1 + _r.Next(3), kernel = 1 + _r.Next(3), stride = 1 + _r.Next(2);
                string padding = Pick(new[] { "Same", "Valid", "Circular" });
                if (padding == "Valid" && (kernel > h || kernel > w) && !_hostile) padding = "Same";
                if (Bad(0.05)) kernel = 0;
                string activation = Pick(Activations.Take(10).ToArray());
                string extra = (stride != 1 ? ", Stride = " + I(stride) : "") + ", Padding = Padding." + padding + (Chance(0.2) ? ", UseBias = false" : "")
                    + (Chance(0.1) ? ", WeightStd = " + Std() : "");
                string type = !Bad(0.05) ? "ConvLayer" : "Layer";
                Add("[Conv2D(" + I(channels) + ", " + I(kernel) + ", Activation." + activation + extra + ")] public partial " + type + " " + name + " { get; }", name);
                int oh = padding == "Valid" ? (h >= kernel ? (h - kernel) / stride + 1 : 0) : (h + stride - 1) / stride;
                int ow = padding == "Valid" ? (w >= kernel ? (w - kernel) / stride + 1 : 0) : (w + stride - 1) / stride;
                (h, w, c) = (Math.Max(oh, 1), Math.Max(ow, 1), channels);
            }
            else if (kind == 1)
            {
                int window = 1 + _r.Next(2);
                if ((window > h || window > w) && !_hostile) window = 1;
                bool samePadding = Chance(0.3);
                Add("[AvgPool2D(" + I(window) + (samePadding ? ", Padding = Padding.Same" : "") + ")] public partial Layer " + name + " { get; }", name);
                (h, w) = samePadding ? ((h + window - 1) / window, (w + window - 1) / window) : (Math.Max(h / window, 1), Math.Max(w / window, 1));
            }
            else if (kind == 2)
            {
                var same = shapes.Where(x => x.H == h && x.W == w && x.C == c).ToList();
                string source = !Bad(0.3) ? (same.Count > 0 ? "nameof(" + Pick(same).Name + ")" : "") : Pick(new[] { "\"Nope\"", "nameof(" + name + ")", "\"L4\"" });
                if (source.Length == 0) continue;
                Add("[Add(" + source + ")] public partial Layer " + name + " { get; }", name);
            }
            else Add("[LayerNorm" + (Bad(0.1) ? "(Epsilon = 0.0)" : Chance(0.2) ? "(Epsilon = 1e-5)" : "") + "] public partial Layer " + name + " { get; }", name);
            shapes.Add((name.TrimStart('@'), h, w, c));
        }
        if (!Bad(0.1)) Add((Chance(0.5) ? "[Flatten]" : "[GlobalAvgPool]") + (Bad(0.05) ? "[LayerNorm]" : "") + " public partial Layer Flat { get; }", "Flat");
        if (Bad(0.05)) Add("[Conv2D(2, 1)] public partial ConvLayer Late { get; }", "Late");
        if (Chance(0.3)) Add("[Dense(" + I(1 + _r.Next(4)) + ", Activation." + Pick(Activations.Take(10).ToArray()) + ")] public partial DenseLayer Hidden { get; }", "Hidden");
        if (!Bad(0.1)) Add("[Dense(" + I(1 + _r.Next(3)) + ")] public partial DenseLayer Out { get; }", "Out");
        return sb.ToString();
    }

    private string Std() => _hostile ? Pick(Stds) : Pick(new[] { "1.0", "0.5", "2", "0.0", "1e-300", "1.5f" });

    private string Uses(string cls, List<string> layers)
    {
        string layer = layers.Count > 0 ? layers[0].TrimStart('@') : "A";
        return "public static class FuzzUse\n{\n    public static void Run(" + cls + " m)\n    {\n"
            + "        var f = m.Forward(Tensor.Zeros(2, " + (1 + _r.Next(4)) + "));\n"
            + "        var w = m.Wntk(Tensor.Zeros(2, 3), null, new GroupWeights().Weights(\"" + layer + "\", 2.0).Bias(\"" + Pick(LayerNames).TrimStart('@') + "\", 1.0));\n"
            + "        var j = m.Jacobian(Tensor.Zeros(" + Pick(new[] { "10", "100000000" }) + ", 3));\n"
            + "    }\n}\n";
    }

    private string Mutate(string source)
    {
        var s = new StringBuilder(source);
        int edits = 1 + _r.Next(3);
        for (int e = 0; e < edits && s.Length > 1; e++)
        {
            int at = _r.Next(s.Length);
            switch (_r.Next(4))
            {
                case 0: s.Remove(at, Math.Min(1 + _r.Next(10), s.Length - at)); break;
                case 1: s.Insert(at, " " + Pick(MutationTokens) + " "); break;
                case 2:
                {
                    int len = Math.Min(1 + _r.Next(30), s.Length - at);
                    s.Insert(_r.Next(s.Length), s.ToString(at, len));
                    break;
                }
                default:
                {
                    // Replace an identifier-ish character with a random letter or digit.
                    if (char.IsLetterOrDigit(s[at])) s[at] = "aZ_9ü"[_r.Next(5)];
                    break;
                }
            }
        }
        return s.ToString();
    }
}
