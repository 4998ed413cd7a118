using System.Linq;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Emit;

internal static partial class ModelEmitter
{
    private const string Progress = PublicSurface.Progress;
    private const string Token = PublicSurface.Token;
    private const string Mode = PublicSurface.Mode;

    private static void EmitNtk(SourceWriter w, EmitContext c)
    {
        string S = c.S;
        var L = c.Layers;
        int last = L.Count - 1;
        string feat = "global::NtkDsl.Kernels.NtkFeatures<" + S + ">";
        string lfeat = "global::NtkDsl.Kernels.LayerFeatures<" + S + ">";
        string form = "global::NtkDsl.Kernels.DeltaForm";
        bool outputIdentity = c.Output.IsIdentity;

        w.Line("/// <summary>Rows per block when extracting NTK features (bounds the forward/backward temporaries).</summary>");
        w.Line("private const int __ntkNtkFeatureBlock = 1024;");
        w.Line();

        // Feature containers with the delta form of every layer.
        w.Line("/// <summary>Allocates per-layer NTK features; <paramref name=\"traced\"/> allows the traced last-hidden-layer reduction.</summary>");
        w.Open("private static " + feat + " __ntkCreateNtkFeatures(int rows, bool traced)");
        w.Line("return new " + feat + "(rows, " + c.K + ", new " + lfeat + "[]").Indent();
        w.Line("{");
        foreach (var l in L)
        {
            string f;
            if (l.Index == last) f = form + (outputIdentity ? ".Unit" : ".Diagonal");
            else if (l.Index == last - 1 && outputIdentity) f = "traced ? " + form + ".Reduced : " + form + ".General";
            else f = form + ".General";
            w.Line("new(rows, " + l.FanIn + ", " + l.Width + ", " + c.K + ", " + f + ", " + Num(l.BiasScale) + ", " + Bool(l.Spec.UseBias) + ", " + l.WeightGroup + ", " + l.BiasGroup + "),");
        }
        w.Line("});").Unindent();
        w.Close();
        w.Line();

        w.Line("/// <summary>Forward and backward pass of one row block, writing scaled inputs and deltas (math.md §2).</summary>");
        w.Open("private void __ntkFillNtkFeatures(global::System.ReadOnlySpan<" + S + "> x, int row0, int rows, " + feat + " f, bool traced)");
        w.Line("var (acts, ders) = __ntkRunForward(x, rows, derivatives: true);");
        w.Line("var layers = f.Layers;");
        foreach (var l in L) Layers.DenseKind.EmitFeatureInput(w, l);
        if (!outputIdentity)
            w.Line("ders![" + last + "].AsSpan().CopyTo(layers[" + last + "].Deltas.AsSpan(row0 * " + c.K + ", rows * " + c.K + "));");
        if (L.Count >= 2)
        {
            var h = L[last - 1];
            string outDer = outputIdentity ? "default" : "ders![" + last + "]";
            w.Line("// " + h.Name + " (last hidden layer): δ_c = φ'(h) ⊙ cW·W[c, :]" + (outputIdentity ? "" : "·g_c"));
            if (outputIdentity)
            {
                w.Line(S + "[]? delta = null;");
                w.Open("if (traced)");
                w.Line(c.Ops + ".ReducedOutputDeltas(rows, " + c.K + ", " + h.Width + ", " + c.Output.W + ", " + Num(c.Output.WeightScale) + ", ders![" + h.Index + "])");
                w.Line("    .AsSpan().CopyTo(layers[" + h.Index + "].Deltas.AsSpan(row0 * " + h.Width + ", rows * " + h.Width + "));");
                w.Close();
                // Below the last hidden layer the per-output deltas are needed for backpropagation even when traced.
                w.Open(L.Count > 2 ? "" : "if (!traced)");
                w.Line("delta = " + c.Ops + ".OutputDeltas(rows, " + c.K + ", " + h.Width + ", " + c.Output.W + ", " + Num(c.Output.WeightScale) + ", ders![" + h.Index + "], " + outDer + ");");
                w.Line("if (!traced) delta.AsSpan().CopyTo(layers[" + h.Index + "].Deltas.AsSpan(row0 * " + (c.K * h.Width) + ", rows * " + (c.K * h.Width) + "));");
                w.Close();
            }
            else
            {
                w.Line("var delta = " + c.Ops + ".OutputDeltas(rows, " + c.K + ", " + h.Width + ", " + c.Output.W + ", " + Num(c.Output.WeightScale) + ", ders![" + h.Index + "], " + outDer + ");");
                w.Line("delta.AsSpan().CopyTo(layers[" + h.Index + "].Deltas.AsSpan(row0 * " + (c.K * h.Width) + ", rows * " + (c.K * h.Width) + "));");
            }
            for (int i = last - 2; i >= 0; i--)
            {
                var l = L[i];
                var up = L[i + 1];
                // Written straight into the layer's feature array (no temporary, no copy); the layer below reads it there.
                string below = i == last - 2 ? "delta!" : "layers[" + up.Index + "].Deltas.AsSpan(row0 * " + (c.K * up.Width) + ", rows * " + (c.K * up.Width) + ")";
                w.Line("// " + l.Name + ": δ_c = φ'(h) ⊙ cW·δ_c(" + up.Name + ")·W(" + up.Name + ")");
                w.Line(c.Ops + ".BackpropDeltasInto(" + below + ", rows, " + c.K + ", " + up.Width + ", " + up.W + ", " + l.Width + ", " + Num(up.WeightScale) + ", ders![" + l.Index + "], layers[" + l.Index + "].Deltas.AsSpan(row0 * " + (c.K * l.Width) + ", rows * " + (c.K * l.Width) + "));");
            }
        }
        w.Close();
        w.Line();

        w.Line("/// <summary>Per-layer NTK features of a whole batch, computed in row blocks.</summary>");
        w.Open("private " + feat + " __ntkNtkFeaturesOf(" + Tensor + " x, bool traced, " + Token + " cancellationToken)");
        w.Line("var f = __ntkCreateNtkFeatures(x.Rows, traced);");
        w.Line("var xs = x." + c.Span + ";");
        w.Open("for (int row0 = 0; row0 < x.Rows; row0 += __ntkNtkFeatureBlock)");
        w.Line("cancellationToken.ThrowIfCancellationRequested();");
        w.Line("int rows = global::System.Math.Min(__ntkNtkFeatureBlock, x.Rows - row0);");
        w.Line("__ntkFillNtkFeatures(xs.Slice(row0 * " + c.Model.Inputs + ", rows * " + c.Model.Inputs + "), row0, rows, f, traced);");
        w.Close();
        w.Line("return f;");
        w.Close();
        w.Line();

        w.Open("private global::NtkDsl.Tensor[] __ntkNtkCore(" + Tensor + " x1, " + Tensor + "? x2, " + Mode + " mode, double[] groupWeight, bool perGroup, " + Progress + " progress, " + Token + " cancellationToken)");
        w.Line("__ntkCheckInput(x1, nameof(x1));");
        w.Line("if (x2 is not null) __ntkCheckInput(x2, nameof(x2));");
        w.Line("if (!global::System.Enum.IsDefined(mode)) throw new global::System.ArgumentOutOfRangeException(nameof(mode), mode, \"Unknown NtkMode.\");");
        w.Line("if ((mode == " + Mode + ".Diagonal || mode == " + Mode + ".DiagonalFull) && x2 is not null)");
        w.Line("    throw new global::System.ArgumentException(\"" + c.Name + ": NtkMode.\" + mode + \" computes Θ(x_i, x_i) of one batch and requires x2 == null.\", nameof(x2));");
        w.Line("global::NtkDsl.Memory.MemoryBudget.EnsureNtk(Cost, x1.Rows, x2?.Rows, mode, perGroup ? " + c.GroupCount + " : 1);");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(perGroup ? \"NtkPerGroup\" : \"Ntk\");");
        w.Line("var groupOutput = new int[" + c.GroupCount + "];");
        w.Line("if (perGroup) for (int g = 0; g < groupOutput.Length; g++) groupOutput[g] = g;");
        w.Line("if (__ntkDevice is not null) return __ntkDevice.Ntk(x1, x2, mode, perGroup ? " + c.GroupCount + " : 1, groupOutput, groupWeight, progress, cancellationToken);");
        w.Line("bool traced = mode == " + Mode + ".Trace || mode == " + Mode + ".Diagonal;");
        w.Line("var f1 = __ntkNtkFeaturesOf(x1, traced, cancellationToken);");
        w.Line("var f2 = x2 is null ? null : __ntkNtkFeaturesOf(x2, traced, cancellationToken);");
        w.Line("return global::NtkDsl.Kernels.NtkAssembler.Assemble(f1, f2, mode, perGroup ? " + c.GroupCount + " : 1, groupOutput, groupWeight, progress, cancellationToken, Device);");
        w.Close();
        w.Line();

        PublicSurface.KernelMethods(w, c.GroupCount, new[]
        {
            "Empirical NTK Θ(x1, x2) = J(x1)·J(x2)ᵀ, structured per layer (never builds J). <paramref name=\"x2\"/> = null means x1",
            "(the symmetric training kernel: one triangle of tiles, mirrored). Trace: N1 × N2 mean over outputs; Full:",
            "N1 × N2 × K × K; Diagonal / DiagonalFull: Θ(x_i, x_i) only.",
        }, "each layer's weights and biases");

        w.Line("/// <summary>The explicit Jacobian ∂f_c(x_n)/∂θ_p, N × K × P in <see cref=\"GetParameters\"/> order. Memory N·K·P: for small models and tests.</summary>");
        w.Open("public " + Tensor + " Jacobian(" + Tensor + " x)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("global::NtkDsl.Memory.MemoryBudget.EnsureJacobian(Cost, x.Rows);");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Jacobian\");");
        w.Line("if (__ntkDevice is not null) return __ntkDevice.Jacobian(x);");
        w.Line("var f = __ntkNtkFeaturesOf(x, traced: false, default);");
        w.Line("return global::NtkDsl.Kernels.JacobianAssembler.Build(f, " + Int(c.ParameterCount) + ", new int[] { " + string.Join(", ", L.Select(l => Int(l.WeightOffset))) + " }, new int[] { "
            + string.Join(", ", L.Select(l => Int(l.BiasOffset))) + " });");
        w.Close();
    }
}
