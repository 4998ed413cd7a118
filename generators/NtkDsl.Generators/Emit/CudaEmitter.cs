using System.Collections.Generic;
using System.Linq;
using System.Text;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Emit;

/// <summary>
/// Emits a Dense model's device code as CUDA C at compile time, into the part file <c>….Cuda.g.cs</c>: the model
/// implements <c>NtkDsl.IDeviceSource</c> with the source as a C# constant (<c>CudaSource</c>) and, when the
/// infinite-width kernels cannot be emitted, the reason (<c>CudaAnalyticUnsupportedReason</c>). NtkDsl.Cuda compiles
/// the text with NVRTC; tests compile the same text with g++ and ntkdsl_cuda_compat.h and run it on the CPU.
/// </summary>
/// <remarks>
/// Contents, one kernel per function: φ and φ' of every layer (<c>ntk_phi_l</c>, <c>ntk_dphi_l</c>: the built-in
/// activations as <see cref="ActivationEmitter"/> writes them in C#, custom ones from the same symbolic expression through
/// <see cref="CudaExprPrinter"/>); per layer the fused elementwise kernel <c>ntk_act_l_d</c>/<c>_f</c>
/// (h = ws·pre + bs·bias, act = φ(h), dact = φ'(h)), which every device method of a model constructed on a GPU uses for its
/// forward pass (the group-weighted Gram accumulation is model-independent and lives in NtkDsl.Cuda's
/// <c>NtkAssemblySource</c>); and, when every activation has a closed-form dual
/// (ReLU, LeakyReLU, Abs, Erf, Identity, Sin), the recursion of math.md §3–4 as the generated C# AnalyticNtk runs it:
/// <c>ntk_analytic_chain</c> (K^l(x, x) per row) and <c>ntk_analytic_pair</c> (NNGP or group-weighted NTK per pair,
/// NTK or standard parameterization, output activation included). Only NVRTC-valid device code: no host calls, no
/// <c>__shared__</c>/<c>__syncthreads</c> (which the host emulation rejects), no <c>extern "C" { }</c> blocks.
/// Spatial (InputShape) and width-less models (the SpatialNetwork engine) get φ/φ' and <c>ntk_act_l_d</c> only, l being the
/// layer's index in the plan (<see cref="EmitSpatial"/>).
/// </remarks>
internal static class CudaEmitter
{
    /// <summary>The kernel computing |x|²/d and K^l(x_i, x_i) per row.</summary>
    public const string ChainKernel = "ntk_analytic_chain";

    /// <summary>The fused per-pair kernel.</summary>
    public const string PairKernel = "ntk_analytic_pair";

    /// <summary>The private constant holding a spatial or width-less model's CUDA C (<see cref="EmitSpatial"/>).</summary>
    public const string SpatialSourceField = Names.Reserved + "CudaSource";

    /// <summary>The part file of <paramref name="model"/>: the device code of a Dense model, or of a spatial/width-less one (<see cref="EmitSpatial"/>).</summary>
    public static (string HintName, string Source)? Emit(ModelSpec model)
    {
        if (model.IsSpatial || model.Widthless) return EmitSpatial(model);
        var layers = LayerPlan.For(model);
        string? unsupported = AnalyticUnsupported(model, layers);
        string cuda = Source(model, layers, unsupported);
        var w = new SourceWriter();
        ModelEmitter.Header(w, model.ClassName, model.Namespace);
        foreach (var c in model.ContainingTypes) w.Open(ModelEmitter.TypeHeader(c));
        w.Open("partial class " + Names.Identifier(model.ClassName) + " : global::NtkDsl.IDeviceSource");
        w.Line("/// <summary>The model's CUDA C (φ/φ' per layer, elementwise kernels" + (unsupported is null ? ", the infinite-width recursion" : "")
            + "), emitted at compile time; NtkDsl.Cuda compiles it with NVRTC once per process and device.</summary>");
        w.Line("public static string CudaSource => " + Names.Reserved + "CudaSource;");
        w.Line();
        w.Line("/// <summary>" + (unsupported is null
            ? "Null: <see cref=\"CudaSource\"/> holds the infinite-width kernels."
            : "Why <see cref=\"CudaSource\"/> holds no infinite-width kernels (thrown as NotSupportedException by the device entry points).") + "</summary>");
        w.Line("public static string? CudaAnalyticUnsupportedReason => " + (unsupported is null ? "null" : SourceWriter.Str(unsupported)) + ";");
        w.Line();
        // A raw string literal keeps the CUDA C readable in the generated file; the text never holds four quotes in a row.
        w.Line("private const string " + Names.Reserved + "CudaSource = \"\"\"\"");
        w.Line(cuda.TrimEnd('\n'));
        w.Line("\"\"\"\";");
        w.Close();
        foreach (var _ in model.ContainingTypes) w.Close();
        return (Names.HintStem(model) + ".Cuda.g.cs", w.ToString());
    }

