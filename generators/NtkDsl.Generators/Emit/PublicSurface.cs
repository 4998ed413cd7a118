using System.Linq;

namespace NtkDsl.Generators.Emit;

/// <summary>
/// The members every generated model exposes with the same text, whether <see cref="ModelEmitter"/> (Dense models) or
/// <see cref="SpatialEmitter"/> (InputShape models) writes it: one place, so the two public surfaces cannot drift apart.
/// Each emitter supplies only what differs (doc-comment wording) and the private cores these members call
/// (<c>__ntkNtkCore</c>, <c>__ntkAnalyticCore</c>, <c>__ntkAnalyticDiagonal</c>).
/// </summary>
internal static class PublicSurface
{
    public const string Tensor = "global::NtkDsl.Tensor";
    public const string Progress = "global::System.IProgress<global::NtkDsl.NtkProgress>?";
    public const string Token = "global::System.Threading.CancellationToken";
    public const string Mode = "global::NtkDsl.NtkMode";

    /// <summary>The C# expression of unit weights for <paramref name="groups"/> parameter groups.</summary>
    public static string Ones(int groups) => groups == 0 ? "new double[0]" : "new double[] { " + string.Join(", ", Enumerable.Repeat("1.0", groups)) + " }";

    /// <summary>IDifferentiableModel.Info, IAccessGuardedModel.AccessGuard, Clone (both), Linearize and Device; <paramref name="widthless"/>: the constructor takes the width first.</summary>
    public static void InstanceMembers(SourceWriter w, string id, bool widthless = false)
    {
        w.Line("/// <inheritdoc />");
        w.Line("global::NtkDsl.ModelInfo global::NtkDsl.IDifferentiableModel.Info => Info;");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("global::NtkDsl.ModelAccessGuard global::NtkDsl.IAccessGuardedModel.AccessGuard => __ntkAccess;");
        w.Line();
        w.Line("/// <summary>An independent copy: same architecture, same parameters, same device.</summary>");
        w.Open("public " + id + " Clone()");
        w.Line("var copy = new " + id + "(" + (widthless ? "Info.Inputs, " : "") + "0, Device);");
        w.Line("copy.SetParameters(GetParameters());");
        w.Line("return copy;");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("global::NtkDsl.INtkModel global::NtkDsl.INtkModel.Clone() => Clone();");
        w.Line();
        w.Line("/// <summary>The linearization f_lin(x; θ) = f(x; θ0) + J(x; θ0)(θ − θ0) around the current parameters θ0 (evaluated with JVPs, never J).</summary>");
        w.Line("public global::NtkDsl.Training.LinearizedModel Linearize() => new global::NtkDsl.Training.LinearizedModel(Clone());");
        w.Line();
        w.Line("/// <summary>The device this model computes on.</summary>");
        w.Line("public global::NtkDsl.Device Device { get; }");
        w.Line();
    }

    /// <summary>Ntk, NtkPerGroup and Wntk over <c>__ntkNtkCore</c>; <paramref name="ntkSummary"/> are the lines inside Ntk's summary.</summary>
    public static void KernelMethods(SourceWriter w, int groups, string[] ntkSummary, string groupDescription)
    {
        string ones = Ones(groups);
        w.Line("/// <summary>");
        foreach (var line in ntkSummary) w.Line("/// " + line);
        w.Line("/// </summary>");
        w.Open("public " + Tensor + " Ntk(" + Tensor + " x1, " + Tensor + "? x2 = null, " + Mode + " mode = " + Mode + ".Trace, " + Progress + " progress = null, " + Token + " cancellationToken = default)");
        w.Line("return __ntkNtkCore(x1, x2, mode, " + ones + ", perGroup: false, progress, cancellationToken)[0];");
        w.Close();
        w.Line();
        w.Line("/// <summary>The NTK term Θ^g of every parameter group (" + groupDescription + "); they sum to <see cref=\"Ntk\"/>.</summary>");
        w.Open("public global::NtkDsl.NtkBlocks NtkPerGroup(" + Tensor + " x1, " + Tensor + "? x2 = null, " + Mode + " mode = " + Mode + ".Trace, " + Progress + " progress = null, " + Token + " cancellationToken = default)");
        w.Line("return new global::NtkDsl.NtkBlocks(Info, mode, __ntkNtkCore(x1, x2, mode, " + ones + ", perGroup: true, progress, cancellationToken));");
        w.Close();
        w.Line();
        w.Line("/// <summary>Weighted NTK Σ_g w_g Θ^g = J·D·Jᵀ with D = diag(w) per parameter group (math.md §3).</summary>");
        w.Open("public " + Tensor + " Wntk(" + Tensor + " x1, " + Tensor + "? x2, global::NtkDsl.GroupWeights weights, " + Mode + " mode = " + Mode + ".Trace, " + Progress + " progress = null, " + Token + " cancellationToken = default)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(weights);");
        w.Line("return __ntkNtkCore(x1, x2, mode, weights.Resolve(Info), perGroup: false, progress, cancellationToken)[0];");
        w.Close();
        w.Line();
    }

