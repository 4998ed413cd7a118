using System.Linq;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Emit;

internal static partial class ModelEmitter
{
    private const string Dual = "global::NtkDsl.Analytic.DualActivations";

    /// <summary>
    /// Infinite-width NNGP/NTK/WNTK of the architecture (math.md §3–4): one GEMM for x·x'/d, the per-example diagonal
    /// chain once, then the whole layer recursion fused per (i, j) entry.
    /// </summary>
    private static void EmitAnalytic(SourceWriter w, EmitContext c)
    {
        var L = c.Layers;
        bool standard = c.Model.Parameterization == ParameterizationKind.Standard;
        int depth = L.Count;

        // Error-controlled integrators for activations without a closed form, built on the generated φ and φ', and
        // tabulated once per call (DualSeries) for the pairs.
        var quad = L.Where(UsesQuadrature).ToList();
        foreach (var l in quad)
        {
            w.Line("/// <summary>φ and φ' of " + l.Name + " for the adaptive Gaussian integrals.</summary>");
            w.Open("private readonly struct " + l.FunctionType + " : global::NtkDsl.Analytic.IScalarFunction");
            w.Line("public double Value(double x) => " + l.Phi + "(x);");
            w.Line("public double Derivative(double x) => " + l.DPhi + "(x);");
            w.Close();
            w.Line("private static readonly global::NtkDsl.Analytic.AdaptiveDual<" + l.FunctionType + "> " + l.QuadratureField
                + " = global::NtkDsl.Analytic.AdaptiveDual.Create(new " + l.FunctionType + "(), " + Str(c.Name + "." + l.Name + " (" + ActivationEmitter.DisplayName(l.Spec) + ")") + ");");
            w.Line();
        }
        string tablesParam = quad.Count > 0 ? ", " + Series + "[] tables" : "";
        string tablesArg = quad.Count > 0 ? ", tables" : "";

        // Diagonal chain: K(x, x) entering each layer's activation, per example.
        w.Line("/// <summary>K^l(x_i, x_i) for every layer l (the variance entering each activation), per example.</summary>");
        w.Open("private static double[][] __ntkAnalyticDiagonalChain(double[] sq, int n)");
        w.Line("var chain = new double[" + depth + "][];");
        w.Line("for (int l = 0; l < " + depth + "; l++) chain[l] = new double[n];");
        w.Open("for (int i = 0; i < n; i++)");
        w.Line("double q = sq[i];");
        if (depth > 1) w.Line("double kt;");
        for (int i = 0; i < depth; i++) Layers.DenseKind.EmitAnalyticDiagonal(w, L[i], i > 0 ? DiagonalCall(L[i - 1], "q", "kt") : null);
        w.Close();
        w.Line("return chain;");
        w.Close();
        w.Line();

        // The fused recursion for one entry.
        w.Line("/// <summary>NNGP and (weighted) NTK of one pair from c = x·x'/d and the two diagonal chains.</summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.Open("private static void __ntkAnalyticPair(double c, double[][] chain1, int i, double[][] chain2, int j, double[] gw" + tablesParam + ", out double nngp, out double ntk)");
        w.Line(depth > 1 || !c.Output.IsIdentity ? "double kt = c, td;" : "double kt = c;"); // td only where a dual is taken (CS0168)
        w.Line("nngp = 0.0;");
        w.Line("ntk = 0.0;");
        for (int i = 0; i < depth; i++)
        {
            string? dual = i == 0 ? null : PairCall(L[i - 1], "chain1[" + (i - 1) + "][i]", "chain2[" + (i - 1) + "][j]", "nngp", "kt", "td", quad.IndexOf(L[i - 1]));
            Layers.DenseKind.EmitAnalyticPair(w, L[i], i > 0 ? L[i - 1] : null, standard, dual);
        }
        if (!c.Output.IsIdentity)
        {
            w.Line("// Output activation " + ActivationEmitter.DisplayName(c.Output.Spec) + ": NNGP = E[φ(u)φ(v)], NTK = E[φ'(u)φ'(v)]·Θ");
            w.Line(PairCall(c.Output, "chain1[" + (depth - 1) + "][i]", "chain2[" + (depth - 1) + "][j]", "nngp", "kt", "td", quad.IndexOf(c.Output)));
            w.Line("nngp = kt;");
            w.Line("ntk = td * ntk;");
        }
        w.Close();
        w.Line();

        w.Open("private static " + Tensor + " __ntkAnalyticCore(" + Tensor + " x1, " + Tensor + "? x2, double[] gw, bool ntkWanted, " + PublicSurface.Progress + " progress, " + Token + " cancellationToken)");
        w.Line("__ntkCheckAnalyticInput(x1, nameof(x1));");
        w.Line("if (x2 is not null) __ntkCheckAnalyticInput(x2, nameof(x2));");
        w.Line("global::NtkDsl.Memory.MemoryBudget.EnsureAnalytic(Cost, x1.Rows, x2?.Rows);");
        w.Line("double[] a = x1.ToFlatArray();");
        w.Line("double[] b = x2 is null ? a : x2.ToFlatArray();");
        w.Line("int n1 = x1.Rows, n2 = x2?.Rows ?? n1;");
        w.Line("const int d = " + c.Model.Inputs + ";");
        w.Line("var dot = new double[(long)n1 * n2];");
        w.Line("global::NtkDsl.Analytic.AnalyticGram.ScaledDots(a, n1, x2 is null ? null : b, n2, d, dot); // equal rows: exactly the chain's q");
        w.Line("var chain1 = __ntkAnalyticDiagonalChain(global::NtkDsl.Kernels.AnalyticOps.MeanSquares(a, n1, d), n1);");
        w.Line("var chain2 = x2 is null ? chain1 : __ntkAnalyticDiagonalChain(global::NtkDsl.Kernels.AnalyticOps.MeanSquares(b, n2, d), n2);");
        EmitTables(w, quad, "chain1", "x2 is null ? null : chain2", "true", "cancellationToken", "progress");
        w.Line("bool symmetric = x2 is null;");
        w.Line("long rowsDone = 0;");
        w.Open("global::System.Threading.Tasks.Parallel.For(0, n1, new global::System.Threading.Tasks.ParallelOptions { CancellationToken = cancellationToken }, i =>");
        w.Open("for (int j = 0; j < (symmetric ? i + 1 : n2); j++)");
        w.Line("long idx = (long)i * n2 + j;");
        w.Line("__ntkAnalyticPair(dot[idx], chain1, i, chain2, j, gw" + tablesArg + ", out double nngp, out double ntk);");
        w.Line("double v = ntkWanted ? ntk : nngp;");
        w.Line("dot[idx] = v;");
        w.Line("if (symmetric) dot[(long)j * n2 + i] = v;");
        w.Close();
        w.Open("if (progress is not null)");
        w.Line("long done = global::System.Threading.Interlocked.Increment(ref rowsDone);");
        w.Line("if (done % 64 == 0 || done == n1) progress.Report(new global::NtkDsl.NtkProgress(\"Analytic kernel rows\", done, n1));");
        w.Close();
        w.Close(");");
        w.Line("global::NtkDsl.FiniteChecks.Block<double>(dot, n2, " + Str(c.Name + ": infinite-width kernel recursion (the sum of the per-layer terms)") + ");");
        w.Line("return " + Tensor + ".Wrap(dot, n1, n2);");
        w.Close();
        w.Line();

        w.Line("private static void __ntkCheckAnalyticInput(" + Tensor + "? x, string argument) => global::NtkDsl.InputChecks.Features(x, " + Int(c.Model.Inputs) + ", x?.DType ?? global::NtkDsl.DType.Float64, " + Str(c.Name) + ", argument);");
        w.Line();

        string limit = standard
            ? "Standard parameterization: neural-tangents' convention (Sohl-Dickstein et al. 2020, s = 1) — the weight term is fan_in·K̃ with the declared widths, the bias term 1."
            : "NTK parameterization.";
        PublicSurface.AnalyticMethods(w, c.GroupCount, limit + " ", " (math.md §3 recursion)");
        EmitDeviceAnalytic(w, c);
        w.Open("private static " + Tensor + " __ntkAnalyticDiagonal(" + Tensor + " x, bool ntkWanted)");
        w.Line("__ntkCheckAnalyticInput(x, nameof(x));");
        w.Line("double[] a = x.ToFlatArray();");
        w.Line("int n = x.Rows;");
        w.Line("const int d = " + c.Model.Inputs + ";");
        w.Line("var sq = global::NtkDsl.Kernels.AnalyticOps.MeanSquares(a, n, d);");
        w.Line("var chain = __ntkAnalyticDiagonalChain(sq, n);");
        w.Line("var gw = " + PublicSurface.Ones(c.GroupCount) + ";");
        EmitTables(w, quad, "chain", "null", "false", "default", "null");
        w.Line("var result = new double[n];");
        w.Open("for (int i = 0; i < n; i++)");
        w.Line("__ntkAnalyticPair(sq[i], chain, i, chain, i, gw" + tablesArg + ", out double nngp, out double ntk);");
        w.Line("result[i] = ntkWanted ? ntk : nngp;");
        w.Close();
        w.Line("global::NtkDsl.FiniteChecks.Block<double>(result, 1, " + Str(c.Name + ": infinite-width kernel diagonal (the sum of the per-layer terms)") + ");");
        w.Line("return " + Tensor + ".Wrap(result, n);");
        w.Close();
    }

    /// <summary>
    /// AnalyticNngp/AnalyticNtk/AnalyticWntk/AnalyticNtkDiagonal/AnalyticNngpDiagonal(Device device, …) (issue 12): the
    /// analytic methods are static, so the device comes as the first argument (<c>Mlp.AnalyticNtk(model.Device, x1, x2)</c>).
    /// Device.Cpu runs <c>__ntkAnalyticCore</c> (<c>__ntkAnalyticDiagonal</c>); any other device gets the call through
    /// <c>global::NtkDsl.DeviceAnalytic.Run</c> (<c>RunDiagonal</c>): its model backend runs the recursion of this model's
    /// CUDA C, or throws NotSupportedException: never a CPU fallback.
    /// </summary>
    private static void EmitDeviceAnalytic(SourceWriter w, EmitContext c)
    {
        string T = PublicSurface.Tensor, P = PublicSurface.Progress, K = PublicSurface.Token, D = "global::NtkDsl.Device";
        PublicSurface.DeviceAnalyticMethods(w, c.GroupCount, "on <paramref name=\"device\"/>: Device.Cpu runs the CPU recursion; a GPU (NtkDsl.Cuda) runs this model's generated CUDA C and throws NotSupportedException for an activation without a device dual (never a CPU fallback).", "Info");
        w.Open("private static " + T + " __ntkAnalyticOn(" + D + " device, " + T + " x1, " + T + "? x2, double[] gw, bool ntkWanted, " + P + " progress, " + K + " cancellationToken)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(device);");
        w.Line("if (device.IsCpu) return __ntkAnalyticCore(x1, x2, gw, ntkWanted, progress, cancellationToken);");
        w.Line("__ntkCheckAnalyticInput(x1, nameof(x1));");
        w.Line("if (x2 is not null) __ntkCheckAnalyticInput(x2, nameof(x2));");
        w.Line("return global::NtkDsl.DeviceAnalytic.Run(device, Info, __ntkCudaSource, CudaAnalyticUnsupportedReason, x1, x2, gw, ntkWanted, progress, cancellationToken);");
        w.Close();
        w.Line();
        w.Open("private static " + T + " __ntkAnalyticDiagonalOn(" + D + " device, " + T + " x, bool ntkWanted)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(device);");
        w.Line("if (device.IsCpu) return __ntkAnalyticDiagonal(x, ntkWanted);");
        w.Line("__ntkCheckAnalyticInput(x, nameof(x));");
        w.Line("return global::NtkDsl.DeviceAnalytic.RunDiagonal(device, Info, __ntkCudaSource, CudaAnalyticUnsupportedReason, x, ntkWanted);");
        w.Close();
        w.Line();
    }

    private const string Series = "global::NtkDsl.Analytic.DualSeries";

    /// <summary>Activations evaluated by AdaptiveDual/DualSeries: everything without a closed form (sin has one in SinDual).</summary>
    private static bool UsesQuadrature(LayerPlan l) =>
        !Parsing.ModelParser.HasClosedForm(l.Spec.Activation);

    /// <summary>
    /// One DualSeries per quadrature layer, built from the variances entering its activation (chain index = the
    /// layer's position; the output activation reads the last chain entry, which is the output layer's position too).
    /// </summary>
    private static void EmitTables(SourceWriter w, System.Collections.Generic.List<LayerPlan> quad,
        string chain1, string chain2, string series, string token, string progress)
    {
        if (quad.Count == 0) return;
        w.Line("var tables = new " + Series + "[" + quad.Count + "];");
        for (int k = 0; k < quad.Count; k++)
        {
            int p = quad[k].Index; // the layer's position, which is its chain index
            w.Line("tables[" + k + "] = " + Series + ".Build(" + quad[k].QuadratureField + ", " + chain1 + "[" + p + "], "
                + (chain2 == "null" ? "null" : "(" + chain2 + ")?[" + p + "]") + ", " + series + ", " + token + ");");
            if (progress != "null")
                w.Line(progress + "?.Report(new global::NtkDsl.NtkProgress(\"Analytic dual tables\", " + (k + 1) + ", " + quad.Count + "));");
        }
    }

    /// <summary>A call computing (K̃, Ṫ) of <paramref name="l"/>'s activation for variances q1, q2 and covariance c (in variable <paramref name="cov"/>).</summary>
    private static string PairCall(LayerPlan l, string q1, string q2, string cov, string kt, string td, int table = -1)
    {
        if (table >= 0) return "tables[" + table + "].Dual(i, j, " + cov + ", out " + kt + ", out " + td + ");";
        string args = q1 + ", " + q2 + ", " + cov + ", out " + kt + ", out " + td + ");";
        return l.Spec.Activation switch
        {
            ActivationKind.Identity => Dual + ".Identity(" + args,
            ActivationKind.Relu => Dual + ".Relu(" + args,
            ActivationKind.LeakyRelu => Dual + ".LeakyRelu(" + Num(l.Spec.LeakySlope) + ", " + args,
            ActivationKind.Abs => Dual + ".Abs(" + args,
            ActivationKind.Erf => Dual + ".Erf(" + args,
            ActivationKind.Sin => "global::NtkDsl.Analytic.SinDual.Dual(" + args,
            _ => l.QuadratureField + ".Dual(" + args,
        };
    }

    /// <summary>A call computing the diagonal (K̃(q), Ṫ(q)).</summary>
    private static string DiagonalCall(LayerPlan l, string q, string kt)
    {
        string args = q + ", out " + kt + ", out double _);";
        return l.Spec.Activation switch
        {
            ActivationKind.Identity => Dual + ".IdentityDiagonal(" + args,
            ActivationKind.Relu => Dual + ".ReluDiagonal(" + args,
            ActivationKind.LeakyRelu => Dual + ".LeakyReluDiagonal(" + Num(l.Spec.LeakySlope) + ", " + args,
            ActivationKind.Abs => Dual + ".AbsDiagonal(" + args,
            ActivationKind.Erf => Dual + ".ErfDiagonal(" + args,
            ActivationKind.Sin => "global::NtkDsl.Analytic.SinDual.Diagonal(" + args,
            _ => l.QuadratureField + ".Diagonal(" + args,
        };
    }
}