    /// <summary>
    /// The device code of a model on the SpatialNetwork engine (InputShape or width-less): φ/φ' and the fused
    /// <c>ntk_act_l_d</c> kernel of every Dense/Conv2D layer, l its index in the plan (SpatialStep.Index), as a private
    /// constant that the constructor hands to <c>SpatialDeviceModel.For</c>. No <c>IDeviceSource</c> (its static Info does
    /// not fit width-less models). When every activation has a device dual, also the closed-form duals
    /// (<see cref="CudaDualPrelude"/>) and per such layer <c>ntk_pp_dual_l</c>/<c>ntk_pp_mean_l</c>, which NtkDsl.Cuda's pixel-pair
    /// recursion launches (issue 12); otherwise <see cref="SpatialUnsupportedField"/> says why.
    /// </summary>
    private static (string HintName, string Source) EmitSpatial(ModelSpec model)
    {
        var layers = model.SpatialLayers.ToList();
        var sb = new StringBuilder();
        sb.Append("// NtkDsl device code of ").Append(model.FullName).Append(", emitted by NtkDsl.Generators ").Append(ModelEmitter.Version)
            .Append(" at compile time. Do not edit.\n");
        sb.Append("// Layers with parameters (index in the SpatialNetwork plan): ").Append(string.Join("; ", layers.Select((l, i) => (l, i)).Where(p => p.l.Trainable is not null)
            .Select(p => p.i + " " + p.l.Name + " (" + p.l.Kind + ", " + ActivationEmitter.DisplayName(p.l.Trainable!) + (p.l.Trainable!.UseBias ? "" : ", no bias") + ")"))).Append(".\n");
        sb.Append("// Products are __dmul_rn so NVRTC cannot contract them into FMAs: the device rounds as the generated C# does.\n\n");
        sb.Append(Helpers);
        sb.Append("\n// φ and φ' of every layer with parameters (the variable is z).\n");
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].Trainable is not { } t) continue;
            var (value, derivative) = Bodies(t);
            sb.Append("// Layer ").Append(i).Append(' ').Append(layers[i].Name).Append(": ").Append(ActivationEmitter.DisplayName(t)).Append('\n');
            sb.Append("__device__ __forceinline__ double ntk_phi_").Append(i).Append("(double z) ").Append(value).Append('\n');
            sb.Append("__device__ __forceinline__ double ntk_dphi_").Append(i).Append("(double z) ").Append(derivative).Append('\n');
        }
        for (int i = 0; i < layers.Count; i++)
            if (layers[i].Trainable is { } t) ActivationKernel(sb, i, layers[i].Name, t, "double");
        string? unsupported = SpatialAnalyticUnsupported(model, layers);
        sb.Append('\n');
        if (unsupported is not null) sb.Append("// No infinite-width kernels: ").Append(unsupported).Append('\n');
        else
        {
            sb.Append("// ---- Infinite-width pixel-pair duals (PixelPairRecursion's activation rule), per layer with parameters ----\n");
            sb.Append(CudaDualPrelude.Text);
            for (int i = 0; i < layers.Count; i++)
                if (layers[i].Trainable is { } t && t.Activation != ActivationKind.Identity) PixelPairDual(sb, i, layers[i].Name, t);
        }
        var w = new SourceWriter();
        ModelEmitter.Header(w, model.ClassName, model.Namespace);
        foreach (var c in model.ContainingTypes) w.Open(ModelEmitter.TypeHeader(c));
        w.Open("partial class " + Names.Identifier(model.ClassName));
        w.Line("/// <summary>The model's CUDA C (φ/φ' and the fused activation kernel of every Dense/Conv2D layer), emitted at compile time; a device with a spatial backend compiles it once per process.</summary>");
        w.Line("private const string " + SpatialSourceField + " = \"\"\"\"");
        w.Line(sb.ToString().TrimEnd('\n'));
        w.Line("\"\"\"\";");
        w.Line();
        w.Line("/// <summary>" + (unsupported is null
            ? "Null: " + SpatialSourceField + " holds a device dual of every activation (the infinite-width kernels can run on a device)."
            : "Why " + SpatialSourceField + " holds no infinite-width kernels (thrown as NotSupportedException by the device overloads).") + "</summary>");
        w.Line("private const string? " + SpatialUnsupportedField + " = " + (unsupported is null ? "null" : SourceWriter.Str(unsupported)) + ";");
        w.Close();
        foreach (var _ in model.ContainingTypes) w.Close();
        return (Names.HintStem(model) + ".Cuda.g.cs", w.ToString());
    }

    /// <summary>The private constant of a spatial or width-less model: null, or why its activations have no device duals.</summary>
    public const string SpatialUnsupportedField = Names.Reserved + "CudaAnalyticUnsupportedReason";

    /// <summary>Null when every Dense/Conv2D layer's activation has a device closed-form dual; otherwise the message naming the first that has none.</summary>
    private static string? SpatialAnalyticUnsupported(ModelSpec model, List<SpatialLayerSpec> layers)
    {
        foreach (var l in layers)
            if (l.Trainable is { } t && !HasDeviceDual(t.Activation))
                return NoDeviceDual(model, l.Name, t);
        return null;
    }

    /// <summary>
    /// Layer <paramref name="index"/>'s dual per pixel pair over a batch of example pairs (PixelPairRecursion.Affine's
    /// activation rule, ActivationKernelRule.Dual) and its mean E[φ(u)], u ~ N(0, q) (ActivationKernelRule.Mean).
    /// </summary>
    private static void PixelPairDual(StringBuilder sb, int index, string name, LayerSpec t)
    {
        sb.Append("\n// Layer ").Append(index).Append(" (").Append(name).Append(", ").Append(ActivationEmitter.DisplayName(t)).Append("): for idx < count = pairs·no², pair r = idx / no², e = p·no + p2:\n");
        sb.Append("// k[r·stride + e] ← K̃(qa[ia[r]·no + p], qb[ib[r]·no + p2], k), t[r·stride + e] ← t·Ṫ.\n");
        sb.Append("extern \"C\" __global__ void ntk_pp_dual_").Append(index).Append("(double* __restrict__ k, double* __restrict__ t, const double* __restrict__ qa, const double* __restrict__ qb,\n");
        sb.Append("    const int* __restrict__ ia, const int* __restrict__ ib, long long count, int no, long long stride)\n");
        sb.Append("{\n");
        sb.Append("    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n");
        sb.Append("    if (idx >= count) return;\n");
        sb.Append("    long long sq = (long long)no * no;\n");
        sb.Append("    long long r = idx / sq;\n");
        sb.Append("    int e = (int)(idx % sq), p = e / no, p2 = e % no;\n");
        sb.Append("    long long at = r * stride + e;\n");
        sb.Append("    double kt, td;\n");
        sb.Append("    ").Append(Dual(t, diagonal: false, "k[at]", "qa[(long long)ia[r] * no + p]", "qb[(long long)ib[r] * no + p2]")).Append('\n');
        sb.Append("    k[at] = kt;\n");
        sb.Append("    t[at] = __dmul_rn(t[at], td);\n");
        sb.Append("}\n");
        // ActivationKernelRule.Mean: c·√q with c = 1/√(2π) (ReLU), (1 − s)/√(2π) (leaky ReLU), 2/√(2π) (|x|); 0 for the odd ones.
        const double InvSqrtTwoPi = 0.398942280401432677939946059934;
        string mean = t.Activation switch
        {
            ActivationKind.Relu => "__dmul_rn(" + CudaExprPrinter.Number(InvSqrtTwoPi) + ", sqrt(q[idx]))",
            ActivationKind.LeakyRelu => "__dmul_rn(" + CudaExprPrinter.Number((1.0 - t.LeakySlope) * InvSqrtTwoPi) + ", sqrt(q[idx]))",
            ActivationKind.Abs => "__dmul_rn(" + CudaExprPrinter.Number(2.0 * InvSqrtTwoPi) + ", sqrt(q[idx]))",
            _ => "0.0",
        };
        sb.Append("\n// Layer ").Append(index).Append(": m[idx] = E[φ(u)], u ~ N(0, q[idx]), for idx < count.\n");
        sb.Append("extern \"C\" __global__ void ntk_pp_mean_").Append(index).Append("(const double* __restrict__ q, double* __restrict__ m, long long count)\n");
        sb.Append("{\n");
        sb.Append("    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n");
        sb.Append("    if (idx >= count) return;\n");
        sb.Append("    m[idx] = ").Append(mean).Append(";\n");
        sb.Append("}\n");
    }

    /// <summary>Null when every layer's activation has a device closed-form dual; otherwise the message naming the first that has none.</summary>
    internal static string? AnalyticUnsupported(ModelSpec model, List<LayerPlan> layers)
    {
        foreach (var l in layers)
            if (!HasDeviceDual(l.Spec.Activation) && !(l.Index == layers.Count - 1 && l.IsIdentity))
                return NoDeviceDual(model, l.Name, l.Spec);
        return null;
    }

    /// <summary>The NotSupportedException message of a Dense or spatial model whose layer <paramref name="layer"/> has no device dual.</summary>
    private static string NoDeviceDual(ModelSpec model, string layer, LayerSpec spec) =>
        model.ClassName + ": layer " + layer + " uses activation " + ActivationEmitter.DisplayName(spec)
        + ", which has no closed-form dual on the device (the device infinite-width kernels cover Relu, LeakyRelu, Abs, Erf, Identity and Sin). Use "
        + model.ClassName + ".AnalyticNtk/AnalyticNngp/AnalyticWntk on the CPU, which integrate it by adaptive quadrature.";

    private static bool HasDeviceDual(ActivationKind a) =>
        a is ActivationKind.Relu or ActivationKind.LeakyRelu or ActivationKind.Abs or ActivationKind.Erf or ActivationKind.Identity or ActivationKind.Sin;

    private static string Source(ModelSpec model, List<LayerPlan> layers, string? unsupported)
    {
        var sb = new StringBuilder();
        sb.Append("// NtkDsl device code of ").Append(model.FullName).Append(", emitted by NtkDsl.Generators ").Append(ModelEmitter.Version)
            .Append(" at compile time. Do not edit.\n");
        sb.Append("// Layers: ").Append(string.Join("; ", layers.Select(l => l.Index + " " + l.Name + " (" + l.FanIn + " -> " + l.Width + ", "
            + ActivationEmitter.DisplayName(l.Spec) + (l.Spec.UseBias ? "" : ", no bias") + ")"))).Append(".\n");
        sb.Append("// Products are __dmul_rn so NVRTC cannot contract them into FMAs: the device rounds as the generated C# does.\n\n");
        sb.Append(Helpers);
        sb.Append("\n// φ and φ' of every layer (the variable is z).\n");
        foreach (var l in layers)
        {
            var (value, derivative) = Bodies(l.Spec);
            sb.Append("// Layer ").Append(l.Index).Append(' ').Append(l.Name).Append(": ").Append(ActivationEmitter.DisplayName(l.Spec)).Append('\n');
            sb.Append("__device__ __forceinline__ double ntk_phi_").Append(l.Index).Append("(double z) ").Append(value).Append('\n');
            sb.Append("__device__ __forceinline__ double ntk_dphi_").Append(l.Index).Append("(double z) ").Append(derivative).Append('\n');
        }
        foreach (var l in layers)
        {
            ActivationKernel(sb, l.Index, l.Name, l.Spec, "double");
            ActivationKernel(sb, l.Index, l.Name, l.Spec, "float");
        }
        sb.Append('\n');
        if (unsupported is not null)
        {
            sb.Append("// No infinite-width kernels: ").Append(unsupported).Append('\n');
            return sb.ToString();
        }
        sb.Append("// ---- Infinite-width NNGP/NTK (math.md §3–4), as the generated C# AnalyticNtk computes it ----\n");
        sb.Append(CudaDualPrelude.Text);
        Chain(sb, layers);
        Pair(sb, model, layers);
        return sb.ToString();
    }

    /// <summary>.NET's Math.Sign/Max/Min rules (NaN propagates, +0 beats −0), and the Special functions' formulas.</summary>
    private const string Helpers = """
        __device__ __forceinline__ double ntk_sign(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : (x == 0.0 ? 0.0 : x)); }
        __device__ __forceinline__ double ntk_max(double a, double b) { return a != b ? (a != a ? a : (b < a ? a : b)) : (signbit(b) ? a : b); }
        __device__ __forceinline__ double ntk_min(double a, double b) { return a != b ? (a != a ? a : (a < b ? a : b)) : (signbit(a) ? a : b); }
        __device__ __forceinline__ double ntk_normal_cdf(double x) { return __dmul_rn(0.5, erfc(-x / 1.4142135623730951)); }
        __device__ __forceinline__ double ntk_normal_pdf(double x) { return __dmul_rn(0.3989422804014327, exp(__dmul_rn(__dmul_rn(-0.5, x), x))); }
        __device__ __forceinline__ double ntk_sigmoid(double x) { return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }
        __device__ __forceinline__ double ntk_softplus(double x) { return x > 0.0 ? x + log(1.0 + exp(-x)) : log(1.0 + exp(x)); }

        """;

    /// <summary>The CUDA bodies of φ and φ', mirroring <see cref="ActivationEmitter.Bodies"/> and NtkDsl.Kernels.Special operation for operation.</summary>
    private static (string Value, string Derivative) Bodies(LayerSpec layer)
    {
        static string R(string e) => "{ return " + e + "; }";
        string slope = CudaExprPrinter.Number(layer.LeakySlope);
        return layer.Activation switch
        {
            ActivationKind.Relu => (R("z > 0.0 ? z : 0.0"), R("z > 0.0 ? 1.0 : 0.0")),
            ActivationKind.LeakyRelu => (R("z > 0.0 ? z : __dmul_rn(" + slope + ", z)"), R("z > 0.0 ? 1.0 : " + slope)),
            ActivationKind.Abs => (R("fabs(z)"), R("ntk_sign(z)")),
            ActivationKind.Erf => (R("erf(z)"), R("__dmul_rn(1.1283791670955126, exp(__dmul_rn(-z, z)))")),
            ActivationKind.Tanh => (R("tanh(z)"), "{ double t = tanh(z); return 1.0 - __dmul_rn(t, t); }"),
            ActivationKind.Sigmoid => (R("ntk_sigmoid(z)"), "{ double s = ntk_sigmoid(z); return __dmul_rn(s, 1.0 - s); }"),
            ActivationKind.Gelu => (R("__dmul_rn(z, ntk_normal_cdf(z))"), R("ntk_normal_cdf(z) + __dmul_rn(z, ntk_normal_pdf(z))")),
            ActivationKind.Softplus => (R("ntk_softplus(z)"), R("ntk_sigmoid(z)")),
            ActivationKind.Sin => (R("sin(z)"), R("cos(z)")),
            ActivationKind.Custom => (R(layer.Custom!.CudaValue), R(layer.Custom!.CudaDerivative)),
            _ => (R("z"), R("1.0")),
        };
    }

    private static void ActivationKernel(StringBuilder sb, int index, string name, LayerSpec spec, string real)
    {
        string sfx = real == "double" ? "d" : "f";
        bool bias = spec.UseBias;
        sb.Append("\n// Layer ").Append(index).Append(" (").Append(name).Append("), ").Append(real).Append(": h = ws·pre[idx]")
            .Append(bias ? " + bs·bias[idx % width]" : "").Append(", act[idx] = φ(h), dact[idx] = φ'(h) for idx < count")
            .Append(real == "float" ? " (evaluated in double, rounded once)" : "").Append(".\n");
        sb.Append("extern \"C\" __global__ void ntk_act_").Append(index).Append('_').Append(sfx).Append("(const ").Append(real).Append("* __restrict__ pre, ")
            .Append(bias ? "const " + real + "* __restrict__ bias, " : "").Append(real).Append("* __restrict__ act, ").Append(real).Append("* __restrict__ dact, ")
            .Append(real).Append(" ws, ").Append(bias ? real + " bs, " : "").Append("long long count").Append(bias ? ", int width" : "").Append(")\n");
        sb.Append("{\n");
        sb.Append("    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n");
        sb.Append("    if (idx >= count) return;\n");
        sb.Append("    double h = __dmul_rn((double)ws, (double)pre[idx])").Append(bias ? " + __dmul_rn((double)bs, (double)bias[idx % width])" : "").Append(";\n");
        string cast = real == "float" ? "(float)" : "";
        sb.Append("    act[idx] = ").Append(cast).Append("ntk_phi_").Append(index).Append("(h);\n");
        sb.Append("    dact[idx] = ").Append(cast).Append("ntk_dphi_").Append(index).Append("(h);\n");
        sb.Append("}\n");
    }

    /// <summary>σ_w²·v + σ_b² (no bias term without a bias), as the C# recursion writes it.</summary>
    private static string Affine(LayerPlan l, string v)
    {
        string w = "__dmul_rn(" + CudaExprPrinter.Number(l.Spec.WeightStd * l.Spec.WeightStd) + ", " + v + ")";
        return l.Spec.UseBias ? "__dadd_rn(" + w + ", " + CudaExprPrinter.Number(l.Spec.BiasStd * l.Spec.BiasStd) + ")" : w;
    }

    private static void Chain(StringBuilder sb, List<LayerPlan> layers)
    {
        sb.Append("\n// Per row i < n of x (n × d): ms[i] = |x_i|²/d and chain[l·n + i] = K^l(x_i, x_i), the variance entering layer l's\n");
        sb.Append("// activation, for every layer l (the C# __ntkAnalyticDiagonalChain).\n");
        sb.Append("extern \"C\" __global__ void ").Append(ChainKernel).Append("(const double* __restrict__ x, double* __restrict__ ms, double* __restrict__ chain, int n, int d)\n");
        sb.Append("{\n");
        sb.Append("    int i = (int)((long long)blockIdx.x * blockDim.x + threadIdx.x);\n");
        sb.Append("    if (i >= n) return;\n");
        sb.Append("    double q = ntk_mean_dot(x + (long long)i * d, x + (long long)i * d, d);\n");
        sb.Append("    ms[i] = q;\n");
        sb.Append("    double kt, td;\n");
        foreach (var l in layers)
        {
            if (l.Index > 0) sb.Append("    ").Append(Dual(layers[l.Index - 1].Spec, diagonal: true, "q", null, null)).Append('\n');
            sb.Append("    q = ").Append(Affine(l, l.Index == 0 ? "q" : "kt")).Append(";\n");
            sb.Append("    chain[(long long)").Append(l.Index).Append(" * n + i] = q;\n");
        }
        sb.Append("    (void)kt;\n    (void)td;\n}\n");
    }

    private static void Pair(StringBuilder sb, ModelSpec model, List<LayerPlan> layers)
    {
        bool standard = model.Parameterization == ParameterizationKind.Standard;
        int depth = layers.Count;
        sb.Append("\n// Rows [r0, r0 + rows) of the kernel between x1 (n1Total rows) and x2 (n2 rows), in place: out (rows × n2) enters holding\n");
        sb.Append("// x·x'/d from a GEMM and leaves holding the NTK (wantNtk, weighted by gw per parameter group) or the NNGP. Parallel pairs\n");
        sb.Append("// recompute x·x'/d by the mean-dot loop (AnalyticGram's exact-diagonal rule); symmetric: x2 is x1. diagonal: only the\n");
        sb.Append("// pairs (i, i) for i in [r0, r0 + rows), out holds rows values and needs no GEMM (x2 is x1, n2 = n1Total; the C#\n");
        sb.Append("// __ntkAnalyticDiagonal).\n");
        sb.Append("extern \"C\" __global__ void ").Append(PairKernel).Append("(double* __restrict__ out, const double* __restrict__ x1, const double* __restrict__ x2,\n");
        sb.Append("    const double* __restrict__ ms1, const double* __restrict__ ms2, const double* __restrict__ chain1, const double* __restrict__ chain2,\n");
        sb.Append("    const double* __restrict__ gw, int rows, int n2, int n1Total, int r0, int d, int symmetric, int wantNtk, int diagonal)\n");
        sb.Append("{\n");
        sb.Append("    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n");
        sb.Append("    if (idx >= (diagonal ? (long long)rows : (long long)rows * n2)) return;\n");
        sb.Append("    int i = r0 + (int)(diagonal ? idx : idx / n2), j = diagonal ? i : (int)(idx % n2);\n");
        sb.Append("    double c;\n");
        sb.Append("    if (diagonal || (symmetric && i == j)) c = ms1[i];\n");
        sb.Append("    else\n");
        sb.Append("    {\n");
        sb.Append("        c = out[idx];\n");
        sb.Append("        double scale = sqrt(ms1[i]) * sqrt(ms2[j]);\n");
        sb.Append("        double tolerance = 4.0 * (double)(d + 2) * ").Append(CudaExprPrinter.Number(2.220446049250313e-16)).Append(";\n");
        sb.Append("        if (fabs(fabs(c) - scale) <= tolerance * scale)\n");
        sb.Append("            c = ntk_mean_dot(x1 + (long long)i * d, x2 + (long long)j * d, d);\n");
        sb.Append("    }\n");
        sb.Append("    double kt = c, td = 0.0, nngp = 0.0, ntk = 0.0;\n");
        foreach (var l in layers)
        {
            var previous = l.Index > 0 ? layers[l.Index - 1] : null;
            sb.Append("    // Layer ").Append(l.Index).Append(' ').Append(l.Name)
                .Append(previous is null ? ": K = σ_w²·x·x'/d + σ_b², Θ from the layer's own parameters\n" : ": dual of " + previous.Name + ", then the affine step\n");
            if (previous is not null)
                sb.Append("    ").Append(Dual(previous.Spec, diagonal: false, "nngp", Chain("chain1", previous.Index, "n1Total", "i"), Chain("chain2", previous.Index, "n2", "j"))).Append('\n');
            // C#: gw[W] * direct * kt + gw[B] * bias + σ_w² * td * ntk, left to right.
            string direct = standard ? CudaExprPrinter.Number(l.FanIn) : CudaExprPrinter.Number(l.Spec.WeightStd * l.Spec.WeightStd);
            string sum = "__dmul_rn(__dmul_rn(gw[" + l.WeightGroup + "], " + direct + "), kt)";
            if (l.Spec.UseBias)
                sum = "__dadd_rn(" + sum + ", __dmul_rn(gw[" + l.BiasGroup + "], " + (standard ? "1.0" : CudaExprPrinter.Number(l.Spec.BiasStd * l.Spec.BiasStd)) + "))";
            if (previous is not null)
                sum = "__dadd_rn(" + sum + ", __dmul_rn(__dmul_rn(" + CudaExprPrinter.Number(l.Spec.WeightStd * l.Spec.WeightStd) + ", td), ntk))";
            sb.Append("    ntk = ").Append(sum).Append(";\n");
            sb.Append("    nngp = ").Append(Affine(l, "kt")).Append(";\n");
        }
        var output = layers[depth - 1];
        if (!output.IsIdentity)
        {
            sb.Append("    // Output activation ").Append(ActivationEmitter.DisplayName(output.Spec)).Append(": NNGP = E[φ(u)φ(v)], NTK = E[φ'(u)φ'(v)]·Θ\n");
            sb.Append("    ").Append(Dual(output.Spec, diagonal: false, "nngp", Chain("chain1", depth - 1, "n1Total", "i"), Chain("chain2", depth - 1, "n2", "j"))).Append('\n');
            sb.Append("    nngp = kt;\n");
            sb.Append("    ntk = __dmul_rn(td, ntk);\n");
        }
        sb.Append("    out[idx] = wantNtk ? ntk : nngp;\n");
        sb.Append("}\n");
    }

    private static string Chain(string array, int layer, string rows, string row) => array + "[(long long)" + layer + " * " + rows + " + " + row + "]";

    /// <summary>The device dual of <paramref name="l"/>'s activation at (q1, q2, c), or at q on the diagonal, writing kt and td.</summary>
    private static string Dual(LayerSpec spec, bool diagonal, string c, string? q1, string? q2)
    {
        // a·min(x, 0) + b·max(x, 0) with φ'(0) = d0: ReLU (0, 1, 0), LeakyReLU (slope, 1, slope), Abs (−1, 1, 0);
        // the constants are computed here as DualActivations.AbRelu computes them.
        (double a, double b, double d0)? ab = spec.Activation switch
        {
            ActivationKind.Relu => (0.0, 1.0, 0.0),
            ActivationKind.LeakyRelu => (spec.LeakySlope, 1.0, spec.LeakySlope),
            ActivationKind.Abs => (-1.0, 1.0, 0.0),
            _ => null,
        };
        if (ab is { } p)
        {
            double sumSq = p.a * p.a + p.b * p.b, amb = p.a - p.b;
            string consts = CudaExprPrinter.Number(sumSq) + ", " + CudaExprPrinter.Number(0.5 * sumSq) + ", " + CudaExprPrinter.Number(amb * amb) + ", "
                + CudaExprPrinter.Number(2.0 * p.a * p.b) + ", " + CudaExprPrinter.Number(p.d0 * p.d0) + ", " + CudaExprPrinter.Number(p.d0 * 0.5 * (p.a + p.b));
            return diagonal ? "ntk_abrelu_diag(" + consts + ", " + c + ", &kt, &td);" : "ntk_abrelu(" + consts + ", " + q1 + ", " + q2 + ", " + c + ", &kt, &td);";
        }
        string name = spec.Activation switch
        {
            ActivationKind.Erf => "ntk_erf",
            ActivationKind.Sin => "ntk_sin",
            _ => "ntk_identity",
        };
        return diagonal ? name + "_diag(" + c + ", &kt, &td);" : name + "(" + q1 + ", " + q2 + ", " + c + ", &kt, &td);";
    }
}