    /// <summary>
    /// The public AnalyticNngp/AnalyticNtk/AnalyticWntk(Device device, …) overloads (issue 12) over the model's private
    /// <c>__ntkAnalyticOn(device, x1, x2, gw, ntkWanted, progress, cancellationToken)</c>, and AnalyticNtkDiagonal/
    /// AnalyticNngpDiagonal(Device device, x) over its <c>__ntkAnalyticDiagonalOn(device, x, ntkWanted)</c>, the same shape
    /// for Dense and spatial models; <paramref name="deviceNote"/> says what a GPU runs, <paramref name="info"/> resolves the weights.
    /// </summary>
    public static void DeviceAnalyticMethods(SourceWriter w, int groups, string deviceNote, string info)
    {
        string T = Tensor, P = Progress, K = Token, D = "global::NtkDsl.Device";
        string ones = Ones(groups);
        w.Line("/// <summary>AnalyticNngp(x1, x2) " + deviceNote + " float64.</summary>");
        w.Line("public static " + T + " AnalyticNngp(" + D + " device, " + T + " x1, " + T + "? x2 = null, " + P + " progress = null, " + K + " cancellationToken = default) => __ntkAnalyticOn(device, x1, x2, " + ones + ", ntkWanted: false, progress, cancellationToken);");
        w.Line();
        w.Line("/// <summary>AnalyticNtk(x1, x2) " + deviceNote + " float64.</summary>");
        w.Line("public static " + T + " AnalyticNtk(" + D + " device, " + T + " x1, " + T + "? x2 = null, " + P + " progress = null, " + K + " cancellationToken = default) => __ntkAnalyticOn(device, x1, x2, " + ones + ", ntkWanted: true, progress, cancellationToken);");
        w.Line();
        w.Line("/// <summary>AnalyticWntk(x1, x2, weights) " + deviceNote + " float64.</summary>");
        w.Open("public static " + T + " AnalyticWntk(" + D + " device, " + T + " x1, " + T + "? x2, global::NtkDsl.GroupWeights weights, " + P + " progress = null, " + K + " cancellationToken = default)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(weights);");
        w.Line("return __ntkAnalyticOn(device, x1, x2, weights.Resolve(" + info + "), ntkWanted: true, progress, cancellationToken);");
        w.Close();
        w.Line();
        w.Line("/// <summary>AnalyticNtkDiagonal(x) " + deviceNote + " float64.</summary>");
        w.Line("public static " + T + " AnalyticNtkDiagonal(" + D + " device, " + T + " x) => __ntkAnalyticDiagonalOn(device, x, ntkWanted: true);");
        w.Line();
        w.Line("/// <summary>AnalyticNngpDiagonal(x) " + deviceNote + " float64.</summary>");
        w.Line("public static " + T + " AnalyticNngpDiagonal(" + D + " device, " + T + " x) => __ntkAnalyticDiagonalOn(device, x, ntkWanted: false);");
        w.Line();
    }

    /// <summary>
    /// AnalyticNngp, AnalyticNtk, AnalyticWntk, AnalyticNtkDiagonal and AnalyticNngpDiagonal over <c>__ntkAnalyticCore</c>
    /// and <c>__ntkAnalyticDiagonal</c>; <paramref name="ntkNote"/> and <paramref name="wntkNote"/> end the two summaries.
    /// </summary>
    /// <param name="info">The ModelInfo expression that resolves the group weights (a width-less model's depends on x1).</param>
    public static void AnalyticMethods(SourceWriter w, int groups, string ntkNote, string wntkNote, string info = "Info")
    {
        string ones = Ones(groups);
        w.Line("/// <summary>Infinite-width NNGP kernel K(x1, x2), N1 × N2, per output (the K outputs are independent: the full kernel is K ⊗ I_K). float64.</summary>");
        w.Line("public static " + Tensor + " AnalyticNngp(" + Tensor + " x1, " + Tensor + "? x2 = null, " + Progress + " progress = null, " + Token + " cancellationToken = default) => __ntkAnalyticCore(x1, x2, " + ones + ", ntkWanted: false, progress, cancellationToken);");
        w.Line();
        w.Line("/// <summary>Infinite-width NTK Θ(x1, x2), N1 × N2, per output (full kernel Θ ⊗ I_K; Trace mode equals Θ). " + ntkNote + "float64.</summary>");
        w.Line("public static " + Tensor + " AnalyticNtk(" + Tensor + " x1, " + Tensor + "? x2 = null, " + Progress + " progress = null, " + Token + " cancellationToken = default) => __ntkAnalyticCore(x1, x2, " + ones + ", ntkWanted: true, progress, cancellationToken);");
        w.Line();
        w.Line("/// <summary>Infinite-width weighted NTK Σ_g w_g Θ^g" + wntkNote + ", N1 × N2. float64.</summary>");
        w.Open("public static " + Tensor + " AnalyticWntk(" + Tensor + " x1, " + Tensor + "? x2, global::NtkDsl.GroupWeights weights, " + Progress + " progress = null, " + Token + " cancellationToken = default)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(weights);");
        w.Line("return __ntkAnalyticCore(x1, x2, weights.Resolve(" + info + "), ntkWanted: true, progress, cancellationToken);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Θ(x_i, x_i) of the infinite-width NTK for every row: a vector of N. float64.</summary>");
        w.Line("public static " + Tensor + " AnalyticNtkDiagonal(" + Tensor + " x) => __ntkAnalyticDiagonal(x, ntkWanted: true);");
        w.Line();
        w.Line("/// <summary>K(x_i, x_i) of the infinite-width NNGP for every row: a vector of N. float64.</summary>");
        w.Line("public static " + Tensor + " AnalyticNngpDiagonal(" + Tensor + " x) => __ntkAnalyticDiagonal(x, ntkWanted: false);");
        w.Line();
    }
}
